"""One readable version per change, M2M included, with the acting user and a reason.

django-simple-history writes a version on every save and another on every M2M
add/remove, so one form submission would leave three half-versions. Services
save inside `history_deferred()` and then `record_history()` once, when the row
and its M2M sets are final.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from .history_chain import SealedHistoricalRecord
from .templatetags.ui import user_label


class History(HistoricalRecords):
    """HistoricalRecords that keeps a handle on itself so services can write versions explicitly."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
        # Every version is sealed, chained to the one before it (core.history_chain).
        kwargs.setdefault("bases", (SealedHistoricalRecord,))
        super().__init__(*args, **kwargs)

    def get_meta_options(self, model):
        # The version before a given one (History tabs, audit trail) is looked up by object and date.
        options = super().get_meta_options(model)
        by_object = models.Index(fields=(model._meta.pk.attname, "history_date"))
        options["indexes"] = (*options.get("indexes", ()), by_object)
        return options

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            sender._history_records = self


@cache
def historical_model(model) -> type:
    """The model of `model`'s history table. Reading `model.history` builds a new manager class each time
    (simple_history's descriptor); the audit trail, which reads it for twenty tables a page, asks here."""
    return model.history.model


@contextmanager
def history_deferred(instance):
    """Saves and M2M changes inside this block write no version; call record_history() after."""
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving


def record_history(instance, *, user, reason: str = "", created: bool = False):
    """Write one version of `instance` as it is now, by `user`, with `reason`."""
    instance._history_user = user
    instance._change_reason = reason or None
    try:
        type(instance)._history_records.create_historical_record(instance, "+" if created else "~")
    finally:
        del instance._history_user
        del instance._change_reason


def save_with_history(
    instance, *, user, reason: str = "", m2m: dict | None = None, version: int | None = None
):
    """Validate, save, set M2M fields, and write exactly one version.

    `version` is the token of the edit form (see require_unchanged): a newer version refuses the save.
    """
    created = instance._state.adding
    with transaction.atomic():
        require_unchanged(instance, version)
        instance.full_clean(exclude=_stored_files(instance))
        with history_deferred(instance):
            instance.save()
            for name, values in (m2m or {}).items():
                getattr(instance, name).set(values)
        record_history(instance, user=user, reason=reason, created=created)
    return instance


class EditConflict(ValidationError):
    """A save refused because someone saved a newer version since the form was opened.

    `version` is the current token: a form re-rendered with it lets its user save over that change on purpose.
    """

    def __init__(self, message, *, version: int):
        super().__init__(message, code="edit_conflict")
        self.version = version


def latest_version(history) -> int:
    """The edit token of a set of versions (a historical queryset): its newest history_id, 0 when empty."""
    return history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def require_unchanged(instance, version: int | None, *, history=None) -> None:
    """Lock `instance`'s row and refuse the save if a version newer than `version` was written meanwhile.

    `version` is the latest_version() the edit form was opened with; None skips the check (creations,
    imports, jobs). `history` is the set of versions that counts, by default the instance's own (an
    assessment's answers, for its questionnaire page). Call it inside transaction.atomic(), before writing
    anything: the lock makes a concurrent save of the same row wait until the first one commits, then see
    the version that one wrote.
    """
    if version is None or instance._state.adding:
        return
    # The stored row, locked; named in the message as stored, not as the refused form changed it.
    current = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
    newest = (
        (instance.history.all() if history is None else history)
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )
    if newest is None or newest.history_id == version:
        return
    when = _local_datetime(newest.history_date)
    if newest.history_user is None:
        message = gettext(
            "“%(object)s” was changed automatically at %(date)s since you opened it: "
            "review the change, then save again.",
        ) % {"object": current, "date": when}
    else:
        message = gettext(
            "“%(object)s” was changed by %(user)s at %(date)s since you opened it: "
            "review their change, then save again."
        ) % {"object": current, "user": _object_label(newest.history_user), "date": when}
    raise EditConflict(message, version=newest.history_id)


def _stored_files(instance) -> list[str]:
    """File fields holding a stored file: validators judge an upload once, not every later save."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if isinstance(field, models.FileField) and getattr(instance, field.name)._committed
    ]


def delete_with_history(instance, *, user, reason: str = ""):
    instance._history_user = user
    instance._change_reason = reason or None
    instance.delete()


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Version:
    record: object
    action: str
    changes: list[FieldChange]

    @property
    def user(self):
        return self.record.history_user

    @property
    def date(self):
        return self.record.history_date

    @property
    def reason(self):
        return self.record.history_change_reason or ""


ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
HIDDEN_FIELDS = {"id", "created_at", "updated_at"}


def _tracked_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and not f.auto_created and not f.primary_key
    ]


def versions(obj, *, limit: int | None = None) -> list[Version]:
    """Every version of `obj`, newest first, each with a readable field-level diff.

    Query count does not grow with the number of versions: one query for the
    versions, one per M2M field, one per related model named in a foreign key.
    """
    records = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    result = diffs(type(obj), list(zip(records, [None, *records], strict=False)))
    result.reverse()
    return result[:limit] if limit else result


def diffs(model, pairs: list[tuple[object, object | None]]) -> list[Version]:
    """A Version per (record, the record before it or None) of `model`, with a fixed number of queries."""
    # HistoricalRecords.m2m_models is shared by every tracked model: keep this model's fields only.
    m2m_models = {
        field: m2m_model
        for field, m2m_model in model._history_records.m2m_models.items()
        if field in model._meta.many_to_many
    }
    records = {r.history_id: r for pair in pairs for r in pair if r is not None}
    m2m_values = {}  # (field name, history_id) -> set of related names
    for field, m2m_model in m2m_models.items():
        target = get_m2m_reverse_field_name(field)
        rows = m2m_model.objects.filter(history__in=list(records)).select_related(target)
        for row in rows:
            m2m_values.setdefault((field.name, row.history_id), set()).add(str(getattr(row, target)))
    fields = _tracked_fields(model)
    names = _related_names(fields, records.values())
    result = []
    for record, previous in pairs:
        changes = []
        for field in fields:
            new = getattr(record, field.attname)
            old = getattr(previous, field.attname) if previous is not None else None
            if (previous is None and new in (None, "", [], False)) or (previous is not None and new == old):
                continue
            changes.append(
                FieldChange(
                    str(field.verbose_name),
                    _display(field, old, names) if previous is not None else "",
                    _display(field, new, names),
                )
            )
        for field in m2m_models:
            new_set = m2m_values.get((field.name, record.history_id), set())
            old_set = (
                m2m_values.get((field.name, previous.history_id), set()) if previous is not None else set()
            )
            if new_set != old_set:
                changes.append(
                    FieldChange(
                        str(field.verbose_name), ", ".join(sorted(old_set)), ", ".join(sorted(new_set))
                    )
                )
        result.append(Version(record, ACTIONS[record.history_type], changes))
    return result


def _related_names(fields, records) -> dict:
    """{(model, pk): str(object)} for every foreign key value the versions mention, one query per model."""
    wanted: dict = {}
    for field in fields:
        if field.is_relation and field.many_to_one:
            pks = {getattr(r, field.attname) for r in records} - {None}
            wanted.setdefault(field.related_model, set()).update(pks)
    names = {}
    for related_model, pks in wanted.items():
        for pk, related in related_model._default_manager.in_bulk(pks).items():
            names[(related_model, pk)] = _object_label(related)
    return names


def _object_label(obj) -> str:
    return user_label(obj) if isinstance(obj, get_user_model()) else str(obj)


def _display(field, value, names) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation and field.many_to_one:
        return names.get((field.related_model, value), f"#{value} (deleted)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(field, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    if isinstance(value, datetime):
        return _local_datetime(value)
    return str(value)


def _local_datetime(value: datetime) -> str:
    """A moment in a diff or an edit-conflict message: local time, to the minute."""
    return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
