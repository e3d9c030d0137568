from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
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

from .models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent, required_clauses_by_kind


def missing_clauses_q() -> Q:
    """Contracts lacking at least one active clause required for their kind."""
    through = ProtectionContract.clauses.through
    condition = Q(pk__in=[])
    for kind, clause_ids in required_clauses_by_kind().items():
        for clause_id in clause_ids:
            present = through.objects.filter(protectioncontract=OuterRef("pk"), clause_id=clause_id)
            condition |= Q(kind=kind) & ~Exists(present)
    return condition


def expired_without_successor_q() -> Q:
    active_successor = ProtectionContract.objects.filter(
        renews=OuterRef("pk"), status=ProtectionContract.Status.ACTIVE
    )
    return Q(status=ProtectionContract.Status.EXPIRED) & ~Exists(active_successor)


class ProtectionContractFilterSet(SearchFilterSet):
    search_fields = ("reference", "title", "vendor__name")

    vendor = LargeTableChoiceFilter(queryset=Vendor.objects.order_by("name"), label=_("Vendor"))
    kind = ColumnChoiceFilter(choices=ContractKind.choices, label=_("Kind"))
    status = ColumnChoiceFilter(choices=ProtectionContract.Status.choices, label=_("Status"))
    owner = django_filters.ModelChoiceFilter(
        queryset=lambda request: owners_of(ProtectionContract),
        label=_("Owner"),
    )
    responsible = django_filters.ModelChoiceFilter(
        queryset=lambda request: get_user_model().objects.filter(is_active=True),
        method="filter_responsible",
        label=_("Contract or vendor owner"),
    )
    deadline_within = django_filters.NumberFilter(
        method="filter_deadline_within",
        label=_("Notice deadline within (days)"),
        min_value=0,
        max_value=36500,  # a hundred years; a far larger number would overflow the date arithmetic
    )
    deadline = django_filters.DateFromToRangeFilter(
        field_name="decision_on", label=_("Notice deadline (from – to)")
    )
    missing_clauses = django_filters.BooleanFilter(
        method="filter_missing_clauses", label=_("Missing clauses")
    )
    expired_without_successor = django_filters.BooleanFilter(
        method="filter_expired_without_successor", label=_("Expired without successor")
    )
    ordering = StableOrderingFilter(
        fields=(
            ("reference", "reference"),
            ("decision_on", "deadline"),
            ("ends_on", "ends_on"),
            ("vendor__name", "vendor"),
        ),
        field_labels={"decision_on": _("Notice deadline"), "vendor__name": _("Vendor")},
        label=_("Order by"),
    )

    class Meta:
        model = ProtectionContract
        fields = ["vendor", "kind", "status", "owner", "auto_renews", "permits_reentrustment"]

    def filter_deadline_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            status=ProtectionContract.Status.ACTIVE,
            decision_on__gte=today,
            decision_on__lte=today + timedelta(days=int(value)),
        )

    def filter_responsible(self, queryset, name, value):
        return queryset.filter(responsible_q(value, "owner"))

    def filter_missing_clauses(self, queryset, name, value):
        condition = missing_clauses_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_expired_without_successor(self, queryset, name, value):
        condition = expired_without_successor_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ClauseFilterSet(SearchFilterSet):
    search_fields = ("code", "title_en", "title_ja")

    class Meta:
        model = Clause
        fields = ["is_active", "obligation"]


class ReentrustmentConsentFilterSet(SearchFilterSet):
    search_fields = ("parent__name", "subcontractor__name", "scope_of_work")

    parent = LargeTableChoiceFilter(queryset=Vendor.objects.all(), label=_("Re-entrusting vendor"))
    subcontractor = LargeTableChoiceFilter(queryset=Vendor.objects.all(), label=_("Subcontractor"))

    class Meta:
        model = ReentrustmentConsent
        fields = ["parent", "subcontractor"]
