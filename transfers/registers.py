"""Foreign transfers, joint-use arrangements and records of provision as spreadsheets."""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from core.db import in_ids
from core.excel import Column, choice_column, column, stream
from vendors.registers import vendor_register_columns

from .models import ForeignTransfer, JointUseArrangement, PeriodicCheck, ProvisionRecord
from .services import transfer_unmet_prerequisites


def _transfers_by_vendor(vendor_ids: list[int]) -> dict[int, str]:
    """{vendor id: "US: route (status); …"} for its foreign transfers, one query."""
    routes = {value: str(label) for value, label in ForeignTransfer.Route.choices}
    statuses = {value: str(label) for value, label in ForeignTransfer.Status.choices}
    lines: dict[int, list[str]] = {}
    rows = (
        ForeignTransfer.objects.filter(in_ids("vendor_id", vendor_ids))
        .order_by("pk")
        .values_list("vendor_id", "country__code", "route", "status")
    )
    for vendor_id, country, route, status in rows:
        lines.setdefault(vendor_id, []).append(f"{country or '?'}: {routes[route]} ({statuses[status]})")
    return {vendor_id: "; ".join(texts) for vendor_id, texts in lines.items()}


vendor_register_columns(
    "transfers",
    load=_transfers_by_vendor,
    columns=(
        Column(_("Foreign transfers (country: route)"), lambda vendor: vendor.register["transfers"], 44),
    ),
)


def _names(related) -> str:
    return ", ".join(item.name for item in related.all())


def transfer_register(queryset: QuerySet[ForeignTransfer]) -> tuple[list[Column], Iterable]:
    columns = [
        column(_("Recipient"), "vendor.name", 28),
        Column(_("Country"), lambda t: t.country.name if t.country else _("not identified"), 18),
        Column(_("Equivalent country"), lambda t: t.country.ppc_equivalent if t.country else None, 10),
        choice_column(_("Relationship"), "relationship", 18),
        choice_column(_("Route"), "route", 30),
        choice_column(_("Basis of the system"), "basis", 20),
        choice_column(_("Ordinary basis (Art. 27)"), "ordinary_basis", 20),
        choice_column(_("Status"), "status", 12),
        column(_("Started on"), "started_on", 12),
        Column(_("Data categories"), lambda t: _names(t.data_categories), 32),
        Column(_("Purposes of use"), lambda t: _names(t.purposes), 32),
        Column(_("Last periodic check"), lambda t: getattr(t.last_check(), "checked_on", None), 12),
        Column(_("Last check result"), lambda t: getattr(t.last_check(), "get_result_display", str)(), 20),
        column(_("Next check due"), "next_check_due", 12),
        Column(_("Unmet prerequisites"), lambda t: "\n".join(transfer_unmet_prerequisites(t)), 60),
        column(_("Description"), "description", 40),
    ]
    queryset = (
        queryset.select_related("vendor", "country")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("checks", queryset=PeriodicCheck.objects.order_by()),
            "consents",
            "data_categories",
            "purposes",
        )
    )
    return columns, stream(queryset)


def joint_use_register(queryset: QuerySet[JointUseArrangement]) -> tuple[list[Column], Iterable]:
    columns = [
        column(_("Title"), "title", 28),
        column(_("Version"), "version", 8),
        choice_column(_("Status"), "status", 12),
        column(_("Data items jointly used"), "data_items", 36),
        Column(_("Joint users"), lambda a: ", ".join(v.name for v in a.joint_users.all()), 36),
        column(_("Scope of joint users"), "scope_description", 36),
        column(_("Purposes of use"), "purposes", 36),
        column(_("Responsible party"), "responsible_party_name", 24),
        column(_("Responsible party's address"), "responsible_party_address", 30),
        column(_("Representative"), "responsible_party_representative", 20),
        column(_("How it is notified or made accessible"), "notice_method", 30),
        column(_("Notice published on"), "notice_published_on", 12),
        column(_("Effective on"), "effective_on", 12),
        choice_column(_("Basis of the change"), "change_basis", 24),
    ]
    return columns, stream(queryset.prefetch_related(None).prefetch_related("joint_users"))


def provision_record_register(queryset: QuerySet[ProvisionRecord]) -> tuple[list[Column], Iterable]:
    columns = [
        column(_("Provided on"), "provided_on", 12),
        column(_("Last provided on"), "last_provided_on", 12),
        choice_column(_("Kind"), "kind", 16),
        column(_("Recipient"), "recipient_name", 28),
        column(_("Recipient's address"), "recipient_address", 30),
        column(_("Recipient's representative"), "recipient_representative", 20),
        column(_("Individuals"), "individuals_description", 30),
        column(_("Data items"), "data_items", 30),
        column(_("Consent obtained"), "consent_obtained", 10),
        Column(_("Transfer"), lambda r: str(r.transfer) if r.transfer else "", 36),
        column(_("Made on"), "created_on", 12),
        column(_("Retain until"), "retain_until", 12),
    ]
    return columns, stream(queryset.select_related("transfer__vendor", "transfer__country"))
