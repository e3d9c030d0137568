"""Signed documents: accepted by content (PDF or DOCX) and size, and served only as a download to users."""

import io
import zipfile
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from contracts.models import ContractKind, ProtectionContract

from ..factories import (
    PDF_BYTES,
    ProtectionContractFactory,
    ReentrustmentConsentFactory,
    VendorFactory,
    pdf_file,
    required_clauses,
)

pytestmark = pytest.mark.django_db

TYPE_MESSAGE = "Only PDF or Word (.docx) documents are accepted; by its content, this file is neither."


def docx_bytes() -> bytes:
    """The smallest archive that is a Word document by content: the two parts every .docx has."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/>'
            "</w:document>",
        )
    return buffer.getvalue()


def other_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    return buffer.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
TEXT = b"This is the signed contract, honestly.\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def document_errors(file) -> list[str]:
    """The validation messages the model gives for `file` as a contract's signed document."""
    contract = ProtectionContract(
        vendor=VendorFactory(), title="Document check", reference="PC-DOC", document=file
    )
    try:
        contract.full_clean()
    except ValidationError as error:
        return error.message_dict.get("document", [])
    return []


# --- the validators on the model field ----------------------------------------------------------------------


def test_a_real_pdf_is_accepted():
    assert document_errors(upload("signed.pdf", PDF_BYTES)) == []


def test_a_real_docx_is_accepted():
    assert document_errors(upload("signed.docx", docx_bytes())) == []


@pytest.mark.parametrize("name", ["scan.bin", "signed.docx", "contract"])
def test_a_real_pdf_is_accepted_whatever_its_name(name):
    assert document_errors(upload(name, PDF_BYTES)) == []


def test_an_executable_renamed_pdf_is_refused():
    assert document_errors(upload("signed.pdf", EXECUTABLE)) == [TYPE_MESSAGE]


def test_a_text_file_renamed_pdf_is_refused():
    assert document_errors(upload("signed.pdf", TEXT)) == [TYPE_MESSAGE]


def test_a_zip_that_is_not_a_word_document_renamed_docx_is_refused():
    assert document_errors(upload("signed.docx", other_zip_bytes())) == [TYPE_MESSAGE]


def test_a_file_that_only_starts_like_a_zip_renamed_docx_is_refused():
    assert document_errors(upload("signed.docx", b"PK\x03\x04 and then nothing of a zip")) == [TYPE_MESSAGE]


@override_settings(MAX_DOCUMENT_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused_with_the_size_message():
    too_big = PDF_BYTES + b"%" * (2048 - len(PDF_BYTES))
    assert document_errors(upload("signed.pdf", too_big)) == [
        "The file is 2.0\xa0KB; documents may be at most 1.0\xa0KB."
    ]


@override_settings(MAX_DOCUMENT_BYTES=1024)
def test_a_file_exactly_at_the_size_limit_is_accepted():
    exactly = PDF_BYTES + b"%" * (1024 - len(PDF_BYTES))
    assert document_errors(upload("signed.pdf", exactly)) == []


def test_a_consent_document_is_checked_the_same_way():
    consent = ReentrustmentConsentFactory.build(
        subcontractor=ReentrustmentConsentFactory().subcontractor, document=upload("consent.pdf", EXECUTABLE)
    )
    with pytest.raises(ValidationError) as error:
        consent.full_clean()
    assert error.value.message_dict["document"] == [TYPE_MESSAGE]


# --- the same refusals through the contract form ------------------------------------------------------------


def contract_form_data(vendor, document, **overrides) -> dict:
    data = {
        "vendor": vendor.pk,
        "kind": ContractKind.ENTRUSTMENT,
        "title": "Customer support entrustment",
        "reference": "PC-UPLOAD-1",
        "signed_on": "2026-03-15",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "review_on": "",
        "renewal_months": "12",
        "notice_days": "60",
        "owner": "",
        "clauses": [c.pk for c in required_clauses(ContractKind.ENTRUSTMENT)],
        "document": document,
        "notes": "",
        "reason": "",
    }
    data.update(overrides)
    return data


def stored_files() -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content"),
    [("signed.pdf", EXECUTABLE), ("signed.pdf", TEXT), ("signed.docx", other_zip_bytes())],
    ids=["executable", "text", "zip"],
)
def test_the_contract_form_shows_a_wrong_file_type_next_to_the_field_and_saves_nothing(
    procurement_client, name, content
):
    response = procurement_client.post(
        reverse("contracts:create"), contract_form_data(VendorFactory(), upload(name, content))
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"document": [TYPE_MESSAGE]}
    assert TYPE_MESSAGE in response.content.decode()
    assert not ProtectionContract.objects.exists()
    assert stored_files() == []


@override_settings(MAX_DOCUMENT_BYTES=1024)
def test_the_contract_form_shows_a_too_large_file_next_to_the_field_and_saves_nothing(procurement_client):
    too_big = PDF_BYTES + b"%" * (4096 - len(PDF_BYTES))
    response = procurement_client.post(
        reverse("contracts:create"), contract_form_data(VendorFactory(), upload("signed.pdf", too_big))
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "document": ["The file is 4.0\xa0KB; documents may be at most 1.0\xa0KB."]
    }
    assert not ProtectionContract.objects.exists()
    assert stored_files() == []


def test_the_contract_form_accepts_a_docx(procurement_client):
    response = procurement_client.post(
        reverse("contracts:create"), contract_form_data(VendorFactory(), upload("signed.docx", docx_bytes()))
    )
    assert response.status_code == 302
    contract = ProtectionContract.objects.get(reference="PC-UPLOAD-1")
    assert contract.document.name.endswith(".docx")
    assert contract.document.read() == docx_bytes()


# --- serving the stored file --------------------------------------------------------------------------------


@pytest.fixture
def contract_with_document(db):
    return ProtectionContractFactory(
        starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), document=pdf_file("signed-contract.pdf")
    )


def test_a_viewer_downloads_the_document_as_an_attachment_that_the_browser_must_not_sniff(
    viewer_client, contract_with_document
):
    response = viewer_client.get(reverse("contracts:document", args=[contract_with_document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="signed-contract.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_download_is_typed_and_named_by_its_content_not_by_its_upload_name(viewer_client):
    contract = ProtectionContractFactory(document=SimpleUploadedFile("page.html", PDF_BYTES))
    response = viewer_client.get(reverse("contracts:document", args=[contract.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="page.html.pdf"'


def test_a_consent_document_downloads_the_same_way(viewer_client):
    consent = ReentrustmentConsentFactory(document=pdf_file("consent.pdf"))
    response = viewer_client.get(reverse("contracts:consent_document", args=[consent.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="consent.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_anonymous_visitor_is_sent_to_the_login_page_instead_of_the_document(
    client, contract_with_document
):
    url = reverse("contracts:document", args=[contract_with_document.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_contract_without_a_document_has_nothing_to_download(viewer_client):
    contract = ProtectionContractFactory()
    assert viewer_client.get(reverse("contracts:document", args=[contract.pk])).status_code == 404


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "viewer"])
def test_media_urls_are_not_served(client, viewer_user, contract_with_document, signed_in):
    if signed_in:
        client.force_login(viewer_user)
    assert (settings.MEDIA_ROOT / contract_with_document.document.name).is_file()
    response = client.get(f"/{settings.MEDIA_URL}{contract_with_document.document.name}")
    assert response.status_code == 404
