"""A large, realistic and reproducible register for benchmarks (`manage.py generate_data --vendors N`).

Planning draws everything from one `random.Random(f"{seed}:plan")`, in a fixed order and relative to a
fixed `today`, so the same seed, size and day give the same rows on SQLite and PostgreSQL (`fingerprint()`
is equal). Each object is planned as a `Life`: the unsaved instance in its first state plus the versions
that follow it (when, by whom, why, which fields changed), as the services would have written them:
vendor_save and vendor_change_status, contract_renew, contract_activate and the nightly
contract_expire_due, assessment_create, answer_save, assessment_submit and the decisions, the nightly
schedule_reassessments, periodic_check_record, joint_use_revise, and so on.

`Writer` inserts each row once, in its final state, then replays the versions from the first state into
historical rows: '+' then '~', the acting user (None for the nightly jobs, as they record it) and the
service's reason (None where the service writes none, e.g. a plain answer_save), with each version's M2M
sets in the historical M2M tables as core.history.record_history writes them, so History pages and the
audit trail read them like the app's own. The seeded countries, which exist already, are edited with
simple_history's `bulk_update_with_history`.

Not generated: deleted rows ('-' versions); records of provision except one batch record per consent-route
transfer; reminder logs other than contract notice reminders (assessment, finding and transfer reminders
are due as the data says); real files (every file field names one of four placeholder PDFs).
"""

import copy
import hashlib
import math
import random
import time as clock
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from operator import attrgetter
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_update_with_history

from assessments.models import Answer, Assessment, Finding
from assessments.scoring import score_answers
from assessments.services import current_standard
from contracts.models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent
from contracts.services import NOTICE_REMINDER, due_notice_reminders, next_term_end
from core.history_chain import spec_for
from core.models import ReminderLog
from core.roles import COMPLIANCE, PROCUREMENT
from transfers.models import (
    ConsentRecord,
    Country,
    ForeignTransfer,
    JointUseArrangement,
    PeriodicCheck,
    ProvisionRecord,
)
from vendors.models import Contact, DataCategory, Purpose, Vendor
from vendors.services import HIGH_PRINCIPALS, MEDIUM_PRINCIPALS, vendor_risk_tier
from vendors.validators import corporate_number_check_digit

BATCH_SIZE = 1000
ANSWER_CHUNK = 400  # assessments whose answers are built, written and dropped together (bounded memory)
PROCUREMENT_USERS = 20
COMPLIANCE_USERS = 5
USERNAME_PREFIX = "gen-"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONTRACT_PDF = "generated/contract.pdf"
EVIDENCE_PDF = "generated/evidence.pdf"
CONSENT_PDF = "generated/consent.pdf"
BASIS_PDF = "generated/basis.pdf"

VStatus = Vendor.Status
CStatus = ProtectionContract.Status
AStatus = Assessment.Status
TStatus = ForeignTransfer.Status
Route = ForeignTransfer.Route

# --- words --------------------------------------------------------------------------------------------------

# fmt: off
FIRST_NAMES = [
    "Haruka", "Kenji", "Yui", "Daiki", "Aoi", "Sota", "Mei", "Ren", "Hina", "Yuto", "Sakura", "Haruto", "Rin",
    "Minato", "Yuna", "Riku", "Mio", "Kaito", "Saki", "Takumi", "Emi", "Shota", "Nanami", "Kazuki", "Ayaka",
]
LAST_NAMES = [
    "Sato", "Tanaka", "Suzuki", "Ito", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida",
    "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Saito", "Mori",
    "Ikeda", "Hashimoto", "Abe", "Ishikawa", "Ogawa",
]
JP_SURNAMES = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木",
    "山口", "松本", "井上", "木村", "林", "清水", "斎藤",
]
JP_GIVEN = ["太郎", "花子", "健一", "美咲", "大輔", "陽子", "翔", "葵", "誠", "由美", "直樹", "彩"]
# (romaji, katakana): the first word of a Japanese vendor's name and its reading.
JP_WORDS = [
    ("Sakura", "サクラ"), ("Midori", "ミドリ"), ("Aozora", "アオゾラ"), ("Kaede", "カエデ"),
    ("Hikari", "ヒカリ"), ("Tsubame", "ツバメ"), ("Nagi", "ナギ"), ("Fuji", "フジ"), ("Shiori", "シオリ"),
    ("Kumo", "クモ"), ("Mamoru", "マモル"), ("Tomo", "トモ"), ("Hoshi", "ホシ"), ("Yamabiko", "ヤマビコ"),
    ("Kawa", "カワ"), ("Ishi", "イシ"), ("Umi", "ウミ"), ("Sora", "ソラ"), ("Asahi", "アサヒ"),
    ("Yuki", "ユキ"), ("Haru", "ハル"), ("Natsu", "ナツ"), ("Kaze", "カゼ"), ("Mizu", "ミズ"),
    ("Hana", "ハナ"), ("Tsuki", "ツキ"), ("Taiyo", "タイヨウ"), ("Momiji", "モミジ"), ("Tsubaki", "ツバキ"),
    ("Ume", "ウメ"), ("Matsu", "マツ"), ("Take", "タケ"), ("Kiri", "キリ"), ("Hinode", "ヒノデ"),
    ("Akebono", "アケボノ"), ("Minato", "ミナト"), ("Shinonome", "シノノメ"), ("Wakaba", "ワカバ"),
    ("Aoba", "アオバ"), ("Kasumi", "カスミ"), ("Izumi", "イズミ"), ("Mirai", "ミライ"), ("Kizuna", "キズナ"),
    ("Nozomi", "ノゾミ"), ("Hibiki", "ヒビキ"), ("Tsubasa", "ツバサ"), ("Homare", "ホマレ"),
    ("Sakae", "サカエ"), ("Yamato", "ヤマト"), ("Musashi", "ムサシ"), ("Kanade", "カナデ"),
    ("Irodori", "イロドリ"), ("Shirakawa", "シラカワ"), ("Kitakaze", "キタカゼ"), ("Minami", "ミナミ"),
    ("Nishiki", "ニシキ"), ("Kohaku", "コハク"), ("Ruri", "ルリ"), ("Sango", "サンゴ"), ("Hisui", "ヒスイ"),
    ("Kogane", "コガネ"), ("Akane", "アカネ"),
]
JP_REGIONS = [
    ("Tokyo", "トウキョウ"), ("Osaka", "オオサカ"), ("Nagoya", "ナゴヤ"), ("Fukuoka", "フクオカ"),
    ("Sapporo", "サッポロ"), ("Sendai", "センダイ"), ("Hiroshima", "ヒロシマ"), ("Kobe", "コウベ"),
    ("Yokohama", "ヨコハマ"), ("Kyoto", "キョウト"), ("Chiba", "チバ"), ("Niigata", "ニイガタ"),
]
BUSINESSES = [
    ("Data Services", "データサービス"), ("Cloud Hosting", "クラウドホスティング"),
    ("Backup", "バックアップ"), ("Media Disposal", "メディアショリ"),
    ("Contact Center", "コンタクトセンター"), ("Staffing", "スタッフィング"),
    ("Print & Mail", "プリントアンドメール"), ("Logistics", "ロジスティクス"), ("Systems", "システムズ"),
    ("Analytics", "アナリティクス"), ("Survey", "サーベイ"), ("Document Archive", "ドキュメントアーカイブ"),
    ("Security Systems", "セキュリティシステムズ"), ("Payroll", "ペイロール"),
    ("Translation", "トランスレーション"), ("Consulting", "コンサルティング"),
    ("Marketing", "マーケティング"), ("Web Forms", "ウェブフォームズ"), ("Fulfilment", "フルフィルメント"),
    ("IT Solutions", "アイティーソリューションズ"), ("Software", "ソフトウェア"),
    ("Networks", "ネットワークス"), ("Research", "リサーチ"), ("Event Systems", "イベントシステムズ"),
    ("Delivery", "デリバリー"), ("Records Management", "レコードマネジメント"),
    ("Printing", "プリンティング"), ("Business Process", "ビジネスプロセス"),
    ("Recruitment Partners", "リクルートメントパートナーズ"), ("Video Storage", "ビデオストレージ"),
    ("Fraud Watch", "フロードウォッチ"), ("Digital", "デジタル"), ("Data Entry", "データエントリー"),
    ("Scanning", "スキャニング"), ("Billing", "ビリング"), ("Payment Services", "ペイメントサービス"),
    ("Facility Services", "ファシリティサービス"), ("Courier", "クーリエ"),
    ("Telemarketing", "テレマーケティング"), ("Health Check", "ヘルスチェック"),
]
GROUP_FUNCTIONS = [
    "Shared Services", "Finance", "Card", "Retail", "Insurance", "Travel", "Real Estate", "Marketing",
    "Logistics", "Customer Service", "Leasing", "Energy", "Media", "Health",
]
GROUP_ABROAD = {
    "DE": "Europe GmbH", "GB": "UK Ltd.", "US": "America Inc.", "SG": "Asia Pte. Ltd.", "FR": "France SAS",
    "TW": "Taiwan Co., Ltd.", "KR": "Korea Co., Ltd.",
}
FOREIGN_WORDS = [
    "Atlas", "Orbit", "Pixel", "Lumen", "Harbor", "Summit", "Vertex", "Nimbus", "Beacon", "Cobalt",
    "Meridian", "Northwind", "Bluefin", "Keystone", "Crescent", "Granite", "Silverline", "Evergreen",
    "Polaris", "Quantum", "Redwood", "Sterling", "Trident", "Vantage", "Zenith", "Aurora", "Cedar", "Delta",
    "Ember", "Falcon", "Helix", "Ionic", "Juniper", "Kestrel", "Lattice", "Mosaic",
]
FOREIGN_SUFFIX = {
    "US": "Inc.", "GB": "Ltd.", "DE": "GmbH", "FR": "SAS", "IE": "Ltd.", "NL": "B.V.", "SE": "AB",
    "ES": "S.L.", "IT": "S.r.l.", "PL": "Sp. z o.o.", "SG": "Pte. Ltd.", "IN": "Pvt. Ltd.", "PH": "Inc.",
    "AU": "Pty Ltd", "CA": "Inc.", "MY": "Sdn. Bhd.",
}
FOREIGN_CITIES = {
    "US": "San Francisco, CA", "GB": "London", "DE": "Berlin", "FR": "Paris", "IE": "Dublin",
    "NL": "Amsterdam", "SE": "Stockholm", "ES": "Madrid", "IT": "Milan", "PL": "Warsaw", "SG": "Singapore",
    "IN": "Bengaluru", "PH": "Manila", "VN": "Ho Chi Minh City", "CN": "Shanghai", "KR": "Seoul",
    "TW": "Taipei", "AU": "Sydney", "CA": "Toronto", "TH": "Bangkok", "MY": "Kuala Lumpur",
}
# Where foreign vendors sit (equivalent countries and others, by weight) and where Japanese vendors'
# cloud regions are.
VENDOR_COUNTRIES = {
    "US": 20, "GB": 8, "DE": 8, "SG": 8, "IN": 6, "FR": 5, "IE": 5, "PH": 5, "NL": 4, "VN": 4, "CN": 3,
    "KR": 3, "TW": 3, "AU": 3, "SE": 2, "ES": 2, "IT": 2, "PL": 2, "CA": 2, "TH": 2, "MY": 2,
}
CLOUD_COUNTRIES = {"US": 10, "SG": 5, "IE": 3, "DE": 3, "AU": 2, "IN": 2}
JP_PLACES = [
    ("東京都", "千代田区丸の内"), ("東京都", "千代田区大手町"), ("東京都", "新宿区西新宿"),
    ("東京都", "港区芝浦"), ("東京都", "渋谷区道玄坂"), ("東京都", "品川区大崎"),
    ("大阪府", "大阪市北区梅田"), ("大阪府", "大阪市中央区本町"), ("愛知県", "名古屋市中区栄"),
    ("福岡県", "福岡市中央区天神"), ("北海道", "札幌市中央区北一条西"), ("宮城県", "仙台市青葉区一番町"),
    ("神奈川県", "横浜市西区みなとみらい"), ("京都府", "京都市下京区烏丸通"), ("広島県", "広島市中区紙屋町"),
    ("兵庫県", "神戸市中央区三宮町"),
]
STREETS = ["Market", "Main", "Harbour", "King", "Queen", "Station", "Park", "River", "Bridge", "Hill"]
REASONS_ONBOARDED = [
    "Onboarded.", "New vendor registered from the intake form.", "Registered for the tender.",
    "Onboarded after the selection meeting.",
]
REASONS_APPROVED = [
    "Due diligence reviewed; measures confirmed.", "Contract, assessment and consents in order.",
    "Approved after the review meeting.",
]
REASONS_SUSPENDED = [
    "Leak of delivery labels reported; suspended pending investigation.",
    "Audit found shared administrator accounts; suspended until corrected.",
    "Late report of a lost laptop; suspended pending investigation.",
    "Subcontracting without consent found; suspended until clarified.",
]
REASONS_TERMINATED = [
    "Contract ended; deletion certificate received.", "Work brought in-house; data returned and deleted.",
    "Replaced by another vendor after the tender; deletion certificate received.",
    "Vendor closed its data-processing business; data returned.",
]
REASONS_RETURNED = [
    "Contract copy is missing; attach it and resubmit.",
    "Risk intake incomplete: confirm the number of principals.",
]
VENDOR_NOTES = [
    "Handles the monthly customer mailing.", "Access limited to the support portal.",
    "Data is kept in a Tokyo data centre.", "Annual on-site audit agreed in the contract.",
    "Escalation contact changed after the reorganisation.", "Works from two offices; both audited.",
    "Deletion certificates are sent quarterly.",
]
CONTRACT_NOTES = [
    "Notices go to the legal department.", "Liability cap raised in the last negotiation.",
    "Side letter on data localisation signed.", "Audit clause exercised once a year.",
]
TERMINATION_REASONS = [
    "Entrustment ended; data deletion certified.",
    "Leak reported; entrustment stopped pending investigation.",
]
ANSWER_COMMENTS = [
    "Confirmed in the vendor's written answers.", "Seen during the on-site visit.",
    "Policy attached; last revised this year.", "Vendor will complete this by next quarter.",
    "Covered by the ISMS certificate.", "Checked against the audit report.",
]
FINDINGS = [
    "Handling rules do not yet cover deletion at the end of the work.",
    "Staff training records are incomplete for temporary staff.",
    "Access rights are not reviewed periodically.", "Logs are kept for only 30 days.",
    "Visitors are not escorted in the processing area.", "No written procedure for leak reports.",
]
APPROVAL_NOTES = [
    "", "", "Measures confirmed.", "Evidence reviewed; no concerns.", "Approved with the findings noted.",
]
REJECTION_NOTES = [
    "Leak was reported to us late: critical criterion ORG-07 fails.",
    "Critical measures are missing: the vendor cannot be used for this work.",
]
CHECK_TEXTS = [
    "Annual report and SOC 2 report reviewed; measures implemented.",
    "Access logs and training records reviewed; measures implemented.",
    "ISO 27001 certificate renewed; contractual measures confirmed.",
]
OECD_GAPS = {
    "US": "No comprehensive federal privacy law: purpose and use limitation are not general duties.",
    "CN": "Broad exemptions for state security; no independent supervisory authority.",
    "IN": "The DPDP Act is being phased in; some rights are not yet in force.",
}
OTHER_LAWS = {
    "US": "Government access under FISA s.702 and the CLOUD Act; state laws (e.g. CCPA).",
    "CN": "Data localisation and government access under the Cybersecurity and Data Security Laws.",
    "VN": "Data localisation under the Cybersecurity Law decree.",
}
# The words of the company forms above ("K.K.", "Co., Ltd.", "B.V.", ...), left out of domain names.
COMPANY_FORM_WORDS = frozenset(
    {"k", "co", "ltd", "inc", "gmbh", "sas", "pte", "pvt", "b", "v", "ab", "llc", "pty", "sdn", "bhd"}
)
# fmt: on


# --- lives and versions -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Version:
    when: datetime
    user: object
    reason: str | None
    changes: dict


class Life:
    """One object: the unsaved instance in its first state, and each version the app would have written."""

    __slots__ = ("_first", "_through", "m2m", "obj", "versions")

    def __init__(self, obj, when, user, reason=None, *, m2m=None):
        self.obj = obj
        self.versions = [Version(when, user, reason, {})]
        self.m2m = m2m or {}

    @property
    def born(self) -> datetime:
        return self.versions[0].when

    def change(self, when, user, reason=None, **changes) -> datetime:
        self.versions.append(Version(when, user, reason, changes))
        return when


# Field classes whose Python value is already what the database takes (no conversion to call per row).
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.ForeignKey,
    models.IntegerField,
    models.OneToOneField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
)
HISTORY_FIELDS = (
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "history_hash",
    "history_previous_hash",
)


def m2m_columns(m2m_field) -> tuple[str, str]:
    """The columns of an M2M field's through table (and of its historical M2M table) for its two ends."""
    return m2m_field.m2m_field_name() + "_id", m2m_field.m2m_reverse_field_name() + "_id"


def tracked_m2m(model) -> dict:
    """{M2M field: its historical M2M model} for the fields `model` tracks (the registry is shared)."""
    return {
        f: m2m_model
        for f, m2m_model in HistoricalRecords.m2m_models.items()
        if f in model._meta.many_to_many and f.model is model
    }


class Writer:
    """Inserts planned lives: each row once in its final state, then one historical row per version.

    Rows go in with `executemany` and ids chosen here: an ORM bulk_create spends most of its time compiling
    SQL value by value (8 minutes for 10,000 vendors), and a known history_id lets the historical M2M rows
    point at their version without RETURNING. The historical row is built as bulk_history_create builds it:
    every tracked field from the instance, plus history_id, history_date, the reason, '+' or '~' and the
    user, and sealed as the app seals it (core.history_chain), so `verify_history` finds it intact.
    PostgreSQL sequences are moved past the ids used at the end of each phase (`reset_sequences`).
    """

    def __init__(self, batch_size: int = BATCH_SIZE):
        self.batch_size = batch_size
        self.rows: Counter = Counter()
        self.history_rows = 0
        self.m2m_history_rows = 0
        self.next_id: dict = {}

    # -- plumbing

    def ids(self, model, count: int) -> int:
        """The first of `count` fresh primary keys for `model`."""
        if model not in self.next_id:
            pk = model._meta.pk.attname
            self.next_id[model] = (model._base_manager.aggregate(top=Max(pk))["top"] or 0) + 1
        first = self.next_id[model]
        self.next_id[model] += count
        return first

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_id))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    @staticmethod
    def columns(model, attnames: list[str]):
        """(fetch all values of an object, [(position, conversion)]) for `attnames` of `model`."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        conversions = [
            (i, partial(fields[name].get_db_prep_save, connection=connection))
            for i, name in enumerate(attnames)
            if type(fields[name]) not in PLAIN_FIELDS
        ]
        return attrgetter(*attnames), conversions

    def insert(self, model, attnames: list[str], rows: list) -> None:
        quote = connection.ops.quote_name
        columns = {f.attname: f.column for f in model._meta.concrete_fields}
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(columns[name]) for name in attnames),
            ", ".join(["%s"] * len(attnames)),
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.batch_size):
                cursor.executemany(sql, rows[start : start + self.batch_size])
        self.rows[model] += len(rows)

    def insert_objects(self, model, objs: list) -> None:
        """Rows for unsaved instances (related ones written or given an id before), with fresh ids."""
        new = [obj for obj in objs if obj.pk is None]
        first = self.ids(model, len(new))
        for offset, obj in enumerate(new):
            obj.pk = first + offset
        attnames = [f.attname for f in model._meta.concrete_fields]
        fetch, conversions = self.columns(model, attnames)
        rows = []
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="generate_data")
            values = list(fetch(obj))
            for i, convert in conversions:
                values[i] = convert(values[i])
            rows.append(values)
            obj._state.adding, obj._state.db = False, connection.alias
        self.insert(model, attnames, rows)

    # -- lives

    def write(self, model, lives: list[Life]) -> None:
        if not lives:
            return
        created = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
        updated = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        first = self.ids(model, len(lives))
        for offset, life in enumerate(lives):
            life.versions.sort(key=attrgetter("when"))
            obj, initial = life.obj, {}
            obj.pk = first + offset  # before any insert: rows may point at each other (renews, follows)
            for version in life.versions[1:]:
                for name, value in version.changes.items():
                    initial.setdefault(name, getattr(obj, name))
                    setattr(obj, name, value)
            life._first = initial
            for name in created:
                setattr(obj, name, life.born)
            for name in updated:
                setattr(obj, name, life.versions[-1].when)
        self.insert_objects(model, [life.obj for life in lives])
        self._write_through(model, lives)
        self._replay(model, lives, updated)

    def _write_through(self, model, lives: list[Life]) -> None:
        for life in lives:
            life._through = {}
        for m2m_field in model._meta.many_to_many:
            through = m2m_field.remote_field.through
            source, target = m2m_columns(m2m_field)
            links = [(life, t.pk) for life in lives for t in life.m2m.get(m2m_field.name, ())]
            first = self.ids(through, len(links))
            rows = []
            for offset, (life, target_pk) in enumerate(links):
                row = (first + offset, life.obj.pk, target_pk)
                life._through.setdefault(m2m_field.name, []).append(row)
                rows.append(row)
            self.insert(through, ["id", source, target], rows)

    def _replay(self, model, lives: list[Life], updated: list[str]) -> None:
        """Historical rows from the first state on, one round per version number."""
        history_model = model.history.model
        attnames = [f.attname for f in history_model._meta.concrete_fields]
        tracked = [a for a in attnames if a not in HISTORY_FIELDS]
        unknown = set(tracked) - {f.attname for f in model._meta.concrete_fields}
        if unknown:
            raise RuntimeError(
                f"{history_model.__name__} has columns generate_data cannot fill: {sorted(unknown)}"
            )
        fetch, conversions = self.columns(model, tracked)
        when_to_db = partial(
            history_model._meta.get_field("history_date").get_db_prep_save, connection=connection
        )
        m2m_models = tracked_m2m(model)
        # Each row is sealed as core.history_chain.seal_new seals it: its values, its M2M rows (every version
        # has the final sets), and the seal of the object's version before it.
        spec = spec_for(history_model)
        m2m_specs = {m2m_spec.model: m2m_spec for m2m_spec in spec.m2m}
        sets, seals = {}, {}
        for life in lives:
            for name, value in life._first.items():
                setattr(life.obj, name, value)
            sets[id(life)] = self._m2m_rows(life, m2m_models, m2m_specs)
        for number in range(max(len(life.versions) for life in lives)):
            current = [life for life in lives if len(life.versions) > number]
            first = self.ids(history_model, len(current))
            rows, kind = [], "~" if number else "+"
            for offset, life in enumerate(current):
                version, obj = life.versions[number], life.obj
                for name, value in version.changes.items():
                    setattr(obj, name, value)
                for name in updated:
                    setattr(obj, name, version.when)
                values = list(fetch(obj)) if len(tracked) > 1 else [fetch(obj)]
                user = version.user.pk if version.user is not None else None
                sealed = dict(zip(tracked, values, strict=True))
                sealed.update(
                    history_date=version.when,
                    history_change_reason=version.reason,
                    history_type=kind,
                    history_user_id=user,
                )
                previous = seals.get(id(life), "")
                seal = spec.digest([sealed[name] for name in spec.attnames], sets[id(life)], previous)
                seals[id(life)] = seal
                for i, convert in conversions:
                    values[i] = convert(values[i])
                when = when_to_db(version.when)
                values += [first + offset, when, version.reason, kind, user, seal, previous]
                rows.append(values)
            self.insert(history_model, [*tracked, *HISTORY_FIELDS], rows)
            self.history_rows += len(rows)
            for m2m_field, m2m_model in m2m_models.items():
                self._write_m2m_history(m2m_field, m2m_model, current, first)
        for life in lives:
            life._first = life._through = None

    @staticmethod
    def _m2m_rows(life: Life, m2m_models: dict, m2m_specs: dict) -> dict:
        """{historical M2M label: rows in the order of its spec's attnames} of a life's final M2M sets."""
        rows = {}
        for m2m_field, m2m_model in m2m_models.items():
            m2m_spec = m2m_specs[m2m_model]
            source, target = m2m_columns(m2m_field)
            rows[m2m_spec.label] = [
                [{"id": link_id, source: source_pk, target: target_pk}[name] for name in m2m_spec.attnames]
                for link_id, source_pk, target_pk in life._through.get(m2m_field.name, ())
            ]
        return rows

    def _write_m2m_history(self, m2m_field, m2m_model, lives: list[Life], first_history_id: int) -> None:
        source, target = m2m_columns(m2m_field)
        rows = [
            (link_id, source_pk, target_pk, first_history_id + offset)
            for offset, life in enumerate(lives)
            for link_id, source_pk, target_pk in life._through.get(m2m_field.name, ())
        ]
        first = self.ids(m2m_model, len(rows))
        rows = [(first + i, *row) for i, row in enumerate(rows)]
        self.insert(m2m_model, ["m2m_history_id", "id", source, target, "history_id"], rows)
        self.m2m_history_rows += len(rows)


# --- plans --------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Steps:
    """When an assessment is answered, submitted, possibly returned and resubmitted, and decided."""

    created: datetime
    answered: datetime
    submitted: datetime
    returned: datetime | None
    resubmitted: datetime | None
    decided: datetime


@dataclass(eq=False)
class GroupPlan:
    name: str
    kana: str
    founded: datetime
    members: list = field(default_factory=list)
    drafted: datetime | None = None
    published: datetime | None = None


@dataclass(eq=False)
class VendorPlan:
    index: int
    kind: str
    parent: "VendorPlan | None" = None
    depth: int = 0
    group: GroupPlan | None = None
    country: str = "JP"
    abroad: bool = False
    target: str = VStatus.APPROVED
    children: list = field(default_factory=list)
    status: str = VStatus.DRAFT
    created: datetime | None = None
    submitted: datetime | None = None
    approved: datetime | None = None
    suspended: datetime | None = None
    reinstated: datetime | None = None
    terminated: datetime | None = None
    owners: list = field(default_factory=list)  # [(from, user)]
    tiers: list = field(default_factory=list)  # [(from, tier)]
    categories: list = field(default_factory=list)
    purposes: list = field(default_factory=list)
    quality: str = "good"
    steps: Steps | None = None
    contract_at: datetime | None = None
    contract_mode: str | None = None
    contract_end: datetime | None = None
    parallel: bool = False  # a protection agreement alongside the entrustment contract
    due_threshold: int | None = None
    consent_at: datetime | None = None
    transfer_country: str | None = None
    transfer_created: datetime | None = None
    transfer_active: datetime | None = None
    obj: Vendor | None = None
    life: Life | None = None
    criteria: list = field(default_factory=list)

    @property
    def stop(self) -> datetime | None:
        """Nothing is prepared or decided for a vendor once it is terminated."""
        return self.terminated

    def owner_at(self, when: datetime):
        return _as_of(self.owners, when)

    def tier_at(self, when: datetime) -> str:
        return _as_of(self.tiers, when)


def _as_of(timeline: list, when: datetime):
    """The value in force at `when` in [(since, value)] (the first one before it starts)."""
    value = timeline[0][1]
    for since, later in timeline:
        if since <= when:
            value = later
    return value


@dataclass(eq=False)
class AnswerPlan:
    number: int
    assessment: Assessment
    criteria: list
    responses: list  # one per criterion, "" for unanswered
    created: datetime
    creator: object
    answered: datetime | None = None
    preparer: object = None
    imported: str | None = None
    extra: tuple | None = None  # (criterion position, when, comment): a correction after a return


@dataclass
class ActiveContract:
    life: Life
    vendor: VendorPlan
    cycle_start: datetime  # activation, or the last change of its decision date


# --- the generator ------------------------------------------------------------------------------------------


class Generator:
    def __init__(
        self, *, vendors: int, seed: int = 1, today: date, progress: Callable[[str], None] | None = None
    ):
        if vendors < 1:
            raise ValueError("Generate at least one vendor.")
        self.size = vendors
        self.seed = seed
        self.today = today
        self.progress = progress or (lambda message: None)
        self.rng = random.Random(f"{seed}:plan")
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.cutoff = datetime.combine(today, time(0), tzinfo=self.tz)  # everything happened before today
        self.start = datetime.combine(today - relativedelta(years=3), time(9), tzinfo=self.tz)
        self.thresholds = sorted(set(settings.CONTRACT_REMINDER_DAYS), reverse=True)
        self.lives: dict = defaultdict(list)
        self.answer_plans: list[AnswerPlan] = []
        self.active_contracts: list[ActiveContract] = []
        self.names: set[str] = set()
        self.corporate_numbers: set[str] = set()
        self.writer = Writer()
        self.began = clock.monotonic()

    # -- entry point

    def run(self) -> dict:
        with translation.override(settings.LANGUAGE_CODE):
            with transaction.atomic():
                self.create_users()
            self.load_reference()
            self.plan()
            self.say(f"planned {self.size:,} vendors")
            self.write()
        return summary(self.today)

    def say(self, message: str) -> None:
        self.progress(f"{message} ({clock.monotonic() - self.began:.1f} s)")

    # -- users and reference data

    def create_users(self) -> None:
        """About 20 procurement and 5 compliance users; created one by one so each gets its profile."""
        user_model = get_user_model()
        groups = {g.name: g for g in Group.objects.filter(name__in=[PROCUREMENT, COMPLIANCE])}
        wanted = [
            (f"{USERNAME_PREFIX}procurement-{i + 1:02d}", PROCUREMENT, i) for i in range(PROCUREMENT_USERS)
        ]
        wanted += [
            (f"{USERNAME_PREFIX}compliance-{i + 1:02d}", COMPLIANCE, PROCUREMENT_USERS + i)
            for i in range(COMPLIANCE_USERS)
        ]
        users = {PROCUREMENT: [], COMPLIANCE: []}
        for username, role, i in wanted:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model(
                    username=username,
                    first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(i * 7) % len(LAST_NAMES)],
                    email=f"{username}@example.com",
                    date_joined=self.start,
                )
                user.set_unusable_password()  # set one with `manage.py changepassword <username>`
                user.save()
            user.groups.add(groups[role])
            users[role].append(user)
        self.procurement, self.compliance = users[PROCUREMENT], users[COMPLIANCE]
        self.say(f"users {len(self.procurement)} procurement, {len(self.compliance)} compliance")

    def load_reference(self) -> None:
        self.standard = current_standard()
        if self.standard is None:
            raise ValueError("No published internal standard: run the migrations first.")
        self.all_criteria = list(self.standard.criteria.order_by("position", "code"))
        self.categories = {c.code: c for c in DataCategory.objects.order_by("code")}
        self.purposes_of = defaultdict(list)
        for purpose in (
            Purpose.objects.filter(is_active=True).prefetch_related("data_categories").order_by("code")
        ):
            for category in purpose.data_categories.all():
                self.purposes_of[category.code].append(purpose)
        clauses = list(Clause.objects.filter(is_active=True).order_by("code"))
        self.required = {k: [c for c in clauses if k in (c.required_for or [])] for k in ContractKind.values}
        self.optional = {
            k: [c for c in clauses if k not in (c.required_for or [])] for k in ContractKind.values
        }
        self.countries = {c.code: c for c in Country.objects.order_by("code")}
        missing = (set(VENDOR_COUNTRIES) | set(CLOUD_COUNTRIES)) - set(self.countries)
        if missing or not self.categories:
            raise ValueError("The seeded reference data is missing: run the migrations first.")

    # -- time

    def moment(self, day: date, *, hour: int | None = None) -> datetime:
        hour = self.rng.randint(9, 18) if hour is None else hour
        return datetime.combine(
            day, time(hour, self.rng.randint(0, 59), self.rng.randint(0, 59)), tzinfo=self.tz
        )

    def after(self, when: datetime, low: int, high: int) -> datetime:
        """A working-hours moment `low` to `high` days after `when`, never before it."""
        moment = self.moment(when.date() + timedelta(days=self.rng.randint(low, high)))
        return moment if moment > when else when + timedelta(minutes=self.rng.randint(5, 90))

    def soon(self, when: datetime, low: int = 2, high: int = 30) -> datetime:
        return when + timedelta(minutes=self.rng.randint(low, high))

    def between(self, low: datetime, high: datetime) -> datetime:
        """A moment after `low` and before `high` (assumed later than `low`)."""
        moment = self.after(low, 0, max(0, (high.date() - low.date()).days))
        return moment if moment < high else low + (high - low) / 2

    def happened(self, when: datetime | None, *, stop: datetime | None = None) -> bool:
        return when is not None and when < self.cutoff and (stop is None or when < stop)

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), list(weights.values()))[0]

    # -- planning

    def plan(self) -> None:
        vendors = self.shape()
        for v in vendors:
            self.schedule(v)
            self.plan_vendor(v)
        self.plan_risk(vendors)
        self.pick_due(vendors)
        for v in vendors:
            self.plan_contracts(v)
            self.plan_consent(v)
            self.plan_assessments(v)
        self.plan_countries(vendors)
        for v in vendors:
            self.plan_transfer(v)
        for group in self.groups:
            self.plan_joint_use(group)

    def shape(self) -> list[VendorPlan]:
        """~75% contractors, ~20% subcontractors in chains 1-4 deep, ~5% joint users in groups of ~10."""
        rng, n = self.rng, self.size
        n_joint, n_sub = round(n * 0.05), round(n * 0.20)
        n_contractors = n - n_joint - n_sub
        if n_contractors < 1:
            n_contractors, n_sub = n_contractors + n_sub, 0
        self.groups = []
        for number in range(math.ceil(n_joint / 10)):
            romaji, kana = JP_WORDS[number % len(JP_WORDS)]
            if number >= len(JP_WORDS):
                region, region_kana = JP_REGIONS[number // len(JP_WORDS) % len(JP_REGIONS)]
                romaji, kana = f"{romaji} {region}", kana + region_kana
            span = max(1, (self.cutoff - self.start).days - 250)
            founded = self.moment(self.start.date() + timedelta(days=int(span * rng.random() ** 1.5)))
            group = GroupPlan(romaji, kana, founded)
            # Its members are registered within 15 days of `founded`, then the particulars are drafted.
            group.drafted = self.after(founded, 16, 20)
            group.published = self.after(group.drafted, 1, 5)
            self.groups.append(group)
        top = [VendorPlan(0, Vendor.Kind.CONTRACTOR) for _ in range(n_contractors)]
        joint = [VendorPlan(0, Vendor.Kind.JOINT_USER) for _ in range(n_joint)]
        for i, v in enumerate(joint):
            v.group = self.groups[i % len(self.groups)]
            v.group.members.append(v)
        top += joint
        rng.shuffle(top)
        for v in top:
            v.target = self.pick(
                {
                    VStatus.APPROVED: 77,
                    VStatus.DRAFT: 5,
                    VStatus.UNDER_REVIEW: 7,
                    VStatus.SUSPENDED: 4,
                    VStatus.TERMINATED: 7,
                }
            )
        contractors = [v for v in top if v.kind == Vendor.Kind.CONTRACTOR]
        subs: list[VendorPlan] = []
        below: dict = defaultdict(list)  # contractor -> the subcontractors in its chains
        while len(subs) < n_sub:
            root = rng.choice(contractors)
            length = min(self.pick({1: 50, 2: 30, 3: 15, 4: 5}), n_sub - len(subs))
            # Mostly a new chain under the contractor; sometimes a branch further down an existing one.
            branches = [s for s in below[root] if s.depth < 4]
            parent = rng.choice(branches) if branches and rng.random() < 0.3 else root
            for _step in range(length):
                if parent.depth >= 4:
                    break
                sub = VendorPlan(0, Vendor.Kind.SUBCONTRACTOR, parent=parent, depth=parent.depth + 1)
                parent.children.append(sub)
                subs.append(sub)
                below[root].append(sub)
                parent = sub
        vendors = top + sorted(subs, key=attrgetter("depth"))
        for index, v in enumerate(vendors):
            v.index = index
            if v.group is not None and rng.random() < 0.2:
                v.country = self.pick(dict.fromkeys(GROUP_ABROAD, 1))
            elif v.group is None and rng.random() < 0.10:
                v.country = self.pick(VENDOR_COUNTRIES)
            v.abroad = v.country != "JP" or rng.random() < 0.06
            v.quality = "weak" if rng.random() < 0.15 else "good"
        # A few contractors belong to a group too (e.g. its IT company), without being joint users.
        for v in contractors:
            if self.groups and v.country == "JP" and rng.random() < 0.02:
                v.group = rng.choice(self.groups)
        return vendors

    def schedule(self, v: VendorPlan) -> None:
        """The vendor's key dates; its contract, assessment, consent and transfer fit around them."""
        rng, p = self.rng, v.parent
        span = (self.cutoff - self.start).days
        if p is None:
            if v.target == VStatus.DRAFT:
                v.created = self.moment(self.today - timedelta(days=rng.randint(2, 90)))
            elif v.target == VStatus.UNDER_REVIEW:
                v.created = self.moment(self.today - timedelta(days=rng.randint(10, 75)))
            elif v.kind == Vendor.Kind.JOINT_USER:
                v.created = self.after(v.group.founded, 0, 15)
            elif rng.random() < 0.5:  # registered in the go-live migration
                v.created = self.moment(self.start.date() + timedelta(days=rng.randint(0, 90)))
            else:
                v.created = self.moment(
                    self.start.date() + timedelta(days=int((span - 150) * rng.random() ** 1.3))
                )
        else:
            if p.status in (VStatus.DRAFT, VStatus.UNDER_REVIEW):
                v.target = rng.choice([VStatus.DRAFT, VStatus.UNDER_REVIEW])
            else:
                v.target = self.pick(
                    {
                        VStatus.APPROVED: 80,
                        VStatus.DRAFT: 4,
                        VStatus.UNDER_REVIEW: 6,
                        VStatus.SUSPENDED: 3,
                        VStatus.TERMINATED: 7,
                    }
                )
            v.created = self.after(p.approved or p.created, 10, 150)
            # A terminated vendor re-entrusts nothing: a subcontractor came while its parent still worked.
            limit = p.terminated or self.cutoff
            if v.created >= limit - timedelta(days=1):
                v.created = self.between(p.created, limit)
        v.owners = [
            (v.created, p.owners[-1][1] if p and rng.random() < 0.7 else rng.choice(self.procurement))
        ]

        v.contract_at = self.after(v.created, 1, 14)
        v.steps = self.steps(self.after(v.created, 1, 10))
        if p is not None:
            v.consent_at = self.after(v.created, 2, 20)
        if v.abroad:
            v.transfer_country = v.country if v.country != "JP" else self.pick(CLOUD_COUNTRIES)
            v.transfer_created = self.after(v.created, 1, 10)
            v.transfer_active = self.after(v.transfer_created, 3, 20)
        v.submitted = self.after(v.created, 2, 15)
        gates = [v.contract_at, v.steps.decided, v.consent_at, v.transfer_active, v.submitted]
        if p is not None and p.approved:
            gates.append(p.approved)
        if v.kind == Vendor.Kind.JOINT_USER:
            gates.append(v.group.published)
        approved = self.after(max(g for g in gates if g), 1, 7)

        if v.target == VStatus.DRAFT or not self.happened(v.submitted):
            v.submitted, v.status = None, VStatus.DRAFT
        elif v.target == VStatus.UNDER_REVIEW:
            v.status = VStatus.UNDER_REVIEW
        else:
            parent_end = p and min((d for d in (p.suspended, p.terminated) if d), default=None)
            parent_ok = p is None or (
                p.approved is not None and (parent_end is None or approved < parent_end)
            )
            if self.happened(approved) and parent_ok:
                v.approved, v.status = approved, VStatus.APPROVED
                self.episodes(v)
            else:
                v.status = VStatus.UNDER_REVIEW
        if p is not None and p.terminated:
            self.terminate_before_parent(v, p.terminated)
        self.owner_changes(v)
        self.choose_contract_mode(v)

    def episodes(self, v: VendorPlan) -> None:
        """Suspension, reinstatement and termination after approval, when there was time for them."""
        rng = self.rng
        if v.target == VStatus.SUSPENDED:
            suspended = self.after(v.approved, 30, 900)
            if self.happened(suspended):
                v.suspended, v.status = suspended, VStatus.SUSPENDED
                if rng.random() < 0.3:
                    terminated = self.after(suspended, 20, 300)
                    if self.happened(terminated):
                        v.terminated, v.status = terminated, VStatus.TERMINATED
        elif v.target == VStatus.TERMINATED:
            terminated = self.after(v.approved, 60, 1000)
            if self.happened(terminated):
                v.terminated, v.status = terminated, VStatus.TERMINATED
        elif rng.random() < 0.05:
            suspended = self.after(v.approved, 30, 700)
            reinstated = self.after(suspended, 10, 60)
            if self.happened(reinstated):
                v.suspended, v.reinstated = suspended, reinstated

    def terminate_before_parent(self, v: VendorPlan, deadline: datetime) -> None:
        """A vendor is terminated only once no subcontractor of it is approved: this one went first."""
        v.suspended = v.reinstated = None
        if v.approved and v.approved >= deadline - timedelta(days=1):
            v.approved = None
        if v.submitted and v.submitted >= deadline - timedelta(days=1):
            v.submitted = None
        last = max(d for d in (v.created, v.submitted, v.approved) if d)
        if v.terminated is None or v.terminated >= deadline:
            v.terminated = self.between(last, deadline)
        v.status = VStatus.TERMINATED

    def owner_changes(self, v: VendorPlan) -> None:
        end = v.terminated or self.cutoff
        if self.rng.random() < 0.08 and (end - v.created).days > 60:
            since = self.between(v.created + timedelta(days=30), end)
            others = [u for u in self.procurement if u != v.owners[0][1]]
            v.owners.append((since, self.rng.choice(others)))

    def choose_contract_mode(self, v: VendorPlan) -> None:
        """How the vendor's contracts end up: a renewal chain, auto-renewing, open-ended, or a draft."""
        rng = self.rng
        if v.approved is None:
            if v.status == VStatus.DRAFT or not self.happened(v.contract_at, stop=v.terminated):
                v.contract_mode = "negotiating" if rng.random() < 0.35 else None
            else:
                v.contract_mode = "chain" if rng.random() < 0.75 else "negotiating"
        else:
            v.contract_mode = self.pick({"chain": 77, "auto": 20, "open": 3})
        v.parallel = v.contract_mode == "chain" and v.kind != Vendor.Kind.JOINT_USER and rng.random() < 0.55
        if v.contract_mode in ("chain", "auto", "open"):
            if v.terminated:
                v.contract_end = max(
                    self.soon(v.contract_at, 60, 120), v.terminated - timedelta(days=rng.randint(0, 5))
                )
            elif v.status == VStatus.SUSPENDED and rng.random() < 0.5:
                end = self.after(v.suspended, 0, 3)
                v.contract_end = end if self.happened(end) else None

    def steps(self, created: datetime) -> Steps:
        answered = self.after(created, 3, 30)
        submitted = self.after(answered, 0, 3)
        returned = self.after(submitted, 1, 7) if self.rng.random() < 0.1 else None
        resubmitted = self.after(returned, 1, 6) if returned else None
        return Steps(
            created, answered, submitted, returned, resubmitted, self.after(resubmitted or submitted, 1, 10)
        )

    # -- vendors

    def plan_vendor(self, v: VendorPlan) -> None:
        rng = self.rng
        p = v.parent
        if p is not None:
            v.categories = rng.sample(p.categories, rng.randint(1, len(p.categories)))
            allowed = [x for x in p.purposes if any(x in self.purposes_of[c.code] for c in v.categories)]
        else:
            codes = ["customers_partners"] if v.kind == Vendor.Kind.JOINT_USER else []
            while not codes or (len(codes) < 2 and rng.random() < 0.15):
                code = self.pick(
                    {
                        "customers_partners": 75,
                        "recruitment_applicants": 8,
                        "camera_footage": 6,
                        "consigned_data": 11,
                    }
                )
                if code in self.categories and code not in codes:
                    codes.append(code)
            v.categories = [self.categories[c] for c in sorted(codes)]
            allowed = sorted(
                {x for c in v.categories for x in self.purposes_of[c.code]}, key=attrgetter("code")
            )
        v.purposes = (
            sorted(rng.sample(allowed, min(len(allowed), rng.randint(1, 4))), key=attrgetter("code"))
            if allowed
            else []
        )
        name, kana = self.vendor_name(v)
        recruitment = any(c.code == "recruitment_applicants" for c in v.categories)
        if p is not None:
            principals = max(10, int(p.obj.principal_count * rng.uniform(0.2, 1.0)))
        else:
            band = self.pick({(50, 1000): 25, (1001, 100_000): 55, (100_001, 3_000_000): 20})
            principals = int(math.exp(rng.uniform(math.log(band[0]), math.log(band[1]))))
        principals = int(float(f"{principals:.2g}"))
        v.obj = Vendor(
            name=name,
            name_kana=kana,
            corporate_number=self.corporate_number() if v.country == "JP" else "",
            country=v.country,
            address=self.address(v.country),
            representative=self.representative(v.country),
            website=f"https://www.{self.slug(name)}.example" if rng.random() < 0.65 else "",
            kind=v.kind,
            parent=p.obj if p else None,
            is_group_company=v.group is not None,
            status=VStatus.DRAFT,
            handles_special_care_data=rng.random() < (0.3 if recruitment else 0.02),
            principal_count=principals,
            handles_data_abroad=v.abroad,
            has_system_access=rng.random() < 0.3,
            owner=v.owners[0][1],
            notes=rng.choice(VENDOR_NOTES) if rng.random() < 0.3 else "",
        )
        v.criteria = [c for c in self.all_criteria if c.applies_to(v.obj)]
        life = v.life = Life(
            v.obj,
            v.created,
            v.owners[0][1],
            rng.choice(REASONS_ONBOARDED),
            m2m={"data_categories": v.categories, "purposes": v.purposes},
        )
        self.lives[Vendor].append(life)
        self.vendor_status_versions(v)
        self.vendor_edits(v)
        self.plan_contacts(v)

    def vendor_status_versions(self, v: VendorPlan) -> None:
        rng, life = self.rng, v.life
        reviewer = rng.choice(self.compliance)
        if v.submitted:
            life.change(
                v.submitted, v.owner_at(v.submitted), _("Submit for review."), status=VStatus.UNDER_REVIEW
            )
            if v.approved and rng.random() < 0.08 and (v.approved - v.submitted).days > 4:
                returned = self.between(v.submitted, v.approved - timedelta(days=2))
                resubmitted = self.between(returned, v.approved - timedelta(hours=1))
                life.change(returned, reviewer, rng.choice(REASONS_RETURNED), status=VStatus.DRAFT)
                life.change(
                    resubmitted, v.owner_at(resubmitted), _("Submit for review."), status=VStatus.UNDER_REVIEW
                )
        if v.approved:
            life.change(v.approved, reviewer, rng.choice(REASONS_APPROVED), status=VStatus.APPROVED)
        if v.suspended:
            life.change(
                v.suspended,
                rng.choice(self.compliance),
                rng.choice(REASONS_SUSPENDED),
                status=VStatus.SUSPENDED,
            )
        if v.reinstated:
            life.change(
                v.reinstated, reviewer, "Corrective actions verified; reinstated.", status=VStatus.APPROVED
            )
        if v.terminated:
            life.change(
                v.terminated,
                rng.choice(self.compliance),
                rng.choice(REASONS_TERMINATED),
                status=VStatus.TERMINATED,
            )
        for since, user in v.owners[1:]:
            life.change(
                since,
                user,
                f"Owner changed: {v.owners[0][1].get_full_name()} moved to another team.",
                owner_id=user.pk,
            )

    def vendor_edits(self, v: VendorPlan) -> None:
        """Everyday edits: address, representative, website, notes, the estimate of principals."""
        rng, obj = self.rng, v.obj
        end = v.terminated or self.cutoff
        if (end - v.created).days < 3:
            return
        count = self.pick({0: 2, 1: 3, 2: 3, 3: 2, 4: 1, 6: 1})
        principals, notes = obj.principal_count, obj.notes
        for _edit in range(count):
            when = self.between(v.created + timedelta(hours=12), end)
            user = v.owner_at(when)
            kind = self.pick({"address": 2, "representative": 2, "website": 1, "notes": 3, "principals": 3})
            if kind == "address":
                v.life.change(when, user, "Head office moved.", address=self.address(v.country))
            elif kind == "representative":
                v.life.change(
                    when, user, "New representative appointed.", representative=self.representative(v.country)
                )
            elif kind == "website":
                v.life.change(
                    when,
                    user,
                    "Website address updated.",
                    website=f"https://{self.slug(obj.name)}-{rng.randint(2, 9)}.example",
                )
            elif kind == "notes":
                notes = (notes + "\n" if notes else "") + rng.choice(VENDOR_NOTES)
                v.life.change(when, user, "Notes updated after the annual review.", notes=notes)
            elif (changed := self.same_band(principals)) != principals:
                principals = changed
                v.life.change(
                    when, user, "Estimate of principals updated (annual review).", principal_count=principals
                )

    @staticmethod
    def _band(count: int) -> tuple[int, int]:
        if count > HIGH_PRINCIPALS:
            return HIGH_PRINCIPALS + 1, 10_000_000
        if count > MEDIUM_PRINCIPALS:
            return MEDIUM_PRINCIPALS + 1, HIGH_PRINCIPALS
        return 1, MEDIUM_PRINCIPALS

    def same_band(self, count: int) -> int:
        """A new estimate in the same risk band, so the edit changes the reasons' figure, not the tier."""
        low, high = self._band(count)
        return min(high, max(low, int(float(f"{count * self.rng.choice([0.8, 0.9, 1.15, 1.25]):.2g}"))))

    def plan_contacts(self, v: VendorPlan) -> None:
        rng = self.rng
        domain = self.slug(v.obj.name) + ".example"
        roles = [("Privacy officer", True)] + ([("Sales", False)] if rng.random() < 0.5 else [])
        for role, primary in roles:
            if v.country == "JP":
                name = f"{rng.choice(JP_SURNAMES)} {rng.choice(JP_GIVEN)}"
                phone = f"0{rng.randint(3, 9)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
            else:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                phone = f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}"
            contact = Contact(
                vendor=v.obj,
                name=name,
                email=f"{'privacy' if primary else 'sales'}@{domain}",
                phone=phone,
                role=role,
                is_primary=primary,
            )
            when = self.soon(v.created, 3, 120)
            life = Life(contact, when, v.owner_at(when))
            if rng.random() < 0.25 and (self.cutoff - when).days > 2:
                later = self.between(when, v.terminated or self.cutoff)
                life.change(
                    later,
                    v.owner_at(later),
                    "Phone number updated.",
                    phone=phone[:-4] + f"{rng.randint(1000, 9999)}",
                )
            self.lives[Contact].append(life)

    def plan_risk(self, vendors: list[VendorPlan]) -> None:
        """The stored risk tier of every version, as vendor_save and _refresh_parent_risk compute it.

        The intake is fixed except the estimate of principals; a parent is recomputed when one of its
        subcontractors is created or terminated (a version only when the tier or its reasons change).
        """
        events = defaultdict(list)  # parent -> [(when, change in live subcontractors, sub, user)]
        for v in vendors:
            if v.parent is not None:
                events[v.parent].append((v.created, 1, v, v.owners[0][1]))
                if v.terminated:
                    user = next(
                        x.user for x in v.life.versions if x.changes.get("status") == VStatus.TERMINATED
                    )
                    events[v.parent].append((v.terminated, -1, v, user))
        for v in vendors:
            timeline = [(x.when, 0, x, None) for x in v.life.versions[1:] if "principal_count" in x.changes]
            timeline += [(when, 1, (delta, sub), user) for when, delta, sub, user in events[v]]
            timeline.sort(key=lambda item: (item[0], item[1]))
            principals, live = v.obj.principal_count, 0
            current = self.risk(v, principals, live)
            v.obj.risk_tier, v.obj.risk_reasons = current
            v.tiers = [(v.created, current[0])]
            for when, is_event, item, user in timeline:
                if is_event:
                    delta, sub = item
                    live += delta
                else:
                    principals = item.changes["principal_count"]
                new = self.risk(v, principals, live)
                if new == current:
                    continue
                current = new
                v.tiers.append((when, new[0]))
                if is_event:
                    reason = _("Risk tier recomputed: subcontractors changed (%(name)s).") % {
                        "name": sub.obj.name
                    }
                    v.life.change(
                        when + timedelta(seconds=1), user, reason, risk_tier=new[0], risk_reasons=new[1]
                    )
                else:
                    item.changes.update(risk_tier=new[0], risk_reasons=new[1])

    @staticmethod
    def risk(v: VendorPlan, principals: int, live_subcontractors: int) -> tuple[str, list[str]]:
        """vendors.services.vendor_risk_tier on a stand-in for the vendor, so the rule lives in one place."""
        stand_in = SimpleNamespace(
            pk=v.index + 1,
            data_categories=SimpleNamespace(all=lambda: v.categories),
            handles_special_care_data=v.obj.handles_special_care_data,
            principal_count=principals,
            handles_data_abroad=v.obj.handles_data_abroad,
            has_system_access=v.obj.has_system_access,
            subcontractors=SimpleNamespace(
                exclude=lambda **kw: SimpleNamespace(count=lambda: live_subcontractors)
            ),
        )
        tier, reasons = vendor_risk_tier(stand_in)
        return str(Vendor.RiskTier(tier).value), [str(r) for r in reasons]

    def pick_due(self, vendors: list[VendorPlan]) -> None:
        """About 1% of the active contracts reach a reminder threshold today (their reminder is due)."""
        active = [v for v in vendors if v.contract_mode in ("chain", "auto", "open") and not v.contract_end]
        candidates = [v for v in active if v.contract_mode == "chain"]
        count = len(active) + sum(v.parallel for v in active)
        for v in self.rng.sample(candidates, min(len(candidates), max(1, round(count * 0.01)))):
            v.due_threshold = self.rng.choice(self.thresholds)

    # -- contracts

    def contract(self, v: VendorPlan, kind: str, reference: str, **fields) -> ProtectionContract:
        return ProtectionContract(
            vendor=v.obj,
            kind=kind,
            title=f"{ContractKind(kind).label}: {v.obj.name}",
            reference=reference,
            **fields,
        )

    def clauses(self, kind: str) -> list:
        """The clauses required for the kind, and for some contracts the optional ones too."""
        return self.required[kind] + (self.optional[kind] if self.rng.random() < 0.3 else [])

    def plan_contracts(self, v: VendorPlan) -> None:
        rng, mode = self.rng, v.contract_mode
        if mode is None:
            return
        if v.kind == Vendor.Kind.JOINT_USER:
            kind = ContractKind.JOINT_USE
        else:
            kind = ContractKind.PROTECTION_AGREEMENT if rng.random() < 0.15 else ContractKind.ENTRUSTMENT
        clauses = self.clauses(kind)
        terms = dict(
            notice_days=self.pick({30: 20, 60: 50, 90: 30}),
            permits_reentrustment=kind != ContractKind.JOINT_USE
            and (bool(v.children) or rng.random() < 0.15),
            notes=rng.choice(CONTRACT_NOTES) if rng.random() < 0.2 else "",
        )
        if mode == "negotiating":
            when = self.after(v.created, 1, 20)
            if self.happened(when, stop=v.terminated):
                obj = self.contract(
                    v, kind, f"PC-{when.year}-{v.index + 1:05d}", owner=v.owner_at(when), **terms
                )
                self.lives[ProtectionContract].append(
                    Life(obj, when, v.owner_at(when), "Draft under negotiation.", m2m={"clauses": clauses})
                )
            return
        if mode == "chain":
            self.plan_chain(v, kind, clauses, terms, "PC")
            if v.parallel:
                kind = ContractKind.PROTECTION_AGREEMENT
                clauses = self.clauses(kind)
                self.plan_chain(v, kind, clauses, {**terms, "notes": ""}, "PA", due=False)
        else:
            self.plan_single(v, kind, clauses, terms)

    def contract_end_day(self, v: VendorPlan, notice: int, *, due: bool) -> date:
        """The end of the contract in force: in 2-24 months, so notice deadlines fall in every month."""
        rng = self.rng
        if due and v.due_threshold is not None:
            return self.today + timedelta(days=v.due_threshold + notice)
        if v.contract_end:
            return v.contract_end.date() + timedelta(days=rng.randint(20, 400))
        end = self.today + timedelta(
            days=rng.randint(60, 365) if rng.random() < 0.7 else rng.randint(366, 730)
        )
        if (end - timedelta(days=notice) - self.today).days in self.thresholds:
            end += timedelta(days=1)  # not due today unless picked: pick_due decides that
        return end

    def plan_chain(
        self, v: VendorPlan, kind: str, clauses: list, terms: dict, prefix: str, *, due=True
    ) -> None:
        """Contracts renewed one after another up to the one in force now (or until it was terminated)."""
        rng, notice = self.rng, terms["notice_days"]
        anchor = v.contract_end.date() if v.contract_end else self.today
        end = self.contract_end_day(v, notice, due=due)
        options = {12: 75, 24: 20, 36: 5}
        latest_start = anchor - timedelta(days=15)
        allowed = {
            m: w
            for m, w in options.items()
            if end + timedelta(days=1) - relativedelta(months=m) <= latest_start
        }
        months = self.pick(allowed or {36: 1})
        spans = [(end + timedelta(days=1) - relativedelta(months=months), end)]
        while spans[0][0] > v.contract_at.date() and len(spans) < 8:
            previous_end = spans[0][0] - timedelta(days=1)
            spans.insert(0, (previous_end + timedelta(days=1) - relativedelta(months=months), previous_end))
        limit = v.contract_end or self.cutoff
        lives, activations = [], []
        for i, (starts, ends) in enumerate(spans):
            fields = dict(starts_on=starts, ends_on=ends, decision_on=ends - timedelta(days=notice), **terms)
            if i == 0:
                reference = f"{prefix}-{starts.year}-{v.index + 1:05d}"
                created = v.contract_at
                user = v.owner_at(created)
                signed = min(created.date(), starts - timedelta(days=rng.randint(3, 30)))
                obj = self.contract(
                    v, kind, reference, owner=user, signed_on=signed, document=CONTRACT_PDF, **fields
                )
                life = Life(obj, created, user, "Signed contract entered.", m2m={"clauses": clauses})
                activated = life.change(
                    self.soon(created),
                    user,
                    _("Activated: signed on %(date)s.") % {"date": signed},
                    status=CStatus.ACTIVE,
                )
            else:
                previous, previous_end = lives[-1], spans[i - 1][1]
                drafted = min(self.renewal_drafted(previous, activations[-1]), limit - timedelta(days=1))
                if rng.random() < 0.15:
                    signed_at = self.moment(previous_end + timedelta(days=rng.randint(1, 25)))
                else:
                    signed_at = self.after(drafted, 5, 40)
                if signed_at >= limit - timedelta(hours=2) or signed_at <= drafted:
                    signed_at = self.between(drafted, limit - timedelta(hours=1))
                life = self.draft_renewal(v, kind, previous, drafted, clauses, **fields)
                signer = v.owner_at(signed_at)
                life.change(
                    signed_at, signer, "Renewal signed.", signed_on=signed_at.date(), document=CONTRACT_PDF
                )
                activated = life.change(
                    self.soon(signed_at, 1, 5),
                    signer,
                    _("Activated: signed on %(date)s.") % {"date": signed_at.date()},
                    status=CStatus.ACTIVE,
                )
                if signed_at.date() > previous_end:
                    expired = self.moment(previous_end + timedelta(days=1), hour=0)
                    previous.change(
                        expired.replace(minute=10),
                        None,
                        _("Ended on %(date)s.") % {"date": previous_end},
                        status=CStatus.EXPIRED,
                    )
                previous.change(
                    activated + timedelta(seconds=1),
                    signer,
                    _("Superseded by %(ref)s.") % {"ref": life.obj.reference},
                    status=CStatus.SUPERSEDED,
                )
            lives.append(life)
            activations.append(activated)
        for i, life in enumerate(lives):
            until = activations[i + 1] if i + 1 < len(lives) else limit
            if rng.random() < 0.12 and (until - activations[i]).days > 2:
                when = self.between(activations[i], until)
                life.change(when, v.owner_at(when), "Notes updated.", notes=rng.choice(CONTRACT_NOTES))
        self.lives[ProtectionContract].extend(lives)
        current = lives[-1]
        self.end_current(v, current, activations[-1])
        if (
            not v.contract_end
            and current.obj.decision_on <= self.today + timedelta(days=45)
            and rng.random() < 0.5
        ):
            drafted = self.renewal_drafted(current, activations[-1])
            if self.happened(drafted):
                starts = end + timedelta(days=1)
                ends = starts + relativedelta(starts, spans[-1][0]) - timedelta(days=1)  # the same term
                fields = dict(starts_on=starts, ends_on=ends, decision_on=ends - timedelta(days=notice))
                self.lives[ProtectionContract].append(
                    self.draft_renewal(v, kind, current, drafted, clauses, **fields, **terms)
                )

    def renewal_drafted(self, previous: Life, activated: datetime) -> datetime:
        """When the renewal of a contract is prepared: within 45 days before its decision date."""
        return max(
            self.after(activated, 1, 3),
            self.moment(previous.obj.decision_on - timedelta(days=self.rng.randint(0, 45))),
        )

    def draft_renewal(self, v: VendorPlan, kind: str, previous: Life, drafted, clauses, **fields) -> Life:
        """The draft successor contract_renew writes for `previous`, by the vendor's owner at `drafted`."""
        user, renewed = v.owner_at(drafted), previous.obj
        obj = self.contract(
            v, kind, _renewal_reference(renewed.reference), owner=user, renews=renewed, **fields
        )
        reason = _("Renewal of %(ref)s.") % {"ref": renewed.reference}
        return Life(obj, drafted, user, reason, m2m={"clauses": clauses})

    def plan_single(self, v: VendorPlan, kind: str, clauses: list, terms: dict) -> None:
        """One contract kept in force: renewed automatically each year, or open-ended and reviewed yearly."""
        rng, notice = self.rng, terms["notice_days"]
        created, user = v.contract_at, v.owner_at(v.contract_at)
        limit = v.contract_end or self.cutoff
        starts = created.date() - timedelta(days=rng.randint(0, 300))
        signed = starts - timedelta(days=rng.randint(3, 30))
        if v.contract_mode == "auto":
            ends = starts + relativedelta(months=12) - timedelta(days=1)
            while ends < created.date():  # renewed before it was entered here
                ends = next_term_end(ends, 12)
            term_end = ends
            while term_end + timedelta(days=1) < self.today:
                term_end = next_term_end(term_end, 12)
            if term_end == self.today - timedelta(days=1) and not v.contract_end:
                # Its renewal would be today's 00:10 run, after the data ends: let it run a day later.
                starts += timedelta(days=1)
                ends += timedelta(days=1)
            fields = dict(
                ends_on=ends, decision_on=ends - timedelta(days=notice), auto_renews=True, renewal_months=12
            )
        else:
            review = created.date() + timedelta(days=rng.randint(200, 365))
            fields = dict(review_on=review, decision_on=review)
        obj = self.contract(
            v,
            kind,
            f"PC-{starts.year}-{v.index + 1:05d}",
            owner=user,
            signed_on=signed,
            document=CONTRACT_PDF,
            starts_on=starts,
            **fields,
            **terms,
        )
        life = Life(obj, created, user, "Signed contract entered.", m2m={"clauses": clauses})
        cycle = life.change(
            self.soon(created),
            user,
            _("Activated: signed on %(date)s.") % {"date": signed},
            status=CStatus.ACTIVE,
        )
        if v.contract_mode == "auto":
            while True:  # contract_expire_due, at 00:10 on the day after the end
                run = datetime.combine(ends + timedelta(days=1), time(0, 10), tzinfo=self.tz)
                if not (run < limit and run > cycle):
                    break
                ends = next_term_end(ends, 12)
                cycle = life.change(
                    run, None, "automatic renewal", ends_on=ends, decision_on=ends - timedelta(days=notice)
                )
        else:
            while True:
                when = max(
                    self.soon(cycle, 60, 600), self.moment(review - timedelta(days=rng.randint(0, 20)))
                )
                if when >= limit:
                    break
                review += timedelta(days=365)
                cycle = life.change(
                    when,
                    v.owner_at(when),
                    f"Reviewed; next review on {review}.",
                    review_on=review,
                    decision_on=review,
                )
        self.lives[ProtectionContract].append(life)
        self.end_current(v, life, cycle)

    def end_current(self, v: VendorPlan, life: Life, cycle: datetime) -> None:
        if v.contract_end:
            when = max(v.contract_end, self.soon(cycle))
            life.change(
                when,
                self.rng.choice(self.compliance),
                self.rng.choice(TERMINATION_REASONS),
                status=CStatus.TERMINATED,
            )
        else:
            self.active_contracts.append(ActiveContract(life, v, cycle))

    def plan_consent(self, v: VendorPlan) -> None:
        """The company's written consent to re-entrust, before a subcontractor's approval."""
        p = v.parent
        if p is None or not self.happened(v.consent_at, stop=v.terminated):
            return
        if p.terminated and v.consent_at >= p.terminated:
            return
        if v.approved is None and self.rng.random() < 0.5:
            return
        user = v.owner_at(v.consent_at)
        consent = ReentrustmentConsent(
            parent=p.obj,
            subcontractor=v.obj,
            scope_of_work=f"Part of the work entrusted to {p.obj.name}.",
            data_description="Only the items needed for the work; handled in Japan unless stated.",
            consented_on=v.consent_at.date(),
            consented_by=self.rng.choice(self.compliance),
            document=CONSENT_PDF,
        )
        self.lives[ReentrustmentConsent].append(
            Life(
                consent,
                v.consent_at,
                user,
                "Written consent recorded.",
                m2m={"data_categories": v.categories},
            )
        )

    # -- assessments

    def plan_assessments(self, v: VendorPlan) -> None:
        rng = self.rng
        if v.status == VStatus.DRAFT and v.approved is None:
            if rng.random() < 0.7:
                self.plan_assessment(
                    v, v.steps, Assessment.Kind.INITIAL, v.owner_at(v.steps.created), draft=True
                )
        else:
            previous, valid_until = self.plan_assessment(
                v, v.steps, Assessment.Kind.INITIAL, v.owner_at(v.steps.created)
            )
            while valid_until is not None:
                # schedule_reassessments prepares the next one 60 days before the validity ends (08:00 run).
                created = self.moment(valid_until - timedelta(days=60), hour=8)
                if not self.happened(created, stop=v.stop):
                    break
                previous, valid_until = self.plan_assessment(
                    v, self.steps(created), Assessment.Kind.PERIODIC, None, follows=previous.obj
                )
        if v.suspended and v.suspended < self.cutoff:
            created = self.after(v.suspended, 1, 10)
            if self.happened(created, stop=v.stop):
                self.plan_assessment(
                    v, self.steps(created), Assessment.Kind.TRIGGERED, v.owner_at(created), fail=True
                )

    def plan_assessment(self, v, steps: Steps, kind, creator, *, follows=None, draft=False, fail=False):
        """One assessment through the services' steps, as far as it got before today: (life, valid until)."""
        rng, standard = self.rng, self.standard
        stop = v.stop
        if not self.happened(steps.created, stop=stop) or not v.criteria:
            return None, None
        obj = Assessment(vendor=v.obj, standard=standard, kind=kind, follows=follows, prepared_by=creator)
        life = Life(obj, steps.created, creator, _("Prepared against %(standard)s.") % {"standard": standard})
        self.lives[Assessment].append(life)
        responses = self.responses(v, fail=fail)
        plan = AnswerPlan(
            len(self.answer_plans), obj, v.criteria, [""] * len(v.criteria), steps.created, creator
        )
        self.answer_plans.append(plan)
        if draft or not self.happened(steps.answered, stop=stop):
            end = min(d for d in (stop, self.cutoff) if d)
            if rng.random() < 0.5 and (end - steps.created).days > 1:
                answered = self.between(steps.created, end)
                plan.preparer = v.owner_at(answered)
                count = rng.randint(1, max(1, len(responses) - 1))
                plan.responses, plan.answered = responses[:count] + [""] * (len(responses) - count), answered
                if creator is None:
                    life.change(
                        answered + timedelta(seconds=1), plan.preparer, None, prepared_by_id=plan.preparer.pk
                    )
            return life, None
        preparer = plan.preparer = v.owner_at(steps.answered)
        plan.responses, plan.answered = responses, steps.answered
        if rng.random() < 0.4:
            plan.imported = _("Imported from %(file)s.") % {
                "file": f"questionnaire-{self.slug(v.obj.name)}.xlsx"
            }
        if creator is None:
            life.change(steps.answered + timedelta(seconds=1), preparer, None, prepared_by_id=preparer.pk)
        card = self.score(v, responses)
        if not self.happened(steps.submitted, stop=stop):
            return life, None
        submitted = dict(
            status=AStatus.SUBMITTED, score=card.score, result=card.result, submitted_by_id=preparer.pk
        )
        life.change(
            steps.submitted, preparer, _("Submitted for review."), submitted_at=steps.submitted, **submitted
        )
        reviewer = rng.choice(self.compliance)
        if steps.returned:
            if not self.happened(steps.returned, stop=stop):
                return life, None
            note = "Attach the latest external audit report and confirm the training records."
            life.change(
                steps.returned,
                reviewer,
                note,
                status=AStatus.RETURNED,
                reviewed_by_id=reviewer.pk,
                decided_at=steps.returned,
                decision_note=note,
            )
            fix = self.between(steps.returned, steps.resubmitted)
            plan.extra = (rng.randrange(len(v.criteria)), fix, "External audit report attached.")
            if not self.happened(steps.resubmitted, stop=stop):
                return life, None
            life.change(
                steps.resubmitted,
                preparer,
                _("Submitted for review."),
                submitted_at=steps.resubmitted,
                **submitted,
            )
        if not self.happened(steps.decided, stop=stop):
            return life, None
        decided = steps.decided
        if card.result == Assessment.Result.FAIL:
            note = rng.choice(REJECTION_NOTES)
            life.change(
                decided,
                reviewer,
                note,
                status=AStatus.REJECTED,
                reviewed_by_id=reviewer.pk,
                decided_at=decided,
                decision_note=note,
            )
            return life, None
        if card.result == Assessment.Result.CONDITIONAL or rng.random() < 0.08:
            self.plan_findings(
                v, obj, decided, reviewer, preparer, responses, conditional=card.result != "pass"
            )
        note = rng.choice(APPROVAL_NOTES)
        months = settings.ASSESSMENT_VALIDITY_MONTHS[v.tier_at(decided)]
        valid_until = decided.date() + relativedelta(months=months)
        life.change(
            decided,
            reviewer,
            note or _("Approved."),
            status=AStatus.APPROVED,
            reviewed_by_id=reviewer.pk,
            decided_at=decided,
            decision_note=note,
            valid_until=valid_until,
        )
        return life, valid_until

    def responses(self, v: VendorPlan, *, fail: bool) -> list[str]:
        """Answers to every applicable criterion; a passing set unless `fail` (a critical "no")."""
        rng = self.rng
        weights = (
            {"yes": 86, "partial": 9, "no": 2, "na": 3}
            if v.quality == "good"
            else {"yes": 62, "partial": 25, "no": 9, "na": 4}
        )
        for _attempt in range(10):
            responses = [
                ("yes" if v.quality == "good" or rng.random() < 0.9 else "partial")
                if c.is_critical
                else self.pick(weights)
                for c in v.criteria
            ]
            if fail:
                critical = [i for i, c in enumerate(v.criteria) if c.is_critical]
                if critical:
                    responses[rng.choice(critical)] = "no"
                return responses
            if self.score(v, responses).result != Assessment.Result.FAIL:
                return responses
        return ["yes"] * len(v.criteria)

    def score(self, v: VendorPlan, responses: list[str]):
        """The score card assessment_submit would compute for these answers to the vendor's criteria."""
        return score_answers(
            zip(v.criteria, responses, strict=True),
            pass_score=self.standard.pass_score,
            conditional_score=self.standard.conditional_score,
        )

    def plan_findings(self, v, assessment, decided, reviewer, owner, responses, *, conditional: bool) -> None:
        """Remediation findings recorded before approval; most resolved by their due date, some left open."""
        rng = self.rng
        weak = [c for c, r in zip(v.criteria, responses, strict=True) if r in ("partial", "no")]
        for _finding in range(rng.randint(1, 2) if conditional else 1):
            created = decided - timedelta(minutes=rng.randint(5, 60))
            due = decided.date() + timedelta(days=rng.randint(30, 120))
            finding = Finding(
                assessment=assessment,
                criterion=rng.choice(weak) if weak else None,
                description=rng.choice(FINDINGS),
                severity=self.pick({"medium": 6, "high": 2, "low": 2})
                if conditional
                else Finding.Severity.LOW,
                due_on=due,
                owner=owner,
            )
            life = Life(finding, created, reviewer)
            resolved = self.moment(due - timedelta(days=rng.randint(-5, 25)))
            if resolved <= created:
                resolved = self.soon(created, 60, 600)
            chance = 0.8 if due < self.today else 0.3
            if self.happened(resolved, stop=v.stop) and rng.random() < chance:
                if rng.random() < 0.9:
                    life.change(
                        resolved,
                        owner,
                        None,
                        status=Finding.Status.RESOLVED,
                        resolution_note="Corrected; evidence received.",
                    )
                else:
                    life.change(
                        resolved,
                        reviewer,
                        None,
                        status=Finding.Status.ACCEPTED_RISK,
                        resolution_note="Residual risk accepted by compliance until the next assessment.",
                    )
            self.lives[Finding].append(life)

    def answer_lives(self, plans: list[AnswerPlan]) -> list[Life]:
        lives = []
        for plan in plans:
            rng = random.Random(f"{self.seed}:answers:{plan.number}")
            answered = 0
            for position, (criterion, response) in enumerate(zip(plan.criteria, plan.responses, strict=True)):
                answer = Answer(assessment=plan.assessment, criterion=criterion)
                life = Life(answer, plan.created, plan.creator)
                if response:
                    when = plan.answered + timedelta(seconds=0 if plan.imported else 2 * answered)
                    answered += 1
                    evidence = (
                        EVIDENCE_PDF if criterion.evidence_required and response in ("yes", "partial") else ""
                    )
                    comment = rng.choice(ANSWER_COMMENTS) if rng.random() < 0.12 else ""
                    life.change(
                        when,
                        plan.preparer,
                        plan.imported,
                        response=response,
                        comment=comment,
                        evidence=evidence,
                    )
                if plan.extra and plan.extra[0] == position and response:
                    life.change(plan.extra[1], plan.preparer, None, comment=plan.extra[2])
                lives.append(life)
        return lives

    # -- transfers and joint use

    def plan_countries(self, vendors: list[VendorPlan]) -> None:
        """Compliance reviews the protection-system information of non-equivalent countries in use yearly."""
        rng = self.rng
        used = sorted({v.transfer_country for v in vendors if v.transfer_country})
        self.reviews = {}
        for code in used:
            country = self.countries[code]
            if country.ppc_equivalent:
                continue
            reviews, when = [], self.after(self.start, 10, 40)
            while self.happened(when):
                reviews.append((when, rng.choice(self.compliance)))
                when = self.after(when, 300, 355)
            self.reviews[code] = reviews

    def country_snapshot(self, country: Country, day: date) -> dict:
        """The information a consent record freezes: as the country's last review up to `day` left it."""
        shown = copy.copy(country)
        reviewed = [when for when, _user in self.reviews.get(country.code, []) if when.date() <= day]
        if reviewed:
            self.review_values(shown, reviewed[-1].date())
        return shown.information_snapshot()

    @staticmethod
    def review_values(country: Country, day: date) -> None:
        country.information_reviewed_on = day
        country.has_protection_system = True
        country.oecd_gaps = OECD_GAPS.get(
            country.code, "No duty to notify the principal of the purpose of use."
        )
        country.other_laws = OTHER_LAWS.get(
            country.code, "No law found with a significant impact on the transfer."
        )

    def plan_transfer(self, v: VendorPlan) -> None:
        rng = self.rng
        if not v.transfer_country or not self.happened(v.transfer_created, stop=v.stop):
            return
        country = self.countries[v.transfer_country]
        active_at = v.transfer_active
        activate = self.happened(active_at, stop=v.stop) and (
            v.approved is not None or (v.status == VStatus.UNDER_REVIEW and rng.random() < 0.5)
        )
        reviews = self.reviews.get(country.code, [])
        if country.ppc_equivalent:
            route = Route.EQUIVALENT_COUNTRY
        elif rng.random() < 0.2 and reviews and reviews[0][0] < v.transfer_created:
            route = Route.CONSENT
        else:
            route = Route.STANDARD_CONFORMING_SYSTEM
        joint = v.kind == Vendor.Kind.JOINT_USER
        transfer = ForeignTransfer(
            vendor=v.obj,
            country=country,
            description=f"{'Group-wide use' if joint else 'Entrusted processing'} of customer data "
            f"in {country.name_en}.",
            relationship=ForeignTransfer.Relationship.JOINT_USE
            if joint
            else ForeignTransfer.Relationship.ENTRUSTMENT,
            route=route,
            status=TStatus.PLANNED,
        )
        if route == Route.EQUIVALENT_COUNTRY and rng.random() < 0.5:
            transfer.ordinary_basis = "joint_use" if joint else "entrustment"
        if route == Route.STANDARD_CONFORMING_SYSTEM:
            transfer.basis_document = BASIS_PDF
            if v.obj.is_group_company:
                transfer.basis = ForeignTransfer.Basis.GROUP_RULES
            elif country.apec_cbpr and rng.random() < 0.25:
                transfer.basis = ForeignTransfer.Basis.APEC_CBPR_RECIPIENT
            else:
                transfer.basis = ForeignTransfer.Basis.CONTRACT
        recorder = rng.choice(self.compliance)
        life = Life(
            transfer,
            v.transfer_created,
            recorder,
            "Transfer recorded.",
            m2m={"data_categories": v.categories, "purposes": v.purposes},
        )
        self.lives[ForeignTransfer].append(life)
        end = None
        if v.terminated:
            end = self.between(
                max(active_at, v.transfer_created) if activate else v.transfer_created, v.terminated
            )
        elif v.status == VStatus.SUSPENDED and activate and rng.random() < 0.5:
            suspended = self.after(v.suspended, 0, 3)
            end = suspended if self.happened(suspended) and suspended > active_at else None
        if route == Route.STANDARD_CONFORMING_SYSTEM:
            self.plan_checks(transfer, v.transfer_created, active_at if activate else None, end)
        if route == Route.CONSENT and (activate or rng.random() < 0.5):
            self.plan_consent_record(
                v, transfer, country, v.transfer_created, active_at if activate else self.cutoff
            )
        if activate:
            life.change(
                active_at,
                recorder,
                _("Activated: every prerequisite of the route is met."),
                status=TStatus.ACTIVE,
                started_on=active_at.date(),
            )
            if route == Route.CONSENT:
                self.plan_provision_record(v, transfer, active_at)
        if end is not None:
            reason, status = (
                ("Entrustment ended; provision stopped.", TStatus.ENDED)
                if v.terminated
                else ("Vendor suspended: provision stopped pending the investigation.", TStatus.SUSPENDED)
            )
            life.change(end, rng.choice(self.compliance), reason, status=status)

    def plan_checks(self, transfer, created, active_at, end) -> None:
        """The check before provision starts, then yearly; some transfers fall behind (check overdue)."""
        rng = self.rng
        first = self.between(created, active_at) if active_at else self.after(created, 1, 30)
        if not self.happened(first):
            return
        dates = [first]
        if active_at:
            while True:
                following = self.after(dates[-1], 300, 375)
                if not self.happened(following, stop=end):
                    break
                dates.append(following)
            if rng.random() < 0.15:
                while len(dates) > 1 and dates[-1].date() + relativedelta(months=12) >= self.today:
                    dates.pop()  # the last yearly check was skipped: it is overdue now
        for i, when in enumerate(dates):
            user = rng.choice(self.compliance)
            check = PeriodicCheck(
                transfer=transfer,
                checked_on=when.date(),
                checked_by=user,
                implementation_status=rng.choice(CHECK_TEXTS),
                foreign_laws="Relevant laws reviewed; no impact beyond the contract's notice clause.",
                result=PeriodicCheck.Result.OK,
            )
            if i > 0 and rng.random() < 0.08:
                check.result = PeriodicCheck.Result.IMPEDED
                check.impediments = "Shared administrator accounts found."
                check.actions_demanded = "Remove the shared accounts and report within the due date."
                check.correction_due_on = when.date() + timedelta(days=rng.randint(30, 90))
            self.lives[PeriodicCheck].append(Life(check, when, user, _("Periodic check recorded.")))

    def plan_consent_record(self, v, transfer, country, created, before) -> None:
        obtained_at = self.between(created, before)
        if not self.happened(obtained_at):
            return
        obtained = obtained_at.date()
        given = obtained - timedelta(days=self.rng.randint(0, 3))
        record = ConsentRecord(
            transfer=transfer,
            information_given_on=given,
            obtained_on=obtained,
            country_name_given=country.name_en,
            protection_system_snapshot=self.country_snapshot(country, given),
            recipient_measures="The recipient takes measures for every OECD principle.",
            how_given="Shown on the application form before the consent box.",
            whose_consent="Customers registering via the member site form.",
            method="Check box on the web form",
            evidence=CONSENT_PDF,
        )
        self.lives[ConsentRecord].append(
            Life(record, obtained_at, self.rng.choice(self.compliance), "Consent recorded.")
        )

    def plan_provision_record(self, v, transfer, active_at) -> None:
        last = self.today - timedelta(days=self.rng.randint(1, 30))
        record = ProvisionRecord(
            provided_on=active_at.date(),
            last_provided_on=max(last, active_at.date()),
            recipient_name=v.obj.name,
            recipient_address=v.obj.address[:300],
            recipient_representative=v.obj.representative,
            individuals_description="Customers who registered on the member site and consented.",
            data_items="Name, e-mail address, purchase history.",
            consent_obtained=True,
            transfer=transfer,
            kind=ProvisionRecord.Kind.BATCH,
            created_on=active_at.date(),
        )
        record.retain_until = record.compute_retain_until()
        self.lives[ProvisionRecord].append(
            Life(record, self.soon(active_at), self.rng.choice(self.compliance))
        )

    def plan_joint_use(self, group: GroupPlan) -> None:
        """The group's joint-use particulars: a draft, published, and for some a second version later."""
        rng = self.rng
        if not group.members or not self.happened(group.drafted):
            return
        user = rng.choice(self.compliance)
        leader = group.members[0].obj
        title = f"{group.name} group joint use"
        first = JointUseArrangement(
            title=title,
            version=1,
            status=JointUseArrangement.Status.DRAFT,
            data_items="Name, address, telephone number, email address, contract and transaction history",
            scope_description=f"{group.name} Holdings K.K. and its consolidated subsidiaries listed in the "
            "annual securities report",
            purposes="Group-wide customer service and marketing of group services",
            responsible_party_name=leader.name,
            responsible_party_address=leader.address[:300],
            responsible_party_representative=leader.representative or "Representative Director",
            notice_method="Privacy policy page of the group website",
            notice_published_on=group.published.date(),
            effective_on=group.published.date() + timedelta(days=rng.randint(7, 30)),
        )
        members = [m.obj for m in group.members if m.created < group.drafted]
        life = Life(first, group.drafted, user, "Particulars drafted.", m2m={"joint_users": members})
        self.lives[JointUseArrangement].append(life)
        if not self.happened(group.published):
            return
        life.change(group.published, user, _("Published."), status=JointUseArrangement.Status.PUBLISHED)
        revised = self.after(group.published, 200, 900)
        if rng.random() < 0.3 and self.happened(revised):
            second = copy.copy(first)
            second.pk = second.id = None
            second._state = copy.copy(first._state)
            second.version, second.previous, second.status = 2, first, JointUseArrangement.Status.PUBLISHED
            second.responsible_party_address = self.address("JP")
            second.notify_without_delay = True
            second.notice_published_on = second.effective_on = revised.date()
            members = [m.obj for m in group.members if m.created < revised]
            self.lives[JointUseArrangement].append(
                Life(second, revised, user, _("Version %(v)s.") % {"v": 2}, m2m={"joint_users": members})
            )
            life.change(
                revised + timedelta(seconds=1),
                user,
                _("Replaced by version %(v)s.") % {"v": 2},
                status=JointUseArrangement.Status.RETIRED,
            )

    # -- names and addresses

    def vendor_name(self, v: VendorPlan) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(1000):
            if v.group is not None:
                g = v.group
                if v.country == "JP":
                    function = rng.choice(
                        GROUP_FUNCTIONS if v.kind == Vendor.Kind.JOINT_USER else ["IT Services", "Systems"]
                    )
                    if attempt >= 3:
                        function = f"{rng.choice(JP_REGIONS)[0]} {function}"
                    name, kana = f"{g.name} Holdings {function} K.K.", f"{g.kana}ホールディングス"
                elif attempt == 0:
                    name, kana = f"{g.name} Holdings {GROUP_ABROAD[v.country]}", ""
                else:
                    business = rng.choice(BUSINESSES)[0]
                    name, kana = f"{g.name} {business} {FOREIGN_SUFFIX.get(v.country, 'Co., Ltd.')}", ""
            elif v.country == "JP":
                word, word_kana = rng.choice(JP_WORDS)
                business, business_kana = rng.choice(BUSINESSES)
                suffix = rng.choice(["K.K.", "Co., Ltd."])
                if attempt >= 3:
                    region, region_kana = rng.choice(JP_REGIONS)
                    word, word_kana = f"{word} {region}", word_kana + region_kana
                name, kana = f"{word} {business} {suffix}", word_kana + business_kana
            else:
                business = rng.choice(BUSINESSES)[0]
                suffix = FOREIGN_SUFFIX.get(v.country, "Co., Ltd.")
                word = rng.choice(FOREIGN_WORDS) + (f" {rng.choice(FOREIGN_WORDS)}" if attempt >= 3 else "")
                name, kana = f"{word} {business} {suffix}", ""
            if attempt >= 20:
                name = f"{name} ({attempt})"
            if name not in self.names:
                self.names.add(name)
                return name, kana
        raise RuntimeError("no free vendor name")

    def corporate_number(self) -> str:
        while True:
            base = f"{self.rng.randrange(10**11, 10**12):012d}"
            number = f"{corporate_number_check_digit(base)}{base}"
            if number not in self.corporate_numbers:
                self.corporate_numbers.add(number)
                return number

    def address(self, country: str) -> str:
        rng = self.rng
        if country == "JP":
            prefecture, town = rng.choice(JP_PLACES)
            return f"{prefecture}{town}{rng.randint(1, 9)}-{rng.randint(1, 20)}-{rng.randint(1, 30)}"
        city = FOREIGN_CITIES.get(country, "Capital City")
        return f"{rng.randint(1, 999)} {rng.choice(STREETS)} Street, {city}"

    def representative(self, country: str) -> str:
        rng = self.rng
        if country == "JP":
            return f"代表取締役 {rng.choice(JP_SURNAMES)} {rng.choice(JP_GIVEN)}"
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, CEO"

    @staticmethod
    def slug(name: str) -> str:
        """The words of a vendor's name, less its company form, for its web and mail domains."""
        words = "".join(ch.lower() if ch.isalnum() else " " for ch in name).split()
        words = [w for w in words if w not in COMPANY_FORM_WORDS]
        return "-".join(words) or "vendor"

    # -- writing

    @contextmanager
    def phase(self):
        """One transaction per phase; PostgreSQL's sequences then continue after the ids written."""
        with transaction.atomic():
            yield
            self.writer.reset_sequences()

    def write(self) -> None:
        w = self.writer
        with self.phase():
            w.write(Vendor, self.lives[Vendor])
            w.write(Contact, self.lives[Contact])
        self.say(f"vendors {w.rows[Vendor]:,}/{self.size:,}, contacts {w.rows[Contact]:,}")
        with self.phase():
            w.write(ProtectionContract, self.lives[ProtectionContract])
            w.write(ReentrustmentConsent, self.lives[ReentrustmentConsent])
        self.say(
            f"contracts {w.rows[ProtectionContract]:,}, "
            f"re-entrustment consents {w.rows[ReentrustmentConsent]:,}"
        )
        with self.phase():
            w.write(Assessment, self.lives[Assessment])
            w.write(Finding, self.lives[Finding])
            total = sum(len(p.criteria) for p in self.answer_plans)
            for number, start in enumerate(range(0, len(self.answer_plans), ANSWER_CHUNK), start=1):
                w.write(Answer, self.answer_lives(self.answer_plans[start : start + ANSWER_CHUNK]))
                if number % 10 == 0:
                    self.say(f"answers {w.rows[Answer]:,}/{total:,}")
        self.say(
            f"assessments {w.rows[Assessment]:,}, answers {w.rows[Answer]:,}, findings {w.rows[Finding]:,}"
        )
        with self.phase():
            self.write_countries()
            for model in (
                ForeignTransfer,
                PeriodicCheck,
                ConsentRecord,
                ProvisionRecord,
                JointUseArrangement,
            ):
                w.write(model, self.lives[model])
        self.say(
            f"foreign transfers {w.rows[ForeignTransfer]:,}, periodic checks {w.rows[PeriodicCheck]:,}, "
            f"joint-use arrangements {w.rows[JointUseArrangement]:,}"
        )
        with self.phase():
            logs = self.write_reminder_logs()
        self.say(f"contract reminder logs {logs:,}")
        self.write_placeholders()
        self.say(f"history rows {w.history_rows:,} (and {w.m2m_history_rows:,} historical M2M rows)")

    def write_countries(self) -> None:
        """Edits of existing rows: bulk_update_with_history, one round per review."""
        countries = [self.countries[code] for code in sorted(self.reviews)]
        rounds = max((len(r) for r in self.reviews.values()), default=0)
        for number in range(rounds):
            edited = []
            for country in countries:
                reviews = self.reviews[country.code]
                if len(reviews) > number:
                    when, user = reviews[number]
                    self.review_values(country, when.date())
                    country._history_date, country._history_user = when, user
                    country._change_reason = "Protection-system information reviewed."
                    edited.append(country)
            bulk_update_with_history(
                edited,
                Country,
                ["information_reviewed_on", "has_protection_system", "oecd_gaps", "other_laws"],
                batch_size=BATCH_SIZE,
                default_change_reason=None,
            )
            self.writer.history_rows += len(edited)

    def write_reminder_logs(self) -> int:
        """The notice reminders the daily run sent before today (so only ~1% of active contracts are due).

        The run at 08:00 sends, for each active contract, the most recent threshold its decision date has
        reached, once per (decision date, threshold); a contract is due today when today's threshold has
        not been sent.
        """
        subject_type = ContentType.objects.get_for_model(ProtectionContract)
        users = {u.pk: u for u in self.procurement + self.compliance}
        logs = []
        for active in self.active_contracts:
            contract, vendor = active.life.obj, active.vendor.obj
            owners = (users[contract.owner_id], users[vendor.owner_id])
            recipients = list(dict.fromkeys(u for u in owners if u is not None))
            for threshold, sent_on in self.sent_thresholds(contract.decision_on, active.cycle_start):
                sent_at = datetime.combine(sent_on, time(8, 0, 5), tzinfo=self.tz)
                for user in recipients:
                    logs.append(
                        ReminderLog(
                            kind=NOTICE_REMINDER,
                            subject_type=subject_type,
                            subject_id=contract.pk,
                            deadline=contract.decision_on,
                            threshold=threshold,
                            recipient=user,
                            created_at=sent_at,
                            claimed_at=sent_at,
                            sent_at=sent_at,
                            attempts=1,
                        )
                    )
        self.writer.insert_objects(ReminderLog, logs)
        return len(logs)

    def sent_thresholds(self, decision: date, cycle_start: datetime) -> list[tuple[int, date]]:
        """(threshold, day sent) for each threshold a daily run from `cycle_start` to yesterday sent."""
        first_run = cycle_start.date() + timedelta(days=1 if cycle_start.time() >= time(8) else 0)
        ascending = sorted(self.thresholds)
        sent = []
        for i, threshold in enumerate(ascending):
            below = ascending[i - 1] if i else None
            day = max(first_run, decision - timedelta(days=threshold))
            last_day = self.today - timedelta(days=1)
            if below is not None:  # later, the smaller threshold is the current one
                last_day = min(last_day, decision - timedelta(days=below + 1))
            if day <= last_day:
                sent.append((threshold, day))
        return sent

    def write_placeholders(self) -> None:
        for name in (CONTRACT_PDF, EVIDENCE_PDF, CONSENT_PDF, BASIS_PDF):
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(PDF))


def _renewal_reference(reference: str) -> str:
    # contract_renew names the successor after the contract it renews (first free "-R<n>" suffix).
    return f"{reference}-R2"


# --- reading back -------------------------------------------------------------------------------------------


def history_models() -> list:
    return [m.history.model for m in apps.get_models() if hasattr(m, "_history_records")]


def summary(today: date) -> dict:
    """Row counts per table, history row counts, and how many contract notice reminders are due today."""
    counted = [
        get_user_model(),
        Vendor,
        Contact,
        ProtectionContract,
        ReentrustmentConsent,
        Assessment,
        Answer,
        Finding,
        ForeignTransfer,
        PeriodicCheck,
        ConsentRecord,
        ProvisionRecord,
        JointUseArrangement,
        ReminderLog,
    ]
    tables = {m._meta.db_table: m.objects.count() for m in counted}
    history = {m._meta.db_table: m.objects.count() for m in history_models()}
    m2m_history = {m._meta.db_table: m.objects.count() for m in HistoricalRecords.m2m_models.values()}
    active = ProtectionContract.objects.filter(status=CStatus.ACTIVE).count()
    return {
        "tables": tables,
        "history": history,
        "history_rows": sum(history.values()),
        "m2m_history_rows": sum(m2m_history.values()),
        "active_contracts": active,
        "notice_reminders_due": sum(1 for _ in due_notice_reminders(today)),
    }


def fingerprint() -> str:
    """A digest of the generated data without database ids: equal for the same seed, size and day."""
    digest = hashlib.sha256()

    def add(rows):
        for row in sorted(map(repr, rows)):
            digest.update(row.encode())

    add(
        Vendor.objects.values_list(
            "name",
            "corporate_number",
            "country",
            "kind",
            "parent__name",
            "status",
            "risk_tier",
            "risk_reasons",
            "owner__username",
            "principal_count",
            "created_at",
        )
    )
    add(
        ProtectionContract.objects.values_list(
            "reference",
            "vendor__name",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "decision_on",
            "renews__reference",
            "owner__username",
        )
    )
    add(
        Assessment.objects.values_list(
            "vendor__name", "kind", "status", "score", "result", "valid_until", "created_at", "decided_at"
        )
    )
    add(Counter(Answer.objects.values_list("response", flat=True)).items())
    add(Finding.objects.values_list("assessment__vendor__name", "status", "due_on"))
    add(ForeignTransfer.objects.values_list("vendor__name", "country__code", "route", "status", "started_on"))
    add(PeriodicCheck.objects.values_list("transfer__vendor__name", "checked_on", "result"))
    add(JointUseArrangement.objects.values_list("title", "version", "status"))
    add(ReminderLog.objects.values_list("deadline", "threshold", "recipient__username", "sent_at"))
    add(
        Vendor.history.values_list(
            "name",
            "history_type",
            "history_date",
            "history_change_reason",
            "history_user__username",
            "status",
            "risk_tier",
        )
    )
    add((m._meta.db_table, m.objects.count()) for m in history_models())
    return digest.hexdigest()[:16]
