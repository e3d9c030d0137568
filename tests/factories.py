from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.models import Answer, Assessment, Category, Criterion, Standard
from assessments.services import answer_save, assessment_create
from contracts.models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent
from core.history import history_deferred
from core.roles import PROCUREMENT
from vendors.models import Contact, DataCategory, Purpose, Vendor
from vendors.validators import corporate_number_check_digit


def valid_corporate_number(n: int) -> str:
    base = f"{n:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))


class DataCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataCategory

    code = factory.Sequence(lambda n: f"category-{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    name_ja = factory.Sequence(lambda n: f"区分{n}")


class PurposeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purpose

    code = factory.Sequence(lambda n: f"purpose-{n}")
    name_en = factory.Sequence(lambda n: f"Purpose {n}")
    name_ja = factory.Sequence(lambda n: f"目的{n}")


class VendorFactory(factory.django.DjangoModelFactory):
    """A vendor written straight to the table (no history, no risk computation): for setting up a scene."""

    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n:04d} K.K.")
    country = "JP"
    corporate_number = factory.Sequence(lambda n: valid_corporate_number(100_000_000 + n))
    kind = Vendor.Kind.CONTRACTOR


class ForeignVendorFactory(VendorFactory):
    name = factory.Sequence(lambda n: f"Foreign Vendor {n:04d} Inc.")
    country = "US"
    corporate_number = ""


class SubcontractorFactory(VendorFactory):
    kind = Vendor.Kind.SUBCONTRACTOR
    parent = factory.SubFactory(VendorFactory)


class JointUserFactory(VendorFactory):
    kind = Vendor.Kind.JOINT_USER


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.LazyAttribute(lambda c: f"{c.name.replace(' ', '.').lower()}@example.com")


def vendor_chain(length: int, **kwargs) -> list[Vendor]:
    """A contractor followed by `length - 1` subcontractors, each re-entrusted by the previous one."""
    chain = [VendorFactory(**kwargs)]
    for _ in range(length - 1):
        chain.append(SubcontractorFactory(parent=chain[-1], **kwargs))
    return chain


# --- contracts ----------------------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name: str = "signed.pdf") -> ContentFile:
    """A small but real PDF (judged by its bytes), ready to assign to a document field."""
    return ContentFile(PDF_BYTES, name=name)


def required_clauses(kind: str) -> list[Clause]:
    """The active clauses (seeded by a data migration) that a contract of `kind` must contain."""
    return [clause for clause in Clause.objects.filter(is_active=True) if kind in (clause.required_for or [])]


class NoHistoryFactory(factory.django.DjangoModelFactory):
    """Saves the row (and the M2M sets given) without writing history versions."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        with history_deferred(instance):
            instance.save()
        return instance


class ProtectionContractFactory(NoHistoryFactory):
    """A contract written straight to the table (no history, no service rules): for setting up a scene.

    A draft with no dates, no document and no clauses unless given; `clauses=[...]` sets the clauses.
    """

    class Meta:
        model = ProtectionContract
        skip_postgeneration_save = True

    vendor = factory.SubFactory(VendorFactory)
    kind = ContractKind.ENTRUSTMENT
    title = factory.Sequence(lambda n: f"Entrustment contract {n}")
    reference = factory.Sequence(lambda n: f"PC-TEST-{n:05d}")

    @factory.post_generation
    def clauses(self, create, extracted, **kwargs):
        if create and extracted is not None:
            with history_deferred(self):
                self.clauses.set(extracted)


class ReentrustmentConsentFactory(NoHistoryFactory):
    """Written consent for the subcontractor's parent to re-entrust work to it."""

    class Meta:
        model = ReentrustmentConsent
        skip_postgeneration_save = True

    subcontractor = factory.SubFactory(SubcontractorFactory)
    parent = factory.LazyAttribute(lambda consent: consent.subcontractor.parent)
    scope_of_work = "Printing and mailing of customer notices."
    consented_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    consented_by = factory.SubFactory(UserFactory)


def contract_kind_for(vendor: Vendor) -> str:
    return ContractKind.JOINT_USE if vendor.kind == Vendor.Kind.JOINT_USER else ContractKind.ENTRUSTMENT


def active_contract_for(vendor: Vendor, **kwargs) -> ProtectionContract:
    """An ACTIVE contract of the kind the vendor needs, covering today, signed, with a PDF and every
    required clause. Any field can be overridden, e.g. `clauses=[]` or `starts_on=...`."""
    today = timezone.localdate()
    kind = kwargs.pop("kind", contract_kind_for(vendor))
    values = {
        "vendor": vendor,
        "kind": kind,
        "status": ProtectionContract.Status.ACTIVE,
        "signed_on": today - timedelta(days=100),
        "starts_on": today - timedelta(days=90),
        "ends_on": today + timedelta(days=275),
        "document": pdf_file(),
        "clauses": required_clauses(kind),
    }
    values.update(kwargs)
    return ProtectionContractFactory(**values)


def make_approvable(vendor: Vendor) -> Vendor:
    """Give `vendor` what approval needs: an active complete contract covering today and, for a
    subcontractor, an approved parent whose contract permits re-entrustment and a written consent."""
    if vendor.kind == Vendor.Kind.SUBCONTRACTOR and vendor.parent is not None:
        parent = vendor.parent
        if parent.status != Vendor.Status.APPROVED:
            Vendor.objects.filter(pk=parent.pk).update(status=Vendor.Status.APPROVED)
            parent.status = Vendor.Status.APPROVED
        if not parent.contracts.filter(
            status=ProtectionContract.Status.ACTIVE, permits_reentrustment=True
        ).exists():
            active_contract_for(parent, permits_reentrustment=True)
        if not ReentrustmentConsent.objects.filter(parent=parent, subcontractor=vendor).exists():
            ReentrustmentConsentFactory(parent=parent, subcontractor=vendor)
    active_contract_for(vendor)
    approved_assessment_for(vendor)
    return vendor


def approved_assessment_for(vendor: Vendor, *, valid_until=None, **kw) -> Assessment:
    """An approved assessment of `vendor` against the seeded standard, valid for a year by default."""
    return Assessment.objects.create(
        vendor=vendor,
        standard=Standard.objects.get(status=Standard.Status.PUBLISHED),
        status=Assessment.Status.APPROVED,
        result=Assessment.Result.PASS,
        score=Decimal("90.0"),
        decided_at=timezone.now(),
        valid_until=valid_until or timezone.localdate() + timedelta(days=365),
        **kw,
    )


# --- assessments --------------------------------------------------------------------------------------------


class StandardFactory(NoHistoryFactory):
    """A version of an internal standard written straight to the table: a draft, no criteria unless given."""

    class Meta:
        model = Standard
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test standard {n}")
    version = 1
    status = Standard.Status.DRAFT
    pass_score = Decimal("80.0")
    conditional_score = Decimal("60.0")


class CriterionFactory(NoHistoryFactory):
    """A criterion written straight to the table (even on a published standard: for setting up a scene)."""

    class Meta:
        model = Criterion
        skip_postgeneration_save = True

    standard = factory.SubFactory(StandardFactory)
    code = factory.Sequence(lambda n: f"TST-{n:03d}")
    category = Category.BASIC_POLICY
    question_en = factory.LazyAttribute(lambda c: f"Is {c.code} in place?")
    question_ja = factory.LazyAttribute(lambda c: f"{c.code}を実施していますか。")
    weight = 3
    position = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # bulk_create skips Criterion.save, which refuses to add to a standard stored as published.
        [criterion] = model_class._default_manager.bulk_create([model_class(*args, **kwargs)])
        return criterion


def answered_assessment(
    vendor: Vendor | None = None,
    *,
    responses: dict[str, str] | None = None,
    preparer=None,
    default: str = Answer.Response.YES,
    evidence: bool = True,
    **create,
) -> Assessment:
    """A draft prepared by `preparer` (a new procurement user by default) against the published standard,
    every applicable criterion answered `default` unless `responses` (code -> response, "" for unanswered)
    says otherwise, through the services. With `evidence`, a PDF is attached wherever the criterion asks
    for evidence of a yes or partial answer."""
    preparer = preparer or UserFactory(roles=[PROCUREMENT])
    assessment = assessment_create(vendor=vendor or VendorFactory(), user=preparer, **create)
    responses = responses or {}
    for answer in assessment.answers.select_related("criterion").order_by("criterion__position"):
        criterion = answer.criterion
        answer.response = responses.get(criterion.code, default)
        if evidence and criterion.evidence_required and answer.response in ("yes", "partial"):
            answer.evidence = pdf_file(f"evidence-{criterion.code}.pdf")
        if answer.response:
            answer_save(answer=answer, user=preparer)
    assessment.refresh_from_db()
    return assessment


# --- transfers ----------------------------------------------------------------------------------------------

# Two-letter codes no seeded country uses (the seeds start with neither X nor Z).
_FREE_CODES = [f"{first}{second}" for first in "XZ" for second in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"]


def seeded_country(code: str):
    """A country seeded by the transfers data migration: "DE" is an equivalent country, "US" is not."""
    from transfers.models import Country

    return Country.objects.get(code=code)


class CountryFactory(NoHistoryFactory):
    """A non-equivalent country whose protection-system information was reviewed 30 days ago."""

    class Meta:
        model = "transfers.Country"
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: _FREE_CODES[n % len(_FREE_CODES)])
    name_en = factory.Sequence(lambda n: f"Testland {n}")
    name_ja = factory.Sequence(lambda n: f"テスト国{n}")
    ppc_equivalent = False
    has_protection_system = True
    apec_cbpr = False
    oecd_gaps = "No duty to notify the data subject of the purpose of use."
    other_laws = "Broad government access to data held by companies."
    information_reviewed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    source = "Test reference."


class ForeignTransferFactory(NoHistoryFactory):
    """A planned entrustment to a foreign vendor in Germany (an equivalent country): nothing unmet.

    Written straight to the table; `data_categories=[...]` and `purposes=[...]` set the M2M links."""

    class Meta:
        model = "transfers.ForeignTransfer"
        skip_postgeneration_save = True

    vendor = factory.SubFactory(ForeignVendorFactory)
    country = factory.LazyFunction(lambda: seeded_country("DE"))
    relationship = "entrustment"
    route = "equivalent_country"
    status = "planned"
    description = "Cloud hosting of the customer database."

    @factory.post_generation
    def data_categories(self, create, extracted, **kwargs):
        if create and extracted is not None:
            with history_deferred(self):
                self.data_categories.set(extracted)

    @factory.post_generation
    def purposes(self, create, extracted, **kwargs):
        if create and extracted is not None:
            with history_deferred(self):
                self.purposes.set(extracted)


class SystemTransferFactory(ForeignTransferFactory):
    """A planned transfer on the standard-conforming-system route (Rule 16) to a non-equivalent country,
    with its basis and document: nothing unmet until it is active or has checks."""

    country = factory.SubFactory(CountryFactory)
    route = "standard_conforming_system"
    basis = "contract"
    basis_document = factory.LazyFunction(lambda: pdf_file("dpa.pdf"))


class ConsentTransferFactory(ForeignTransferFactory):
    """A planned provision on the consent route (Art. 28(1)) to a non-equivalent country; no consent yet."""

    country = factory.SubFactory(CountryFactory)
    relationship = "third_party_provision"
    route = "consent"


class PeriodicCheckFactory(NoHistoryFactory):
    """An `ok` check made 30 days ago of a standard-conforming transfer."""

    class Meta:
        model = "transfers.PeriodicCheck"
        skip_postgeneration_save = True

    transfer = factory.SubFactory(SystemTransferFactory)
    checked_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    implementation_status = "The recipient applies the contractual measures; audit report received."
    foreign_laws = "No law found that affects the measures."
    result = "ok"


class ConsentRecordFactory(NoHistoryFactory):
    """A complete consent record, the information given the day before consent, the snapshot taken from the
    transfer's country as it is now (as consent_record_save does), with a PDF as evidence."""

    class Meta:
        model = "transfers.ConsentRecord"
        skip_postgeneration_save = True

    transfer = factory.SubFactory(ConsentTransferFactory)
    obtained_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    information_given_on = factory.LazyAttribute(lambda c: c.obtained_on - timedelta(days=1))
    country_name_given = factory.LazyAttribute(
        lambda c: c.transfer.country.name_en if c.transfer.country else ""
    )
    protection_system_snapshot = factory.LazyAttribute(
        lambda c: c.transfer.country.information_snapshot() if c.transfer.country else {}
    )
    recipient_measures = "The recipient takes measures for every OECD principle."
    how_given = "Shown on the application form before the consent box."
    whose_consent = "Applicants via the recruitment site form v3."
    method = "Check box on the web form"
    evidence = factory.LazyFunction(lambda: pdf_file("consent-form.pdf"))


class JointUseArrangementFactory(NoHistoryFactory):
    """A draft joint-use arrangement; `joint_users=[...]` sets the joint users."""

    class Meta:
        model = "transfers.JointUseArrangement"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Group joint use {n}")
    data_items = "Name, address, telephone number, purchase history."
    scope_description = "The company's consolidated subsidiaries listed on its website."
    purposes = "Customer support and product information across the group."
    responsible_party_name = "Example Holdings K.K."
    responsible_party_address = "1-1 Marunouchi, Chiyoda-ku, Tokyo"
    responsible_party_representative = "Taro Yamada, President"
    notice_method = "Published on the privacy page of the website."

    @factory.post_generation
    def joint_users(self, create, extracted, **kwargs):
        if create and extracted is not None:
            with history_deferred(self):
                self.joint_users.set(extracted)


class ProvisionRecordFactory(NoHistoryFactory):
    """A record of a single provision made today (kept 3 years); the model computes retain_until on save."""

    class Meta:
        model = "transfers.ProvisionRecord"
        skip_postgeneration_save = True

    provided_on = factory.LazyFunction(timezone.localdate)
    recipient_name = "Recipient Inc."
    recipient_address = "1 Market Street, San Francisco, CA, USA"
    recipient_representative = "Jane Doe, CEO"
    individuals_description = "Customers who ordered in May."
    data_items = "Name, e-mail address."
    consent_obtained = True
    kind = "single"


def active_transfer_for(vendor: Vendor, **kwargs):
    """An ACTIVE transfer to `vendor` that meets every prerequisite: an entrustment to Germany (an equivalent
    country) started 30 days ago. Any field can be overridden, e.g. `status="planned"`."""
    values = {"vendor": vendor, "status": "active", "started_on": timezone.localdate() - timedelta(days=30)}
    values.update(kwargs)
    return ForeignTransferFactory(**values)
