"""Hostile text in every free-text field is shown escaped on every page, email and register that shows it.

One scene per payload: every field a user can fill holds the payload, tagged with the field's own marker
so that each (field, page) pair is checked on its own. A page must show the escaped payload of each field
declared for it (so the check cannot pass by the field going missing), and no page, email or register may
contain any field's payload as live markup, an evaluated template or a live formula.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from assessments import services as assessment_services
from assessments.models import Answer, Assessment, Finding, Standard
from contracts import services as contract_services
from contracts.models import Clause, ProtectionContract, ReentrustmentConsent
from core.excel import FORMULA_TRIGGERS
from core.history import record_history, save_with_history
from core.models import ReminderLog
from core.reminders import DIGEST_TEMPLATE, Reminder, _deliver_one, _reminder_context, _render
from core.roles import COMPLIANCE, PROCUREMENT
from transfers import services as transfer_services
from transfers.models import ConsentRecord, Country, ForeignTransfer, JointUseArrangement, ProvisionRecord
from vendors import services as vendor_services
from vendors.importing import import_template_workbook, vendor_import
from vendors.models import Contact, DataCategory, Purpose, Vendor

from ..factories import CriterionFactory, JointUserFactory, SubcontractorFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- payloads ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """A hostile text; `text(tag)` marks it with a field's tag, `live(tag)` is what must never appear."""

    name: str
    template: str  # "{tag}" is replaced by the field's tag
    live_template: str  # the same payload, still live (unescaped / evaluated)

    def text(self, tag: str) -> str:
        return self.template.replace("{tag}", tag)

    def escaped(self, tag: str) -> str:
        return escape(self.text(tag))

    def live(self, tag: str) -> str | None:
        return self.live_template.replace("{tag}", tag) if self.live_template else None


PAYLOADS = [
    Payload("script", "{tag}<script>alert(1)</script>", "{tag}<script>"),
    Payload("attribute-breakout", '{tag}"><img src=x onerror=alert(1)>', '{tag}"><img'),
    Payload("javascript-url", "javascript:alert({tag})", 'href="javascript:alert({tag})'),
    Payload("template-variable", "{tag}{{ 7*7 }}", "{tag}49"),
    Payload("template-tag", "{tag}{% debug %}", ""),  # evaluated, it would vanish: its presence is checked
    Payload("formula", '=HYPERLINK("http://x","{tag}")', '=HYPERLINK("http://x","{tag}")'),
]
# A URL shown as a link must never run script, whatever the field.
LIVE_SCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


# --- the fields --------------------------------------------------------------------------------------------

# field -> the pages, emails (HTML and, "text_...", plain text) and registers ("xlsx_...") that must show it.
# Every field is also looked for, live, on every page, email and register.
SHOWN_ON: dict[str, tuple[str, ...]] = {
    "vendor.name": (
        "email_contract_notice",
        "email_contract_expired",
        "email_assessment_expiry",
        "email_assessment_expired",
        "email_finding",
        "email_transfer_check",
        "email_transfer_correction",
        "email_transfer_suspended",
        "email_digest",
        "dashboard",
        "dashboard_procurement",
        "audit",
        "vendor_list",
        "vendor_detail",
        "vendor_edit",
        "vendor_status",
        "vendor_delete",
        "vendor_history",
        "subcontractor_detail",
        "contact_edit",
        "contact_delete",
        "contact_history",
        "vendor_create",
        "contract_list",
        "contract_detail",
        "contract_edit",
        "contract_history",
        "contract_create",
        "consent_detail",
        "consent_edit",
        "consent_history",
        "assessment_list",
        "assessment_detail",
        "assessment_answers",
        "assessment_upload",
        "assessment_history",
        "answer_history",
        "finding_list",
        "finding_edit",
        "finding_history",
        "finding_create",
        "transfer_list",
        "transfer_detail",
        "transfer_edit",
        "transfer_status",
        "transfer_history",
        "transfer_check_create",
        "transfer_create",
        "disclosure",
        "check_history",
        "consent_transfer_detail",
        "consent_record_create",
        "consent_record_history",
        "record_list",
        "record_detail",
        "record_history",
        "record_create",
        "notifications",
        "xlsx_vendors",
        "xlsx_contracts",
        "xlsx_assessments",
        "xlsx_findings",
        "xlsx_transfers",
        "xlsx_records",
        "xlsx_audit",
        "xlsx_questionnaire",
        "text_email_contract_notice",
        "text_email_contract_expired",
        "text_email_assessment_expiry",
        "text_email_assessment_expired",
        "text_email_finding",
        "text_email_transfer_check",
        "text_email_transfer_correction",
        "text_email_transfer_suspended",
        "text_email_digest",
    ),
    "vendor.name_kana": (
        "audit",
        "vendor_list",
        "vendor_detail",
        "vendor_edit",
        "vendor_history",
        "xlsx_vendors",
        "xlsx_audit",
    ),
    "vendor.address": ("audit", "vendor_detail", "vendor_edit", "vendor_history", "xlsx_audit"),
    "vendor.representative": ("audit", "vendor_detail", "vendor_edit", "vendor_history", "xlsx_audit"),
    "vendor.notes": ("audit", "vendor_detail", "vendor_edit", "vendor_history", "xlsx_audit"),
    "vendor.change_reason": ("audit", "vendor_history", "xlsx_audit"),
    "contact.name": (
        "audit",
        "vendor_detail",
        "contact_edit",
        "contact_delete",
        "contact_history",
        "xlsx_audit",
    ),
    "contact.phone": ("audit", "vendor_detail", "contact_edit", "contact_history", "xlsx_audit"),
    "contact.role": ("audit", "vendor_detail", "contact_edit", "contact_history", "xlsx_audit"),
    "contract.title": (
        "email_contract_notice",
        "audit",
        "contract_list",
        "contract_detail",
        "contract_edit",
        "contract_history",
        "xlsx_contracts",
        "xlsx_audit",
        "text_email_contract_notice",
    ),
    "contract.reference": (
        "email_contract_notice",
        "email_contract_expired",
        "email_digest",
        "dashboard_procurement",
        "audit",
        "vendor_detail",
        "contract_list",
        "contract_detail",
        "contract_edit",
        "contract_terminate",
        "contract_history",
        "notifications",
        "xlsx_vendors",
        "xlsx_contracts",
        "xlsx_audit",
        "text_email_contract_notice",
        "text_email_contract_expired",
        "text_email_digest",
    ),
    "contract.notes": ("audit", "contract_detail", "contract_edit", "contract_history", "xlsx_audit"),
    "contract.change_reason": ("audit", "contract_history", "xlsx_audit"),
    "consent.scope_of_work": ("audit", "consent_detail", "consent_edit", "consent_history", "xlsx_audit"),
    "consent.data_description": ("audit", "consent_detail", "consent_edit", "consent_history", "xlsx_audit"),
    "consent.notes": ("audit", "consent_detail", "consent_edit", "consent_history", "xlsx_audit"),
    "consent.change_reason": ("audit", "consent_history", "xlsx_audit"),
    "clause.title_en": (
        "audit",
        "contract_detail",
        "contract_edit",
        "contract_history",
        "contract_create",
        "clause_list",
        "clause_detail",
        "clause_edit",
        "clause_history",
        "xlsx_clauses",
        "xlsx_audit",
    ),
    "clause.title_ja": (
        "audit",
        "clause_list",
        "clause_detail",
        "clause_edit",
        "clause_history",
        "xlsx_clauses",
        "xlsx_audit",
    ),
    "clause.description": ("audit", "clause_detail", "clause_edit", "clause_history", "xlsx_audit"),
    "category.name_en": (
        "audit",
        "vendor_list",
        "vendor_detail",
        "vendor_edit",
        "vendor_history",
        "category_list",
        "category_detail",
        "category_edit",
        "category_history",
        "purpose_list",
        "purpose_detail",
        "purpose_edit",
        "purpose_history",
        "vendor_create",
        "consent_detail",
        "consent_edit",
        "consent_history",
        "transfer_detail",
        "transfer_edit",
        "transfer_history",
        "transfer_create",
        "xlsx_vendors",
        "xlsx_transfers",
        "xlsx_categories",
        "xlsx_audit",
    ),
    "category.name_ja": (
        "audit",
        "category_list",
        "category_detail",
        "category_edit",
        "category_history",
        "xlsx_categories",
        "xlsx_audit",
    ),
    "category.description": ("audit", "category_detail", "category_edit", "category_history", "xlsx_audit"),
    "purpose.name_en": (
        "audit",
        "vendor_list",
        "vendor_detail",
        "vendor_edit",
        "vendor_history",
        "purpose_list",
        "purpose_detail",
        "purpose_edit",
        "purpose_history",
        "vendor_create",
        "transfer_detail",
        "transfer_edit",
        "transfer_history",
        "transfer_create",
        "xlsx_vendors",
        "xlsx_transfers",
        "xlsx_purposes",
        "xlsx_audit",
    ),
    "purpose.name_ja": (
        "audit",
        "purpose_list",
        "purpose_detail",
        "purpose_edit",
        "purpose_history",
        "xlsx_purposes",
        "xlsx_audit",
    ),
    "purpose.description": ("audit", "purpose_detail", "purpose_edit", "purpose_history", "xlsx_audit"),
    "country.name_en": (
        "email_transfer_check",
        "email_transfer_suspended",
        "email_country",
        "email_digest",
        "audit",
        "vendor_detail",
        "transfer_list",
        "transfer_detail",
        "transfer_edit",
        "transfer_status",
        "transfer_history",
        "transfer_check_create",
        "transfer_create",
        "disclosure",
        "check_history",
        "consent_transfer_detail",
        "consent_record_create",
        "consent_record_history",
        "country_list",
        "country_detail",
        "country_edit",
        "country_history",
        "record_list",
        "record_detail",
        "record_history",
        "record_create",
        "notifications",
        "xlsx_transfers",
        "xlsx_records",
        "xlsx_countries",
        "xlsx_audit",
        "text_email_transfer_check",
        "text_email_transfer_suspended",
        "text_email_country",
        "text_email_digest",
    ),
    "country.name_ja": (
        "audit",
        "consent_record_history",
        "country_list",
        "country_detail",
        "country_edit",
        "country_history",
        "xlsx_countries",
        "xlsx_audit",
    ),
    "country.oecd_gaps": (
        "audit",
        "consent_record_history",
        "country_detail",
        "country_edit",
        "country_history",
        "xlsx_audit",
    ),
    "country.other_laws": (
        "audit",
        "consent_record_history",
        "country_detail",
        "country_edit",
        "country_history",
        "xlsx_audit",
    ),
    "country.source": (
        "audit",
        "consent_record_history",
        "country_detail",
        "country_edit",
        "country_history",
        "xlsx_audit",
    ),
    "criterion.question_en": (
        "audit",
        "assessment_detail",
        "assessment_answers",
        "answer_history",
        "finding_edit",
        "finding_history",
        "finding_create",
        "standard_detail",
        "criterion_edit",
        "criterion_history",
        "xlsx_audit",
        "xlsx_questionnaire",
    ),
    "criterion.question_ja": (
        "audit",
        "criterion_edit",
        "criterion_history",
        "xlsx_audit",
        "xlsx_questionnaire",
    ),
    "criterion.guidance": (
        "audit",
        "assessment_answers",
        "criterion_edit",
        "criterion_history",
        "xlsx_audit",
        "xlsx_questionnaire",
    ),
    "answer.comment": (
        "audit",
        "assessment_detail",
        "assessment_answers",
        "answer_history",
        "xlsx_audit",
        "xlsx_questionnaire",
    ),
    "assessment.decision_note": (
        "audit",
        "assessment_detail",
        "assessment_history",
        "xlsx_assessments",
        "xlsx_audit",
    ),
    "finding.description": (
        "email_finding",
        "dashboard",
        "audit",
        "vendor_detail",
        "assessment_detail",
        "finding_list",
        "finding_edit",
        "finding_history",
        "xlsx_findings",
        "xlsx_audit",
        "text_email_finding",
    ),
    "finding.resolution_note": ("audit", "finding_edit", "finding_history", "xlsx_findings", "xlsx_audit"),
    "transfer.description": (
        "audit",
        "transfer_detail",
        "transfer_edit",
        "transfer_history",
        "xlsx_transfers",
        "xlsx_audit",
    ),
    "transfer.legal_justification": ("audit", "transfer_edit", "transfer_history", "xlsx_audit"),
    "transfer.change_reason": ("audit", "transfer_history", "xlsx_audit"),
    "check.implementation_status": ("audit", "transfer_detail", "disclosure", "check_history", "xlsx_audit"),
    "check.foreign_laws": ("audit", "disclosure", "check_history", "xlsx_audit"),
    "check.impediments": (
        "email_transfer_suspended",
        "audit",
        "transfer_detail",
        "disclosure",
        "check_history",
        "xlsx_audit",
        "text_email_transfer_suspended",
    ),
    "check.actions_demanded": (
        "email_transfer_correction",
        "audit",
        "transfer_detail",
        "disclosure",
        "check_history",
        "xlsx_audit",
        "text_email_transfer_correction",
    ),
    "consent_record.country_name_given": ("audit", "consent_record_history", "xlsx_audit"),
    "consent_record.country_unidentified_reason": ("audit", "consent_record_history", "xlsx_audit"),
    "consent_record.substitute_information": ("audit", "consent_record_history", "xlsx_audit"),
    "consent_record.recipient_measures": ("audit", "consent_record_history", "xlsx_audit"),
    "consent_record.recipient_measures_unknown_reason": ("audit", "consent_record_history", "xlsx_audit"),
    "consent_record.how_given": ("audit", "consent_record_history", "xlsx_audit"),
    "consent_record.whose_consent": (
        "audit",
        "consent_transfer_detail",
        "consent_record_history",
        "xlsx_audit",
    ),
    "consent_record.method": ("audit", "consent_transfer_detail", "consent_record_history", "xlsx_audit"),
    "joint_use.title": (
        "dashboard",
        "audit",
        "joint_use_list",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "joint_user_detail",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "joint_use.data_items": (
        "audit",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "joint_use.scope_description": (
        "audit",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "joint_use.purposes": (
        "audit",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "joint_use.responsible_party_name": (
        "audit",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "joint_use.responsible_party_address": (
        "audit",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "joint_use.responsible_party_representative": (
        "audit",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "joint_use.notice_method": (
        "audit",
        "joint_use_detail",
        "joint_use_edit",
        "joint_use_history",
        "xlsx_joint_use",
        "xlsx_audit",
    ),
    "record.recipient_name": (
        "audit",
        "record_list",
        "record_detail",
        "record_history",
        "xlsx_records",
        "xlsx_audit",
    ),
    "record.recipient_address": ("audit", "record_detail", "record_history", "xlsx_records", "xlsx_audit"),
    "record.recipient_representative": (
        "audit",
        "record_detail",
        "record_history",
        "xlsx_records",
        "xlsx_audit",
    ),
    "record.individuals_description": (
        "audit",
        "record_detail",
        "record_history",
        "xlsx_records",
        "xlsx_audit",
    ),
    "record.data_items": ("audit", "record_detail", "record_history", "xlsx_records", "xlsx_audit"),
    "record.change_reason": ("audit", "record_history", "xlsx_audit"),
}

FIELDS = list(SHOWN_ON)
TAGS = {name: f"zq{index:02d}k" for index, name in enumerate(FIELDS)}


class Scene(SimpleNamespace):
    pass


def build_scene(payload: Payload) -> Scene:
    """Every free-text field filled with `payload`, through the services (as the forms save them)."""

    def p(name: str) -> str:
        return payload.text(TAGS[name])

    today = timezone.localdate()
    s = Scene(payload=payload)
    s.procurement = UserFactory(username="sec-procurement", roles=[PROCUREMENT])
    s.compliance = UserFactory(username="sec-compliance", roles=[COMPLIANCE])
    s.superuser = UserFactory(username="sec-admin", is_superuser=True, is_staff=True)

    # Reference data, as the compliance reference pages save it.
    s.category = save_with_history(
        DataCategory(
            code="sec-category",
            name_en=p("category.name_en"),
            name_ja=p("category.name_ja"),
            description=p("category.description"),
        ),
        user=s.compliance,
    )
    s.purpose = save_with_history(
        Purpose(
            code="sec-purpose",
            name_en=p("purpose.name_en"),
            name_ja=p("purpose.name_ja"),
            description=p("purpose.description"),
        ),
        user=s.compliance,
        m2m={"data_categories": [s.category]},
    )
    s.clause = save_with_history(
        Clause(
            code="sec-clause",
            title_en=p("clause.title_en"),
            title_ja=p("clause.title_ja"),
            description=p("clause.description"),
            required_for=["entrustment"],
        ),
        user=s.compliance,
    )
    s.country = save_with_history(
        Country(
            code="XQ",
            name_en=p("country.name_en"),
            name_ja=p("country.name_ja"),
            oecd_gaps=p("country.oecd_gaps"),
            other_laws=p("country.other_laws"),
            source=p("country.source"),
            has_protection_system=True,
            information_reviewed_on=today - timedelta(days=400),
        ),
        user=s.compliance,
    )

    # The vendor, a contact, a subcontractor with its consent, and a contract.
    s.vendor = vendor_services.vendor_save(
        vendor=Vendor(
            name=p("vendor.name"),
            name_kana=p("vendor.name_kana"),
            country="US",
            address=p("vendor.address"),
            representative=p("vendor.representative"),
            website="https://example.com/",
            notes=p("vendor.notes"),
            owner=s.procurement,
            handles_data_abroad=True,
        ),
        user=s.procurement,
        data_categories=[s.category],
        purposes=[s.purpose],
        reason=p("vendor.change_reason"),
    )
    s.contact = vendor_services.contact_save(
        contact=Contact(
            vendor=s.vendor,
            name=p("contact.name"),
            email="contact@example.com",
            phone=p("contact.phone"),
            role=p("contact.role"),
            is_primary=True,
        ),
        user=s.procurement,
    )
    s.subcontractor = SubcontractorFactory(parent=s.vendor, name="Security Subcontractor K.K.")
    s.consent = contract_services.consent_save(
        consent=ReentrustmentConsent(
            parent=s.vendor,
            subcontractor=s.subcontractor,
            scope_of_work=p("consent.scope_of_work"),
            data_description=p("consent.data_description"),
            notes=p("consent.notes"),
            consented_on=today - timedelta(days=3),
            consented_by=s.procurement,
        ),
        user=s.procurement,
        data_categories=[s.category],
        reason=p("consent.change_reason"),
    )
    s.contract = contract_services.contract_save(
        contract=ProtectionContract(
            vendor=s.vendor,
            title=p("contract.title"),
            reference=p("contract.reference"),
            notes=p("contract.notes"),
            owner=s.procurement,
            signed_on=today - timedelta(days=300),
            starts_on=today - timedelta(days=290),
            ends_on=today + timedelta(days=70),
            notice_days=60,
        ),
        user=s.procurement,
        clauses=[s.clause],
        reason=p("contract.change_reason"),
    )
    ProtectionContract.objects.filter(pk=s.contract.pk).update(status=ProtectionContract.Status.ACTIVE)
    s.contract.refresh_from_db()

    # An assessment against the published standard, with a criterion compliance wrote, returned with a note.
    standard = Standard.objects.get(status=Standard.Status.PUBLISHED)
    s.criterion = CriterionFactory(
        standard=standard,
        code="SEC-01",
        question_en=p("criterion.question_en"),
        question_ja=p("criterion.question_ja"),
        guidance=p("criterion.guidance"),
        position=0,
    )
    record_history(s.criterion, user=s.compliance, created=True)
    s.assessment = assessment_services.assessment_create(vendor=s.vendor, user=s.procurement)
    s.answer = s.assessment.answers.get(criterion=s.criterion)
    s.answer.response, s.answer.comment = Answer.Response.PARTIAL, p("answer.comment")
    assessment_services.answer_save(answer=s.answer, user=s.procurement)
    Assessment.objects.filter(pk=s.assessment.pk).update(
        status=Assessment.Status.SUBMITTED, submitted_at=timezone.now(), submitted_by=s.procurement
    )
    assessment_services.assessment_return(
        assessment=s.assessment, user=s.compliance, note=p("assessment.decision_note")
    )
    s.finding = assessment_services.finding_save(
        finding=Finding(
            assessment=s.assessment,
            criterion=s.criterion,
            description=p("finding.description"),
            resolution_note=p("finding.resolution_note"),
            due_on=today - timedelta(days=5),
            owner=s.procurement,
        ),
        user=s.compliance,
    )
    # An approved assessment that expires soon (for the expiry reminder and the dashboard).
    s.approved = Assessment.objects.create(
        vendor=s.vendor,
        standard=standard,
        status=Assessment.Status.APPROVED,
        result=Assessment.Result.PASS,
        decided_at=timezone.now(),
        valid_until=today + timedelta(days=20),
    )

    # Foreign transfers: the standard-conforming route with an impeded check, and the consent route.
    s.transfer = transfer_services.transfer_save(
        transfer=ForeignTransfer(
            vendor=s.vendor,
            country=s.country,
            route=ForeignTransfer.Route.STANDARD_CONFORMING_SYSTEM,
            status=ForeignTransfer.Status.ACTIVE,
            started_on=today - timedelta(days=500),
            basis=ForeignTransfer.Basis.CONTRACT,
            description=p("transfer.description"),
            legal_justification=p("transfer.legal_justification"),
        ),
        user=s.compliance,
        data_categories=[s.category],
        purposes=[s.purpose],
        reason=p("transfer.change_reason"),
    )
    s.check = transfer_services.periodic_check_record(
        transfer=s.transfer,
        user=s.compliance,
        checked_on=today - timedelta(days=380),
        implementation_status=p("check.implementation_status"),
        foreign_laws=p("check.foreign_laws"),
        impediments=p("check.impediments"),
        actions_demanded=p("check.actions_demanded"),
        correction_due_on=today - timedelta(days=10),
        result="impeded",
    )
    s.consent_transfer = transfer_services.transfer_save(
        transfer=ForeignTransfer(
            vendor=s.vendor,
            country=s.country,
            relationship=ForeignTransfer.Relationship.THIRD_PARTY_PROVISION,
            route=ForeignTransfer.Route.CONSENT,
        ),
        user=s.compliance,
    )
    s.consent_record = transfer_services.consent_record_save(
        consent=ConsentRecord(
            transfer=s.consent_transfer,
            information_given_on=today - timedelta(days=2),
            obtained_on=today - timedelta(days=1),
            country_name_given=p("consent_record.country_name_given"),
            country_unidentified_reason=p("consent_record.country_unidentified_reason"),
            substitute_information=p("consent_record.substitute_information"),
            recipient_measures=p("consent_record.recipient_measures"),
            recipient_measures_unknown_reason=p("consent_record.recipient_measures_unknown_reason"),
            how_given=p("consent_record.how_given"),
            whose_consent=p("consent_record.whose_consent"),
            method=p("consent_record.method"),
        ),
        user=s.compliance,
    )
    s.joint_user = JointUserFactory(name="Security Joint User K.K.")
    s.joint_use = transfer_services.joint_use_save(
        arrangement=JointUseArrangement(
            title=p("joint_use.title"),
            data_items=p("joint_use.data_items"),
            scope_description=p("joint_use.scope_description"),
            purposes=p("joint_use.purposes"),
            responsible_party_name=p("joint_use.responsible_party_name"),
            responsible_party_address=p("joint_use.responsible_party_address"),
            responsible_party_representative=p("joint_use.responsible_party_representative"),
            notice_method=p("joint_use.notice_method"),
            notice_published_on=today - timedelta(days=20),
        ),
        user=s.compliance,
        joint_users=[s.joint_user],
    )
    # Published, then revised: the revision is listed among the joint-use changes needing notice.
    transfer_services.joint_use_publish(arrangement=s.joint_use, user=s.compliance)
    s.joint_use = transfer_services.joint_use_revise(
        arrangement=s.joint_use,
        user=s.compliance,
        changes={"responsible_party_representative": p("joint_use.responsible_party_representative") + "."},
    )
    s.record = transfer_services.provision_record_save(
        record=ProvisionRecord(
            provided_on=today,
            recipient_name=p("record.recipient_name"),
            recipient_address=p("record.recipient_address"),
            recipient_representative=p("record.recipient_representative"),
            individuals_description=p("record.individuals_description"),
            data_items=p("record.data_items"),
            consent_obtained=True,
            transfer=s.consent_transfer,
        ),
        user=s.compliance,
        reason=p("record.change_reason"),
    )
    return s


# --- the pages ---------------------------------------------------------------------------------------------


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


PAGES = {
    "dashboard": lambda s: _url("home"),
    "dashboard_procurement": lambda s: _url("home"),
    "audit": lambda s: _url("audit"),
    "vendor_list": lambda s: _url("vendors:list"),
    "vendor_detail": lambda s: _url("vendors:detail", s.vendor.pk),
    "vendor_edit": lambda s: _url("vendors:edit", s.vendor.pk),
    "vendor_status": lambda s: _url("vendors:status", s.vendor.pk),
    "vendor_delete": lambda s: _url("vendors:delete", s.vendor.pk),
    "vendor_history": lambda s: _url("vendors:history", s.vendor.pk),
    "subcontractor_detail": lambda s: _url("vendors:detail", s.subcontractor.pk),
    "contact_edit": lambda s: _url("vendors:contact_edit", s.contact.pk),
    "contact_delete": lambda s: _url("vendors:contact_delete", s.contact.pk),
    "contact_history": lambda s: _url("vendors:contact_history", s.contact.pk),
    "category_list": lambda s: _url("vendors:datacategory_list"),
    "category_detail": lambda s: _url("vendors:datacategory_detail", s.category.pk),
    "category_edit": lambda s: _url("vendors:datacategory_edit", s.category.pk),
    "category_history": lambda s: _url("vendors:datacategory_history", s.category.pk),
    "purpose_list": lambda s: _url("vendors:purpose_list"),
    "purpose_detail": lambda s: _url("vendors:purpose_detail", s.purpose.pk),
    "purpose_edit": lambda s: _url("vendors:purpose_edit", s.purpose.pk),
    "purpose_history": lambda s: _url("vendors:purpose_history", s.purpose.pk),
    "vendor_create": lambda s: _url("vendors:create"),
    "contract_list": lambda s: _url("contracts:list"),
    "contract_detail": lambda s: _url("contracts:detail", s.contract.pk),
    "contract_edit": lambda s: _url("contracts:edit", s.contract.pk),
    "contract_terminate": lambda s: _url("contracts:terminate", s.contract.pk),
    "contract_history": lambda s: _url("contracts:history", s.contract.pk),
    "contract_create": lambda s: _url("contracts:create"),
    "consent_detail": lambda s: _url("contracts:consent_detail", s.consent.pk),
    "consent_edit": lambda s: _url("contracts:consent_edit", s.consent.pk),
    "consent_history": lambda s: _url("contracts:consent_history", s.consent.pk),
    "clause_list": lambda s: _url("contracts:clause_list"),
    "clause_detail": lambda s: _url("contracts:clause_detail", s.clause.pk),
    "clause_edit": lambda s: _url("contracts:clause_edit", s.clause.pk),
    "clause_history": lambda s: _url("contracts:clause_history", s.clause.pk),
    "assessment_list": lambda s: _url("assessments:list"),
    "assessment_detail": lambda s: _url("assessments:detail", s.assessment.pk),
    "assessment_answers": lambda s: _url("assessments:answers", s.assessment.pk),
    "assessment_upload": lambda s: _url("assessments:questionnaire_upload", s.assessment.pk),
    "assessment_history": lambda s: _url("assessments:history", s.assessment.pk),
    "answer_history": lambda s: _url("assessments:answer_history", s.answer.pk),
    "finding_list": lambda s: _url("assessments:finding_list"),
    "finding_edit": lambda s: _url("assessments:finding_edit", s.finding.pk),
    "finding_history": lambda s: _url("assessments:finding_history", s.finding.pk),
    "finding_create": lambda s: _url("assessments:finding_create", s.assessment.pk),
    "standard_detail": lambda s: _url("assessments:standard_detail", s.criterion.standard_id),
    "criterion_edit": lambda s: _url("assessments:criterion_edit", s.criterion.pk),
    "criterion_history": lambda s: _url("assessments:criterion_history", s.criterion.pk),
    "transfer_list": lambda s: _url("transfers:list"),
    "transfer_detail": lambda s: _url("transfers:detail", s.transfer.pk),
    "transfer_edit": lambda s: _url("transfers:edit", s.transfer.pk),
    "transfer_status": lambda s: _url("transfers:status", s.transfer.pk),
    "transfer_history": lambda s: _url("transfers:history", s.transfer.pk),
    "transfer_check_create": lambda s: _url("transfers:check_create", s.transfer.pk),
    "transfer_create": lambda s: _url("transfers:create"),
    "disclosure": lambda s: _url("transfers:disclosure", s.transfer.pk),
    "check_history": lambda s: _url("transfers:check_history", s.check.pk),
    "consent_transfer_detail": lambda s: _url("transfers:detail", s.consent_transfer.pk),
    "consent_record_create": lambda s: _url("transfers:consent_create", s.consent_transfer.pk),
    "consent_record_history": lambda s: _url("transfers:consent_history", s.consent_record.pk),
    "country_list": lambda s: _url("transfers:country_list"),
    "country_detail": lambda s: _url("transfers:country_detail", s.country.pk),
    "country_edit": lambda s: _url("transfers:country_edit", s.country.pk),
    "country_history": lambda s: _url("transfers:country_history", s.country.pk),
    "joint_use_list": lambda s: _url("transfers:joint_use_list"),
    "joint_use_detail": lambda s: _url("transfers:joint_use_detail", s.joint_use.pk),
    "joint_use_edit": lambda s: _url("transfers:joint_use_edit", s.joint_use.pk),
    "joint_use_history": lambda s: _url("transfers:joint_use_history", s.joint_use.pk),
    "joint_user_detail": lambda s: _url("vendors:detail", s.joint_user.pk),
    "record_list": lambda s: _url("transfers:record_list"),
    "record_detail": lambda s: _url("transfers:record_detail", s.record.pk),
    "record_history": lambda s: _url("transfers:record_history", s.record.pk),
    "record_create": lambda s: _url("transfers:record_create"),
}
# Pages seen by the procurement user (their own panels and notifications); the others by a superuser.
PROCUREMENT_PAGES = {"dashboard_procurement", "notifications"}
PAGES["notifications"] = lambda s: _url("notifications")

REGISTERS = {
    "xlsx_vendors": lambda s: _url("vendors:export"),
    "xlsx_contracts": lambda s: _url("contracts:export"),
    "xlsx_assessments": lambda s: _url("assessments:export"),
    "xlsx_findings": lambda s: _url("assessments:finding_export"),
    "xlsx_transfers": lambda s: _url("transfers:export"),
    "xlsx_joint_use": lambda s: _url("transfers:joint_use_export"),
    "xlsx_records": lambda s: _url("transfers:record_export"),
    "xlsx_categories": lambda s: _url("vendors:datacategory_export"),
    "xlsx_purposes": lambda s: _url("vendors:purpose_export"),
    "xlsx_clauses": lambda s: _url("contracts:clause_export"),
    "xlsx_countries": lambda s: _url("transfers:country_export"),
    "xlsx_audit": lambda s: _url("audit_export"),
    "xlsx_questionnaire": lambda s: _url("assessments:questionnaire_download", s.assessment.pk),
}


def reminders_about(s: Scene) -> dict[str, Reminder]:
    """One reminder of every kind, about the scene's objects, as the reminder sources build them."""
    today = timezone.localdate()
    vendor, contract, approved = s.vendor, s.contract, s.approved
    finding, transfer, check = s.finding, s.transfer, s.check
    days_left = (contract.decision_on - today).days
    # email -> (template, what it is about, its deadline, its context)
    emails = {
        "email_contract_notice": (
            "contracts/email/notice",
            contract,
            contract.decision_on,
            {"contract": contract, "vendor": vendor, "days_left": days_left, "days_overdue": 0},
        ),
        "email_contract_expired": (
            "contracts/email/expired",
            contract,
            contract.ends_on,
            {"contract": contract, "vendor": vendor, "days_since": 1},
        ),
        "email_assessment_expiry": (
            "assessments/email/expiry",
            approved,
            approved.valid_until,
            {"assessment": approved, "vendor": vendor, "days_left": 20},
        ),
        "email_assessment_expired": (
            "assessments/email/expired",
            approved,
            approved.valid_until,
            {"assessment": approved, "vendor": vendor, "days_since": 1},
        ),
        "email_finding": (
            "assessments/email/finding",
            finding,
            finding.due_on,
            {"finding": finding, "vendor": vendor, "days_overdue": 5},
        ),
        "email_transfer_check": (
            "transfers/email/check",
            transfer,
            today,
            {"transfer": transfer, "vendor": vendor, "days_left": 0},
        ),
        "email_transfer_correction": (
            "transfers/email/correction",
            check,
            check.correction_due_on,
            {"check": check, "transfer": transfer, "vendor": vendor},
        ),
        "email_transfer_suspended": (
            "transfers/email/suspended",
            check,
            check.checked_on,
            {"check": check, "transfer": transfer, "vendor": vendor},
        ),
        "email_country": (
            "transfers/email/country",
            s.country,
            today,
            {"country": s.country, "stale_on": today},
        ),
    }
    return {
        name: Reminder(
            kind=f"security-{template}",
            subject=subject,
            deadline=deadline,
            threshold=0,
            recipients=(s.procurement, s.compliance),
            template=template,
            context=context,
        )
        for name, (template, subject, deadline, context) in emails.items()
    }


@dataclass
class Rendered:
    """What one page, email or register shows: HTML to scan, or the text of every cell."""

    html: dict[str, str] = field(default_factory=dict)  # page or email name -> HTML
    text: dict[str, str] = field(default_factory=dict)  # plain-text email parts (subject and body)
    cells: dict[str, list] = field(default_factory=dict)  # register name -> every non-empty cell
    problems: list[str] = field(default_factory=list)


def render_everything(s: Scene, rendered: Rendered) -> None:
    superuser, procurement = Client(), Client()
    superuser.force_login(s.superuser)
    procurement.force_login(s.procurement)

    # Reminders: a separate email to compliance, the digest to procurement (listed on its notifications).
    s.procurement.profile.daily_digest = True
    s.procurement.profile.save()
    reminders = reminders_about(s)
    for name, reminder in reminders.items():
        email = _render(reminder.template, s.compliance, _reminder_context(reminder))
        rendered.html[name] = email.html
        rendered.text[name] = f"{email.subject}\n{email.text}"
        _deliver_one(reminder, s.procurement)  # queued for the digest, with the subject as its message
    logs = list(ReminderLog.objects.filter(recipient=s.procurement).order_by("deadline", "pk"))
    digest = _render(DIGEST_TEMPLATE, s.procurement, {"reminders": logs, "site_url": "https://x.example"})
    rendered.html["email_digest"] = digest.html
    rendered.text["email_digest"] = f"{digest.subject}\n{digest.text}"

    for name, url in PAGES.items():
        client = procurement if name in PROCUREMENT_PAGES else superuser
        response = client.get(url(s))
        if response.status_code != 200:
            rendered.problems.append(f"{name}: HTTP {response.status_code}")
            continue
        rendered.html[name] = response.content.decode()
    # The audit trail is paged: every page of it.
    page = 2
    while f"page={page}" in rendered.html.get("audit", ""):
        response = superuser.get(_url("audit"), {"page": page})
        if response.status_code != 200:
            rendered.problems.append(f"audit page {page}: HTTP {response.status_code}")
            break
        rendered.html["audit"] += response.content.decode()
        page += 1

    for name, url in REGISTERS.items():
        response = superuser.get(url(s))
        if response.status_code != 200:
            rendered.problems.append(f"{name}: HTTP {response.status_code}")
            continue
        workbook = load_workbook(
            io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
        )
        rendered.cells[name] = [
            cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value
        ]


# --- the checks --------------------------------------------------------------------------------------------

PAIRS = sum(len(pages) for pages in SHOWN_ON.values())


def shown_failures(payload: Payload, rendered: Rendered) -> list[str]:
    """Every (field, page) pair of SHOWN_ON where the page does not show the field's payload as text."""
    failures = []
    for name, pages in SHOWN_ON.items():
        tag = TAGS[name]
        for page in pages:
            if page.startswith("xlsx_"):
                shown = any(payload.text(tag) in str(cell.value) for cell in rendered.cells.get(page, ()))
            elif page.startswith("text_"):
                shown = payload.text(tag) in rendered.text.get(page.removeprefix("text_"), "")
            else:
                shown = payload.escaped(tag) in rendered.html.get(page, "")
            if not shown:
                failures.append(f"{name} is not shown as text on {page}")
    return failures


def live_failures(payload: Payload, rendered: Rendered) -> list[str]:
    """Any field's payload live (markup, script URL, evaluated template) on any page, email or register."""
    failures = []
    for page, html in rendered.html.items():
        for name, tag in TAGS.items():
            live = payload.live(tag)
            if live and live in html:
                failures.append(f"{name} is live on {page}: {live!r}")
        if LIVE_SCRIPT_URL.search(html):
            failures.append(f"{page} has a javascript: URL")
    if payload.name.startswith("template"):
        for email, text in rendered.text.items():
            failures += [
                f"{name} was evaluated in {email}" for name, tag in TAGS.items() if f"{tag}49" in text
            ]
    for register, cells in rendered.cells.items():
        for cell in cells:
            if cell.data_type == "f":
                failures.append(f"{register}!{cell.coordinate} is a formula: {cell.value!r}")
            elif (
                isinstance(cell.value, str)
                and cell.value.startswith(FORMULA_TRIGGERS)
                and not cell.quotePrefix
            ):
                failures.append(f"{register}!{cell.coordinate} would run as a formula: {cell.value!r}")
    return failures


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda payload: payload.name)
def test_every_free_text_field_is_shown_escaped_and_inert_everywhere_it_appears(payload):
    scene = build_scene(payload)
    rendered = Rendered()
    render_everything(scene, rendered)

    failures = rendered.problems + shown_failures(payload, rendered) + live_failures(payload, rendered)

    assert not failures, "\n".join(failures)
    assert PAIRS == 512  # (field, page) pairs checked for this payload


def test_a_javascript_website_is_refused_by_the_form_the_service_and_the_import(client_as, procurement_user):
    vendor = Vendor(name="Script K.K.", country="US", website="javascript:alert(1)", owner=procurement_user)
    with pytest.raises(ValidationError) as error:
        vendor_services.vendor_save(vendor=vendor, user=procurement_user)
    assert "website" in error.value.message_dict

    response = client_as("procurement").post(
        reverse("vendors:create"),
        {"name": "Script K.K.", "country": "US", "kind": "contractor", "website": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["website"] == ["Enter a valid URL."]

    workbook = load_workbook(io.BytesIO(import_template_workbook()))
    sheet = workbook["Vendors"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(2, headers["Name* / 名称*"], "Script K.K.")
    sheet.cell(2, headers["Country / 国"], "US")
    sheet.cell(2, headers["Website / ウェブサイト"], "javascript:alert(1)")
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "vendors.xlsx"
    with pytest.raises(ValidationError) as error:
        vendor_import(file=buffer, user=procurement_user)
    assert any("Website" in message and "valid URL" in message for message in error.value.messages)

    assert not Vendor.objects.exists()


def test_the_audit_trail_and_its_export_show_joint_use_versions(client_as, compliance_user):
    """Joint-use arrangements have a field named `previous`: the trail's own annotations must not clash."""
    arrangement = transfer_services.joint_use_save(
        arrangement=JointUseArrangement(
            title="Group joint use",
            data_items="Name.",
            scope_description="Subsidiaries.",
            purposes="Support.",
            responsible_party_name="Example Holdings K.K.",
            responsible_party_address="Tokyo",
            responsible_party_representative="Taro Yamada",
        ),
        user=compliance_user,
    )
    client = client_as("compliance")

    page = client.get(reverse("audit"), {"model": "transfers.jointusearrangement"})
    export = client.get(reverse("audit_export"))

    assert page.status_code == 200
    assert arrangement.get_absolute_url() in page.content.decode()
    assert export.status_code == 200
