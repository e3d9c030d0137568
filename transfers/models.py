from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import CachedChoiceLabels
from core.history import History
from core.i18n import bilingual
from core.validators import validate_document
from vendors.models import DataCategory, Purpose, Vendor

# Information about a foreign protection system, and periodic checks, go stale after this long.
STALE_AFTER = relativedelta(months=12)


class Country(models.Model):
    """A country's status under APPI Art. 28 and the information the consent route must give about it."""

    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    ppc_equivalent = models.BooleanField(
        _("equivalent country (PPC)"),
        default=False,
        help_text=_("Designated by the PPC as having a system equivalent to Japan's (Rule 15)."),
    )
    equivalent_since = models.DateField(_("designated on"), null=True, blank=True)
    has_protection_system = models.BooleanField(_("has a personal-information protection system"), null=True)
    eu_adequacy = models.BooleanField(_("EU adequacy decision"), default=False)
    apec_cbpr = models.BooleanField(_("APEC CBPR member"), default=False)
    oecd_gaps = models.TextField(_("OECD principles without a matching duty"), blank=True)
    other_laws = models.TextField(
        _("other laws with significant impact"),
        blank=True,
        help_text=_("E.g. broad government access, data localisation."),
    )
    information_reviewed_on = models.DateField(_("information reviewed on"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = History()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("transfers:country_detail", args=[self.pk])

    name = bilingual("name_en", "name_ja")

    def information_is_stale(self, on: date | None = None) -> bool:
        """True when the protection-system information was never reviewed or is older than 12 months."""
        on = on or timezone.localdate()
        return self.information_reviewed_on is None or self.information_reviewed_on + STALE_AFTER < on

    @property
    def information_status(self) -> str:
        if self.ppc_equivalent:
            return str(_("not needed: equivalent country"))
        if self.information_is_stale():
            return str(_("information stale: review it (over 12 months old or never reviewed)"))
        return str(_("current"))

    information_status.fget.short_description = _("protection-system information")

    def information_snapshot(self) -> dict:
        """The protection-system information as shown to people at one moment (frozen in consent records)."""
        return {
            "code": self.code,
            "name_en": self.name_en,
            "name_ja": self.name_ja,
            "has_protection_system": self.has_protection_system,
            "eu_adequacy": self.eu_adequacy,
            "apec_cbpr": self.apec_cbpr,
            "oecd_gaps": self.oecd_gaps,
            "other_laws": self.other_laws,
            "information_reviewed_on": self.information_reviewed_on.isoformat()
            if self.information_reviewed_on
            else None,
            "source": self.source,
        }

    def information_snapshot_on(self, day: date) -> dict:
        """The protection-system information as it stood at the end of `day`, read from the country's
        history; the current information when the history does not reach back that far."""
        end_of_day = timezone.make_aware(datetime.combine(day, time.max))
        try:
            return self.history.as_of(end_of_day).information_snapshot()
        except Country.DoesNotExist:
            return self.information_snapshot()


class ForeignTransfer(CachedChoiceLabels, models.Model):
    """Provision of personal data to a party in a foreign country, on one of the routes of APPI Art. 28."""

    class Relationship(models.TextChoices):
        ENTRUSTMENT = "entrustment", _("Entrustment")
        JOINT_USE = "joint_use", _("Joint use")
        THIRD_PARTY_PROVISION = "third_party_provision", _("Provision to a third party")

    class Route(models.TextChoices):
        EQUIVALENT_COUNTRY = "equivalent_country", _("Equivalent country (Rule 15)")
        STANDARD_CONFORMING_SYSTEM = (
            "standard_conforming_system",
            _("Recipient with a standard-conforming system (Rule 16)"),
        )
        CONSENT = "consent", _("Principal's prior consent (Art. 28(1))")
        LEGAL_EXCEPTION = "legal_exception", _("Exception of Art. 27(1)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    class Basis(models.TextChoices):
        CONTRACT = "contract", _("Contract or memorandum with the recipient")
        GROUP_RULES = "group_rules", _("Common internal rules or privacy policy of the group")
        APEC_CBPR_RECIPIENT = "apec_cbpr_recipient", _("APEC CBPR certification of the recipient")
        APEC_CBPR_PROVIDER = "apec_cbpr_provider", _("APEC CBPR certification of the provider")

    class OrdinaryBasis(models.TextChoices):
        CONSENT = "consent", _("Principal's consent (Art. 27(1))")
        ENTRUSTMENT = "entrustment", _("Entrustment (Art. 27(5)(i))")
        JOINT_USE = "joint_use", _("Joint use (Art. 27(5)(iii))")
        LEGAL_EXCEPTION = "legal_exception", _("Exception of Art. 27(1)")

    class LegalGround(models.TextChoices):
        LAWS = "laws", _("Required by laws and regulations")
        LIFE_PROPERTY = "life_property", _("Protection of life, body or property")
        PUBLIC_HEALTH = "public_health", _("Public health or the healthy upbringing of children")
        AUTHORITIES = "authorities", _("Cooperation with national or local authorities")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="foreign_transfers", verbose_name=_("recipient")
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("country"),
        help_text=_("Empty only on the consent route when the country cannot be identified."),
    )
    data_categories = models.ManyToManyField(
        DataCategory, blank=True, related_name="+", verbose_name=_("data categories")
    )
    purposes = models.ManyToManyField(
        Purpose, blank=True, related_name="+", verbose_name=_("purposes of use")
    )
    description = models.TextField(_("description"), blank=True)
    relationship = models.CharField(
        _("relationship"), max_length=30, choices=Relationship.choices, default=Relationship.ENTRUSTMENT
    )
    route = models.CharField(_("route"), max_length=40, choices=Route.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ordinary_basis = models.CharField(
        _("ordinary basis (Art. 27)"), max_length=20, choices=OrdinaryBasis.choices, blank=True
    )
    basis = models.CharField(_("basis of the system"), max_length=30, choices=Basis.choices, blank=True)
    basis_document = models.FileField(
        _("basis document"), upload_to="transfers/%Y/%m/", blank=True, validators=[validate_document]
    )
    legal_ground = models.CharField(_("legal ground"), max_length=20, choices=LegalGround.choices, blank=True)
    legal_justification = models.TextField(_("justification"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History(m2m_fields=[data_categories, purposes])

    class Meta:
        verbose_name = _("foreign transfer")
        verbose_name_plural = _("foreign transfers")
        ordering = ["vendor__name", "pk"]
        indexes = [models.Index(fields=["status", "route"], name="transfer_status_route")]

    def __str__(self):
        return _("%(vendor)s in %(country)s (%(route)s)") % {
            "vendor": self.vendor,
            "country": self.country or _("country not identified"),
            "route": self.get_route_display(),
        }

    def get_absolute_url(self):
        return reverse("transfers:detail", args=[self.pk])

    @property
    def requires_records(self) -> bool:
        """Art. 29 records: a third-party provision, or any provision on the consent route, except one made
        under an Art. 27(1) exception, for which Art. 29(1) waives them."""
        if self.route == self.Route.LEGAL_EXCEPTION or (
            self.route == self.Route.EQUIVALENT_COUNTRY
            and self.ordinary_basis == self.OrdinaryBasis.LEGAL_EXCEPTION
        ):
            return False
        return (
            self.relationship == self.Relationship.THIRD_PARTY_PROVISION or self.route == self.Route.CONSENT
        )

    def loaded(self, relation: str) -> list:
        """The rows of `relation` ("checks", "consents"): as with_related_rows() loaded them for many
        transfers at once, else `.all()` (which a list's prefetch serves)."""
        rows = self.__dict__.get(f"loaded_{relation}")
        return rows if rows is not None else list(getattr(self, relation).all())

    def last_check(self) -> "PeriodicCheck | None":
        """The latest periodic check."""
        return max(self.loaded("checks"), key=lambda check: (check.checked_on, check.pk), default=None)

    def next_check_due(self) -> date | None:
        """When the next periodic check is due on the standard-conforming-system route (at least yearly).

        It counts from the last check, or from the start before the first one; checked_from() is the same
        date in SQL, for filters and reminders over many transfers.
        """
        if self.route != self.Route.STANDARD_CONFORMING_SYSTEM:
            return None
        last = self.last_check()
        start = last.checked_on if last else self.started_on
        return start + STALE_AFTER if start else None


def with_related_rows(queryset):
    """Transfers with their checks and consents loaded as plain lists (ForeignTransfer.loaded): a queryset's
    prefetch builds a filtered queryset per transfer to hold them, most of the time of judging a thousand
    transfers' prerequisites."""
    return queryset.prefetch_related(
        models.Prefetch("checks", to_attr="loaded_checks"),
        models.Prefetch("consents", to_attr="loaded_consents"),
    )


def checked_from() -> Coalesce:
    """SQL for the date a transfer's next periodic check counts from (see ForeignTransfer.next_check_due)."""
    return Coalesce(Max("checks__checked_on"), "started_on")


class PeriodicCheck(CachedChoiceLabels, models.Model):
    """The yearly (or more frequent) check of a standard-conforming recipient (Art. 28(3), Rule 18(1))."""

    class Result(models.TextChoices):
        OK = "ok", _("Implemented")
        IMPEDED = "impeded", _("Impeded: correction demanded")
        DIFFICULT = "difficult", _("Continued implementation difficult: stop providing")

    transfer = models.ForeignKey(
        ForeignTransfer, on_delete=models.PROTECT, related_name="checks", verbose_name=_("transfer")
    )
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
        null=True,
    )
    implementation_status = models.TextField(_("how the recipient implements the measures"), blank=True)
    foreign_laws = models.TextField(_("foreign laws that may affect it"), blank=True)
    impediments = models.TextField(_("impediments found"), blank=True)
    actions_demanded = models.TextField(_("actions demanded"), blank=True)
    correction_due_on = models.DateField(_("correction due on"), null=True, blank=True)
    result = models.CharField(pgettext_lazy("check", "result"), max_length=20, choices=Result.choices)

    history = History()

    class Meta:
        verbose_name = _("periodic check")
        verbose_name_plural = _("periodic checks")
        ordering = ["-checked_on", "-pk"]

    def __str__(self):
        return f"{self.checked_on}: {self.get_result_display()}"

    def get_absolute_url(self):
        return reverse("transfers:detail", args=[self.transfer_id]) + f"#check-{self.pk}"

    def clean(self):
        # The due date is what the overdue-correction rule and its reminder run on; the demand itself may
        # be described elsewhere (a letter), so it is not required.
        if self.result == self.Result.IMPEDED and not self.correction_due_on:
            raise ValidationError(
                {"correction_due_on": _("An impeded check needs the date by which the correction is due.")}
            )


class ConsentRecord(models.Model):
    """How a principal's prior consent to a foreign provision was obtained, and what they were told first."""

    transfer = models.ForeignKey(
        ForeignTransfer, on_delete=models.PROTECT, related_name="consents", verbose_name=_("transfer")
    )
    information_given_on = models.DateField(_("information given on"))
    obtained_on = models.DateField(_("consent obtained on"))
    country_name_given = models.CharField(_("country name given"), max_length=200, blank=True)
    country_unidentified = models.BooleanField(_("the country could not be identified"), default=False)
    country_unidentified_reason = models.TextField(_("why the country could not be identified"), blank=True)
    substitute_information = models.TextField(
        _("substitute information given"), blank=True, help_text=_("E.g. the candidate countries.")
    )
    # None until save() freezes it on creation; an empty dict (no country to describe) stays as given. It
    # stays None only when rows are inserted without save() (bulk_create), and is then judged missing.
    protection_system_snapshot = models.JSONField(
        _("protection-system information as shown"), null=True, default=None, blank=True, editable=False
    )
    recipient_measures = models.TextField(_("the recipient's measures, as told"), blank=True)
    recipient_measures_unknown = models.BooleanField(
        _("the recipient's measures could not be known"), default=False
    )
    recipient_measures_unknown_reason = models.TextField(_("why they could not be known"), blank=True)
    how_given = models.TextField(_("how the information was given"), blank=True)
    whose_consent = models.TextField(
        _("whose consent"), help_text=_("E.g. applicants via the recruitment site form v3.")
    )
    method = models.CharField(_("how consent was obtained"), max_length=200)
    evidence = models.FileField(
        _("evidence"), upload_to="consents/%Y/%m/", blank=True, validators=[validate_document]
    )

    history = History()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-obtained_on", "-pk"]

    def __str__(self):
        return _("Consent of %(whom)s (%(date)s)") % {
            "whom": self.whose_consent[:60],
            "date": self.obtained_on,
        }

    def save(self, *args, **kwargs):
        # Frozen here rather than in the service so that no way of creating a record (form, service, ORM)
        # leaves it out: what the principals were shown is the country's information on the day it was
        # given (Rule 17), not as it is when someone gets round to recording the consent.
        if self._state.adding and self.protection_system_snapshot is None:
            country = self.transfer.country
            self.protection_system_snapshot = (
                country.information_snapshot_on(self.information_given_on) if country else {}
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("transfers:detail", args=[self.transfer_id]) + f"#consent-{self.pk}"


class JointUseArrangement(CachedChoiceLabels, models.Model):
    """The particulars of joint use published before any provision (Art. 27(5)(iii)), one row per version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    class ChangeBasis(models.TextChoices):
        CONSENT = "consent", _("Prior consent of the principals")
        RENAME = "rename", _("A joint user was renamed")
        BUSINESS_SUCCESSION = "business_succession", _("Business succession")

    title = models.CharField(pgettext_lazy("joint use", "title"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    data_items = models.TextField(_("data items jointly used"))
    joint_users = models.ManyToManyField(
        Vendor,
        blank=True,
        related_name="joint_use_arrangements",
        verbose_name=_("joint users"),
        limit_choices_to={"kind": Vendor.Kind.JOINT_USER},
    )
    scope_description = models.TextField(
        _("scope of joint users"),
        help_text=_("Clear enough for a person to tell which companies are included."),
    )
    purposes = models.TextField(
        _("purposes of use of the joint users"), help_text=_("Per data item where they differ.")
    )
    responsible_party_name = models.CharField(_("responsible party"), max_length=200)
    responsible_party_address = models.CharField(_("responsible party's address"), max_length=300)
    responsible_party_representative = models.CharField(
        _("responsible party's representative"), max_length=200
    )
    notice_method = models.CharField(_("how it is notified or made accessible"), max_length=300, blank=True)
    notice_published_on = models.DateField(_("notice published on"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    change_basis = models.CharField(
        _("basis of the change"), max_length=30, choices=ChangeBasis.choices, blank=True
    )
    notify_without_delay = models.BooleanField(
        _("notify without delay"),
        default=False,
        editable=False,
        help_text=_(
            "The responsible party's name, address or representative changed: notify the principals."
        ),
    )

    history = History(m2m_fields=[joint_users])

    class Meta:
        verbose_name = _("joint-use arrangement")
        verbose_name_plural = _("joint-use arrangements")
        ordering = ["title", "-version"]
        # The versions of one arrangement are told apart by their chain: `previous` is one-to-one, so a
        # version has at most one successor. A title is optional and only names an arrangement; when
        # given, two arrangements may not share it.
        constraints = [
            models.UniqueConstraint(
                fields=["title", "version"],
                condition=~Q(title=""),
                name="joint_use_title_version_unique",
                violation_error_message=_("Another joint-use arrangement already has this title."),
            )
        ]

    def __str__(self):
        name = self.title or _("Joint use of %(party)s") % {"party": self.responsible_party_name}
        return f"{name} v{self.version}"

    def get_absolute_url(self):
        return reverse("transfers:joint_use_detail", args=[self.pk])


class ProvisionRecordQuerySet(models.QuerySet):
    def delete(self):
        # A bulk delete bypasses ProvisionRecord.delete(), so it repeats the retention guard for the lot.
        kept = list(self.filter(retain_until__gte=timezone.localdate()).order_by("retain_until", "pk"))
        if kept:
            raise ValidationError(
                _("These records must be kept until their retention date (Rule 21): %(records)s.")
                % {
                    "records": "; ".join(
                        _("#%(pk)s %(record)s, until %(date)s")
                        % {"pk": record.pk, "record": record, "date": record.retain_until}
                        for record in kept
                    )
                }
            )
        return super().delete()


class ProvisionRecord(CachedChoiceLabels, models.Model):
    """A record of provision to a third party (APPI Art. 29), kept until its retention date (Rule 21)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single provision")
        BATCH = "batch", _("Batch record of continuous provision")
        CONTRACT_AS_RECORD = "contract_as_record", _("Contract used as the record")

    provided_on = models.DateField(_("provided on"))
    last_provided_on = models.DateField(
        _("last provided on"),
        null=True,
        blank=True,
        help_text=_("For a batch record or a contract used as the record."),
    )
    recipient_name = models.CharField(pgettext_lazy("provision", "recipient"), max_length=200)
    recipient_address = models.CharField(_("recipient's address"), max_length=300)
    recipient_representative = models.CharField(_("recipient's representative"), max_length=200, blank=True)
    individuals_description = models.TextField(
        _("whose data"), help_text=_("What identifies the individuals.")
    )
    data_items = models.TextField(_("data items"))
    consent_obtained = models.BooleanField(_("consent obtained"), default=False)
    transfer = models.ForeignKey(
        ForeignTransfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("transfer"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.SINGLE)
    created_on = models.DateField(_("made on"), default=timezone.localdate, editable=False)
    # Stored so the purge job and list filters select by it; always recomputed on save.
    retain_until = models.DateField(_("retain until"), null=True, blank=True, editable=False)

    history = History()

    objects = ProvisionRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("record of provision")
        verbose_name_plural = _("records of provision")
        ordering = ["-provided_on", "-pk"]
        indexes = [models.Index(fields=["retain_until"], name="record_retain_until")]

    def __str__(self):
        return _("%(recipient)s on %(date)s") % {"recipient": self.recipient_name, "date": self.provided_on}

    def save(self, *args, **kwargs):
        self.retain_until = self.compute_retain_until()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("transfers:record_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self.retain_until and self.retain_until >= timezone.localdate():
            raise ValidationError(
                _("This record must be kept until %(date)s (Rule 21).") % {"date": self.retain_until}
            )
        return super().delete(*args, **kwargs)

    def compute_retain_until(self) -> date:
        """Rule 21: a contract used as the record, 1 year from the last provision; a batch record, 3 years
        from the last provision; any other record, 3 years from when it was made."""
        last = self.last_provided_on or self.provided_on
        if self.kind == self.Kind.CONTRACT_AS_RECORD:
            return last + relativedelta(years=1)
        if self.kind == self.Kind.BATCH:
            return last + relativedelta(years=3)
        return (self.created_on or timezone.localdate()) + relativedelta(years=3)

    def clean(self):
        if self.last_provided_on and self.last_provided_on < self.provided_on:
            raise ValidationError({"last_provided_on": _("The last provision cannot come before the first.")})
