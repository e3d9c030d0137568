import django_filters
from django.utils.translation import gettext_lazy as _

from core.choices import country_choices
from core.filters import (
    AnyRelatedFilter,
    ColumnChoiceFilter,
    LargeTableChoiceFilter,
    SearchFilterSet,
    StableOrderingFilter,
    owners_of,
)

from .gates import coverage_gap_choices, coverage_gap_condition
from .models import DataCategory, Purpose, Vendor


class VendorFilterSet(SearchFilterSet):
    search_fields = ("name", "name_kana", "corporate_number")

    kind = ColumnChoiceFilter(choices=Vendor.Kind.choices, label=_("Kind"))
    status = ColumnChoiceFilter(choices=Vendor.Status.choices, label=_("Status"))
    risk_tier = ColumnChoiceFilter(choices=Vendor.RiskTier.choices, label=_("Risk tier"))
    country = ColumnChoiceFilter(choices=country_choices, label=_("Country"))
    is_group_company = django_filters.BooleanFilter(label=_("Group company"))
    data_categories = AnyRelatedFilter(queryset=DataCategory.objects.all(), label=_("Data category"))
    purposes = AnyRelatedFilter(queryset=Purpose.objects.all(), label=_("Purpose of use"))
    owner = django_filters.ModelChoiceFilter(queryset=lambda request: owners_of(Vendor), label=_("Owner"))
    gap = django_filters.ChoiceFilter(
        choices=coverage_gap_choices, method="filter_gap", label=_("Approved, but lacking")
    )
    parent = LargeTableChoiceFilter(
        queryset=Vendor.objects.exclude(kind=Vendor.Kind.JOINT_USER), label=_("Re-entrusted by")
    )
    ordering = StableOrderingFilter(
        fields=(
            ("name", "name"),
            ("status_rank", "status"),
            ("risk_rank", "risk_tier"),
            ("country", "country"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "status_rank": _("Status"),
            "risk_rank": _("Risk tier"),
            "updated_at": _("Last changed"),
        },
        label=_("Order by"),
    )

    class Meta:
        model = Vendor
        fields = [
            "kind",
            "status",
            "risk_tier",
            "country",
            "is_group_company",
            "data_categories",
            "purposes",
            "owner",
            "parent",
        ]

    def filter_gap(self, queryset, name, value):
        return queryset.filter(coverage_gap_condition(value))


class ReferenceFilterSet(SearchFilterSet):
    search_fields = ("code", "name_en", "name_ja")
    is_active = django_filters.BooleanFilter(label=_("Active"))


class DataCategoryFilterSet(ReferenceFilterSet):
    class Meta:
        model = DataCategory
        fields = ["is_active", "is_special_care"]


class PurposeFilterSet(ReferenceFilterSet):
    class Meta:
        model = Purpose
        fields = ["is_active", "data_categories"]
