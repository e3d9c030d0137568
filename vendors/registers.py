"""The vendor register as a spreadsheet: the vendor's own columns, then those other apps contribute.

Contracts, assessments and transfers register a column group (how to load their data for a chunk of
vendors, and their columns) so that this app does not import theirs, as with the panels of the vendor page.
Data is loaded per chunk of vendors with plain value queries: a fixed number of queries per chunk, and no
model instances or related managers per row (prefetch_related cost more than writing the workbook).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.db import in_ids
from core.excel import ITERATION_CHUNK, Column, choice_column, column, stream
from core.templatetags.ui import user_label

from .models import Vendor


@dataclass(frozen=True)
class ColumnGroup:
    """Columns another app adds, and how to load their data for a chunk of vendors.

    `load(vendor_ids)` returns {vendor id: data} with a fixed number of queries; each column reads its
    vendor's data as `vendor.register[name]` (None when the vendor has none).
    """

    name: str
    load: Callable[[list[int]], dict]
    columns: tuple[Column, ...]


_GROUPS: dict[str, ColumnGroup] = {}


def vendor_register_columns(
    name: str, *, load: Callable[[list[int]], dict], columns: Iterable[Column]
) -> None:
    _GROUPS[name] = ColumnGroup(name, load, tuple(columns))


def _names_by_vendor(field, vendor_ids: list[int]) -> dict[int, str]:
    """{vendor id: "name, name"} for a many-to-many field of Vendor, in the reader's language, one query."""
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    name = f"{target}__{'name_ja' if get_language() == 'ja' else 'name_en'}"
    names: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(in_ids(f"{source}_id", vendor_ids))
        .order_by(f"{target}__code")  # the reference data's own order, as on the vendor page
        .values_list(f"{source}_id", name)
    )
    for vendor_id, text in rows:
        names.setdefault(vendor_id, []).append(text)
    return {vendor_id: ", ".join(texts) for vendor_id, texts in names.items()}


def _chunks(rows: Iterable[Vendor]) -> Iterator[list[Vendor]]:
    chunk: list[Vendor] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == ITERATION_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _loaded(rows: Iterable[Vendor]) -> Iterator[Vendor]:
    """The vendors, each with `register` data loaded per chunk (a fixed number of queries per chunk)."""
    categories, purposes = Vendor._meta.get_field("data_categories"), Vendor._meta.get_field("purposes")
    for chunk in _chunks(rows):
        ids = [vendor.pk for vendor in chunk]
        data = {
            "data_categories": _names_by_vendor(categories, ids),
            "purposes": _names_by_vendor(purposes, ids),
            **{name: group.load(ids) for name, group in _GROUPS.items()},
        }
        for vendor in chunk:
            vendor.register = {name: values.get(vendor.pk) for name, values in data.items()}
            yield vendor


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
    # The few owners once, rather than a user joined and built for each of thousands of rows.
    owners = {
        user.pk: user_label(user)
        for user in get_user_model().objects.filter(owned_vendors__isnull=False).distinct()
    }
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
        Column(_("Data categories"), lambda v: v.register["data_categories"], 36),
        Column(_("Purposes of use"), lambda v: v.register["purposes"], 36),
        column(_("Special-care data"), "handles_special_care_data", 10),
        column(_("Principals (estimate)"), "principal_count", 12),
        column(_("Data abroad"), "handles_data_abroad", 10),
        column(_("System access"), "has_system_access", 10),
        Column(_("Owner"), lambda v: owners.get(v.owner_id), 18),
    ]
    for group in _GROUPS.values():
        columns.extend(group.columns)
    columns.append(column(_("Last changed"), "updated_at", 17))
    return columns, _loaded(stream(queryset.select_related(None).prefetch_related(None)))
