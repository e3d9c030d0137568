from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.choices import CachedChoiceLabels
from core.history import History
from core.i18n import bilingual

from .validators import validate_corporate_number


class BilingualName(models.Model):
    """Reference data named in English and Japanese; shown in the reader's language."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive entries stay on old records but are no longer offered."),
    )

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    name = bilingual("name_en", "name_ja")


class DataCategory(BilingualName):
    """A type of personal information the company holds (APPI.md section 8)."""

    is_special_care = models.BooleanField(
        _("special-care-required"),
        default=False,
        help_text=_(
            "Contains special-care-required personal information (APPI Art. 2(3)), e.g. medical history."
        ),
    )

    history = History()

    class Meta(BilingualName.Meta):
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")

    def get_absolute_url(self):
        return reverse("vendors:datacategory_detail", args=[self.pk])


class Purpose(BilingualName):
    """A purpose of use published in the privacy policy, tied to the data categories it applies to."""

    data_categories = models.ManyToManyField(
        DataCategory, related_name="purposes", verbose_name=_("data categories"), blank=True
    )

    history = History(m2m_fields=[data_categories])

    class Meta(BilingualName.Meta):
        verbose_name = _("purpose of use")
        verbose_name_plural = _("purposes of use")

    def get_absolute_url(self):
        return reverse("vendors:purpose_detail", args=[self.pk])


class Vendor(CachedChoiceLabels, models.Model):
    """A party the company entrusts personal data to, re-entrusted subcontractor, or joint user."""

    class Kind(models.TextChoices):
        CONTRACTOR = "contractor", _("Contractor (entrusted party)")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor (re-entrusted party)")
        JOINT_USER = "joint_user", _("Joint user")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    class RiskTier(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    corporate_number = models.CharField(
        _("corporate number"),
        max_length=13,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("13-digit Japanese corporate number (法人番号); required for vendors in Japan."),
    )
    country = CountryField(_("country"), default="JP")
    address = models.TextField(_("address"), blank=True)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONTRACTOR)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subcontractors",
        verbose_name=_("re-entrusted by"),
        help_text=_("For a subcontractor: the contractor or subcontractor that re-entrusts the work to it."),
    )
    is_group_company = models.BooleanField(_("group company"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    data_categories = models.ManyToManyField(
        DataCategory, related_name="vendors", verbose_name=_("data categories"), blank=True
    )
    purposes = models.ManyToManyField(
        Purpose, related_name="vendors", verbose_name=_("purposes of use"), blank=True
    )
    handles_special_care_data = models.BooleanField(_("handles special-care-required data"), default=False)
    principal_count = models.PositiveIntegerField(
        _("number of principals (estimate)"),
        default=0,
        help_text=_("Roughly how many individuals' data the vendor handles."),
    )
    handles_data_abroad = models.BooleanField(
        _("handles data abroad"),
        default=False,
        help_text=_("Stores, accesses or processes the data in a foreign country (incl. cloud regions)."),
    )
    has_system_access = models.BooleanField(_("has access to company systems"), default=False)
    # Derived from the intake when the vendor is saved (vendors.signals); empty only until then.
    risk_tier = models.CharField(
        _("risk tier"), max_length=10, choices=RiskTier.choices, blank=True, editable=False
    )
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_vendors",
        verbose_name=_("owner"),
        help_text=_("The procurement user responsible for this vendor."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = History(m2m_fields=[data_categories, purposes])

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=~Q(corporate_number=""),
                name="vendor_corporate_number_unique",
                violation_error_message=_("Another vendor already has this corporate number."),
            ),
            models.CheckConstraint(
                condition=Q(kind="subcontractor", parent__isnull=False)
                | (~Q(kind="subcontractor") & Q(parent=None)),
                name="vendor_parent_only_for_subcontractor",
                violation_error_message=_(
                    "Only a subcontractor has a re-entrusting vendor, and it must have one."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="vendor_not_own_parent",
                violation_error_message=_("A vendor cannot re-entrust to itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "name"], name="vendor_status_name"),
            models.Index(fields=["risk_tier"], name="vendor_risk_tier"),
        ]

    # The intake answers the risk tier is derived from (besides data categories and subcontractors).
    INTAKE_FIELDS = (
        "handles_special_care_data",
        "principal_count",
        "handles_data_abroad",
        "has_system_access",
    )

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("vendors:detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        # Refused before Django's deletion begins, so that the caller's transaction stays usable (a queryset
        # delete is refused by vendors.signals instead, inside it).
        problems = self.deletion_blockers()
        if problems:
            raise ValidationError(problems)
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        vendor = super().from_db(db, field_names, values)
        vendor.saved_intake = vendor.intake()  # to tell, when saved, whether the intake changed
        return vendor

    def intake(self) -> tuple:
        # From the loaded values only: a field deferred by .only() is not fetched just to be remembered.
        return tuple(self.__dict__.get(name) for name in self.INTAKE_FIELDS)

    def clean(self):
        errors = {}
        if self.needs_corporate_number and not self.corporate_number:
            errors["corporate_number"] = _("A vendor in Japan needs its corporate number.")
        if self.kind == self.Kind.SUBCONTRACTOR:
            if self.parent_id is None:
                errors["parent"] = _("A subcontractor needs the vendor that re-entrusts the work to it.")
            else:
                problem = self._parent_problem()
                if problem:
                    errors["parent"] = problem
        elif self.parent_id is not None:
            errors["parent"] = _("Only a subcontractor is re-entrusted by another vendor; leave this empty.")
        if errors:
            raise ValidationError(errors)

    def _parent_problem(self):
        parent = self.parent
        if parent.kind == self.Kind.JOINT_USER:
            return _("A joint user does not re-entrust work; choose a contractor or subcontractor.")
        if parent.status == self.Status.TERMINATED:
            return _("“%(name)s” is terminated and cannot re-entrust work.") % {"name": parent.name}
        if self.pk is not None and any(v.pk == self.pk for v in self.ancestors(start=parent)):
            return _(
                "“%(name)s” is re-entrusted (directly or further down) by this vendor: that would be a cycle."
            ) % {"name": parent.name}
        return None

    def deletion_blockers(self) -> list[str]:
        """Why this vendor may not be deleted (nothing ever approved is): empty when it may."""
        problems = []
        if self.history.filter(status=self.Status.APPROVED).exists():
            problems.append(_("This vendor was approved at some point: terminate it instead of deleting it."))
        if self.subcontractors.exists():
            problems.append(_("This vendor has subcontractors: terminate it instead of deleting it."))
        return problems

    def ancestors(self, *, start=None) -> list["Vendor"]:
        """The chain of re-entrusting vendors from `start` (default: the parent) up to the contractor."""
        chain, seen = [], set()
        node = self.parent if start is None else start
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    @property
    def needs_corporate_number(self) -> bool:
        return self.country == "JP"


class Contact(models.Model):
    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("vendor")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(
        _("role"), max_length=200, blank=True, help_text=_("E.g. privacy officer, sales.")
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)

    history = History()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_vendor",
                violation_error_message=_("This vendor already has a primary contact."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("vendors:detail", args=[self.vendor_id]) + "#contacts"


def responsible_q(user, own_field: str) -> Q:
    """Rows `user` answers for: theirs through `own_field` (a contract's owner, an assessment's preparer) or
    about a vendor they own. The vendors as a subquery, not a join: the join made the database hash every
    vendor to test the OR."""
    return Q(**{own_field: user}) | Q(vendor__in=Vendor.objects.filter(owner=user).values("pk"))


def vendor_subtree(vendor: Vendor) -> list[tuple[int, Vendor]]:
    """The vendors re-entrusted below `vendor`, depth-first as (depth, vendor); one query per level."""
    children: dict[int, list[Vendor]] = {}
    frontier, seen = [vendor.pk], {vendor.pk}
    while frontier:
        level = list(Vendor.objects.filter(parent__in=frontier).exclude(pk__in=seen).order_by("name"))
        for child in level:
            children.setdefault(child.parent_id, []).append(child)
        frontier = [child.pk for child in level]
        seen.update(frontier)
    result = []

    def walk(pk, depth):
        for child in children.get(pk, []):
            result.append((depth, child))
            walk(child.pk, depth + 1)

    walk(vendor.pk, 1)
    return result
