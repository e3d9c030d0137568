import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import ColumnChoiceFilter, LargeTableChoiceFilter, SearchFilterSet
from vendors.models import Vendor

from .models import (
    STALE_AFTER,
    Country,
    ForeignTransfer,
    JointUseArrangement,
    ProvisionRecord,
    checked_from,
)
from .services import joint_use_needs_notice_q, unmet_transfer_ids


class CountryCodeOrPkField(forms.ModelChoiceField):
    """A country by its ISO code (?country=GB), as the form offers it; a number is taken as the id, which
    links made before the filter used codes carry (codes are letters, so the two never clash)."""

    def to_python(self, value):
        if isinstance(value, str) and value.isdigit():
            # An unknown id is kept as it came, and refused like an unknown code.
            value = self.queryset.filter(pk=value).values_list("code", flat=True).first() or value
        return super().to_python(value)


class CountryChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CountryCodeOrPkField


class ForeignTransferFilterSet(SearchFilterSet):
    search_fields = ("vendor__name", "description")

    vendor = LargeTableChoiceFilter(queryset=Vendor.objects.order_by("name"), label=_("Recipient"))
    country = CountryChoiceFilter(queryset=Country.objects.all(), to_field_name="code", label=_("Country"))
    route = ColumnChoiceFilter(choices=ForeignTransfer.Route.choices, label=_("Route"))
    status = ColumnChoiceFilter(choices=ForeignTransfer.Status.choices, label=_("Status"))
    unmet = django_filters.BooleanFilter(method="filter_unmet", label=_("Prerequisites unmet"))
    check_overdue = django_filters.BooleanFilter(
        method="filter_check_overdue", label=_("Periodic check overdue")
    )

    class Meta:
        model = ForeignTransfer
        fields = ["vendor", "country", "route", "status", "relationship"]

    def filter_unmet(self, queryset, name, value):
        # The rules live in one Python function; their verdicts come by id, judged once per state of the data.
        unmet = unmet_transfer_ids()
        return queryset.filter(pk__in=unmet) if value else queryset.exclude(pk__in=unmet)

    def filter_check_overdue(self, queryset, name, value):
        overdue = Q(
            route=ForeignTransfer.Route.STANDARD_CONFORMING_SYSTEM,
            status=ForeignTransfer.Status.ACTIVE,
            checked_from__lt=timezone.localdate() - STALE_AFTER,
        )
        overdue_ids = queryset.annotate(checked_from=checked_from()).filter(overdue).values("pk")
        # By id, not .exclude(overdue): a transfer neither checked nor started has no date, and NULL must
        # not drop it.
        return queryset.filter(pk__in=overdue_ids) if value else queryset.exclude(pk__in=overdue_ids)


class CountryFilterSet(SearchFilterSet):
    search_fields = ("code", "name_en", "name_ja")

    class Meta:
        model = Country
        fields = ["ppc_equivalent", "apec_cbpr", "is_active"]


class JointUseFilterSet(SearchFilterSet):
    search_fields = ("title", "responsible_party_name")

    needs_notice = django_filters.BooleanFilter(
        method="filter_needs_notice", label=_("Change needing notice")
    )

    def filter_needs_notice(self, queryset, name, value):
        condition = joint_use_needs_notice_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)

    class Meta:
        model = JointUseArrangement
        fields = ["status"]


class ProvisionRecordFilterSet(SearchFilterSet):
    search_fields = ("recipient_name", "individuals_description", "data_items")

    class Meta:
        model = ProvisionRecord
        fields = ["kind", "consent_obtained", "transfer"]
