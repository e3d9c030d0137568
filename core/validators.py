"""Upload checks by content, not by name: a renamed executable is not a PDF."""

import io
import zipfile
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # all members of the zip together, once decompressed
MAX_COMPRESSION_RATIO = 200  # any single member
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx encrypted with a password


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


IMAGE_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}


def validate_evidence(file) -> None:
    """Evidence: a PDF, Word document or PNG/JPEG image by content, no larger than MAX_UPLOAD_BYTES."""
    limit = settings.MAX_UPLOAD_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; evidence may be at most %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if sniff_upload_type(file) is None:
        raise ValidationError(
            _("Evidence must be a PDF, Word (.docx), PNG or JPEG file; by its content, this is none."),
            code="type",
        )


def sniff_upload_type(file) -> str | None:
    """'pdf', 'docx', 'png', 'jpeg' or None, judged from the bytes."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(position)
    image = next((kind for kind, magic in IMAGE_MAGIC.items() if head.startswith(magic)), None)
    return image or sniff_document_type(file)


# --- Excel workbooks (questionnaires, bulk imports) ----------------------------------------------------


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return size
    position = file.tell()
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def _not_a_workbook() -> ValidationError:
    return ValidationError(
        _("This file is not an Excel workbook (.xlsx): upload the workbook you downloaded, filled in."),
        code="type",
    )


def _check_archive(file) -> None:
    file.seek(0)
    head = file.read(8)
    if head.startswith(OLE_MAGIC):
        raise ValidationError(
            _(
                "This file is an old-format Excel workbook (.xls) or is protected with a password: "
                "save it as an Excel workbook (.xlsx) without a password."
            ),
            code="type",
        )
    if not head.startswith(ZIP_MAGIC):
        raise _not_a_workbook()
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            total = 0
            for member in members:
                total += member.file_size
                too_compressed = (
                    member.file_size > MAX_COMPRESSION_RATIO * member.compress_size
                    if member.compress_size
                    else member.file_size > 0
                )
                if too_compressed or total > MAX_UNCOMPRESSED_BYTES:
                    raise ValidationError(
                        _(
                            "This workbook would take too much space once unpacked (%(member)s), "
                            "which is refused for safety: upload the workbook as downloaded, filled in."
                        )
                        % {"member": member.filename[:100]},
                        code="zip_bomb",
                    )
                if member.flag_bits & 0x1:
                    raise ValidationError(
                        _("This workbook is encrypted: save it without a password."), code="encrypted"
                    )
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise _not_a_workbook()
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise _macro_enabled()
            if archive.getinfo("[Content_Types].xml").file_size > MAX_CONTENT_TYPES_BYTES:
                raise _not_a_workbook()
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
            if "macroenabled" in content_types:
                raise _macro_enabled()
    # zlib.error: a damaged deflate stream (e.g. a byte changed in [Content_Types].xml) is no OSError.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        zlib.error,
    ) as error:
        raise _not_a_workbook() from error
    finally:
        file.seek(0)


def _macro_enabled() -> ValidationError:
    return ValidationError(
        _("Macro-enabled workbooks (.xlsm) are not accepted: save it as an Excel workbook (.xlsx)."),
        code="macros",
    )


def validate_workbook_upload(file) -> None:
    """An .xlsx by name and by content, small enough, without macros, safe to unpack.

    A file object without a name (e.g. io.BytesIO) is judged by its content only.
    """
    name = getattr(file, "name", None)
    if name is not None and not str(name).lower().endswith(".xlsx"):
        if str(name).lower().endswith((".xlsm", ".xltm", ".xlam")):
            raise _macro_enabled()
        raise ValidationError(
            _("Only Excel workbooks (.xlsx) are accepted; “%(name)s” is not one.") % {"name": name},
            code="extension",
        )
    limit = settings.MAX_WORKBOOK_BYTES
    size = _size(file)
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; workbooks may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    _check_archive(file)
