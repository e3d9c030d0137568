from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.models import Assessment, Standard
from contracts.models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent
from core.history import history_deferred
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
