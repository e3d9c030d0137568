from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import CachedChoiceLabels
from core.history import History
from core.i18n import bilingual
from core.validators import validate_document
from vendors.models import DataCategory, Vendor


class ContractKind(models.TextChoices):
    ENTRUSTMENT = "entrustment", _("Entrustment contract")
    PROTECTION_AGREEMENT = "protection_agreement", _("Personal-information protection agreement")
    JOINT_USE = "joint_use", _("Joint-use agreement")


class Obligation(models.TextChoices):
    MUST = "must", _("Must (legal duty)")
    SHOULD = "should", _("Should (guideline; company policy)")


class Clause(CachedChoiceLabels, models.Model):
    """A clause a protection contract is expected to contain (reference data, edited by compliance)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    required_for = models.JSONField(
        _("required for"),
        default=list,
        blank=True,
        help_text=_("The contract kinds that must contain this clause before they can be activated."),
    )
    obligation = models.CharField(
        _("obligation"), max_length=10, choices=Obligation.choices, default=Obligation.SHOULD
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = History()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["code"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("contracts:clause_detail", args=[self.pk])

    title = bilingual("title_en", "title_ja")

    def clean(self):
        unknown = set(self.required_for or []) - set(ContractKind.values)
        if not isinstance(self.required_for, list) or unknown:
            raise ValidationError(
                {
                    "required_for": _("Use contract kinds only: %(kinds)s.")
                    % {"kinds": ", ".join(ContractKind.values)}
                }
            )

    def get_required_for_display(self) -> str:
        return ", ".join(str(ContractKind(k).label) for k in self.required_for) or "—"


def required_clauses_by_kind() -> dict[str, set[int]]:
    """{contract kind: ids of the active clauses it requires}, from one query."""
    result: dict[str, set[int]] = {kind: set() for kind in ContractKind.values}
    for pk, kinds in Clause.objects.filter(is_active=True).values_list("pk", "required_for"):
        for kind in kinds or []:
            result.setdefault(kind, set()).add(pk)
    return result


def missing_clause_counts(contracts) -> dict[int, int]:
    """{contract id: how many active clauses its kind requires and it lacks} for a page of contracts: two
    queries, the contained clauses read as id pairs (no Clause object built for each of hundreds of links)."""
    required = required_clauses_by_kind()
    present: dict[int, set[int]] = {contract.pk: set() for contract in contracts}
    links = ProtectionContract.clauses.through.objects.filter(protectioncontract_id__in=present)
    for contract_id, clause_id in links.values_list("protectioncontract_id", "clause_id"):
        present[contract_id].add(clause_id)
    return {
        contract.pk: len(required.get(contract.kind, set()) - present[contract.pk]) for contract in contracts
    }


class ProtectionContract(CachedChoiceLabels, models.Model):
    """A personal-information protection contract concluded with a vendor."""

    Kind = ContractKind

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", pgettext_lazy("contract status", "Terminated")
        SUPERSEDED = "superseded", _("Superseded")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("vendor")
    )
    kind = models.CharField(
        _("kind"), max_length=30, choices=ContractKind.choices, default=ContractKind.ENTRUSTMENT
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(
        _("reference"), max_length=60, unique=True, help_text=_("The contract number used in correspondence.")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(
        _("ends on"),
        null=True,
        blank=True,
        help_text=_("Leave empty for an open-ended contract and give a review date."),
    )
    review_on = models.DateField(
        _("review on"),
        null=True,
        blank=True,
        help_text=_("For an open-ended contract: when it must be reviewed."),
    )
    auto_renews = models.BooleanField(_("renews automatically"), default=False)
    renewal_months = models.PositiveSmallIntegerField(_("renewal period (months)"), default=12)
    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        default=60,
        help_text=_("Days before the end by which non-renewal must be notified."),
    )
    permits_reentrustment = models.BooleanField(
        _("permits re-entrustment"),
        default=False,
        help_text=_(
            "The contract allows the vendor to re-entrust the work, with the company's prior written consent."
        ),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    renews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("renews"),
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_contracts",
        verbose_name=_("owner"),
        help_text=_("Receives the renewal reminders."),
    )
    clauses = models.ManyToManyField(
        Clause,
        blank=True,
        related_name="contracts",
        verbose_name=_("clauses"),
        help_text=_("The clauses the signed document contains."),
    )
    document = models.FileField(
        _("signed document"),
        upload_to="contracts/%Y/%m/",
        blank=True,
        validators=[validate_document],
        help_text=_("PDF or Word (.docx), at most 20 MB."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Stored copy of decision_date (notice deadline, or review date when open-ended) so that reminders
    # and list filters can select by it with an index instead of computing it row by row.
    decision_on = models.DateField(_("decision date"), null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = History(m2m_fields=[clauses])

    class Meta:
        verbose_name = _("protection contract")
        verbose_name_plural = _("protection contracts")
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=F("ends_on")),
                name="contract_starts_before_it_ends",
                violation_error_message=_("The contract cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(renewal_months__gte=1),
                name="contract_renewal_months_positive",
                violation_error_message=_("The renewal period is at least one month."),
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "status"], name="contract_vendor_status"),
            # The list's default order (notice deadline) under its status and kind filters, the dashboard's
            # deadline panels and chart, the reminder run's windows.
            models.Index(fields=["status", "decision_on"], name="contract_status_decision"),
            models.Index(fields=["status", "kind", "decision_on"], name="contract_status_kind_decision"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def save(self, *args, **kwargs):
        self.decision_on = self.decision_date
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "decision_on" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "decision_on"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("contracts:detail", args=[self.pk])

    @property
    def notice_deadline(self) -> date | None:
        """The last day to notify non-renewal: ends_on minus notice_days."""
        if self.ends_on is None:
            return None
        return self.ends_on - timedelta(days=self.notice_days)

    @property
    def decision_date(self) -> date | None:
        """When someone must decide: the notice deadline, or the review date if open-ended."""
        return self.notice_deadline if self.ends_on else self.review_on

    @property
    def missing_clauses(self) -> list[Clause]:
        """Active clauses required for this kind that the contract does not contain."""
        return self.missing_among(_active_clauses())

    def missing_among(self, active_clauses: list[Clause]) -> list[Clause]:
        """missing_clauses, given the active clauses (a register loads them once for all its rows)."""
        present = {c.pk for c in self.clauses.all()} if self.pk else set()
        return [
            clause
            for clause in active_clauses
            if self.kind in (clause.required_for or []) and clause.pk not in present
        ]

    def clean(self):
        errors = {}
        if self.ends_on and self.notice_days and self.starts_on and self.notice_deadline < self.starts_on:
            errors["notice_days"] = _("The notice deadline would fall before the contract starts.")
        if self.renews_id and self.renews_id == self.pk:
            errors["renews"] = _("A contract cannot renew itself.")
        if errors:
            raise ValidationError(errors)


def _active_clauses() -> list[Clause]:
    # Clauses change rarely; one query per call keeps this simple and a list page prefetches instead.
    return list(Clause.objects.filter(is_active=True))


class ReentrustmentConsent(models.Model):
    """The company's prior written consent for a vendor to re-entrust work to a named subcontractor."""

    parent = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        related_name="consents_given",
        verbose_name=_("re-entrusting vendor"),
    )
    subcontractor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="consents_received", verbose_name=_("subcontractor")
    )
    scope_of_work = models.TextField(_("scope of work"))
    data_categories = models.ManyToManyField(
        DataCategory, blank=True, related_name="+", verbose_name=_("data categories")
    )
    data_description = models.TextField(_("data and how it is handled"), blank=True)
    consented_on = models.DateField(_("consented on"))
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("consented by")
    )
    document = models.FileField(
        _("consent document"),
        upload_to="consents/%Y/%m/",
        blank=True,
        validators=[validate_document],
        help_text=_("PDF or Word (.docx), at most 20 MB."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = History(m2m_fields=[data_categories])

    class Meta:
        verbose_name = _("re-entrustment consent")
        verbose_name_plural = _("re-entrustment consents")
        ordering = ["-consented_on"]

    def __str__(self):
        return _("%(parent)s → %(sub)s (%(date)s)") % {
            "parent": self.parent,
            "sub": self.subcontractor,
            "date": self.consented_on,
        }

    def get_absolute_url(self):
        return reverse("contracts:consent_detail", args=[self.pk])

    def clean(self):
        if self.subcontractor_id and self.parent_id and self.subcontractor.parent_id != self.parent_id:
            raise ValidationError(
                {
                    "subcontractor": _("This vendor is not re-entrusted by “%(parent)s”.")
                    % {"parent": self.parent}
                }
            )
