"""In a real browser, as people use it: procurement onboards a contractor and its subcontractor, compliance
approves them, a viewer finds every step, with who took it, in the History tab and the audit trail.

Each person signs in through the login form in a browser of their own. Nothing is set up behind the UI
but the three users: vendors, contacts, contracts (with their signed PDFs), the re-entrustment consent
and both assessments (questionnaire downloaded, filled in with openpyxl, uploaded, evidence attached)
are made with the pages, labels and buttons a person sees. A screenshot is taken after each step.
"""

import re
from datetime import timedelta
from itertools import groupby

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from contracts.models import ContractKind
from core.roles import COMPLIANCE, PROCUREMENT, VIEWER

from ..factories import PDF_BYTES, UserFactory, required_clauses, valid_corporate_number

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under REQUIRE_SERVICES=1) with the reason
    expect = None

# A journey takes about a minute (54-70 s on the busy 2-core machine), so it runs once per CI run: in the
# PostgreSQL pass (the production database, where REQUIRE_SERVICES=1 makes a missing Chromium fail).
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="browser journeys run on PostgreSQL only: set DATABASE_URL=postgres://… to run them",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct-horse-battery-42"
CONTRACTOR = "Sakura Mailing Services K.K."
SUBCONTRACTOR = "Kaede Print Works K.K."
VENDORS = (CONTRACTOR, SUBCONTRACTOR)
REFERENCES = ("EC-2025-001", "EC-2025-002")


def expect_message(page, text: str) -> None:
    page.get_by_role("alert").filter(has_text=text).wait_for()


def expect_rows(page, *texts: str, record: str | None = None, count: int = 1) -> None:
    """`count` table rows contain every text (and, with `record`, link to the record named so)."""
    rows = page.get_by_role("row")
    if record is not None:
        rows = rows.filter(has=page.get_by_role("link", name=record, exact=True))
    for text in texts:
        rows = rows.filter(has_text=text)
    expect(rows).to_have_count(count)


def open_vendor(page, name: str) -> None:
    page.locator("#mainnav").get_by_role("link", name="Vendors", exact=True).click()
    page.get_by_role("link", name=name, exact=True).first.click()
    page.get_by_role("heading", name=name).wait_for()


def fill_vendor_form(page, *, name, kana, number, address, representative, principals, reason):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Name (kana)").fill(kana)
    page.get_by_label("Country").select_option(label="Japan")
    page.get_by_label("Corporate number").fill(number)
    page.get_by_label("Representative").fill(representative)
    page.get_by_label("Address").fill(address)
    page.get_by_label("Customers and business partners").check()
    page.get_by_label("Responding to inquiries and complaints").check()
    page.get_by_label("Number of principals (estimate)").fill(str(principals))
    page.get_by_label("Reason for the change").fill(reason)
    page.get_by_role("button", name="Save").click()
    expect_message(page, f"Vendor “{name}” created as a draft.")


def add_signed_contract(page, shot, *, vendor: str, reference: str, pdf, permits_reentrustment: bool):
    """From the vendor's page: a new entrustment contract with every required clause and the signed PDF,
    then activated."""
    today = timezone.localdate()
    page.get_by_role("link", name="Add contract").click()
    assert page.get_by_label("Vendor", exact=True).locator("option:checked").inner_text() == vendor
    page.get_by_label("Kind").select_option(label=str(ContractKind.ENTRUSTMENT.label))
    page.get_by_label("Title").fill(f"Entrustment of customer mailings — {vendor}")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Signed on").fill((today - timedelta(days=31)).isoformat())
    page.get_by_label("Starts on").fill((today - timedelta(days=30)).isoformat())
    page.get_by_label("Ends on").fill((today + timedelta(days=365)).isoformat())
    page.get_by_label("Notice period (days)").fill("60")
    if permits_reentrustment:
        page.get_by_label("Permits re-entrustment").check()
    for clause in required_clauses(ContractKind.ENTRUSTMENT):
        page.get_by_label(re.compile(rf"^{re.escape(clause.title_en)} — ")).check()
    page.get_by_label("Signed document").set_input_files(pdf)
    page.get_by_label("Reason for the change").fill("Signed contract received from the vendor.")
    shot(page, f"contract {reference} filled in")
    page.get_by_role("button", name="Save").click()
    expect_message(page, f"Contract “{reference}")
    page.get_by_role("link", name="Activate").click()
    page.get_by_role("button", name="Activate").click()
    expect_message(page, f"Contract {reference} is active.")
    shot(page, f"contract {reference} active")
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=vendor).click()


def prepare_assessment_by_questionnaire(page, shot, *, vendor: str, tmp_path, pdf) -> None:
    """From the vendor's page: prepare an assessment, download the questionnaire, answer every question
    "Yes" in the workbook, upload it, attach the evidence the questionnaire asks for and submit."""
    page.get_by_role("button", name="Prepare assessment").click()
    expect_message(page, "Assessment prepared")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download questionnaire (.xlsx)").click()
    workbook_path = tmp_path / download.value.suggested_filename
    download.value.save_as(workbook_path)
    shot(page, f"assessment of {vendor} prepared, questionnaire downloaded")

    workbook = load_workbook(workbook_path)
    sheet = workbook["Questionnaire"]
    assert [cell.value for cell in sheet[1]][7:9] == ["Answer", "Comment"]
    questions = 0
    for row in sheet.iter_rows(min_row=2):
        if row[0].value:
            row[7].value, row[8].value = "Yes", "In place; evidence attached on the web page."
            questions += 1
    workbook.save(workbook_path)

    page.get_by_role("link", name="Upload answers").click()
    page.get_by_label("Filled-in questionnaire (.xlsx)").set_input_files(workbook_path)
    page.get_by_role("button", name="Upload").click()
    page.get_by_text(f"{questions} new answers, 0 changed, 0 unchanged").wait_for()
    shot(page, f"questionnaire of {vendor} uploaded")
    page.get_by_role("link", name="Back to the assessment").click()
    page.get_by_text(f"{questions} of {questions} answered").wait_for()

    # The workbook carries no files: evidence is attached on the web page, next to each question.
    page.get_by_role("link", name="Answer in the browser").click()
    needing = page.locator(".card").filter(has=page.get_by_text("evidence required", exact=True))
    assert needing.count() > 0
    for index in range(needing.count()):
        needing.nth(index).get_by_label("Evidence", exact=True).set_input_files(pdf)
    shot(page, f"evidence of {vendor} attached")
    page.get_by_role("button", name="Save answers").click()
    expect_message(page, "Answers saved.")
    page.get_by_role("button", name="Submit for review").click()
    expect_message(page, "Submitted for review.")
    shot(page, f"assessment of {vendor} submitted")
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=vendor).click()


def change_vendor_status(page, shot, *, vendor: str, action: str, reason: str, status: str) -> None:
    """On the vendor's page: follow the next step `action`, give the reason, confirm."""
    open_vendor(page, vendor)
    page.get_by_role("link", name=action, exact=True).click()
    assert page.get_by_label("New status").locator("option:checked").inner_text() == action
    page.get_by_label("Reason", exact=True).fill(reason)
    shot(page, f"{vendor} {action}")
    page.get_by_role("button", name="Change status").click()
    expect_message(page, f"“{vendor}” is now {status}.")
    shot(page, f"{vendor} {status}")


def test_procurement_onboards_a_chain_compliance_approves_it_and_a_viewer_sees_who_did_each_step(
    person, screenshot, tmp_path
):
    buyer = UserFactory(
        username="h.sato", first_name="Hanako", last_name="Sato", password=PASSWORD, roles=[PROCUREMENT]
    )
    reviewer = UserFactory(
        username="k.tanaka", first_name="Kenji", last_name="Tanaka", password=PASSWORD, roles=[COMPLIANCE]
    )
    auditor = UserFactory(
        username="y.ito", first_name="Yuki", last_name="Ito", password=PASSWORD, roles=[VIEWER]
    )
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(PDF_BYTES)
    shot = screenshot

    # --- procurement: the contractor, its contact, its subcontractor -----------------------------------
    page = person(buyer, PASSWORD)
    shot(page, "procurement signed in")
    page.locator("#mainnav").get_by_role("link", name="Vendors", exact=True).click()
    page.get_by_role("link", name="New vendor").click()
    fill_vendor_form(
        page,
        name=CONTRACTOR,
        kana="サクラメーリングサービス",
        number=valid_corporate_number(4_010_001_234),
        address="1-2-3 Shiba, Minato-ku, Tokyo",
        representative="Ichiro Suzuki, President",
        principals=800,
        reason="New contractor for customer mailings.",
    )
    shot(page, "contractor created")

    page.get_by_role("link", name="Add contact").click()
    page.get_by_label("Name", exact=True).fill("Aiko Yamamoto")
    page.get_by_label("Email").fill("privacy@sakura-mailing.example.jp")
    page.get_by_label("Phone").fill("03-1234-5678")
    page.get_by_label("Role").fill("Privacy officer")
    page.get_by_label("Primary contact").check()
    page.get_by_role("button", name="Save").click()
    page.locator("#contacts").get_by_text("Aiko Yamamoto").wait_for()
    shot(page, "contact added")

    page.get_by_role("link", name="Add subcontractor").click()
    assert page.get_by_label("Kind").locator("option:checked").inner_text().startswith("Subcontractor")
    assert page.get_by_label("Re-entrusted by").locator("option:checked").inner_text() == CONTRACTOR
    fill_vendor_form(
        page,
        name=SUBCONTRACTOR,
        kana="カエデプリントワークス",
        number=valid_corporate_number(7_011_001_987),
        address="4-5-6 Kamata, Ota-ku, Tokyo",
        representative="Jiro Takahashi, President",
        principals=800,
        reason="Prints the contractor's mailings.",
    )
    page.get_by_text("Re-entrusted through").wait_for()
    shot(page, "subcontractor created")

    # --- the signed contracts and the written consent to re-entrust ------------------------------------
    open_vendor(page, CONTRACTOR)
    add_signed_contract(
        page, shot, vendor=CONTRACTOR, reference=REFERENCES[0], pdf=pdf, permits_reentrustment=True
    )
    open_vendor(page, SUBCONTRACTOR)
    add_signed_contract(
        page, shot, vendor=SUBCONTRACTOR, reference=REFERENCES[1], pdf=pdf, permits_reentrustment=False
    )
    page.get_by_role("link", name="Record consent for this subcontractor").click()
    assert page.get_by_label("Re-entrusting vendor").locator("option:checked").inner_text() == CONTRACTOR
    assert page.get_by_label("Subcontractor").locator("option:checked").inner_text() == SUBCONTRACTOR
    page.get_by_label("Scope of work").fill("Printing and enveloping of customer mailings.")
    page.get_by_label("Customers and business partners").check()
    page.get_by_label("Consented on").fill((timezone.localdate() - timedelta(days=20)).isoformat())
    page.get_by_label("Consent document").set_input_files(pdf)
    page.get_by_role("button", name="Save").click()
    expect_message(page, "Consent recorded.")
    shot(page, "re-entrustment consent recorded")

    # --- due diligence by questionnaire, then both vendors submitted ----------------------------------
    for vendor in VENDORS:
        open_vendor(page, vendor)
        prepare_assessment_by_questionnaire(page, shot, vendor=vendor, tmp_path=tmp_path, pdf=pdf)
    for vendor in VENDORS:
        change_vendor_status(
            page,
            shot,
            vendor=vendor,
            action="Submit for review",
            reason="Contract signed, assessment submitted.",
            status="Under review",
        )

    # --- compliance: the assessments from the review queue, then the contractor before its subcontractor
    page = person(reviewer, PASSWORD)
    for vendor in VENDORS:
        page.locator("#mainnav").get_by_role("link", name="Review queue").click()
        shot(page, f"review queue with {vendor}")
        page.get_by_role("row").filter(has_text=vendor).get_by_role("link", name=vendor).click()
        page.get_by_label("Approve").check()
        page.get_by_label("Note").fill("All criteria met with evidence.")
        page.get_by_role("button", name="Record decision").click()
        expect_message(page, "Decision recorded: Approved.")
        shot(page, f"assessment of {vendor} approved")
    for vendor in VENDORS:
        change_vendor_status(
            page,
            shot,
            vendor=vendor,
            action="Approve",
            reason="Contract, consent and assessment checked.",
            status="Approved",
        )
    page.get_by_text("Nothing: every approval prerequisite is met.").wait_for()

    # --- a viewer: the History tab and the audit trail name who did each step -------------------------
    page = person(auditor, PASSWORD)
    open_vendor(page, CONTRACTOR)
    page.locator(".nav-tabs").get_by_role("link", name="History").click()
    expect_rows(page, "Created", "Hanako Sato", "New contractor for customer mailings.")
    expect_rows(page, "Hanako Sato", "Contract signed, assessment submitted.", "Under review")
    expect_rows(page, "Kenji Tanaka", "Contract, consent and assessment checked.", "Approved")
    shot(page, "viewer sees the contractor's history")

    page.locator("#mainnav").get_by_role("link", name="Audit trail").click()
    shot(page, "viewer opens the audit trail")
    submitted, approved = (
        "Contract signed, assessment submitted.",
        "Contract, consent and assessment checked.",
    )
    # (record type, the record's link text or None, how many rows, what each of them shows)
    audit = [
        ("Vendor", CONTRACTOR, 1, ("Created", "Hanako Sato", "New contractor for customer mailings.")),
        ("Vendor", SUBCONTRACTOR, 1, ("Created", "Hanako Sato", "Prints the contractor's mailings.")),
        *[("Vendor", name, 1, (submitted, "Hanako Sato", "Under review")) for name in VENDORS],
        *[("Vendor", name, 1, (approved, "Kenji Tanaka", "Approved")) for name in VENDORS],
        ("Contact", "Aiko Yamamoto", 1, ("Created", "Hanako Sato", "Privacy officer")),
        *[
            ("Protection contract", ref, 1, ("Created", "Hanako Sato", "Signed contract"))
            for ref in REFERENCES
        ],
        *[("Protection contract", ref, 1, ("Activated: signed on", "Hanako Sato")) for ref in REFERENCES],
        ("Re-entrustment consent", None, 1, ("Created", "Hanako Sato", CONTRACTOR, SUBCONTRACTOR)),
        # An assessment has no name: its rows link to it by number, so two of each (one per vendor).
        ("Assessment", None, 2, ("Created", "Prepared against", "Hanako Sato")),
        ("Assessment", None, 2, ("Submitted for review.", "Hanako Sato", "Pass")),
        ("Assessment", None, 2, ("All criteria met with evidence.", "Kenji Tanaka", "Approved")),
    ]
    for record_type, checks in groupby(audit, key=lambda check: check[0]):
        if not page.get_by_label("Record type").is_visible():
            page.locator("summary", has_text="Filter").click()
        page.get_by_label("Record type").select_option(label=record_type)
        page.get_by_role("button", name="Apply").click()
        for _type, record, count, texts in checks:
            expect_rows(page, *texts, record=record, count=count)
        shot(page, f"audit trail of {record_type}")

    # The answers came from the uploaded workbooks: every imported answer names procurement.
    page.get_by_label("Record type").select_option(label="Answer")
    page.get_by_label("Reason contains").fill("Imported from questionnaire-")
    page.get_by_role("button", name="Apply").click()
    imported = page.get_by_role("row").filter(has_text="Imported from questionnaire-")
    expect(imported.first).to_be_visible()
    expect(imported.filter(has_text="Hanako Sato")).to_have_count(imported.count())
    shot(page, "audit trail of the imported answers")
