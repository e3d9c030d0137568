"""Fuzzed workbooks never crash an import and never half-save one.

Hypothesis starts from the real files (a questionnaire downloaded for an assessment, the vendor import
template filled in with valid rows) and mutates them: random cell values (text with control characters, huge
strings, numbers, dates, formulas, empty), header cells deleted, renamed, swapped, columns reordered, sheets
added, removed or renamed, and then, sometimes, the zip itself truncated or with bytes flipped (anywhere, or
inside the packed data of one of its parts).

Properties, through the service and through the upload page:
- nothing but a ValidationError (the import's list of problems) comes out; the page answers 200, never 500;
- all or nothing: the answers are unchanged, or every answer the workbook gives is saved; the vendors are
  unchanged, or every row of the sheet became a vendor.
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from assessments import excel
from assessments.models import Answer
from assessments.services import assessment_import_questionnaire
from vendors.importing import COLUMNS, VendorImportInvalid, import_template_workbook, vendor_import
from vendors.models import Vendor

from ..factories import VendorFactory, answered_assessment

pytestmark = pytest.mark.django_db

# Examples per property (four properties; about a minute in all on a quiet machine).
SERVICE_EXAMPLES = 60
VIEW_EXAMPLES = 60
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# --- cell values -------------------------------------------------------------------------------------------

# Text openpyxl can write (XML forbids most C0 controls; \t, \n and \r stay, as do C1 controls).
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\t\n\r\x7f\x85\u2028\ufeff"),
    max_size=60,
).map(lambda value: ILLEGAL_CHARACTERS_RE.sub("", value))
huge_text = st.builds(lambda ch, n: ch * n, st.sampled_from("xあ=\n"), st.integers(20_000, 40_000))
formula = st.sampled_from(
    ["=1+1", '=HYPERLINK("http://x","y")', "=A1", "=cmd|' /C calc'!A0", "=Lists!A1", "=1/0", "=SUM(A:A)"]
)
response_words = st.sampled_from(
    ["Yes", "No", "Partially", "Not applicable", "はい", "該当なし", "yes ", "NA", "ｙｅｓ"]
)
cell_value = st.one_of(
    st.none(),
    text,
    huge_text,
    formula,
    response_words,
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.times(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9999)),
)
sheet_name = st.text(alphabet="AZaz09_ -Questionairemtd", min_size=1, max_size=31).filter(
    lambda name: name.strip() and name.strip("'") == name
)

# --- mutations of a workbook -------------------------------------------------------------------------------


def mutations(rows: int, columns: int, sheets: list[str]):
    """Edits applied in order to a loaded workbook; cell edits happen on `sheets[0]`."""
    cell = st.tuples(st.just("cell"), st.integers(1, rows + 3), st.integers(1, columns + 2), cell_value)
    return st.lists(
        st.one_of(
            cell,
            cell,
            cell,
            st.tuples(st.just("delete_header"), st.integers(1, columns)),
            st.tuples(st.just("rename_header"), st.integers(1, columns), text),
            st.tuples(st.just("swap_headers"), st.integers(1, columns), st.integers(1, columns)),
            st.tuples(st.just("swap_columns"), st.integers(1, columns), st.integers(1, columns)),
            st.tuples(st.just("delete_row"), st.integers(1, rows + 1)),
            st.tuples(st.just("add_sheet"), sheet_name),
            st.tuples(st.just("remove_sheet"), st.sampled_from(sheets)),
            st.tuples(st.just("rename_sheet"), st.sampled_from(sheets), sheet_name),
            st.tuples(st.just("meta"), st.integers(1, 6), cell_value),
        ),
        max_size=8,
    )


flips = st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=4)
damage = st.one_of(
    st.just(("none",)),
    st.just(("none",)),
    st.just(("none",)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), flips),
    st.tuples(st.just("flip_part"), st.integers(0, 30), flips),
)


def apply(data: bytes, edits: list, broken: tuple, *, main: str) -> bytes:
    """The workbook `data` with `edits` applied (skipping those openpyxl cannot write), then `broken`."""
    workbook = load_workbook(io.BytesIO(data))
    for edit in edits:
        kind, *args = edit
        sheet = workbook[main] if main in workbook.sheetnames else workbook.worksheets[0]
        try:
            if kind == "cell":
                row, column, value = args
                sheet.cell(row, column).value = value
            elif kind == "delete_header":
                sheet.cell(1, args[0]).value = None
            elif kind == "rename_header":
                sheet.cell(1, args[0]).value = args[1]
            elif kind == "swap_headers":
                a, b = (sheet.cell(1, column) for column in args)
                a.value, b.value = b.value, a.value
            elif kind == "swap_columns":
                for row in range(1, sheet.max_row + 1):
                    a, b = (sheet.cell(row, column) for column in args)
                    a.value, b.value = b.value, a.value
            elif kind == "delete_row":
                sheet.delete_rows(args[0])
            elif kind == "add_sheet" and args[0] not in workbook.sheetnames:
                workbook.create_sheet(args[0])["A1"] = "extra"
            elif kind == "remove_sheet" and args[0] in workbook.sheetnames and len(workbook.sheetnames) > 1:
                del workbook[args[0]]
            elif kind == "rename_sheet" and args[0] in workbook.sheetnames:
                if args[1] not in workbook.sheetnames:
                    workbook[args[0]].title = args[1]
            elif kind == "meta" and excel.META in workbook.sheetnames:
                workbook[excel.META].cell(args[0], 2).value = args[1]
        except (ValueError, TypeError):  # a value or name openpyxl refuses to hold: not a file we can make
            continue
    if all(sheet.sheet_state != "visible" for sheet in workbook.worksheets):
        workbook.worksheets[0].sheet_state = "visible"  # openpyxl cannot save a workbook with none shown
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = bytearray(buffer.getvalue())
    if broken[0] == "truncate":
        result = result[: int(len(result) * broken[1])]
    elif broken[0] == "flip" and result:
        for where, mask in broken[1]:
            result[min(int(len(result) * where), len(result) - 1)] ^= mask
    elif broken[0] == "flip_part":
        _, index, part_flips = broken
        with zipfile.ZipFile(io.BytesIO(bytes(result))) as archive:
            parts = archive.infolist()
        part = parts[index % len(parts)]
        start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)
        for where, mask in part_flips:
            result[start + min(int(part.compress_size * where), part.compress_size - 1)] ^= mask
    return bytes(result)


def upload(data: bytes, name: str = "filled-in.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@dataclass(frozen=True)
class Valid:
    """A valid workbook to mutate (its bytes left out of Hypothesis's report of a failing example)."""

    data: bytes = field(repr=False)
    rows: int


@pytest.fixture
def browser(procurement_user):
    """The procurement user's browser, signed in once for all the examples of a test."""
    client = Client()
    client.force_login(procurement_user)
    return client


# --- questionnaires ----------------------------------------------------------------------------------------

QUESTIONNAIRE_SHEETS = [excel.QUESTIONNAIRE, excel.META, excel.INSTRUCTIONS]


@pytest.fixture
def questionnaire(procurement_user):
    """A draft assessment not answered yet, and its questionnaire with every row answered and commented."""
    vendor = VendorFactory(handles_data_abroad=True, has_system_access=True)
    assessment = answered_assessment(vendor, preparer=procurement_user, default="")
    answers = list(assessment.answers.select_related("criterion").order_by("criterion__position"))
    workbook = load_workbook(io.BytesIO(excel.questionnaire_workbook(assessment)))
    sheet = workbook[excel.QUESTIONNAIRE]
    for row in range(2, len(answers) + 2):
        sheet.cell(row, excel.ANSWER).value = "Yes" if row % 2 else "Partially"
        sheet.cell(row, excel.COMMENT).value = f"Comment on row {row}."
    buffer = io.BytesIO()
    workbook.save(buffer)
    return assessment, Valid(buffer.getvalue(), len(answers))


def answer_state(assessment):
    return {
        code: (response, comment)
        for code, response, comment in assessment.answers.values_list(
            "criterion__code", "response", "comment"
        )
    }


def expected_answers(assessment, data: bytes) -> dict | None:
    """What a successful import must leave, judged by the reader alone; None if the file is refused."""
    try:
        read = excel.read_questionnaire(assessment=assessment, file=upload(data))
    except ValidationError:
        return None
    state = answer_state(assessment)
    return {code: read[code] if code in read and any(read[code]) else value for code, value in state.items()}


@settings(FUZZ, max_examples=SERVICE_EXAMPLES)
@given(data=st.data())
def test_a_fuzzed_questionnaire_is_imported_whole_or_refused_whole(questionnaire, procurement_user, data):
    assessment, valid = questionnaire
    edits = data.draw(mutations(valid.rows, len(excel.HEADERS), QUESTIONNAIRE_SHEETS))
    fuzzed = apply(valid.data, edits, data.draw(damage), main=excel.QUESTIONNAIRE)
    with transaction.atomic():
        before = answer_state(assessment)
        versions = Answer.history.count()
        expected = expected_answers(assessment, fuzzed)
        try:
            result = assessment_import_questionnaire(
                assessment=assessment, user=procurement_user, file=upload(fuzzed)
            )
        except ValidationError as error:
            event("refused")
            assert error.messages  # a refusal says why
            assert answer_state(assessment) == before
            assert Answer.history.count() == versions
        else:
            event("imported")
            assert expected is not None
            assert answer_state(assessment) == expected
            assert Answer.history.count() == versions + result.new + result.changed
        transaction.set_rollback(True)


@settings(FUZZ, max_examples=VIEW_EXAMPLES)
@given(data=st.data())
def test_the_questionnaire_page_never_fails_on_a_fuzzed_workbook(questionnaire, browser, data):
    assessment, valid = questionnaire
    edits = data.draw(mutations(valid.rows, len(excel.HEADERS), QUESTIONNAIRE_SHEETS))
    fuzzed = apply(valid.data, edits, data.draw(damage), main=excel.QUESTIONNAIRE)
    url = reverse("assessments:questionnaire_upload", args=[assessment.pk])
    with transaction.atomic():
        before = answer_state(assessment)
        expected = expected_answers(assessment, fuzzed)
        response = browser.post(url, {"file": upload(fuzzed)})
        assert response.status_code == 200
        event("refused" if response.context["form"].errors else "imported")
        if response.context["form"].errors:
            assert expected is None
            assert answer_state(assessment) == before
        else:
            assert answer_state(assessment) == expected
        transaction.set_rollback(True)


# --- vendor imports ----------------------------------------------------------------------------------------

KEYS = [column.key for column in COLUMNS]
VENDOR_ROWS = 3
VENDOR_SHEETS = ["Vendors", "Instructions", "Lists"]


@pytest.fixture
def vendor_template():
    """The import template with three valid foreign vendors (no corporate number needed)."""
    workbook = load_workbook(io.BytesIO(import_template_workbook()))
    sheet = workbook["Vendors"]
    for row in range(2, VENDOR_ROWS + 2):
        sheet.cell(row, KEYS.index("name") + 1).value = f"Fuzz Vendor {row} Inc."
        sheet.cell(row, KEYS.index("country") + 1).value = "US"
        sheet.cell(row, KEYS.index("website") + 1).value = "https://example.com/"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Valid(buffer.getvalue(), VENDOR_ROWS)


def filled_rows(data: bytes) -> int | None:
    """The rows under the header of the Vendors sheet with anything in them (None: unreadable)."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        sheet = workbook["Vendors"]
        return sum(
            1
            for row in sheet.iter_rows(min_row=2, values_only=True)
            if any(value is not None and not (isinstance(value, str) and not value.strip()) for value in row)
        )
    except Exception:
        return None


def vendor_state():
    return Vendor.objects.count(), Vendor.history.count()


@settings(FUZZ, max_examples=SERVICE_EXAMPLES)
@given(data=st.data())
def test_a_fuzzed_vendor_import_creates_every_row_or_nothing(vendor_template, procurement_user, data):
    edits = data.draw(mutations(vendor_template.rows, len(KEYS), VENDOR_SHEETS))
    fuzzed = apply(vendor_template.data, edits, data.draw(damage), main="Vendors")
    with transaction.atomic():
        before = vendor_state()
        try:
            result = vendor_import(file=upload(fuzzed), user=procurement_user)
        except VendorImportInvalid as error:
            event("refused")
            assert error.problems
            assert vendor_state() == before
        else:
            event("imported")
            assert result.count == len(result.created) == filled_rows(fuzzed)
            assert Vendor.objects.count() == before[0] + result.count
            assert {vendor.status for vendor in result.created} == {Vendor.Status.DRAFT}
        transaction.set_rollback(True)


@settings(FUZZ, max_examples=VIEW_EXAMPLES)
@given(data=st.data())
def test_the_vendor_import_page_never_fails_on_a_fuzzed_workbook(vendor_template, browser, data):
    edits = data.draw(mutations(vendor_template.rows, len(KEYS), VENDOR_SHEETS))
    fuzzed = apply(vendor_template.data, edits, data.draw(damage), main="Vendors")
    with transaction.atomic():
        before = vendor_state()
        response = browser.post(reverse("vendors:import"), {"file": upload(fuzzed), "dry_run": ""})
        event("imported" if response.status_code == 302 else "refused")
        if response.status_code == 302:  # imported: every row became a vendor
            assert Vendor.objects.count() == before[0] + filled_rows(fuzzed)
        else:
            assert response.status_code == 200
            assert response.context.get("problems") or response.context["form"].errors
            assert vendor_state() == before
        transaction.set_rollback(True)
