"""Hostile uploads are refused with a clear message and leave nothing behind; downloads are attachments.

Every upload is sent through its page as the role that may use it: contract and consent documents, the
basis document and consent evidence of foreign transfers, assessment evidence, the questionnaire workbook
and the vendor import workbook. Every file URL and Excel export answers only the roles allowed, always as a
download (`Content-Disposition: attachment`) the browser must not sniff (`X-Content-Type-Options: nosniff`).
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from assessments.excel import questionnaire_workbook
from assessments.models import Answer
from assessments.services import assessment_create
from contracts.models import ProtectionContract, ReentrustmentConsent
from core.models import RegisterExport
from core.roles import ALL_ROLES, COMPLIANCE, PROCUREMENT, VIEWER
from transfers.models import ConsentRecord, ForeignTransfer
from vendors.importing import import_template_workbook
from vendors.models import Vendor

from ..factories import (
    PDF_BYTES,
    ConsentRecordFactory,
    ConsentTransferFactory,
    CountryFactory,
    ForeignVendorFactory,
    PeriodicCheckFactory,
    ReentrustmentConsentFactory,
    SubcontractorFactory,
    SystemTransferFactory,
    VendorFactory,
    active_contract_for,
    answered_assessment,
    pdf_file,
    required_clauses,
)

pytestmark = pytest.mark.django_db

LOGIN_PATH = reverse("login")
DOCUMENT_TYPE = "Only PDF or Word (.docx) documents are accepted; by its content, this file is neither."
EVIDENCE_TYPE = "Evidence must be a PDF, Word (.docx), PNG or JPEG file; by its content, this is none."
NOT_A_WORKBOOK = "This file is not an Excel workbook (.xlsx): upload the workbook you downloaded, filled in."
OLD_WORKBOOK = "This file is an old-format Excel workbook (.xls) or is protected with a password"
MACROS = "Macro-enabled workbooks (.xlsm) are not accepted: save it as an Excel workbook (.xlsx)."
ZIP_BOMB = "This workbook would take too much space once unpacked"
NOT_XLSX_NAME = "Only Excel workbooks (.xlsx) are accepted"
TOO_LARGE = "may be at most 1.0\xa0KB"
TOO_LONG_NAME = "Ensure this filename has at most 100 characters"
EMPTY_FILE = "The submitted file is empty."


# --- hostile files -----------------------------------------------------------------------------------------


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None):
    """The same zip with members replaced or added."""
    replace = replace or {}
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: replace.get(name, source.read(name)) for name in source.namelist()}
    return zip_bytes({**members, **(add or {})})


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PLAIN_ZIP = zip_bytes({"readme.txt": b"not an office document"})


def xlsx_bytes() -> bytes:
    """A real workbook that is not a Word document (nor, by its sheets, a questionnaire)."""
    return import_template_workbook()


def zip_bomb() -> bytes:
    """A workbook-shaped zip whose one sheet unpacks to a thousand times its packed size."""
    return zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (4 * 1024 * 1024),
        }
    )


def damaged_part(data: bytes, name: str) -> bytes:
    """The zip with one byte of a part's packed data changed: its deflate stream no longer decodes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = archive.getinfo(name)
    start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)
    damaged = bytearray(data)
    damaged[start] ^= 0x02
    return bytes(damaged)


def padded_pdf(size: int) -> bytes:
    return PDF_BYTES + b"%" * (size - len(PDF_BYTES))


# (name, file name, content) -> the message the page must show
WRONG_DOCUMENTS = {
    "html-renamed-pdf": ("signed.pdf", HTML),
    "exe-renamed-pdf": ("signed.pdf", EXE),
    "zip-renamed-docx": ("signed.docx", PLAIN_ZIP),
    "xlsx-renamed-docx": ("signed.docx", None),  # filled in below: a real workbook is no Word document
    "png-renamed-pdf": ("signed.pdf", PNG),
    "empty-pdf": ("signed.pdf", b""),
}

# (file name, content factory) -> message, for both workbook uploads. Content factories take the valid
# workbook of the upload (the questionnaire of that assessment, or the filled-in import template).
WRONG_WORKBOOKS: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "html-renamed-xlsx": ("answers.xlsx", lambda valid: HTML, NOT_A_WORKBOOK),
    "exe-renamed-xlsx": ("answers.xlsx", lambda valid: EXE, NOT_A_WORKBOOK),
    "pdf-renamed-xlsx": ("answers.xlsx", lambda valid: PDF_BYTES, NOT_A_WORKBOOK),
    "zip-renamed-xlsx": ("answers.xlsx", lambda valid: PLAIN_ZIP, NOT_A_WORKBOOK),
    "xls-renamed-xlsx": ("answers.xlsx", lambda valid: OLE, OLD_WORKBOOK),
    "truncated-xlsx": ("answers.xlsx", lambda valid: valid[: len(valid) // 2], NOT_A_WORKBOOK),
    "damaged-content-types-xlsx": (
        "answers.xlsx",
        lambda valid: damaged_part(valid, "[Content_Types].xml"),
        NOT_A_WORKBOOK,
    ),
    "zip-bomb-xlsx": ("answers.xlsx", lambda valid: zip_bomb(), ZIP_BOMB),
    "vba-project-in-xlsx": (
        "answers.xlsx",
        lambda valid: rezip(valid, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60}),
        MACROS,
    ),
    "macro-content-type-in-xlsx": (
        "answers.xlsx",
        lambda valid: rezip(
            valid,
            replace={
                "[Content_Types].xml": zipfile.ZipFile(io.BytesIO(valid))
                .read("[Content_Types].xml")
                .replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            },
        ),
        MACROS,
    ),
    "xlsm-name": ("answers.xlsm", lambda valid: valid, MACROS),
    "csv-name": ("answers.csv", lambda valid: valid, NOT_XLSX_NAME),
    "exe-name": ("answers.xlsx.exe", lambda valid: valid, NOT_XLSX_NAME),
}

HOSTILE_NAMES = {
    "parent-traversal": "../../etc/passwd.pdf",
    "absolute-path": "/etc/passwd.pdf",
    "windows-path": "..\\..\\Windows\\System32\\evil.pdf",
    "nul-byte": "evil\x00.pdf",
    "markup": '"><img src=x onerror=alert(1)>.pdf',
}
LONG_NAME = "a" * 240 + ".pdf"


def files_on_disk() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def page_errors(response) -> list[str]:
    """Every error message the re-shown page carries: form and formset errors, import problems."""
    context = response.context
    messages = []
    form = context.get("form")
    if form is not None and hasattr(form, "errors"):
        if isinstance(form.errors, list):  # a formset passed as the view's form
            messages += [m for errors in form.errors for field in errors.values() for m in field]
            messages += list(form.non_form_errors())
        else:
            messages += [m for errors in form.errors.values() for m in errors]
    formset = context.get("formset")
    if formset is not None and formset is not form:
        messages += [m for errors in formset.errors for field in errors.values() for m in field]
    messages += [str(problem) for problem in context.get("problems") or ()]
    return messages


# --- the uploads -------------------------------------------------------------------------------------------


@dataclass
class Target:
    """One upload: who sends it where, with which form data; `state()` is what must not change."""

    role: str
    url: str
    data: dict
    field: str
    state: Callable[[], object]


def create_page_target(role: str, url: str, data: dict, model, field: str) -> Target:
    """An upload on the page that creates a `model` row: the (pk, file) of every row must stay as it was."""
    return Target(role, url, data, field, lambda: list(model.objects.values_list("pk", field)))


def contract_target(users) -> Target:
    vendor = VendorFactory()
    data = {
        "vendor": vendor.pk,
        "kind": "entrustment",
        "title": "Upload check",
        "reference": "PC-UPLOAD-1",
        "signed_on": "2026-03-15",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "renewal_months": "12",
        "notice_days": "60",
        "clauses": [c.pk for c in required_clauses("entrustment")],
    }
    return create_page_target(
        "procurement", reverse("contracts:create"), data, ProtectionContract, "document"
    )


def consent_target(users) -> Target:
    subcontractor = SubcontractorFactory()
    data = {
        "parent": subcontractor.parent_id,
        "subcontractor": subcontractor.pk,
        "scope_of_work": "Printing of customer notices.",
        "consented_on": "2026-04-01",
        "consented_by": users["procurement"].pk,
    }
    return create_page_target(
        "procurement", reverse("contracts:consent_create"), data, ReentrustmentConsent, "document"
    )


def basis_document_target(users) -> Target:
    data = {
        "vendor": ForeignVendorFactory().pk,
        "country": CountryFactory().pk,
        "relationship": "entrustment",
        "route": ForeignTransfer.Route.STANDARD_CONFORMING_SYSTEM,
        "basis": "contract",
        "description": "Hosting.",
    }
    return create_page_target(
        "compliance", reverse("transfers:create"), data, ForeignTransfer, "basis_document"
    )


def consent_evidence_target(users) -> Target:
    transfer = ConsentTransferFactory()
    today = timezone.localdate()
    data = {
        "information_given_on": today.isoformat(),
        "obtained_on": today.isoformat(),
        "country_name_given": "Testland",
        "recipient_measures": "Every OECD principle.",
        "how_given": "On the form.",
        "whose_consent": "Applicants via the recruitment form.",
        "method": "Check box",
    }
    url = reverse("transfers:consent_create", args=[transfer.pk])
    return create_page_target("compliance", url, data, ConsentRecord, "evidence")


def evidence_target(users) -> Target:
    """The answers page: the first answer set to "yes" with the uploaded evidence, the rest as they are."""
    assessment = assessment_create(vendor=VendorFactory(), user=users["procurement"])
    url = reverse("assessments:answers", args=[assessment.pk])
    page = client_for(users["procurement"]).get(url)
    formset = page.context["formset"]
    data = {f"{formset.prefix}-{name}": value for name, value in formset.management_form.initial.items()}
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            if name != "evidence" and value is not None:
                data[form.add_prefix(name)] = value
    if "version" in page.context:
        data["version"] = page.context["version"]
    first = formset.forms[0]
    data[first.add_prefix("response")] = Answer.Response.YES
    return Target(
        "procurement",
        url,
        data,
        first.add_prefix("evidence"),
        lambda: list(assessment.answers.order_by("pk").values_list("pk", "response", "comment", "evidence")),
    )


DOCUMENT_TARGETS = {
    "contract-document": contract_target,
    "consent-document": consent_target,
    "transfer-basis-document": basis_document_target,
    "consent-record-evidence": consent_evidence_target,
    "assessment-evidence": evidence_target,
}
EVIDENCE_TARGETS = {"assessment-evidence"}
SIZE_SETTING = dict.fromkeys(DOCUMENT_TARGETS, "MAX_DOCUMENT_BYTES") | {
    "assessment-evidence": "MAX_UPLOAD_BYTES"
}


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post_upload(users, target: Target, file) -> object:
    return client_for(users[target.role]).post(target.url, {**target.data, target.field: file})


@pytest.mark.parametrize(
    ("upload", "wrong"),
    [
        (upload, wrong)
        for upload in DOCUMENT_TARGETS
        for wrong in WRONG_DOCUMENTS
        # PNG is evidence by content (a screenshot); only the documents refuse it
        if not (upload in EVIDENCE_TARGETS and wrong == "png-renamed-pdf")
    ],
)
def test_a_document_with_the_wrong_content_is_refused_and_nothing_is_saved(users, upload, wrong):
    target = DOCUMENT_TARGETS[upload](users)
    name, content = WRONG_DOCUMENTS[wrong]
    content = xlsx_bytes() if content is None else content
    before = target.state()

    response = post_upload(users, target, SimpleUploadedFile(name, content, content_type="application/pdf"))

    assert response.status_code == 200
    # An empty file is refused by the form field itself, before its content is judged.
    expected = EMPTY_FILE if not content else EVIDENCE_TYPE if upload in EVIDENCE_TARGETS else DOCUMENT_TYPE
    errors = page_errors(response)
    assert expected in errors, errors
    assert escape(expected) in response.content.decode()
    assert target.state() == before
    assert files_on_disk() == []


@pytest.mark.parametrize("upload", DOCUMENT_TARGETS, ids=str)
def test_a_document_over_the_size_limit_is_refused_and_nothing_is_saved(users, upload, settings):
    target = DOCUMENT_TARGETS[upload](users)
    setattr(settings, SIZE_SETTING[upload], 1024)
    before = target.state()

    response = post_upload(users, target, SimpleUploadedFile("signed.pdf", padded_pdf(2048)))

    assert response.status_code == 200
    assert any(TOO_LARGE in message for message in page_errors(response))
    assert target.state() == before
    assert files_on_disk() == []


@pytest.mark.parametrize("upload", DOCUMENT_TARGETS, ids=str)
def test_a_document_with_a_very_long_name_is_refused_and_nothing_is_saved(users, upload):
    target = DOCUMENT_TARGETS[upload](users)
    before = target.state()

    response = post_upload(users, target, SimpleUploadedFile(LONG_NAME, PDF_BYTES))

    assert response.status_code == 200
    assert any(TOO_LONG_NAME in message for message in page_errors(response))
    assert target.state() == before
    assert files_on_disk() == []


@pytest.mark.parametrize("hostile", HOSTILE_NAMES, ids=str)
@pytest.mark.parametrize("upload", DOCUMENT_TARGETS, ids=str)
def test_a_hostile_file_name_is_stored_as_a_plain_name_inside_the_upload_folder(users, upload, hostile):
    target = DOCUMENT_TARGETS[upload](users)
    before = target.state()

    response = post_upload(users, target, SimpleUploadedFile(HOSTILE_NAMES[hostile], PDF_BYTES))

    assert response.status_code == 302, page_errors(response)
    stored = files_on_disk()
    assert len(stored) == 1
    root = Path(settings.MEDIA_ROOT).resolve()
    path = stored[0].resolve()
    assert path.is_relative_to(root)
    assert path.parent.parent.parent.parent == root  # <folder>/<year>/<month>/<name>
    assert path.read_bytes() == PDF_BYTES
    name = path.name
    assert name.endswith(".pdf")
    assert not any(part in name for part in ("/", "\\", "\x00", "..", "<", ">", '"'))
    changed = [row for row in target.state() if row not in before]
    assert len(changed) == 1
    assert changed[0][-1].endswith(name)  # the row names exactly the file that was stored


# --- the workbook uploads ----------------------------------------------------------------------------------


@dataclass
class WorkbookTarget:
    url: str
    valid: bytes
    extra: dict
    state: Callable[[], object]


def filled_questionnaire(assessment) -> bytes:
    """The assessment's questionnaire with every question answered "Yes", as a vendor returns it."""
    workbook = load_workbook(io.BytesIO(questionnaire_workbook(assessment)))
    sheet = workbook["Questionnaire"]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value:
            sheet.cell(row, 8, "Yes")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def questionnaire_target(users) -> WorkbookTarget:
    assessment = answered_assessment(preparer=users["procurement"], default="")
    return WorkbookTarget(
        reverse("assessments:questionnaire_upload", args=[assessment.pk]),
        filled_questionnaire(assessment),
        {},
        lambda: (
            list(assessment.answers.order_by("pk").values_list("pk", "response", "comment")),
            Answer.history.count(),
        ),
    )


def vendor_import_target(users) -> WorkbookTarget:
    workbook = load_workbook(io.BytesIO(import_template_workbook()))
    sheet = workbook["Vendors"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(2, headers["Name* / 名称*"], "Upload Check Inc.")
    sheet.cell(2, headers["Country / 国"], "US")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return WorkbookTarget(
        reverse("vendors:import"),
        buffer.getvalue(),
        {"dry_run": ""},
        lambda: (Vendor.objects.count(), Vendor.history.count()),
    )


WORKBOOK_TARGETS = {"questionnaire": questionnaire_target, "vendor-import": vendor_import_target}


@pytest.mark.parametrize("wrong", WRONG_WORKBOOKS, ids=str)
@pytest.mark.parametrize("upload", WORKBOOK_TARGETS, ids=str)
def test_a_hostile_workbook_is_refused_with_a_clear_message_and_nothing_is_saved(users, upload, wrong):
    target = WORKBOOK_TARGETS[upload](users)
    name, make, message = WRONG_WORKBOOKS[wrong]
    before = target.state()

    response = client_for(users["procurement"]).post(
        target.url, {**target.extra, "file": SimpleUploadedFile(name, make(target.valid))}
    )

    assert response.status_code == 200
    errors = page_errors(response)
    assert any(message in error for error in errors), errors
    assert target.state() == before
    assert files_on_disk() == []


@pytest.mark.parametrize("upload", WORKBOOK_TARGETS, ids=str)
def test_a_workbook_over_the_size_limit_is_refused_and_nothing_is_saved(users, upload, settings):
    target = WORKBOOK_TARGETS[upload](users)
    settings.MAX_WORKBOOK_BYTES = 1024
    before = target.state()

    response = client_for(users["procurement"]).post(
        target.url, {**target.extra, "file": SimpleUploadedFile("answers.xlsx", target.valid)}
    )

    assert response.status_code == 200
    assert any(TOO_LARGE in error for error in page_errors(response))
    assert target.state() == before
    assert files_on_disk() == []


@pytest.mark.parametrize("hostile", [*HOSTILE_NAMES, "long"], ids=str)
@pytest.mark.parametrize("upload", WORKBOOK_TARGETS, ids=str)
def test_a_valid_workbook_under_a_hostile_name_is_read_and_never_stored(users, upload, hostile):
    target = WORKBOOK_TARGETS[upload](users)
    name = (HOSTILE_NAMES.get(hostile) or LONG_NAME).removesuffix(".pdf") + ".xlsx"
    before = target.state()

    response = client_for(users["procurement"]).post(
        target.url, {**target.extra, "file": SimpleUploadedFile(name, target.valid)}, follow=True
    )

    assert response.status_code == 200
    assert page_errors(response) == []
    assert target.state() != before  # read and saved (the import redirects to the list, with a message)
    assert "<img src=x" not in response.content.decode()
    assert files_on_disk() == []


# --- downloads ---------------------------------------------------------------------------------------------

ROLE_NAMES = ("anonymous", "roleless", "viewer", "procurement", "compliance", "superuser")
ANY_ROLE = frozenset({*ALL_ROLES, "superuser"})


@pytest.fixture
def everyone(users, roleless_user):
    return {**users, "roleless": roleless_user}


@pytest.fixture
def stored_files(users):
    """One stored file behind every protected file URL."""
    contract = active_contract_for(VendorFactory())
    consent = ReentrustmentConsentFactory(document=pdf_file("consent.pdf"))
    transfer = SystemTransferFactory()
    record = ConsentRecordFactory()
    assessment = answered_assessment(preparer=users["procurement"])
    answer = assessment.answers.exclude(evidence="").first()
    return {
        "contracts:document": contract,
        "contracts:consent_document": consent,
        "transfers:basis_document": transfer,
        "transfers:consent_evidence": record,
        "assessments:evidence": answer,
    }


def assert_download(response, role):
    assert response.status_code == 200, role
    assert response["Content-Disposition"].startswith("attachment"), role
    assert response["X-Content-Type-Options"] == "nosniff", role
    assert not response["Content-Type"].startswith("text/html"), role


def assert_refused(response, role):
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(LOGIN_PATH)
    else:
        assert response.status_code == 403, role


@pytest.mark.parametrize(
    "url_name",
    [
        "contracts:document",
        "contracts:consent_document",
        "transfers:basis_document",
        "transfers:consent_evidence",
        "assessments:evidence",
    ],
)
def test_every_stored_file_is_a_nosniff_attachment_for_every_role_and_nobody_else(
    everyone, stored_files, url_name
):
    url = reverse(url_name, args=[stored_files[url_name].pk])
    for role in ROLE_NAMES:
        response = client_for(everyone[role]).get(url)
        if role in ANY_ROLE:
            assert_download(response, role)
            name = response["Content-Disposition"].split("filename=", 1)[1]
            assert "/" not in name and "\\" not in name
            assert b"".join(response.streaming_content) == PDF_BYTES, role  # the stored file, whole
        else:
            assert_refused(response, role)


def test_a_stored_name_pointing_outside_the_media_folder_is_never_served(users, stored_files, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF_BYTES)
    contract = stored_files["contracts:document"]
    ProtectionContract.objects.filter(pk=contract.pk).update(document="../secret.pdf")

    response = client_for(users["viewer"]).get(reverse("contracts:document", args=[contract.pk]))

    assert response.status_code in (400, 404)


EVERYONE = ANY_ROLE
EXPORTS: dict[str, frozenset] = {
    "vendors:export": EVERYONE,
    "contracts:export": EVERYONE,
    "assessments:export": EVERYONE,
    "assessments:review_export": EVERYONE,
    "assessments:finding_export": EVERYONE,
    "assessments:standard_export": EVERYONE,
    "transfers:export": EVERYONE,
    "transfers:joint_use_export": EVERYONE,
    "transfers:record_export": EVERYONE,
    "vendors:datacategory_export": EVERYONE,
    "vendors:purpose_export": EVERYONE,
    "contracts:clause_export": EVERYONE,
    "transfers:country_export": EVERYONE,
    "audit_export": frozenset({COMPLIANCE, VIEWER, "superuser"}),
    "vendors:import_template": frozenset({PROCUREMENT, "superuser"}),
}


@pytest.mark.parametrize("url_name", EXPORTS)
def test_every_excel_export_is_a_nosniff_attachment_for_the_roles_allowed_only(everyone, url_name):
    url = reverse(url_name)
    for role in ROLE_NAMES:
        response = client_for(everyone[role]).get(url)
        if role in EXPORTS[url_name]:
            assert_download(response, role)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            load_workbook(io.BytesIO(content))  # a real workbook
        else:
            assert_refused(response, role)


def test_the_questionnaire_download_is_a_nosniff_attachment_for_every_role(everyone, users):
    assessment = answered_assessment(preparer=users["procurement"])
    url = reverse("assessments:questionnaire_download", args=[assessment.pk])
    for role in ROLE_NAMES:
        response = client_for(everyone[role]).get(url)
        if role in ANY_ROLE:
            assert_download(response, role)
        else:
            assert_refused(response, role)


def test_the_disclosure_text_download_is_a_nosniff_attachment_for_every_role(everyone):
    transfer = PeriodicCheckFactory(implementation_status="<script>alert(1)</script>").transfer
    url = reverse("transfers:disclosure", args=[transfer.pk]) + "?download=1"
    for role in ROLE_NAMES:
        response = client_for(everyone[role]).get(url)
        if role in ANY_ROLE:
            assert_download(response, role)
            assert response["Content-Type"].startswith("text/plain")
        else:
            assert_refused(response, role)


def test_a_background_export_is_downloaded_only_by_whoever_asked_for_it(everyone, users):
    export = RegisterExport.objects.create(
        user=users["viewer"],
        register_name="vendors",
        path=reverse("vendors:export"),
        language="en",
        status=RegisterExport.Status.DONE,
        filename="vendors-2026-01-01.xlsx",
    )
    export.file.save("vendors.xlsx", ContentFile(xlsx_bytes()))
    url = reverse("export_download", args=[export.pk])
    for role in ROLE_NAMES:
        response = client_for(everyone[role]).get(url)
        if role in ("viewer", "superuser"):
            assert_download(response, role)
            b"".join(response.streaming_content)
        elif role in ("anonymous", "roleless"):
            assert_refused(response, role)
        else:
            assert response.status_code == 404, role  # another user's export does not exist for them
