from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import CachedChoiceLabels
from core.history import History
from core.i18n import bilingual
from core.validators import validate_evidence
from vendors.models import Vendor

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Standard(CachedChoiceLabels, models.Model):
    """A version of the company's internal standard for selecting and supervising vendors."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    pass_score = models.DecimalField(
        _("pass score"), max_digits=4, decimal_places=1, default=Decimal("80.0"), validators=PERCENT
    )
    conditional_score = models.DecimalField(
        _("conditional score"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("60.0"),
        validators=PERCENT,
        help_text=_("At or above this (and below the pass score): conditional."),
    )
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("copied from"),
    )
    notes = models.TextField(_("notes"), blank=True)

    # What a version says, as published: none of it changes once it is (assessments were scored by it).
    DEFINING_FIELDS = ("name", "version", "pass_score", "conditional_score", "copied_from")

    history = History()

    class Meta:
        verbose_name = _("internal standard")
        verbose_name_plural = _("internal standards")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"],
                name="standard_version_unique",
                violation_error_message=_("This version of the standard exists already."),
            ),
            models.CheckConstraint(
                condition=Q(conditional_score__lte=F("pass_score")),
                name="standard_conditional_below_pass",
                violation_error_message=_("The conditional score cannot exceed the pass score."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(status="published"),
                name="standard_one_published_version",
                violation_error_message=_("Another version of this standard is published."),
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        adding = self._state.adding or self.pk is None  # a copy (pk set to None) is inserted too
        if not adding:
            self._refuse_changes_once_published()
        super().save(*args, **kwargs)
        if adding:
            # Code that writes a standard already published (a data load, an outside test's setup) adds its
            # criteria next, through this object: see Criterion._refuse_unless_draft_standard.
            self._inserted_frozen = self.is_frozen

    def get_absolute_url(self):
        return reverse("assessments:standard_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    def _refuse_changes_once_published(self) -> None:
        """Publishing and retiring change the status (and the publication date) only: a published or
        retired version never goes back to draft, and nothing that defines it changes."""
        stored = type(self)._base_manager.filter(pk=self.pk).first()
        if stored is None or not stored.is_frozen:
            return
        values = {"standard": stored, "status": stored.get_status_display().lower()}
        problems = []
        fields = [self._meta.get_field(name) for name in self.DEFINING_FIELDS]
        changed = [f for f in fields if getattr(stored, f.attname) != f.to_python(getattr(self, f.attname))]
        if changed:
            problems.append(
                _(
                    "The standard “%(standard)s” is %(status)s: its %(fields)s cannot change; "
                    "copy it to a new draft version to change it."
                )
                % {**values, "fields": ", ".join(str(field.verbose_name) for field in changed)}
            )
        if self.status == self.Status.DRAFT:
            problems.append(
                _(
                    "The standard “%(standard)s” is %(status)s: it cannot go back to draft; "
                    "copy it to a new draft version to change it."
                )
                % values
            )
        if problems:
            raise ValidationError(problems)


class Category(models.TextChoices):
    """The safety-management categories of GL-G section 10, plus contract controls."""

    BASIC_POLICY = "basic_policy", _("Basic policy (10-1)")
    HANDLING_RULES = "handling_rules", _("Handling rules (10-2)")
    ORGANIZATIONAL = "organizational", _("Organizational measures (10-3)")
    PERSONNEL = "personnel", _("Personnel measures (10-4)")
    PHYSICAL = "physical", _("Physical measures (10-5)")
    TECHNICAL = "technical", _("Technical measures (10-6)")
    EXTERNAL_ENVIRONMENT = "external_environment", _("External environment (10-7)")
    CONTRACT = "contract", _("Contract and re-entrustment")


class Criterion(CachedChoiceLabels, models.Model):
    class AppliesWhen(models.TextChoices):
        ALWAYS = "always", _("Always")
        DATA_ABROAD = "data_abroad", _("Only when the vendor handles data abroad")
        SPECIAL_CARE = "special_care", _("Only when the vendor handles special-care-required data")
        SYSTEM_ACCESS = "system_access", _("Only when the vendor has access to company systems")

    class Obligation(models.TextChoices):
        MUST = "must", _("Must (legal duty)")
        SHOULD = "should", _("Should (guideline; company policy)")

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("standard")
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("E.g. TEC-03; unique within the standard."))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    question_en = models.TextField(_("question (English)"))
    question_ja = models.TextField(_("question (Japanese)"))
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("A “no” fails the assessment whatever the score; “n/a” is refused."),
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    applies_when = models.CharField(
        _("applies"), max_length=20, choices=AppliesWhen.choices, default=AppliesWhen.ALWAYS
    )
    obligation = models.CharField(
        _("obligation"), max_length=10, choices=Obligation.choices, default=Obligation.MUST
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    # The vendor flag each condition of applies_when asks for (ALWAYS asks for none).
    VENDOR_FLAGS = {
        AppliesWhen.DATA_ABROAD: "handles_data_abroad",
        AppliesWhen.SPECIAL_CARE: "handles_special_care_data",
        AppliesWhen.SYSTEM_ACCESS: "has_system_access",
    }

    history = History()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["standard", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "code"],
                name="criterion_code_unique_in_standard",
                violation_error_message=_("This code is used by another criterion of the standard."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=5),
                name="criterion_weight_1_to_5",
                violation_error_message=_("The weight is between 1 and 5."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.question}"

    def save(self, *args, **kwargs):
        self._refuse_unless_draft_standard()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("assessments:criterion_edit", args=[self.pk])

    def delete(self, *args, **kwargs):
        self._refuse_unless_draft_standard()
        return super().delete(*args, **kwargs)

    question = bilingual("question_en", "question_ja")

    @classmethod
    def conditions_met_by(cls, vendor: Vendor) -> list[str]:
        """The applies_when values that hold for `vendor`: criteria with one of them are asked of it."""
        return [cls.AppliesWhen.ALWAYS] + [
            condition for condition, flag in cls.VENDOR_FLAGS.items() if getattr(vendor, flag)
        ]

    @classmethod
    def applies_q(cls, *, criterion: str, vendor: str) -> Q:
        """The same rule in a query: `criterion` and `vendor` are the lookups leading to them."""
        condition = Q(**{f"{criterion}__applies_when": cls.AppliesWhen.ALWAYS})
        for value, flag in cls.VENDOR_FLAGS.items():
            condition |= Q(**{f"{criterion}__applies_when": value, f"{vendor}__{flag}": True})
        return condition

    def applies_to(self, vendor: Vendor) -> bool:
        return self.applies_when in self.conditions_met_by(vendor)

    def clean(self):
        if self.standard_id and self.standard.is_frozen:
            raise ValidationError(self._frozen_message(self.standard))

    def _refuse_unless_draft_standard(self) -> None:
        """Writes that skip clean() (the ORM, scripts) meet the same rule, judged on the standards as stored:
        the one the criterion is stored in and the one it is saved into (they differ when it is moved)."""
        adding = self._state.adding or self.pk is None  # a copy (pk set to None) is inserted too
        belongs = Q(pk=self.standard_id)
        if not adding:
            belongs |= Q(criteria=self.pk)
        for standard in Standard.objects.filter(belongs).exclude(status=Standard.Status.DRAFT).distinct():
            if adding and self._added_by_writer_of(standard):
                continue
            raise ValidationError(self._frozen_message(standard))

    def _added_by_writer_of(self, standard: Standard) -> bool:
        """Added through the very object that inserted `standard` already published or retired.

        Such a standard is written together with its criteria, the way the data migration writes the default
        one; a standard read back from the database (in another request, by other code) is frozen.
        """
        writer = self.standard if Criterion.standard.is_cached(self) else None
        return writer is not None and writer.pk == standard.pk and getattr(writer, "_inserted_frozen", False)

    @staticmethod
    def _frozen_message(standard: Standard) -> str:
        return _("The standard “%(standard)s” is %(status)s: its criteria cannot change.") % {
            "standard": standard,
            "status": standard.get_status_display().lower(),
        }


class Assessment(CachedChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial (before entrusting)")
        PERIODIC = "periodic", _("Periodic")
        TRIGGERED = "triggered", _("Triggered (incident or change)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        CONDITIONAL = "conditional", _("Conditional")
        FAIL = "fail", _("Fail")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("vendor")
    )
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("standard")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    follows = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="follow_up",
        verbose_name=_("re-assesses"),
        help_text=_("The approved assessment this periodic one renews."),
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="assessment_queue"),
            models.Index(fields=["vendor", "status"], name="assessment_vendor_status"),
            models.Index(fields=["-created_at", "-id"], name="assessment_newest_first"),  # the list's order
            # Valid (approved, valid until a day) and expiring assessments: gates, gap filter, dashboard.
            models.Index(fields=["status", "valid_until"], name="assessment_status_validity"),
        ]

    def __str__(self):
        return _("%(kind)s assessment of %(vendor)s (%(date)s)") % {
            "kind": self.get_kind_display(),
            "vendor": self.vendor,
            "date": timezone.localdate(self.created_at) if self.created_at else "—",
        }

    def get_absolute_url(self):
        return reverse("assessments:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Answer(CachedChoiceLabels, models.Model):
    class Response(models.TextChoices):
        YES = "yes", _("Yes")
        PARTIAL = "partial", _("Partially")
        NO = "no", _("No")
        NA = "na", _("Not applicable")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="answers", verbose_name=_("assessment")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="answers", verbose_name=_("criterion")
    )
    response = models.CharField(_("response"), max_length=10, choices=Response.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to="evidence/%Y/%m/", blank=True, validators=[validate_evidence]
    )

    history = History()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["criterion__position", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="answer_once_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.get_response_display() or '—'}"

    def get_absolute_url(self):
        return reverse("assessments:detail", args=[self.assessment_id]) + f"#answer-{self.pk}"


class Finding(CachedChoiceLabels, models.Model):
    class Severity(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        ACCEPTED_RISK = "accepted_risk", _("Risk accepted")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="findings", verbose_name=_("assessment")
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criterion"),
    )
    description = models.TextField(_("description"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_findings",
        verbose_name=_("owner"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["status", "due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="finding_status_due")]

    def __str__(self):
        return self.description[:80]

    def get_absolute_url(self):
        return reverse("assessments:detail", args=[self.assessment_id]) + f"#finding-{self.pk}"

    @property
    def is_past_due(self) -> bool:
        """Open after its due date (the same rule as services.finding_past_due_q, for one finding)."""
        return (
            self.status == self.Status.OPEN and self.due_on is not None and self.due_on < timezone.localdate()
        )

    def clean(self):
        if self.status != self.Status.OPEN and not self.resolution_note.strip():
            raise ValidationError(
                {"resolution_note": _("Say how the finding was resolved or why the risk is accepted.")}
            )
