"""An uploaded file's name must say what its content is: it is downloaded, and opened, under that name."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.validators import validate_evidence

from ..factories import PDF_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content"),
    [("scan.png", PNG), ("photo.JPG", JPEG), ("photo.jpeg", JPEG), ("report.pdf", PDF_BYTES)],
)
def test_evidence_named_for_its_content_is_accepted(name, content):
    validate_evidence(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [("scan.svg", PNG, ".png"), ("photo.png", JPEG, ".jpg"), ("report.html", PDF_BYTES, ".pdf")],
)
def test_evidence_named_for_something_else_is_refused(name, content, expected):
    with pytest.raises(ValidationError, match=f"does not end in {expected}: rename it"):
        validate_evidence(SimpleUploadedFile(name, content))
