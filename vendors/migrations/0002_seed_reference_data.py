"""Seed the data categories and purposes of use published in the company's privacy policy (APPI.md section 8).

Reference data is data: compliance edits it in the product; this only provides the start.
"""

from django.db import migrations
from django.utils import timezone

CATEGORIES = [
    ("customers_partners", "Customers and business partners", "お客様及びお取引先様に関する個人情報", False,
     "Personal information of customers and business partners."),
    ("recruitment_applicants", "Applicants for recruitment", "採用応募者に関する個人情報", False,
     "Personal information of people applying for employment."),
    ("camera_footage", "Surveillance-camera footage", "監視カメラ映像", False,
     "Footage recorded by surveillance cameras for entry and exit security."),
    ("consigned_data", "Data received under consignment", "受託業務により取り扱う個人情報", False,
     "Personal information received under a consignment contract; used only for the consigned work "
     "and not held as the company's own data."),
]

PURPOSES = [
    ("service_provision", "Provision (incl. access authorisation), maintenance, verification and improvement "
     "of services", "サービスの提供（利用権限の付与を含む）、維持、確認及び改善", ["customers_partners"]),
    ("inquiries", "Responding to inquiries and complaints", "お問い合わせ及び苦情への対応",
     ["customers_partners"]),
    ("identity_verification", "Identity verification", "本人確認", ["customers_partners"]),
    ("marketing", "Information, advertising, surveys, campaigns and sales",
     "各種ご案内、広告、アンケート、キャンペーン及び営業活動", ["customers_partners"]),
    ("events", "Events and seminars", "イベント及びセミナーの実施", ["customers_partners"]),
    ("research_rewards", "Surveys, analysis, aggregation and rewards", "調査、分析、集計及び謝礼の提供",
     ["customers_partners"]),
    ("partner_contracts", "Contact and contract performance with business partners",
     "お取引先様との連絡及び契約の履行", ["customers_partners"]),
    ("statistics", "Non-identifying statistics for service improvement",
     "個人を特定できない統計情報の作成によるサービス改善", ["customers_partners"]),
    ("behavioural_analysis", "Analysis of browsing and purchase history for services and advertising",
     "閲覧履歴及び購買履歴の分析によるサービス及び広告の提供", ["customers_partners"]),
    ("fraud_detection", "Detecting violations, fraud and unauthorised access",
     "規約違反、不正行為及び不正アクセスの検知", ["customers_partners"]),
    ("recruitment", "Recruitment selection and related contact", "採用選考及びそれに関する連絡",
     ["recruitment_applicants"]),
    ("entry_security", "Security of entry and exit", "入退室のセキュリティ確保", ["camera_footage"]),
    ("consigned_work", "Performing the consigned work only", "受託業務の遂行（受託の範囲内に限る）",
     ["consigned_data"]),
]


REASON = "Seeded from the privacy policy."


def first_version(apps, obj, model_name):
    """The 'created' version a seeded row would have had, so its History tab starts at the seed."""
    historical = apps.get_model("vendors", f"Historical{model_name}")
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    return historical.objects.create(
        history_date=timezone.now(), history_type="+", history_change_reason=REASON, **values
    )


def seed(apps, schema_editor):
    category_model = apps.get_model("vendors", "DataCategory")
    purpose_model = apps.get_model("vendors", "Purpose")
    purpose_categories_history = apps.get_model("vendors", "HistoricalPurpose_data_categories")
    categories = {}
    for code, name_en, name_ja, special, description in CATEGORIES:
        categories[code], created = category_model.objects.get_or_create(
            code=code,
            defaults={"name_en": name_en, "name_ja": name_ja, "is_special_care": special, "description": description},
        )
        if created:
            first_version(apps, categories[code], "DataCategory")
    for code, name_en, name_ja, category_codes in PURPOSES:
        purpose, created = purpose_model.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_ja": name_ja}
        )
        if created:
            purpose.data_categories.set([categories[c] for c in category_codes])
            version = first_version(apps, purpose, "Purpose")
            for link in purpose.data_categories.through.objects.filter(purpose=purpose):
                purpose_categories_history.objects.create(
                    id=link.pk, history=version, purpose_id=link.purpose_id, datacategory_id=link.datacategory_id
                )


def unseed(apps, schema_editor):
    apps.get_model("vendors", "Purpose").objects.filter(code__in=[p[0] for p in PURPOSES]).delete()
    apps.get_model("vendors", "DataCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("vendors", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
