"""Seed countries: the 31 equivalent countries designated by the PPC (Notice No. 1 of 2019; the EEA and the
UK), and common destinations whose protection-system information compliance must review before use.

Designations can change: this is editable, dated reference data.
"""

import datetime

from django.db import migrations
from django.utils import timezone

DESIGNATED_ON = datetime.date(2019, 1, 23)
SOURCE = "PPC Notice No. 1 of 2019 (designation of foreign countries under Rule 15); PPC overview of foreign systems."
EQUIVALENT = [
    ("AT", "Austria", "オーストリア"), ("BE", "Belgium", "ベルギー"), ("BG", "Bulgaria", "ブルガリア"),
    ("HR", "Croatia", "クロアチア"), ("CY", "Cyprus", "キプロス"), ("CZ", "Czech Republic", "チェコ"),
    ("DK", "Denmark", "デンマーク"), ("EE", "Estonia", "エストニア"), ("FI", "Finland", "フィンランド"),
    ("FR", "France", "フランス"), ("DE", "Germany", "ドイツ"), ("GR", "Greece", "ギリシャ"),
    ("HU", "Hungary", "ハンガリー"), ("IE", "Ireland", "アイルランド"), ("IT", "Italy", "イタリア"),
    ("LV", "Latvia", "ラトビア"), ("LT", "Lithuania", "リトアニア"), ("LU", "Luxembourg", "ルクセンブルク"),
    ("MT", "Malta", "マルタ"), ("NL", "Netherlands", "オランダ"), ("PL", "Poland", "ポーランド"),
    ("PT", "Portugal", "ポルトガル"), ("RO", "Romania", "ルーマニア"), ("SK", "Slovakia", "スロバキア"),
    ("SI", "Slovenia", "スロベニア"), ("ES", "Spain", "スペイン"), ("SE", "Sweden", "スウェーデン"),
    ("IS", "Iceland", "アイスランド"), ("LI", "Liechtenstein", "リヒテンシュタイン"), ("NO", "Norway", "ノルウェー"),
    ("GB", "United Kingdom", "英国"),
]
# Not equivalent: information left unreviewed on purpose, so the consent route flags it until compliance fills it.
OTHERS = [
    ("US", "United States", "アメリカ合衆国", True), ("SG", "Singapore", "シンガポール", True),
    ("IN", "India", "インド", True), ("CN", "China", "中華人民共和国", True),
    ("PH", "Philippines", "フィリピン", True), ("VN", "Viet Nam", "ベトナム", True),
    ("KR", "Republic of Korea", "大韓民国", True), ("TW", "Taiwan", "台湾", True),
    ("AU", "Australia", "オーストラリア", True), ("CA", "Canada", "カナダ", True),
    ("TH", "Thailand", "タイ", True), ("MY", "Malaysia", "マレーシア", True),
]
APEC_CBPR = {"US", "SG", "PH", "KR", "TW", "AU", "CA"}


def seed(apps, schema_editor):
    country_model = apps.get_model("transfers", "Country")
    historical = apps.get_model("transfers", "HistoricalCountry")
    rows = [
        dict(code=code, name_en=en, name_ja=ja, ppc_equivalent=True, equivalent_since=DESIGNATED_ON,
             has_protection_system=True, eu_adequacy=code != "GB", source=SOURCE,
             other_laws="GDPR (or UK GDPR) applies; the EU/UK and Japan recognise each other's systems.")
        for code, en, ja in EQUIVALENT
    ] + [
        dict(code=code, name_en=en, name_ja=ja, ppc_equivalent=False, has_protection_system=system,
             apec_cbpr=code in APEC_CBPR, source=SOURCE)
        for code, en, ja, system in OTHERS
    ]
    for values in rows:
        country, created = country_model.objects.get_or_create(code=values["code"], defaults=values)
        if created:
            historical.objects.create(
                history_date=timezone.now(), history_type="+", history_change_reason="Seeded reference data.",
                **{f.attname: getattr(country, f.attname) for f in country._meta.concrete_fields},
            )


def unseed(apps, schema_editor):
    codes = [row[0] for row in EQUIVALENT] + [row[0] for row in OTHERS]
    apps.get_model("transfers", "Country").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
