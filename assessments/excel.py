"""The questionnaire as an Excel workbook: download it for the vendor, read the answers back.

The workbook has three sheets: "Instructions" (English and Japanese), "Questionnaire" (one row per
criterion that applies to the vendor; only the Answer and Comment cells can be edited) and a very hidden
"_meta" sheet naming the assessment and the version of the standard it was made for.

Reading never trusts the file: the upload is checked by content (a real .xlsx, no macros, no zip bomb),
formulas are reported rather than read (openpyxl does not evaluate them, and their cached results are
ignored), and every problem is collected before anything is returned, so an import is all or nothing.
"""

import io
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from core.validators import validate_workbook_upload

from .models import Answer, Assessment
from .selectors import answers_version, applicable_criteria, questionnaire_answers

FORMAT_VERSION = 1
INSTRUCTIONS, QUESTIONNAIRE, META = "Instructions", "Questionnaire", "_meta"
# Protection keeps the layout intact so the workbook can be read back; it is not a secret.
SHEET_PASSWORD = "questionnaire"

MAX_ROWS = 10_000  # rows of the Questionnaire sheet read before giving up


RESPONSE_LABELS = {
    Answer.Response.YES: ("Yes", "はい"),
    Answer.Response.PARTIAL: ("Partially", "一部"),
    Answer.Response.NO: ("No", "いいえ"),
    Answer.Response.NA: ("Not applicable", "該当なし"),
}
ALLOWED_TEXT = "{} ({})".format(
    ", ".join(en for en, _ja in RESPONSE_LABELS.values()),
    ", ".join(ja for _en, ja in RESPONSE_LABELS.values()),
)

CODE, CATEGORY, QUESTION_EN, QUESTION_JA, GUIDANCE, EVIDENCE, CRITICAL, ANSWER, COMMENT = range(1, 10)
HEADERS = (
    "Code",
    "Category",
    "Question (English)",
    "質問（日本語）",
    "Guidance",
    "Evidence needed",
    "Critical",
    "Answer",
    "Comment",
)
WIDTHS = (10, 24, 60, 50, 40, 11, 9, 16, 50)
META_KEYS = ("format_version", "assessment_id", "standard_id", "standard_name", "standard_version")

# Text beginning with these is taken for a formula by spreadsheet programs (or by a CSV saved from one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def _normalise(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


RESPONSES_BY_TEXT = {
    _normalise(text): str(value)
    for value, labels in RESPONSE_LABELS.items()
    for text in (str(value), *labels)
}


# --- writing -----------------------------------------------------------------------------------------


def _put(ws, row: int, column: int, value, *, font=None, fill=None, unlocked: bool = False):
    """Write one cell; text is always stored as text, never as a formula, whatever it starts with."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        # openpyxl turns "=..." into a formula: force plain text. The quote prefix (Excel's own "typed
        # with a leading apostrophe" flag, not a character in the value) keeps it text when edited.
        cell.data_type = "s"
        if text.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    else:
        cell.value = value
    cell.alignment = WRAP
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if unlocked:
        cell.protection = UNLOCKED
    return cell


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.password = SHEET_PASSWORD
    ws.protection.formatColumns = False  # False means allowed
    ws.protection.formatRows = False


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def _write_instructions(ws, assessment: Assessment, rows: int) -> None:
    standard = assessment.standard
    labels = [(en, ja) for en, ja in RESPONSE_LABELS.values()]
    lines = [
        ("", "Vendor due-diligence questionnaire", "委託先評価質問票"),
        None,
        ("Vendor / 委託先", assessment.vendor.name, ""),
        (
            "Standard / 基準",
            f"{standard.name}, version {standard.version}",
            f"{standard.name}（第{standard.version}版）",
        ),
        ("Assessment / 評価", f"No. {assessment.pk}", f"番号 {assessment.pk}"),
        ("Questions / 質問数", str(rows), str(rows)),
        ("Prepared on / 作成日", timezone.localdate().isoformat(), timezone.localdate().isoformat()),
        None,
        ("", "English", "日本語"),
        (
            "How to answer / 回答方法",
            "Answer every question on the sheet “Questionnaire”: choose a response in the column Answer "
            "(a drop-down list) and explain it in the column Comment. Only these two columns can be "
            "edited; do not add, remove, move or rename rows, columns or sheets.",
            "「Questionnaire」シートのすべての質問に回答してください。"
            "Answer 列のドロップダウンから回答を選択し、Comment 列に説明を記入してください。"
            "編集できるのはこの2列のみです。行・列・シートの追加、削除、移動、名前の変更はしないでください。",
        ),
        (
            f"{labels[0][0]} / {labels[0][1]}",
            "The measure is fully in place.",
            "措置を十分に講じています。",
        ),
        (
            f"{labels[1][0]} / {labels[1][1]}",
            "The measure is in place in part only; say in the comment what is missing.",
            "措置を一部のみ講じています。不足している点をコメントに記入してください。",
        ),
        (
            f"{labels[2][0]} / {labels[2][1]}",
            "The measure is not in place.",
            "措置を講じていません。",
        ),
        (
            f"{labels[3][0]} / {labels[3][1]}",
            "The question does not concern the work entrusted to you; say why in the comment. "
            "Critical criteria (column Critical = Yes) cannot be answered “Not applicable”.",
            "委託業務に関係しない質問です。理由をコメントに記入してください。"
            "重要項目（Critical 列が Yes）には「該当なし」で回答できません。",
        ),
        (
            "Language / 言語",
            "Responses may be chosen in English or in Japanese; both are accepted.",
            "回答は英語・日本語のどちらでも選択できます。",
        ),
        (
            "Evidence / 証跡",
            "Where the column “Evidence needed” says Yes, evidence is required for a Yes or Partially "
            "answer. Do not paste or attach evidence in this workbook: upload the files on the "
            "assessment's web page, next to each question.",
            "「Evidence needed」列が Yes の項目は、「はい」または「一部」と回答する場合に証跡が必要です。"
            "証跡はこのワークブックに貼り付けたり添付したりせず、評価のWebページで各質問ごとに"
            "アップロードしてください。",
        ),
        (
            "Returning / 返送",
            "Save the workbook as .xlsx (not .xlsm or .xls) and return it; it is read back into this "
            "assessment only. Formulas are not accepted in the Answer and Comment columns.",
            "ワークブックを .xlsx 形式（.xlsm や .xls ではなく）で保存して返送してください。"
            "このワークブックはこの評価にのみ取り込まれます。Answer 列と Comment 列に数式は使用できません。",
        ),
    ]
    for row, line in enumerate(lines, start=1):
        if line is None:
            continue
        label, english, japanese = line
        _put(ws, row, 1, label, font=BOLD)
        _put(ws, row, 2, english, font=TITLE if row == 1 else None)
        _put(ws, row, 3, japanese, font=TITLE if row == 1 else None)
    for column, width in zip("ABC", (24, 70, 60), strict=True):
        ws.column_dimensions[column].width = width
    _protect(ws)


def _write_questionnaire(ws, answers: list[Answer]) -> None:
    for column, header in enumerate(HEADERS, start=1):
        _put(ws, 1, column, header, font=BOLD, fill=HEADER_FILL)
    for row, answer in enumerate(answers, start=2):
        criterion = answer.criterion
        response = RESPONSE_LABELS.get(answer.response, ("",))[0]
        _put(ws, row, CODE, criterion.code)
        _put(ws, row, CATEGORY, str(criterion.get_category_display()))
        _put(ws, row, QUESTION_EN, criterion.question_en)
        _put(ws, row, QUESTION_JA, criterion.question_ja)
        _put(ws, row, GUIDANCE, criterion.guidance)
        _put(ws, row, EVIDENCE, _yes_no(criterion.evidence_required))
        _put(ws, row, CRITICAL, _yes_no(criterion.is_critical))
        _put(ws, row, ANSWER, response or None, fill=INPUT_FILL, unlocked=True)
        _put(ws, row, COMMENT, answer.comment or None, fill=INPUT_FILL, unlocked=True)
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "B2"
    last = max(len(answers) + 1, 2)
    choices = [en for en, _ja in RESPONSE_LABELS.values()] + [ja for _en, ja in RESPONSE_LABELS.values()]
    validation = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(choices)),
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Answer / 回答",
        error=f"Choose one of {ALLOWED_TEXT}.",
        promptTitle="Answer / 回答",
        prompt="Yes / Partially / No / Not applicable\nはい / 一部 / いいえ / 該当なし",
    )
    validation.add(f"{get_column_letter(ANSWER)}2:{get_column_letter(ANSWER)}{last}")
    ws.add_data_validation(validation)
    _protect(ws)


# The answers' edit token when the workbook was made: an upload is refused if someone else changed an answer
# since (a lost update). Not among META_KEYS: workbooks downloaded before it was written are still read.
ANSWERS_VERSION = "answers_version"


def _write_meta(ws, assessment: Assessment) -> None:
    standard = assessment.standard
    values = (FORMAT_VERSION, assessment.pk, standard.pk, standard.name, standard.version)
    for row, (key, value) in enumerate(zip(META_KEYS, values, strict=True), start=1):
        _put(ws, row, 1, key)
        _put(ws, row, 2, value)
    _put(ws, len(META_KEYS) + 1, 1, ANSWERS_VERSION)
    _put(ws, len(META_KEYS) + 1, 2, answers_version(assessment))
    ws.sheet_state = "veryHidden"
    _protect(ws)


def questionnaire_workbook(assessment: Assessment) -> bytes:
    """The .xlsx a vendor fills in: one row per criterion that applies to it, answers so far pre-filled."""
    assessment = Assessment.objects.select_related("vendor", "standard").get(pk=assessment.pk)
    answers = questionnaire_answers(assessment)
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS
    _write_instructions(instructions, assessment, len(answers))
    _write_questionnaire(workbook.create_sheet(QUESTIONNAIRE), answers)
    _write_meta(workbook.create_sheet(META), assessment)
    workbook.security = WorkbookProtection(workbookPassword=SHEET_PASSWORD, lockStructure=True)
    workbook.properties.title = f"Questionnaire: {assessment.vendor.name}"[:255]
    workbook.properties.creator = "Vendor register"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.sheet] if self.sheet else []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class QuestionnaireInvalid(ValidationError):
    """The workbook cannot be imported; `.problems` lists every reason, with its place."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__([str(problem) for problem in self.problems], code="invalid_questionnaire")


def _text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    return str(value).strip()


def _is_formula(cell) -> bool:
    return cell.data_type == "f"


def _meta_values(ws) -> dict[str, tuple[int, str]]:
    """{key: (row, value)} of the identification sheet; a value that is a formula is not read."""
    found = {}
    for row, cells in enumerate(ws.iter_rows(min_row=1, max_row=len(META_KEYS) + 10, max_col=2), start=1):
        if len(cells) == 2 and not _is_formula(cells[1]):
            found[_text(cells[0])] = (row, _text(cells[1]))
    return found


def _read_meta(ws, assessment: Assessment) -> list[Problem]:
    problems = []
    found = {key: value for key, value in _meta_values(ws).items() if key in META_KEYS}
    standard = assessment.standard
    expected = {
        "format_version": str(FORMAT_VERSION),
        "assessment_id": str(assessment.pk),
        "standard_id": str(standard.pk),
        "standard_name": standard.name,
        "standard_version": str(standard.version),
    }
    missing = [key for key in META_KEYS if key not in found]
    if missing:
        return [
            Problem(
                META,
                None,
                None,
                _("The workbook's identification is missing (%(keys)s): download the questionnaire again.")
                % {"keys": ", ".join(missing)},
            )
        ]
    row, value = found["format_version"]
    if value != expected["format_version"]:
        problems.append(
            Problem(
                META,
                row,
                "B",
                _(
                    "The workbook has format %(found)s; this site reads format %(expected)s. "
                    "Download it again."
                )
                % {"found": value, "expected": FORMAT_VERSION},
            )
        )
    row, value = found["assessment_id"]
    if value != expected["assessment_id"]:
        problems.append(
            Problem(
                META,
                row,
                "B",
                _(
                    "The workbook belongs to assessment %(found)s, not to this assessment (%(expected)s): "
                    "download this assessment's questionnaire and copy the answers into it."
                )
                % {"found": value, "expected": assessment.pk},
            )
        )
    for key in ("standard_id", "standard_name", "standard_version"):
        row, value = found[key]
        if value != expected[key]:
            problems.append(
                Problem(
                    META,
                    row,
                    "B",
                    _(
                        "The workbook was made for another version of the standard (%(key)s “%(found)s”); "
                        "this assessment uses %(standard)s."
                    )
                    % {"key": key, "found": value[:100], "standard": standard},
                )
            )
    return problems


def _read_header(ws) -> list[Problem]:
    problems = []
    rows = ws.iter_rows(min_row=1, max_row=1, max_col=len(HEADERS))
    cells = next(rows, ())
    for column, expected in enumerate(HEADERS, start=1):
        found = _text(cells[column - 1]) if column <= len(cells) else ""
        if found != expected:
            problems.append(
                Problem(
                    QUESTIONNAIRE,
                    1,
                    get_column_letter(column),
                    _("The header was changed: expected “%(expected)s”, found “%(found)s”.")
                    % {"expected": expected, "found": found[:100]},
                )
            )
    return problems


def _read_rows(ws, assessment: Assessment) -> tuple[dict[str, tuple[str, str]], list[Problem]]:
    applicable = {
        criterion.code.casefold(): criterion
        for criterion in applicable_criteria(assessment.standard, assessment.vendor)
    }
    known = {code.casefold(): code for code in assessment.standard.criteria.values_list("code", flat=True)}
    result: dict[str, tuple[str, str]] = {}
    seen: dict[str, int] = {}
    problems: list[Problem] = []

    def problem(row, column, reason):
        problems.append(Problem(QUESTIONNAIRE, row, HEADERS[column - 1], reason))

    ws.reset_dimensions()  # read every row, whatever the file claims its size is
    for row, cells in enumerate(ws.iter_rows(min_row=2, max_col=len(HEADERS)), start=2):
        if row > MAX_ROWS + 1:
            problems.append(
                Problem(
                    QUESTIONNAIRE,
                    row,
                    None,
                    _("The sheet has more than %(max)s rows; the rest was not read.") % {"max": MAX_ROWS},
                )
            )
            break
        code_cell, answer_cell, comment_cell = cells[CODE - 1], cells[ANSWER - 1], cells[COMMENT - 1]
        formulas = [
            column
            for column, cell in ((CODE, code_cell), (ANSWER, answer_cell), (COMMENT, comment_cell))
            if _is_formula(cell)
        ]
        for column in formulas:
            problem(
                row, column, _("The cell holds a formula; type the value itself (formulas are not read).")
            )
        code = "" if CODE in formulas else _text(code_cell)
        response_text = "" if ANSWER in formulas else _text(answer_cell)
        comment = "" if COMMENT in formulas else _text(comment_cell)
        if not code:
            if (response_text or comment) and CODE not in formulas:
                problem(row, CODE, _("This row has an answer or a comment but no code."))
            continue
        criterion = applicable.get(code.casefold())
        if criterion is None:
            if code.casefold() in known:
                problem(
                    row,
                    CODE,
                    _("%(code)s does not apply to this vendor: remove the row.")
                    % {"code": known[code.casefold()]},
                )
            else:
                problem(
                    row,
                    CODE,
                    _("“%(code)s” is not a criterion of %(standard)s.")
                    % {"code": code[:50], "standard": assessment.standard},
                )
            continue
        if criterion.code in seen:
            problem(
                row,
                CODE,
                _("%(code)s appears already in row %(row)s.")
                % {"code": criterion.code, "row": seen[criterion.code]},
            )
            continue
        seen[criterion.code] = row
        response = RESPONSES_BY_TEXT.get(_normalise(response_text)) if response_text else ""
        if response is None:
            problem(
                row,
                ANSWER,
                _("“%(value)s” is not one of %(allowed)s.")
                % {"value": response_text[:100], "allowed": ALLOWED_TEXT},
            )
            continue
        if response == Answer.Response.NA and criterion.is_critical:
            problem(
                row,
                ANSWER,
                _(
                    "%(code)s is critical: “Not applicable” (該当なし) is not accepted; "
                    "answer Yes, Partially or No."
                )
                % {"code": criterion.code},
            )
            continue
        if not formulas:
            result[criterion.code] = (response, comment)
    return result, problems


def questionnaire_answers_version(file) -> int | None:
    """The answers' edit token written in a (valid) questionnaire when downloaded; None if it has none."""
    file.seek(0)
    workbook = load_workbook(file, read_only=True, data_only=False, keep_links=False)
    try:
        found = _meta_values(workbook[META]).get(ANSWERS_VERSION)
        if found is None:
            return None
        value = found[1]
        return int(value) if value.isdigit() else 0  # garbled: matches no version, as a form token
    finally:
        workbook.close()
        file.seek(0)


def read_questionnaire(*, assessment: Assessment, file) -> dict[str, tuple[str, str]]:
    """The answers in a filled-in questionnaire: code -> (response, comment).

    The response is yes/partial/no/na, or "" for an empty cell. Criteria that apply but have no row are
    left out (they stay as they are). Raises QuestionnaireInvalid listing every problem found; nothing is
    returned unless the whole workbook is valid.
    """
    assessment = Assessment.objects.select_related("vendor", "standard").get(pk=assessment.pk)
    problems: list[Problem] = []
    if not assessment.is_editable:  # the same rule as services._require_editable (which imports this module)
        problems.append(
            Problem(
                "",
                None,
                None,
                _("Only a draft or returned assessment can be changed; this one is %(status)s.")
                % {"status": assessment.get_status_display().lower()},
            )
        )
    try:
        validate_workbook_upload(file)
    except ValidationError as error:
        raise QuestionnaireInvalid(problems + [Problem("", None, None, m) for m in error.messages]) from error
    try:
        file.seek(0)
        # data_only=False so that formulas show as formulas (data_type "f") and are refused; with
        # data_only=True openpyxl would silently hand back their cached results, or nothing.
        workbook = load_workbook(file, read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        problems.append(
            Problem(
                "", None, None, _("The workbook could not be opened: it is damaged or not an Excel workbook.")
            )
        )
        raise QuestionnaireInvalid(problems) from error
    result: dict[str, tuple[str, str]] = {}
    try:
        for name in (QUESTIONNAIRE, META):
            if name not in workbook.sheetnames:
                problems.append(
                    Problem(
                        name,
                        None,
                        None,
                        _("The sheet is missing: upload the questionnaire downloaded for this assessment."),
                    )
                )
        if META in workbook.sheetnames:
            problems += _read_meta(workbook[META], assessment)
        if QUESTIONNAIRE in workbook.sheetnames:
            sheet = workbook[QUESTIONNAIRE]
            header_problems = _read_header(sheet)
            problems += header_problems
            if not header_problems:
                result, row_problems = _read_rows(sheet, assessment)
                problems += row_problems
    except Exception as error:  # a damaged sheet can fail while it is parsed
        problems.append(
            Problem(
                "", None, None, _("The workbook could not be read: it is damaged or not an Excel workbook.")
            )
        )
        raise QuestionnaireInvalid(problems) from error
    finally:
        workbook.close()
        file.seek(0)
    if problems:
        raise QuestionnaireInvalid(problems)
    return result
