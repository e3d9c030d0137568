"""The audit trail: every historical change of every tracked model, newest first, in one list.

Each tracked model keeps its versions in its own history table. The trail is one UNION ALL over those
tables (only the columns a row needs), filtered per table, ordered by date and sliced in the database;
then the versions on one page are loaded and diffed per model. A page costs a fixed number of queries
whatever the size of the tables: two per model that appears on it, plus the diff's lookups.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import django_filters
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .excel import ITERATION_CHUNK, Column
from .history import ACTIONS, Version, diffs, historical_model
from .i18n import localized
from .templatetags.ui import user_label

AUDITED_APPS = ("vendors", "contracts", "assessments", "transfers")
LABEL_ATTRIBUTES = ("name", "reference", "title", "code")


@cache
def audited_models() -> dict[str, type]:
    """{"app_label.model_name": model} for every model that keeps history."""
    return {
        model._meta.label_lower: model
        for model in apps.get_models()
        if model._meta.app_label in AUDITED_APPS and hasattr(model, "_history_records")
    }


def model_name(model) -> str:
    """A record type as the trail names it (its filter and its Record column)."""
    return str(model._meta.verbose_name).capitalize()


def model_choices() -> list[tuple[str, str]]:
    choices = [(label, model_name(model)) for label, model in audited_models().items()]
    return sorted(choices, key=lambda choice: choice[1])


def _users(request):
    return get_user_model().objects.order_by("username")


class AuditFilterSet(django_filters.FilterSet):
    """Filters applied to every history table; `model` chooses which tables take part."""

    model = django_filters.ChoiceFilter(choices=model_choices, method="keep", label=_("Record type"))
    object = django_filters.NumberFilter(field_name="id", label=_("Record number"), min_value=1)
    user = django_filters.ModelChoiceFilter(field_name="history_user", queryset=_users, label=_("Changed by"))
    date = django_filters.DateFromToRangeFilter(
        field_name="history_date",
        label=_("Date (from – to)"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    change_type = django_filters.ChoiceFilter(
        field_name="history_type", choices=list(ACTIONS.items()), label=_("Change type")
    )
    reason = django_filters.CharFilter(
        field_name="history_change_reason", lookup_expr="icontains", label=_("Reason contains")
    )

    # Links written by hand or by other tools may use other names: `action` (this filter's earlier name),
    # django-simple-history's history_type, change types as words, a model's label as Django spells it, or its
    # bare name.
    PARAMETER_ALIASES = {
        "action": "change_type",
        "history_type": "change_type",
        "date_from": "date_after",
        "date_to": "date_before",
    }
    CHANGE_TYPE_WORDS = {"created": "+", "changed": "~", "deleted": "-"}

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(self._normalised(data) if data is not None else None, *args, **kwargs)

    @classmethod
    def _normalised(cls, data):
        data = data.copy()
        for alias, name in cls.PARAMETER_ALIASES.items():
            if alias in data and name not in data:
                data.setlist(name, data.pop(alias))
        if data.get("change_type"):
            data["change_type"] = cls.CHANGE_TYPE_WORDS.get(data["change_type"].lower(), data["change_type"])
        if data.get("model"):
            model = data["model"].lower()
            labels = [label for label in audited_models() if label == model or label.endswith(f".{model}")]
            data["model"] = labels[0] if len(labels) == 1 else model
        return data

    def keep(self, queryset, name, value):
        return queryset  # handled by choosing the tables in `audit_rows`

    def chosen_models(self) -> dict[str, type]:
        label = self.form.cleaned_data.get("model") if self.is_valid() else None
        models = audited_models()
        return {label: models[label]} if label else models


ROW_FIELDS = ("history_id", "history_date", "model_label")


def audit_rows(filterset: AuditFilterSet) -> QuerySet:
    """One row (history_id, history_date, model_label) per version, newest first, across all tables.

    An invalid filter gives no rows, as on the other list pages.
    """
    valid = filterset.is_valid()
    branches = []
    for label, model in filterset.chosen_models().items():
        queryset = historical_model(model).objects.all()
        if filterset.is_bound:
            queryset = filterset.filter_queryset(queryset) if valid else queryset.none()
        branches.append(
            queryset.annotate(model_label=Value(label, output_field=CharField()))
            .values(*ROW_FIELDS)
            .order_by()
        )
    first, *others = branches
    union = first.union(*others, all=True) if others else first
    return union.order_by("-history_date", "-history_id")


@dataclass(frozen=True)
class AuditEntry:
    version: Version
    model: type
    object_id: int
    object_label: str
    object_url: str

    @property
    def model_name(self) -> str:
        return model_name(self.model)

    @property
    def model_label(self) -> str:
        return self.model._meta.label_lower


# Records without a name of their own (assessments, answers, checks, consents…) are named by their vendor,
# reached through one of these foreign keys: {attribute on the version: path from that model to the vendor}.
VENDOR_PATHS = {
    "vendor_id": None,
    "subcontractor_id": None,
    "assessment_id": ("assessments", "Assessment"),
    "transfer_id": ("transfers", "ForeignTransfer"),
}


def _vendor_names(records) -> dict[tuple[str, int], str]:
    """{(attribute, id): vendor name} for the records on a page: one query per kind of link."""
    from vendors.models import Vendor

    wanted: dict[str, set[int]] = {}
    for record in records:
        for attribute in VENDOR_PATHS:
            value = getattr(record, attribute, None)
            if value:
                wanted.setdefault(attribute, set()).add(value)
                break
    names = {}
    for attribute, ids in wanted.items():
        path = VENDOR_PATHS[attribute]
        if path is None:
            rows = Vendor.objects.filter(pk__in=ids).values_list("pk", "name")
        else:
            rows = apps.get_model(*path).objects.filter(pk__in=ids).values_list("pk", "vendor__name")
        names.update({(attribute, pk): name for pk, name in rows})
    return names


def _object_label(record, vendor_names: dict) -> str:
    if getattr(record, "name_en", None):  # reference data, named in both languages
        return localized(record.name_en, record.name_ja)
    for attribute in LABEL_ATTRIBUTES:
        value = getattr(record, attribute, None)
        if value:
            return str(value)
    for attribute in VENDOR_PATHS:
        value = getattr(record, attribute, None)
        if value:
            return vendor_names.get((attribute, value), "")
    return ""


def _object_url(record) -> str:
    if record.history_type == "-":
        return ""
    return record.instance.get_absolute_url()


def entries(rows: Iterable[dict]) -> list[AuditEntry]:
    """The readable entries for rows of `audit_rows`, in the same order."""
    rows = list(rows)
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["model_label"], []).append(row["history_id"])
    versions = {label: _versions(audited_models()[label], ids) for label, ids in wanted.items()}
    vendor_names = _vendor_names(v.record for found in versions.values() for v in found)
    built: dict[tuple[str, int], AuditEntry] = {}
    for label, found in versions.items():
        model = audited_models()[label]
        for version in found:
            record = version.record
            built[(label, record.history_id)] = AuditEntry(
                version, model, record.id, _object_label(record, vendor_names), _object_url(record)
            )
    return [built[(row["model_label"], row["history_id"])] for row in rows]


def _versions(model, history_ids: list[int]) -> list[Version]:
    """The versions with their diffs against the version before each: two queries plus the diff's."""
    historical = historical_model(model)
    before = historical.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
        "-history_date", "-history_id"
    )
    records = list(
        historical.objects.filter(history_id__in=history_ids)
        .select_related("history_user")
        # Not "previous_id": a model with a field named `previous` (joint-use arrangements) has that column.
        .annotate(previous_version_id=Subquery(before.values("history_id")[:1]))
    )
    previous = historical.objects.in_bulk([r.previous_version_id for r in records if r.previous_version_id])
    return diffs(model, [(record, previous.get(record.previous_version_id)) for record in records])


def _entries_in_chunks(rows: Iterable[dict]) -> Iterator[AuditEntry]:
    """Entries for a long iteration of rows (the export), a chunk at a time to keep memory flat."""
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == ITERATION_CHUNK:
            yield from entries(chunk)
            chunk = []
    yield from entries(chunk)


def _changes_text(entry: AuditEntry) -> str:
    return "\n".join(
        f"{capfirst(change.label)}: {change.old} → {change.new}"
        if change.old
        else f"{capfirst(change.label)}: {change.new}"
        for change in entry.version.changes
    )


def audit_register(rows: QuerySet) -> tuple[list[Column], Iterable[AuditEntry]]:
    columns = [
        Column(_("When"), lambda e: e.version.date, 17),
        Column(_("Who"), lambda e: user_label(e.version.user), 18),
        Column(_("Record type"), lambda e: e.model_name, 20),
        Column(_("Record number"), lambda e: e.object_id, 10),
        Column(_("Record"), lambda e: e.object_label, 28),
        Column(_("Action"), lambda e: e.version.action, 10),
        Column(_("Reason"), lambda e: e.version.reason, 36),
        Column(_("Changes"), _changes_text, 80),
    ]
    return columns, _entries_in_chunks(rows.iterator(chunk_size=ITERATION_CHUNK))
