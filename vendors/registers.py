"""The vendor register as a spreadsheet: the vendor's own columns, then those other apps contribute.

Contracts, assessments and transfers register a column group (the prefetches it needs and its columns)
so that this app does not import theirs, as with the panels of the vendor page.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.excel import Column, choice_column, column, stream

from .models import Vendor


@dataclass(frozen=True)
class ColumnGroup:
    name: str
    prefetch: Callable[[], Iterable]  # called per export, so a prefetch may depend on today's date
    columns: tuple[Column, ...]


_GROUPS: dict[str, ColumnGroup] = {}


def vendor_register_columns(
    name: str, *, prefetch: Callable[[], Iterable], columns: Iterable[Column]
) -> None:
    _GROUPS[name] = ColumnGroup(name, prefetch, tuple(columns))


def _names(related) -> str:
    return ", ".join(item.name for item in related.all())


def _parent_chains() -> dict[int, str]:
    """Each re-entrusting vendor's chain up to the contractor (parent first), from one query however deep."""
    rows = {
        pk: (name, parent_id)
        for pk, name, parent_id in Vendor.objects.filter(subcontractors__isnull=False)
        .distinct()
        .values_list("pk", "name", "parent_id")
    }
    chains = {}
    for pk in rows:
        names, node, seen = [], pk, set()
        while node in rows and node not in seen:
            seen.add(node)
            names.append(rows[node][0])
            node = rows[node][1]
        chains[pk] = " › ".join(reversed(names))
    return chains


def vendor_register(queryset: QuerySet[Vendor]) -> tuple[list[Column], Iterable[Vendor]]:
    chains = _parent_chains()
    country_names = dict(countries)  # translated once, not once per row
    columns = [
        column(_("Name"), "name", 32),
        column(_("Name (kana)"), "name_kana", 24),
        column(_("Corporate number"), "corporate_number", 16),
        Column(_("Country"), lambda v: f"{v.country.code} {country_names.get(v.country.code, '')}", 18),
        choice_column(_("Kind"), "kind", 22),
        Column(_("Re-entrusted by"), lambda v: chains.get(v.parent_id, ""), 36),
        column(_("Group company"), "is_group_company", 10),
        choice_column(_("Status"), "status", 14),
        choice_column(_("Risk tier"), "risk_tier", 10),
        Column(_("Data categories"), lambda v: _names(v.data_categories), 36),
        Column(_("Purposes of use"), lambda v: _names(v.purposes), 36),
        column(_("Special-care data"), "handles_special_care_data", 10),
        column(_("Principals (estimate)"), "principal_count", 12),
        column(_("Data abroad"), "handles_data_abroad", 10),
        column(_("System access"), "has_system_access", 10),
        Column(_("Owner"), lambda v: (v.owner.get_full_name() or v.owner.username) if v.owner else "", 18),
    ]
    queryset = (
        queryset.select_related("owner")
        .prefetch_related(None)
        .prefetch_related("data_categories", "purposes")
    )
    for group in _GROUPS.values():
        columns.extend(group.columns)
        queryset = queryset.prefetch_related(*group.prefetch())
    columns.append(column(_("Last changed"), "updated_at", 17))
    return columns, stream(queryset)
