"""Upload checks by content, not by name: a renamed executable is not a PDF."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"


def sniff_document_type(file) -> str | None:
    """'pdf', 'docx' or None, judged from the bytes."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        head = file.read(8)
        if head.startswith(PDF_MAGIC):
            return "pdf"
        if head.startswith(ZIP_MAGIC):
            file.seek(0)
            try:
                with zipfile.ZipFile(file) as archive:
                    names = set(archive.namelist())
            except zipfile.BadZipFile:
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
        return None
    finally:
        file.seek(position)


def validate_document(file) -> None:
    """A signed document: PDF or DOCX by content, no larger than MAX_DOCUMENT_BYTES."""
    limit = settings.MAX_DOCUMENT_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; documents may be at most %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if sniff_document_type(file) is None:
        raise ValidationError(
            _("Only PDF or Word (.docx) documents are accepted; by its content, this file is neither."),
            code="type",
        )


IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def validate_evidence(file) -> None:
    """Evidence: a PDF, Word document or PNG/JPEG image by content, no larger than MAX_UPLOAD_BYTES."""
    limit = settings.MAX_UPLOAD_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; evidence may be at most %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(position)
    if not head.startswith(IMAGE_MAGIC) and sniff_document_type(file) is None:
        raise ValidationError(
            _("Evidence must be a PDF, Word (.docx), PNG or JPEG file; by its content, this is none."),
            code="type",
        )
