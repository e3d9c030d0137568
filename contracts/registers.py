"""Contracts as spreadsheets: the contract register, and the vendor register's covering-contract columns."""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import in_ids
from core.excel import Column, choice_column, column, stream
from core.templatetags.ui import user_label
from vendors.registers import vendor_register_columns

from .models import Clause, ProtectionContract
from .services import in_force_q, vendor_contract_kinds


def _in_force_by_vendor(vendor_ids: list[int]) -> dict[int, list[dict]]:
    """{vendor id: its contracts in force today, soonest decision first}, one query."""
    contracts: dict[int, list[dict]] = {}
    rows = (
        ProtectionContract.objects.filter(in_force_q(timezone.localdate()), in_ids("vendor_id", vendor_ids))
        .order_by("decision_on", "pk")
        .values("vendor_id", "kind", "reference", "ends_on", "decision_on")
    )
    for row in rows:
        contracts.setdefault(row["vendor_id"], []).append(row)
    return contracts


def _covering_value(key: str):
    """A value of the vendor's covering contract: in force, of the kind its approval needs."""

    def read(vendor):
        kinds = vendor_contract_kinds(vendor)
        contract = next((c for c in vendor.register["contracts"] or () if c["kind"] in kinds), None)
        return contract[key] if contract else None

    return read


vendor_register_columns(
    "contracts",
    load=_in_force_by_vendor,
    columns=(
        Column(_("Covering contract"), _covering_value("reference"), 16),
        Column(_("Contract ends on"), _covering_value("ends_on"), 12),
        Column(_("Notice deadline (or review date)"), _covering_value("decision_on"), 14),
    ),
)


def contract_register(queryset: QuerySet[ProtectionContract]) -> tuple[list[Column], Iterable]:
    active = list(Clause.objects.filter(is_active=True))  # once, not once per contract
    columns = [
        column(_("Reference"), "reference", 16),
        column(_("Title"), "title", 32),
        column(_("Vendor"), "vendor.name", 28),
        choice_column(_("Kind"), "kind", 22),
        choice_column(_("Status"), "status", 12),
        column(_("Signed on"), "signed_on", 12),
        column(_("Starts on"), "starts_on", 12),
        column(_("Ends on"), "ends_on", 12),
        column(_("Review date"), "review_on", 12),
        column(_("Notice days"), "notice_days", 8),
        column(_("Notice deadline"), "notice_deadline", 12),
        column(_("Renews automatically"), "auto_renews", 10),
        column(_("Renewal period (months)"), "renewal_months", 10),
        column(_("Permits re-entrustment"), "permits_reentrustment", 10),
        column(_("Renews contract"), "renews.reference", 16),
        Column(_("Missing clauses"), lambda c: ", ".join(m.title for m in c.missing_among(active)), 40),
        Column(_("Owner"), lambda c: c.owner and user_label(c.owner), 18),
        column(_("Last changed"), "updated_at", 17),
    ]
    queryset = (
        queryset.select_related("vendor", "owner", "renews")
        .prefetch_related(None)
        .prefetch_related(Prefetch("clauses", queryset=Clause.objects.only("pk")))
    )
    return columns, stream(queryset)
