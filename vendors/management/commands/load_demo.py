"""A realistic demo register: contractors, subcontractor chains three deep, group companies, foreign vendors."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import COMPLIANCE, PROCUREMENT, VIEWER
from vendors.models import Contact, DataCategory, Purpose, Vendor
from vendors.services import contact_save, vendor_change_status, vendor_save
from vendors.validators import corporate_number_check_digit

DEMO_PASSWORD = "demo"
USERS = [
    ("procurement", "Haruka", "Sato", PROCUREMENT),
    ("procurement2", "Kenji", "Tanaka", PROCUREMENT),
    ("compliance", "Yui", "Suzuki", COMPLIANCE),
    ("viewer", "Daiki", "Ito", VIEWER),
]

# name, kana, country, kind, parent name, group company, categories, purposes, intake, target status, contact
CUSTOMERS = ["customers_partners"]
SERVICE = ["service_provision", "inquiries", "identity_verification"]
VENDORS = [
    ("Sakura Data Services K.K.", "サクラデータサービス", "JP", "contractor", None, False, CUSTOMERS,
     SERVICE + ["statistics"], dict(principal_count=250_000, has_system_access=True), "approved"),
    ("Midori Cloud Hosting K.K.", "ミドリクラウドホスティング", "JP", "subcontractor", "Sakura Data Services K.K.",
     False, CUSTOMERS, SERVICE, dict(principal_count=250_000), "approved"),
    ("Aozora Backup Co., Ltd.", "アオゾラバックアップ", "JP", "subcontractor", "Midori Cloud Hosting K.K.",
     False, CUSTOMERS, SERVICE, dict(principal_count=250_000), "approved"),
    ("Kaede Media Disposal Co., Ltd.", "カエデメディア処理", "JP", "subcontractor", "Aozora Backup Co., Ltd.",
     False, CUSTOMERS, SERVICE, dict(principal_count=250_000), "under_review"),
    ("Hikari Contact Center K.K.", "ヒカリコンタクトセンター", "JP", "contractor", None, False, CUSTOMERS,
     ["inquiries", "identity_verification"], dict(principal_count=40_000, has_system_access=True), "approved"),
    ("Tsubame Staffing Co., Ltd.", "ツバメスタッフィング", "JP", "subcontractor", "Hikari Contact Center K.K.",
     False, CUSTOMERS, ["inquiries"], dict(principal_count=40_000), "approved"),
    ("Nagi Print & Mail K.K.", "ナギプリントアンドメール", "JP", "contractor", None, False, CUSTOMERS,
     ["marketing", "events"], dict(principal_count=120_000), "approved"),
    ("Fuji Envelope Works Co., Ltd.", "フジ封筒工業", "JP", "subcontractor", "Nagi Print & Mail K.K.",
     False, CUSTOMERS, ["marketing"], dict(principal_count=120_000), "suspended"),
    ("Shiori Recruitment Partners K.K.", "シオリリクルートメントパートナーズ", "JP", "contractor", None, False,
     ["recruitment_applicants"], ["recruitment"], dict(principal_count=3_000, handles_special_care_data=True),
     "approved"),
    ("Kumo Aptitude Testing Co., Ltd.", "クモ適性検査", "JP", "subcontractor", "Shiori Recruitment Partners K.K.",
     False, ["recruitment_applicants"], ["recruitment"], dict(principal_count=3_000), "under_review"),
    ("Mamoru Security Systems K.K.", "マモルセキュリティシステムズ", "JP", "contractor", None, False,
     ["camera_footage"], ["entry_security"], dict(principal_count=800, has_system_access=True), "approved"),
    ("Tomo Video Storage Co., Ltd.", "トモビデオストレージ", "JP", "subcontractor", "Mamoru Security Systems K.K.",
     False, ["camera_footage"], ["entry_security"], dict(principal_count=800), "draft"),
    ("Hoshi Analytics K.K.", "ホシアナリティクス", "JP", "contractor", None, False, CUSTOMERS,
     ["behavioural_analysis", "statistics", "research_rewards"], dict(principal_count=600_000), "under_review"),
    ("Yamabiko Survey Co., Ltd.", "ヤマビコ調査", "JP", "contractor", None, False, CUSTOMERS,
     ["research_rewards"], dict(principal_count=5_000), "draft"),
    ("Kawa Logistics K.K.", "カワロジスティクス", "JP", "contractor", None, False, CUSTOMERS,
     ["partner_contracts"], dict(principal_count=20_000), "approved"),
    ("Ishi Document Archive Co., Ltd.", "イシ文書保管", "JP", "contractor", None, False, CUSTOMERS,
     ["partner_contracts"], dict(principal_count=900), "terminated"),
    ("Umi Fraud Watch K.K.", "ウミ不正検知", "JP", "contractor", None, False, CUSTOMERS,
     ["fraud_detection"], dict(principal_count=600_000, has_system_access=True), "approved"),
    ("Sora Consigned Processing K.K.", "ソラ受託処理", "JP", "contractor", None, False, ["consigned_data"],
     ["consigned_work"], dict(principal_count=70_000), "approved"),
    ("Nippon Holdings Shared Services K.K.", "ニッポンホールディングスシェアードサービス", "JP", "joint_user", None,
     True, CUSTOMERS, SERVICE + ["marketing"], dict(principal_count=1_500_000), "approved"),
    ("Nippon Holdings Finance K.K.", "ニッポンホールディングスファイナンス", "JP", "joint_user", None, True, CUSTOMERS,
     ["partner_contracts", "identity_verification"], dict(principal_count=300_000), "approved"),
    ("Nippon Holdings IT Services K.K.", "ニッポンホールディングスITサービス", "JP", "contractor", None, True,
     CUSTOMERS, SERVICE, dict(principal_count=1_500_000, has_system_access=True), "approved"),
    ("Nippon Holdings Europe GmbH", "", "DE", "joint_user", None, True, CUSTOMERS, SERVICE,
     dict(principal_count=50_000, handles_data_abroad=True), "approved"),
    ("Nippon Holdings America Inc.", "", "US", "joint_user", None, True, CUSTOMERS, SERVICE,
     dict(principal_count=80_000, handles_data_abroad=True), "under_review"),
    ("Atlas CRM Inc.", "", "US", "contractor", None, False, CUSTOMERS, SERVICE + ["marketing"],
     dict(principal_count=500_000, handles_data_abroad=True, has_system_access=True), "approved"),
    ("Orbit Mail Delivery Ltd.", "", "GB", "subcontractor", "Atlas CRM Inc.", False, CUSTOMERS, ["marketing"],
     dict(principal_count=500_000, handles_data_abroad=True), "approved"),
    ("Pixel Support Pvt. Ltd.", "", "IN", "subcontractor", "Atlas CRM Inc.", False, CUSTOMERS, ["inquiries"],
     dict(principal_count=500_000, handles_data_abroad=True), "under_review"),
    ("Lumen Translation SAS", "", "FR", "contractor", None, False, CUSTOMERS, ["inquiries"],
     dict(principal_count=2_000, handles_data_abroad=True), "approved"),
    ("Harbor Payroll Pte. Ltd.", "", "SG", "contractor", None, False, ["recruitment_applicants"], ["recruitment"],
     dict(principal_count=1_200, handles_data_abroad=True), "draft"),
    ("Kite Event Systems Co., Ltd.", "カイトイベントシステムズ", "JP", "contractor", None, False, CUSTOMERS,
     ["events"], dict(principal_count=15_000), "under_review"),
    ("Tsuki Web Forms K.K.", "ツキウェブフォームズ", "JP", "contractor", None, False, CUSTOMERS,
     ["inquiries", "marketing"], dict(principal_count=9_000, has_system_access=True), "approved"),
    ("Hana Gift Fulfilment Co., Ltd.", "ハナギフトフルフィルメント", "JP", "subcontractor", "Tsuki Web Forms K.K.",
     False, CUSTOMERS, ["research_rewards"], dict(principal_count=9_000), "draft"),
]
PATHS = {
    "draft": [],
    "under_review": ["under_review"],
    "approved": ["under_review", "approved"],
    "suspended": ["under_review", "approved", "suspended"],
    "terminated": ["under_review", "approved", "terminated"],
}
REASONS = {
    "under_review": "Intake complete; submitted for review.",
    "approved": "Due diligence reviewed; measures confirmed.",
    "suspended": "Leak of delivery labels reported; suspended pending investigation.",
    "terminated": "Contract ended; deletion certificate received.",
}


def demo_corporate_number(index: int) -> str:
    base = f"{(index * 7919 + 1_000_000_000):012d}"
    return f"{corporate_number_check_digit(base)}{base}"


class Command(BaseCommand):
    help = "Load a realistic demo data set (safe to run twice) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when vendors already exist.")
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off (never on production).")

    def handle(self, *args, if_empty=False, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo users have known passwords: refusing with DEBUG off (use --force to insist).")
        users = self.create_users()
        if if_empty and Vendor.objects.exists():
            self.stdout.write("Vendors exist already: demo data not loaded.")
        else:
            with transaction.atomic():
                created = self.create_vendors(users)
            self.stdout.write(self.style.SUCCESS(f"Demo data ready: {created} vendors created."))
        self.stdout.write("Demo logins (password for each: %s):" % DEMO_PASSWORD)
        for username, *_rest, role in USERS:
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(f"  {'admin':<14} superuser")

    def create_users(self):
        user_model = get_user_model()
        users = {}
        for username, first, last, role in USERS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        admin, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_superuser": True, "is_staff": True, "email": "admin@example.com"}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        return users

    def create_vendors(self, users) -> int:
        categories = {c.code: c for c in DataCategory.objects.all()}
        purposes = {p.code: p for p in Purpose.objects.all()}
        created = 0
        for index, row in enumerate(VENDORS, start=1):
            name, kana, country, kind, parent, group, cats, purps, intake, status = row
            if Vendor.objects.filter(name=name).exists():
                continue
            owner = users["procurement" if index % 3 else "procurement2"]
            vendor = Vendor(
                name=name,
                name_kana=kana,
                country=country,
                corporate_number=demo_corporate_number(index) if country == "JP" else "",
                address="東京都千代田区丸の内1-1-1" if country == "JP" else "",
                representative="代表取締役 山田 太郎" if country == "JP" else "",
                kind=kind,
                parent=Vendor.objects.get(name=parent) if parent else None,
                is_group_company=group,
                owner=owner,
                **intake,
            )
            vendor_save(
                vendor=vendor,
                user=owner,
                data_categories=[categories[c] for c in cats],
                purposes=[purposes[p] for p in purps],
                reason="Onboarded (demo data).",
            )
            contact_save(
                contact=Contact(
                    vendor=vendor,
                    name="Privacy Officer" if country != "JP" else "個人情報保護管理者",
                    email=f"privacy{index}@example.com",
                    role="Privacy officer",
                    is_primary=True,
                ),
                user=owner,
            )
            for step in PATHS[status]:
                actor = owner if step == "under_review" else users["compliance"]
                vendor_change_status(vendor=vendor, status=step, user=actor, reason=REASONS[step])
            created += 1
        return created
