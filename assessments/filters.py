from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import (
    ColumnChoiceFilter,
    LargeTableChoiceFilter,
    SearchFilterSet,
    StableOrderingFilter,
    owners_of,
)
from vendors.models import Vendor, responsible_q

from .models import Assessment, Criterion, Finding, Standard
from .services import finding_past_due_q, valid_q


class AssessmentFilterSet(SearchFilterSet):
    search_fields = ("vendor__name", "vendor__name_kana")

    status = ColumnChoiceFilter(choices=Assessment.Status.choices, label=_("Status"))
    result = ColumnChoiceFilter(choices=Assessment.Result.choices, label=_("Result"))
    kind = ColumnChoiceFilter(choices=Assessment.Kind.choices, label=_("Kind"))
    vendor = LargeTableChoiceFilter(queryset=Vendor.objects.order_by("name"), label=_("Vendor"))
    standard = django_filters.ModelChoiceFilter(queryset=Standard.objects.all(), label=_("Standard"))
    reviewed_by = django_filters.ModelChoiceFilter(
        queryset=lambda request: (
            get_user_model().objects.filter(groups__name="compliance").order_by("username")
        ),
        label=_("Reviewer"),
    )
    responsible = django_filters.ModelChoiceFilter(
        queryset=lambda request: get_user_model().objects.filter(is_active=True),
        method="filter_responsible",
        label=_("Prepared by or vendor owner"),
    )
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring_within",
        label=_("Validity ends within (days)"),
        min_value=0,
        max_value=36500,  # a hundred years; a far larger number would overflow the date arithmetic
    )
    ordering = StableOrderingFilter(
        fields=(
            ("created_at", "created"),
            ("submitted_at", "submitted"),
            ("valid_until", "valid_until"),
            ("score", "score"),
            ("vendor__name", "vendor"),
        ),
        field_labels={"vendor__name": _("Vendor")},
        label=_("Order by"),
    )

    class Meta:
        model = Assessment
        fields = ["status", "result", "kind", "vendor", "standard", "reviewed_by"]

    def filter_responsible(self, queryset, name, value):
        return queryset.filter(responsible_q(value, "prepared_by"))

    def filter_expiring_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(valid_q(today), valid_until__lte=today + timedelta(days=int(value)))


class StandardFilterSet(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Standard
        fields = ["status"]


class CriterionFilterSet(SearchFilterSet):
    search_fields = ("code", "question_en", "question_ja")

    class Meta:
        model = Criterion
        fields = ["category", "is_critical", "applies_when"]


class FindingFilterSet(SearchFilterSet):
    search_fields = ("description", "assessment__vendor__name", "criterion__code")

    status = ColumnChoiceFilter(choices=Finding.Status.choices, label=_("Status"))
    severity = ColumnChoiceFilter(choices=Finding.Severity.choices, label=_("Severity"))
    owner = django_filters.ModelChoiceFilter(
        queryset=lambda request: owners_of(Finding),
        label=_("Owner"),
    )
    past_due = django_filters.BooleanFilter(method="filter_past_due", label=_("Open and past due"))

    class Meta:
        model = Finding
        fields = ["status", "severity", "owner"]

    def filter_past_due(self, queryset, name, value):
        past_due = finding_past_due_q(timezone.localdate())
        return queryset.filter(past_due) if value else queryset.exclude(past_due)
