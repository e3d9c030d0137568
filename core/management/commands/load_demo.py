"""A realistic demo register: contractors, subcontractor chains three deep, group companies, foreign vendors,
with their protection contracts in every state and re-entrustment consents."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, Finding
from assessments.services import (
    answer_save,
    assessment_approve,
    assessment_create,
    assessment_reject,
    assessment_return,
    assessment_submit,
    finding_save,
)
from contracts.models import Clause, ProtectionContract, ReentrustmentConsent
from contracts.services import (
    consent_save,
    contract_activate,
    contract_expire_due,
    contract_renew,
    contract_save,
    contract_terminate,
)
from core.roles import COMPLIANCE, PROCUREMENT, VIEWER
from vendors.models import Contact, DataCategory, Purpose, Vendor
from vendors.services import contact_save, vendor_change_status, vendor_save
from vendors.validators import corporate_number_check_digit

from ._demo_transfers import create_transfer_demo

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
    (
        "Sakura Data Services K.K.",
        "サクラデータサービス",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        [*SERVICE, "statistics"],
        dict(principal_count=250_000, has_system_access=True),
        "approved",
    ),
    (
        "Midori Cloud Hosting K.K.",
        "ミドリクラウドホスティング",
        "JP",
        "subcontractor",
        "Sakura Data Services K.K.",
        False,
        CUSTOMERS,
        SERVICE,
        dict(principal_count=250_000),
        "approved",
    ),
    (
        "Aozora Backup Co., Ltd.",
        "アオゾラバックアップ",
        "JP",
        "subcontractor",
        "Midori Cloud Hosting K.K.",
        False,
        CUSTOMERS,
        SERVICE,
        dict(principal_count=250_000),
        "approved",
    ),
    (
        "Kaede Media Disposal Co., Ltd.",
        "カエデメディア処理",
        "JP",
        "subcontractor",
        "Aozora Backup Co., Ltd.",
        False,
        CUSTOMERS,
        SERVICE,
        dict(principal_count=250_000),
        "under_review",
    ),
    (
        "Hikari Contact Center K.K.",
        "ヒカリコンタクトセンター",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["inquiries", "identity_verification"],
        dict(principal_count=40_000, has_system_access=True),
        "approved",
    ),
    (
        "Tsubame Staffing Co., Ltd.",
        "ツバメスタッフィング",
        "JP",
        "subcontractor",
        "Hikari Contact Center K.K.",
        False,
        CUSTOMERS,
        ["inquiries"],
        dict(principal_count=40_000),
        "approved",
    ),
    (
        "Nagi Print & Mail K.K.",
        "ナギプリントアンドメール",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["marketing", "events"],
        dict(principal_count=120_000),
        "approved",
    ),
    (
        "Fuji Envelope Works Co., Ltd.",
        "フジ封筒工業",
        "JP",
        "subcontractor",
        "Nagi Print & Mail K.K.",
        False,
        CUSTOMERS,
        ["marketing"],
        dict(principal_count=120_000),
        "suspended",
    ),
    (
        "Shiori Recruitment Partners K.K.",
        "シオリリクルートメントパートナーズ",
        "JP",
        "contractor",
        None,
        False,
        ["recruitment_applicants"],
        ["recruitment"],
        dict(principal_count=3_000, handles_special_care_data=True),
        "approved",
    ),
    (
        "Kumo Aptitude Testing Co., Ltd.",
        "クモ適性検査",
        "JP",
        "subcontractor",
        "Shiori Recruitment Partners K.K.",
        False,
        ["recruitment_applicants"],
        ["recruitment"],
        dict(principal_count=3_000),
        "under_review",
    ),
    (
        "Mamoru Security Systems K.K.",
        "マモルセキュリティシステムズ",
        "JP",
        "contractor",
        None,
        False,
        ["camera_footage"],
        ["entry_security"],
        dict(principal_count=800, has_system_access=True),
        "approved",
    ),
    (
        "Tomo Video Storage Co., Ltd.",
        "トモビデオストレージ",
        "JP",
        "subcontractor",
        "Mamoru Security Systems K.K.",
        False,
        ["camera_footage"],
        ["entry_security"],
        dict(principal_count=800),
        "draft",
    ),
    (
        "Hoshi Analytics K.K.",
        "ホシアナリティクス",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["behavioural_analysis", "statistics", "research_rewards"],
        dict(principal_count=600_000),
        "under_review",
    ),
    (
        "Yamabiko Survey Co., Ltd.",
        "ヤマビコ調査",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["research_rewards"],
        dict(principal_count=5_000),
        "draft",
    ),
    (
        "Kawa Logistics K.K.",
        "カワロジスティクス",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["partner_contracts"],
        dict(principal_count=20_000),
        "approved",
    ),
    (
        "Ishi Document Archive Co., Ltd.",
        "イシ文書保管",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["partner_contracts"],
        dict(principal_count=900),
        "terminated",
    ),
    (
        "Umi Fraud Watch K.K.",
        "ウミ不正検知",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["fraud_detection"],
        dict(principal_count=600_000, has_system_access=True),
        "approved",
    ),
    (
        "Sora Consigned Processing K.K.",
        "ソラ受託処理",
        "JP",
        "contractor",
        None,
        False,
        ["consigned_data"],
        ["consigned_work"],
        dict(principal_count=70_000),
        "approved",
    ),
    (
        "Nippon Holdings Shared Services K.K.",
        "ニッポンホールディングスシェアードサービス",
        "JP",
        "joint_user",
        None,
        True,
        CUSTOMERS,
        [*SERVICE, "marketing"],
        dict(principal_count=1_500_000),
        "approved",
    ),
    (
        "Nippon Holdings Finance K.K.",
        "ニッポンホールディングスファイナンス",
        "JP",
        "joint_user",
        None,
        True,
        CUSTOMERS,
        ["partner_contracts", "identity_verification"],
        dict(principal_count=300_000),
        "approved",
    ),
    (
        "Nippon Holdings IT Services K.K.",
        "ニッポンホールディングスITサービス",
        "JP",
        "contractor",
        None,
        True,
        CUSTOMERS,
        SERVICE,
        dict(principal_count=1_500_000, has_system_access=True),
        "approved",
    ),
    (
        "Nippon Holdings Europe GmbH",
        "",
        "DE",
        "joint_user",
        None,
        True,
        CUSTOMERS,
        SERVICE,
        dict(principal_count=50_000, handles_data_abroad=True),
        "approved",
    ),
    (
        "Nippon Holdings America Inc.",
        "",
        "US",
        "joint_user",
        None,
        True,
        CUSTOMERS,
        SERVICE,
        dict(principal_count=80_000, handles_data_abroad=True),
        "under_review",
    ),
    (
        "Atlas CRM Inc.",
        "",
        "US",
        "contractor",
        None,
        False,
        CUSTOMERS,
        [*SERVICE, "marketing"],
        dict(principal_count=500_000, handles_data_abroad=True, has_system_access=True),
        "approved",
    ),
    (
        "Orbit Mail Delivery Ltd.",
        "",
        "GB",
        "subcontractor",
        "Atlas CRM Inc.",
        False,
        CUSTOMERS,
        ["marketing"],
        dict(principal_count=500_000, handles_data_abroad=True),
        "approved",
    ),
    (
        "Pixel Support Pvt. Ltd.",
        "",
        "IN",
        "subcontractor",
        "Atlas CRM Inc.",
        False,
        CUSTOMERS,
        ["inquiries"],
        dict(principal_count=500_000, handles_data_abroad=True),
        "under_review",
    ),
    (
        "Lumen Translation SAS",
        "",
        "FR",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["inquiries"],
        dict(principal_count=2_000, handles_data_abroad=True),
        "approved",
    ),
    (
        "Harbor Payroll Pte. Ltd.",
        "",
        "SG",
        "contractor",
        None,
        False,
        ["recruitment_applicants"],
        ["recruitment"],
        dict(principal_count=1_200, handles_data_abroad=True),
        "draft",
    ),
    (
        "Kite Event Systems Co., Ltd.",
        "カイトイベントシステムズ",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["events"],
        dict(principal_count=15_000),
        "under_review",
    ),
    (
        "Tsuki Web Forms K.K.",
        "ツキウェブフォームズ",
        "JP",
        "contractor",
        None,
        False,
        CUSTOMERS,
        ["inquiries", "marketing"],
        dict(principal_count=9_000, has_system_access=True),
        "approved",
    ),
    (
        "Hana Gift Fulfilment Co., Ltd.",
        "ハナギフトフルフィルメント",
        "JP",
        "subcontractor",
        "Tsuki Web Forms K.K.",
        False,
        CUSTOMERS,
        ["research_rewards"],
        dict(principal_count=9_000),
        "draft",
    ),
]
PATHS = {
    "draft": [],
    "under_review": ["under_review"],
    "approved": ["under_review", "approved"],
    "suspended": ["under_review", "approved", "suspended"],
    "terminated": ["under_review", "approved", "terminated"],
}
# How far the demo takes each vendor's initial assessment, by the vendor's target status.
ASSESSMENT_OUTCOMES = {
    "draft": "draft",
    "under_review": "submitted",
    "approved": "approved",
    "suspended": "approved",
    "terminated": "approved",
}
REASONS = {
    "under_review": "Intake complete; submitted for review.",
    "approved": "Due diligence reviewed; measures confirmed.",
    "suspended": "Leak of delivery labels reported; suspended pending investigation.",
    "terminated": "Contract ended; deletion certificate received.",
}


PARENT_NAMES = {row[4] for row in VENDORS if row[4]}
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Days from today to the notice deadline for a few contracts, so reminders have something to say.
UPCOMING_DEADLINES = {1: 6, 5: 25, 7: 80, 11: -3, 15: 29, 21: 45}


def demo_corporate_number(index: int) -> str:
    base = f"{(index * 7919 + 1_000_000_000):012d}"
    return f"{corporate_number_check_digit(base)}{base}"


class Command(BaseCommand):
    help = "Load a realistic demo data set (safe to run twice) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when vendors already exist.")
        parser.add_argument(
            "--force", action="store_true", help="Allow with DJANGO_DEBUG off (never on production)."
        )

    def handle(self, *args, if_empty=False, force=False, **options):
        if not settings.DEMO_DATA_ALLOWED and not force:
            raise CommandError(
                "Demo users have known passwords: refusing with DJANGO_DEBUG off (use --force to insist)."
            )
        users = self.create_users()
        if if_empty and Vendor.objects.exists():
            self.stdout.write("Vendors exist already: demo data not loaded.")
        else:
            with transaction.atomic():
                created = self.create_vendors(users)
            self.stdout.write(self.style.SUCCESS(f"Demo data ready: {created} vendors created."))
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for username, *_rest, role in USERS:
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(f"  {'admin':<14} superuser")

    def create_users(self):
        user_model = get_user_model()
        users = {}
        for username, first, last, role in USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
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
        onboarded = []
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
            if status != "draft":
                self.create_contract(vendor, index, owner, users)
            outcome = "returned" if name == "Kite Event Systems Co., Ltd." else ASSESSMENT_OUTCOMES[status]
            self.create_assessment(vendor, index, owner, users["compliance"], outcome)
            onboarded.append((vendor, owner, status))
        if onboarded:
            create_transfer_demo(users, DEMO_PDF)
        # Parents come before their subcontractors in VENDORS, so approvals follow the chain.
        for vendor, owner, status in onboarded:
            for step in PATHS[status]:
                actor = owner if step == "under_review" else users["compliance"]
                vendor_change_status(vendor=vendor, status=step, user=actor, reason=REASONS[step])
        self.create_contract_history(users)
        self.create_assessment_history(users)
        return len(onboarded)

    def create_assessment(self, vendor, index, owner, reviewer, outcome):
        """An assessment answered realistically; `outcome` says how far it goes (draft … approved)."""
        assessment = assessment_create(vendor=vendor, user=owner, kind=Assessment.Kind.INITIAL)
        weak = index % 5 == 0  # every fifth vendor has gaps: partial answers, a conditional result
        answers = list(assessment.answers.select_related("criterion"))
        for position, answer in enumerate(answers):
            if outcome == "draft" and position >= len(answers) // 2:
                break
            criterion = answer.criterion
            answer.response = "yes" if criterion.is_critical or not weak else "partial"
            answer.comment = "Confirmed in the vendor's written answers (demo)." if position % 4 == 0 else ""
            if criterion.evidence_required:
                answer.evidence.save(
                    f"evidence-{vendor.pk}-{criterion.code}.pdf", ContentFile(DEMO_PDF), save=False
                )
            answer_save(answer=answer, user=owner)
        if outcome == "draft":
            return assessment
        assessment_submit(assessment=assessment, user=owner)
        if outcome == "submitted":
            return assessment
        if outcome == "returned":
            return assessment_return(
                assessment=assessment,
                user=reviewer,
                note="Attach the latest external audit report for ORG-08.",
            )
        if assessment.result == Assessment.Result.CONDITIONAL:
            finding_save(
                finding=Finding(
                    assessment=assessment,
                    description="Handling rules do not yet cover deletion at the end of the work.",
                    severity=Finding.Severity.MEDIUM,
                    due_on=timezone.localdate() + timedelta(days=40 - 2 * index),
                    owner=owner,
                ),
                user=reviewer,
            )
        return assessment_approve(
            assessment=assessment, user=reviewer, note="Measures confirmed (demo data)."
        )

    def create_assessment_history(self, users):
        """A rejected triggered re-assessment after the suspended vendor's leak."""
        suspended = Vendor.objects.filter(name="Fuji Envelope Works Co., Ltd.").first()
        if suspended and not suspended.assessments.filter(kind=Assessment.Kind.TRIGGERED).exists():
            assessment = assessment_create(
                vendor=suspended, user=users["procurement"], kind=Assessment.Kind.TRIGGERED
            )
            for answer in assessment.answers.select_related("criterion"):
                answer.response = "no" if answer.criterion.code == "ORG-07" else "yes"
                if answer.criterion.evidence_required:
                    answer.evidence.save(
                        f"evidence-{suspended.pk}-t-{answer.criterion.code}.pdf",
                        ContentFile(DEMO_PDF),
                        save=False,
                    )
                answer_save(answer=answer, user=users["procurement"])
            assessment_submit(assessment=assessment, user=users["procurement"])
            assessment_reject(
                assessment=assessment,
                user=users["compliance"],
                note="Leak was reported to us 12 days late: critical criterion ORG-07 fails.",
            )

    def create_contract(self, vendor, index, owner, users):
        """An active contract covering today, with every required clause; consent for a subcontractor."""
        today = timezone.localdate()
        kind = (
            ProtectionContract.Kind.JOINT_USE
            if vendor.kind == Vendor.Kind.JOINT_USER
            else (
                ProtectionContract.Kind.PROTECTION_AGREEMENT
                if index % 4 == 0
                else ProtectionContract.Kind.ENTRUSTMENT
            )
        )
        notice_days = 90 if index % 2 else 60
        if index in UPCOMING_DEADLINES:
            ends_on = today + timedelta(days=notice_days + UPCOMING_DEADLINES[index])
        else:
            ends_on = today + timedelta(days=200 + index * 23)
        starts_on = min(ends_on - timedelta(days=730), today - timedelta(days=30 + index * 11))
        contract = ProtectionContract(
            vendor=vendor,
            kind=kind,
            title=f"{kind.label}: {vendor.name}",
            reference=f"PC-{2024 + index % 2}-{index:03d}",
            signed_on=starts_on - timedelta(days=14),
            starts_on=starts_on,
            ends_on=ends_on,
            notice_days=notice_days,
            auto_renews=index % 3 == 0,
            renewal_months=12,
            permits_reentrustment=vendor.name in PARENT_NAMES,
            owner=owner,
        )
        contract.document.save(f"{contract.reference}.pdf", ContentFile(DEMO_PDF), save=False)
        required = [c for c in Clause.objects.filter(is_active=True) if kind in c.required_for]
        contract_save(
            contract=contract, user=owner, clauses=required, reason="Signed contract entered (demo data)."
        )
        contract_activate(contract=contract, user=owner)
        if vendor.kind == Vendor.Kind.SUBCONTRACTOR:
            consent_save(
                consent=ReentrustmentConsent(
                    parent=vendor.parent,
                    subcontractor=vendor,
                    consented_on=starts_on - timedelta(days=30),
                    consented_by=users["compliance"],
                    scope_of_work=f"Part of the work entrusted to {vendor.parent.name}.",
                    data_description="Only the items needed for the work; handled in Japan unless stated.",
                ),
                user=owner,
                data_categories=list(vendor.data_categories.all()),
            )
        return contract

    def create_contract_history(self, users):
        """Contracts in the other states: superseded, renewal in progress, terminated, expired, draft."""
        owner, compliance = users["procurement"], users["compliance"]
        renewed = ProtectionContract.objects.filter(reference="PC-2025-003").first()
        if renewed and not renewed.successors.exists():
            successor = contract_renew(contract=renewed, user=owner)
            successor.signed_on = timezone.localdate()
            successor.document.save(f"{successor.reference}.pdf", ContentFile(DEMO_PDF), save=False)
            contract_save(contract=successor, user=owner, reason="Renewal signed (demo data).")
            contract_activate(contract=successor, user=owner)
        in_progress = ProtectionContract.objects.filter(reference="PC-2025-001").first()
        if in_progress and not in_progress.successors.exists():
            contract_renew(contract=in_progress, user=owner)
        ended = Vendor.objects.filter(name="Ishi Document Archive Co., Ltd.").first()
        if ended:
            for contract in ended.contracts.filter(status=ProtectionContract.Status.ACTIVE):
                contract.ends_on = timezone.localdate() - timedelta(days=20)
                contract.starts_on = contract.ends_on - timedelta(days=365)
                contract_save(contract=contract, user=owner, reason="Term corrected (demo data).")
            contract_expire_due()
        draft_vendor = Vendor.objects.filter(name="Yamabiko Survey Co., Ltd.").first()
        if draft_vendor and not draft_vendor.contracts.exists():
            contract_save(
                contract=ProtectionContract(
                    vendor=draft_vendor,
                    title="Survey work entrustment (negotiating)",
                    reference="PC-2026-DRAFT-1",
                    owner=owner,
                ),
                user=owner,
                reason="Draft under negotiation (demo data).",
            )
        suspended = Vendor.objects.filter(name="Fuji Envelope Works Co., Ltd.").first()
        if suspended:
            for contract in suspended.contracts.filter(status=ProtectionContract.Status.ACTIVE):
                contract_terminate(
                    contract=contract,
                    user=compliance,
                    reason="Leak of delivery labels; entrustment stopped pending investigation.",
                )
