from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import SearchFilterSet
from vendors.models import Vendor

from .models import Assessment, Criterion, Standard


class AssessmentFilterSet(SearchFilterSet):
    search_fields = ("vendor__name", "vendor__name_kana")

    status = django_filters.MultipleChoiceFilter(choices=Assessment.Status.choices, label=_("Status"))
    result = django_filters.MultipleChoiceFilter(choices=Assessment.Result.choices, label=_("Result"))
    kind = django_filters.MultipleChoiceFilter(choices=Assessment.Kind.choices, label=_("Kind"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.order_by("name"), label=_("Vendor"))
    standard = django_filters.ModelChoiceFilter(queryset=Standard.objects.all(), label=_("Standard"))
    reviewed_by = django_filters.ModelChoiceFilter(
        queryset=lambda request: (
            get_user_model().objects.filter(groups__name="compliance").order_by("username")
        ),
        label=_("Reviewer"),
    )
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring_within", label=_("Validity ends within (days)"), min_value=0
    )
    ordering = django_filters.OrderingFilter(
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

    def filter_expiring_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            status=Assessment.Status.APPROVED,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=int(value)),
        )


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
