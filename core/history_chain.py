"""Tamper evidence for history: every historical row carries an HMAC chained to the object's row before it.

A row's `history_hash` is HMAC-SHA256, keyed with settings.HISTORY_HMAC_KEY, over a canonical JSON of:
the format version, the historical model's label, every column of the row except history_id and the two
seal columns (so the tracked field values, history_type, history_date, history_user_id,
history_change_reason and the object id), the row's historical M2M rows (the sets as they were at that
version), and `history_previous_hash`, the hash of the same object's row before it in history_id order
("" for the first). The chain follows history_id, the order rows were written, not history_date, which
may be set by the writer (backdated `_history_date`, generated data).

Why a key: a plain SHA-256 chain can be recomputed after an edit by anyone who can read this code and write
to the database. With the key, which lives in the application's environment and not in the database, an
edit made directly in the database cannot be resealed. The key is not SECRET_KEY itself (it only defaults to
it): rotating SECRET_KEY, which signs sessions and password-reset links, must not invalidate years of seals.
Changing HISTORY_HMAC_KEY makes every existing row fail verification.

Canonical values: None, "", False, 0, [] and {} are left out, so adding a field with such a default to a
tracked model keeps old seals valid (adding one with another default, or removing a field, needs the rows
resealed in the same migration). Datetimes are UTC ISO 8601, dates ISO, decimals quantized to the field's
places, JSON values round-tripped through the field's encoder: a value hashes the same before it is saved
and after it is read back, on SQLite and PostgreSQL.

Rows are sealed as they are written: by `seal_new` (simple-history's pre_create_historical_record signal,
before the row and then its M2M rows are saved; simple-history copies the M2M rows from the live through
tables right after, and `seal_new` reads the same rows first), and by the historical models' manager for
`bulk_create` (bulk_history_create, e.g. bulk_create_with_history; such rows have no M2M rows).
core.datagen seals the rows it inserts itself. `seal_unsealed` seals existing rows (the migrations that
added the columns). core.history_integrity verifies.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router
from django.db.models import OuterRef, Subquery
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

FORMAT = "v1"
SEAL_FIELDS = ("history_hash", "history_previous_hash")
KEY_SALT = b"core.history_chain:"
# Rows per batch when walking a history table (objects are never split between batches).
BATCH_ROWS = 5000
IN_CHUNK = 500  # ids per IN (...) list


def _key() -> bytes:
    # Derived, so a seal is no oracle for anything else keyed with the same secret (as Django's salted_hmac).
    return hashlib.sha256(KEY_SALT + settings.HISTORY_HMAC_KEY.encode()).digest()


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- canonical values ---------------------------------------------------------------------------------------

INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


def _converter(field):
    """A function: a value of `field` (as assigned, or as read back) -> its canonical JSON value, or None."""
    if field.is_relation:
        return _converter(field.target_field)
    kind = field.get_internal_type()
    if kind in INTEGER_TYPES:

        def convert(value):
            if value is not None and type(value) is not int:
                value = field.get_prep_value(value)
            return value or None

    elif kind == "BooleanField":

        def convert(value):
            if value is not None and type(value) is not bool:
                value = field.to_python(value)
            return True if value else None

    elif kind == "DateTimeField":

        def convert(value):
            if value is None:
                return None
            if type(value) is not datetime:
                value = field.to_python(value)
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            return value.astimezone(UTC).isoformat()

    elif kind in ("DateField", "TimeField"):
        exact = date if kind == "DateField" else time

        def convert(value):
            if value is None:
                return None
            if type(value) is not exact:
                value = field.to_python(value)
            return value.isoformat()

    elif kind == "DecimalField":
        quantum = Decimal(1).scaleb(-field.decimal_places)

        def convert(value):
            if value is None:
                return None
            if not isinstance(value, Decimal):
                value = field.to_python(value)
            return str(value.quantize(quantum, rounding=ROUND_HALF_UP)) if value else None

    elif kind == "JSONField":

        def convert(value):
            if value is None:
                return None
            return json.loads(json.dumps(value, cls=field.encoder)) or None

    elif kind == "FloatField":

        def convert(value):
            return None if value is None else (float(value) or None)

    else:  # text of every kind (choices, countries, file names, e-mail, slugs), UUIDs

        def convert(value):
            if value is None:
                return None
            if type(value) is not str:
                value = field.get_prep_value(value)
                if value is not None and not isinstance(value, str):
                    value = str(value)
            return value or None

    return convert


# --- what is sealed -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class M2MSpec:
    model: type  # a historical M2M model
    label: str
    attnames: tuple[str, ...]
    converters: tuple

    def canonical(self, row: Sequence) -> str:
        values = {}
        for name, convert, value in zip(self.attnames, self.converters, row, strict=True):
            value = convert(value)
            if value is not None:
                values[name] = value
        return _dumps(values)


@dataclass(frozen=True)
class ChainSpec:
    """How the rows of one historical model are sealed."""

    model: type
    label: str
    object_attname: str
    attnames: tuple[str, ...]
    converters: tuple
    m2m: tuple[M2MSpec, ...]

    def digest(self, values: Sequence, m2m_rows: dict, previous: str) -> str:
        """The seal of a row: `values` in the order of `attnames`, {M2M label: [rows]}, the previous hash."""
        fields = {}
        for name, convert, value in zip(self.attnames, self.converters, values, strict=True):
            value = convert(value)
            if value is not None:
                fields[name] = value
        sets = {}
        for spec in self.m2m:
            rows = m2m_rows.get(spec.label)
            if rows:
                sets[spec.label] = sorted(spec.canonical(row) for row in rows)
        payload = _dumps([FORMAT, self.label, fields, sets, previous or ""])
        return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()

    @property
    def object_position(self) -> int:
        return self.attnames.index(self.object_attname)


def _sealed_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in SEAL_FIELDS]


def _is_m2m_history_of(model, history_model) -> bool:
    if model._meta.pk.name != "m2m_history_id":
        return False
    try:
        field = model._meta.get_field("history")
    except FieldDoesNotExist:
        return False
    return field.is_relation and field.related_model is history_model


def build_spec(history_model, object_attname: str, registry=global_apps) -> ChainSpec:
    """The spec of `history_model`, from the live app registry or a migration's (`registry`)."""
    m2m = []
    for model in registry.get_models():
        if _is_m2m_history_of(model, history_model):
            fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "history"]
            m2m.append(
                M2MSpec(
                    model,
                    model._meta.label_lower,
                    tuple(f.attname for f in fields),
                    tuple(_converter(f) for f in fields),
                )
            )
    fields = _sealed_fields(history_model)
    return ChainSpec(
        history_model,
        history_model._meta.label_lower,
        object_attname,
        tuple(f.attname for f in fields),
        tuple(_converter(f) for f in fields),
        tuple(sorted(m2m, key=lambda s: s.label)),
    )


@cache
def spec_for(history_model) -> ChainSpec:
    return build_spec(history_model, history_model.instance_type._meta.pk.attname)


def sealed_history_models() -> list:
    """Every historical model that carries seals, in a stable order."""
    models_ = [m for m in global_apps.get_models() if issubclass(m, SealedHistoricalRecord)]
    return sorted(models_, key=lambda m: m._meta.label_lower)


def state_specs(registry, app_label: str) -> list[ChainSpec]:
    """The specs of an app's historical models in a migration's app registry."""
    specs = []
    for model in registry.get_app_config(app_label).get_models():
        names = {f.name for f in model._meta.fields}
        if set(SEAL_FIELDS) <= names and model.__name__.startswith("Historical"):
            tracked = registry.get_model(app_label, model.__name__.removeprefix("Historical"))
            specs.append(build_spec(model, tracked._meta.pk.attname, registry))
    return specs


# --- walking a table in chain order -------------------------------------------------------------------------

HEAD = ("history_id", "history_hash", "history_previous_hash")


@dataclass
class Batch:
    """Rows (history_id, hash, previous hash, *spec.attnames) of a run of whole objects, in chain order,
    and their historical M2M rows: {history_id: {M2M label: [rows]}}."""

    rows: list
    m2m: dict


def walk(spec: ChainSpec, *, using: str = "default", batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """Every row of the table in (object, history_id) order, a range of object ids at a time.

    Memory stays flat whatever the table's size: each batch is one indexed range query (object ids are
    integers; the range adapts to about `batch_rows` rows), plus one per M2M table.
    """
    manager = spec.model._base_manager.using(using)
    obj = spec.object_attname
    columns = (*HEAD, *spec.attnames)
    window, start = 64, None
    while True:
        heads = manager.order_by(obj)
        if start is not None:
            heads = heads.filter(**{f"{obj}__gte": start})
        first = heads.values_list(obj, flat=True).first()
        if first is None:
            return
        last = first + window - 1
        in_range = {f"{obj}__gte": first, f"{obj}__lte": last}
        rows = list(manager.filter(**in_range).order_by(obj, "history_id").values_list(*columns))
        m2m: dict = {}
        for m2m_spec in spec.m2m:
            related = m2m_spec.model._base_manager.using(using).filter(
                **{f"history__{key}": value for key, value in in_range.items()}
            )
            for history_id, *row in related.values_list("history_id", *m2m_spec.attnames):
                m2m.setdefault(history_id, {}).setdefault(m2m_spec.label, []).append(row)
        yield Batch(rows, m2m)
        start = last + 1
        window = max(1, min(window * 4, window * batch_rows // max(len(rows), 1)))


# --- sealing ------------------------------------------------------------------------------------------------


def _live_m2m_field(m2m_model):
    for field, model in HistoricalRecords.m2m_models.items():
        if model is m2m_model:
            return field
    raise LookupError(f"No tracked M2M field is kept in {m2m_model._meta.label}.")


def seal_new(history_instance, instance, *, using: str | None = None) -> None:
    """Set the seal of a historical row about to be saved by simple-history's create_historical_record."""
    spec = spec_for(type(history_instance))
    db = using or router.db_for_write(spec.model)
    connection = connections[db]
    object_id = getattr(history_instance, spec.object_attname)
    # Two transactions writing versions of one object must not both chain to the same predecessor: the row
    # lock (usually held already by the save's UPDATE) makes the second wait, and its next query sees the
    # first one's row (READ COMMITTED). SQLite writes one transaction at a time anyway.
    locking = connection.features.has_select_for_update and connection.in_atomic_block
    if locking and history_instance.history_type != "-":
        list(type(instance)._base_manager.using(db).select_for_update().filter(pk=object_id).values("pk"))
    previous = (
        spec.model._base_manager.using(db)
        .filter(**{spec.object_attname: object_id})
        .order_by("-history_id")
        .values_list("history_hash", flat=True)
        .first()
    ) or ""
    m2m_rows = {}
    for m2m_spec in spec.m2m:
        field = _live_m2m_field(m2m_spec.model)
        through = field.remote_field.through
        rows = through._base_manager.using(db).filter(**{field.m2m_field_name(): object_id})
        m2m_rows[m2m_spec.label] = list(rows.values_list(*m2m_spec.attnames))
    values = [getattr(history_instance, name) for name in spec.attnames]
    history_instance.history_previous_hash = previous
    history_instance.history_hash = spec.digest(values, m2m_rows, previous)


def seal_bulk(history_model, rows: list, *, using: str) -> None:
    """Seal unsaved historical rows about to be bulk-created, chained in list order (they carry no M2M)."""
    if not rows:
        return
    spec = spec_for(history_model)
    obj = spec.object_attname
    manager = history_model._base_manager.using(using)
    ids = list({getattr(row, obj) for row in rows})
    latest = manager.filter(**{obj: OuterRef(obj)}).order_by("-history_id").values("history_id")[:1]
    previous = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        found = manager.filter(**{f"{obj}__in": chunk}, history_id=Subquery(latest))
        previous.update(found.values_list(obj, "history_hash"))
    for row in rows:
        object_id = getattr(row, obj)
        row.history_previous_hash = previous.get(object_id) or ""
        values = [getattr(row, name) for name in spec.attnames]
        row.history_hash = spec.digest(values, {}, row.history_previous_hash)
        previous[object_id] = row.history_hash


def seal_unsealed(spec: ChainSpec, *, using: str = "default") -> int:
    """Seal the rows that have no seal yet, in chain order (the migrations that add the seal columns).

    A row that has a seal is taken as it is: the rows after it chain to it.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(spec.model._meta.db_table)
    sql = (
        f"UPDATE {table} SET {quote('history_hash')} = %s, {quote('history_previous_hash')} = %s "
        f"WHERE {quote('history_id')} = %s"
    )
    sealed = 0
    position = len(HEAD) + spec.object_position
    current, previous = object(), ""
    for batch in walk(spec, using=using):
        updates = []
        for row in batch.rows:
            history_id, stored, _ = row[:3]
            if row[position] != current:
                current, previous = row[position], ""
            if stored:
                previous = stored
                continue
            seal = spec.digest(row[len(HEAD) :], batch.m2m.get(history_id, {}), previous)
            updates.append((seal, previous, history_id))
            previous = seal
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(sql, updates)
            sealed += len(updates)
    return sealed


def seal_app_history(app_label: str):
    """A RunPython function sealing the existing history rows of `app_label` (after its AddFields)."""

    def run(apps, schema_editor):
        for spec in state_specs(apps, app_label):
            seal_unsealed(spec, using=schema_editor.connection.alias)

    return run


# --- the historical models ----------------------------------------------------------------------------------


class SealedHistoryManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        seal_bulk(self.model, [o for o in objs if not o.history_hash], using=self.db)
        return super().bulk_create(objs, *args, **kwargs)


class SealedHistoricalRecord(models.Model):
    """Base of every historical model (core.history.History): the two seal columns."""

    history_hash = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="HMAC-SHA256 of this version and the hash before it (core.history_chain).",
    )
    history_previous_hash = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="The hash of the same object's version before this one; empty for the first.",
    )

    objects = SealedHistoryManager()

    class Meta:
        abstract = True


@receiver(pre_create_historical_record, dispatch_uid="core.history_chain.seal_new")
def _seal_on_create(sender, instance, history_instance, using=None, **kwargs):
    if isinstance(history_instance, SealedHistoricalRecord):
        seal_new(history_instance, instance, using=using)
