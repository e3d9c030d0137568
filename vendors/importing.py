"""Bulk onboarding of vendors from an Excel workbook: the template to fill in, and reading it back.

The template has three sheets: "Vendors" (one row per vendor under a bilingual header row, with drop-down
lists), "Instructions" (English and Japanese side by side, whatever the reader's language) and a hidden
"Lists" sheet holding the allowed values the drop-downs point to.

Reading never trusts the file: the upload is checked by `validate_workbook_upload` (type, size, macros,
zip bomb), formulas are refused rather than read, columns are found by their header (not their position),
and every problem of every row is collected before anything is saved. Then every vendor is created as a
draft through `vendor_save` in one transaction, so an import is all or nothing.
"""

import datetime
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.validators import validate_workbook_upload

from . import services
from .models import DataCategory, Purpose, Vendor
from .validators import validate_corporate_number

VENDORS, INSTRUCTIONS, LISTS = "Vendors", "Instructions", "Lists"
MAX_ROWS = 5_000  # vendor rows per file: each one is a full vendor_save in a single request
MAX_COLUMNS = 60  # cells read per row, to find data typed in a column without a header
MAX_BLANK_SCAN = 20_000  # sheet rows walked in all; beyond that an empty tail is not read

YES_WORDS = frozenset({"yes", "y", "true", "1", "はい"})
NO_WORDS = frozenset({"no", "n", "false", "0", "いいえ"})
YES_NO_CHOICES = ("Yes", "No", "はい", "いいえ")

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    """One column of the Vendors sheet; `key` is the Vendor field it fills."""

    key: str
    english: str
    japanese: str
    width: int
    help_en: str
    help_ja: str
    example: str = ""
    required: bool = False

    @property
    def header(self) -> str:
        # Fixed bilingual text: the same file is read back whatever language the uploader's page is in.
        mark = "*" if self.required else ""
        return f"{self.english}{mark} / {self.japanese}{mark}"


COLUMNS = (
    Column(
        "name",
        "Name",
        "名称",
        32,
        "Name of the company, as registered.",
        "登記上の名称。",
        "Sakura Data Services K.K.",
        required=True,
    ),
    Column(
        "name_kana",
        "Name (kana)",
        "名称（カナ）",
        24,
        "The name in katakana, for sorting and search.",
        "名称のカタカナ表記（並べ替え・検索用）。",
        "サクラデータサービス",
    ),
    Column(
        "corporate_number",
        "Corporate number",
        "法人番号",
        17,
        "The 13-digit corporate number (法人番号). Required for vendors in Japan; no two vendors may share "
        "one. Hyphens and spaces are ignored.",
        "13桁の法人番号。日本国内の委託先は必須で、他の委託先と重複できません。ハイフンと空白は無視されます。",
        "4011001098993",
    ),
    Column(
        "country",
        "Country",
        "国",
        10,
        "Country where the vendor is established, as a two-letter ISO 3166 code (JP, US, DE …). "
        "Empty means JP.",
        "所在国（ISO 3166 の2文字コード：JP、US、DE など）。空欄は JP とみなします。",
        "JP",
    ),
    Column(
        "kind",
        "Kind",
        "種別",
        16,
        "contractor (entrusted party), subcontractor (re-entrusted party) or joint_user (joint user). "
        "Empty means contractor.",
        "contractor（委託先）、subcontractor（再委託先）、joint_user（共同利用者）のいずれか。"
        "空欄は contractor とみなします。",
        "contractor",
    ),
    Column(
        "parent",
        "Re-entrusted by",
        "再委託元",
        28,
        "Subcontractors only, and required for them: the vendor that re-entrusts the work to it, by "
        "corporate number or exact name. It may be a vendor already in the register or one on an earlier "
        "row of this file; it cannot be a joint user or a terminated vendor.",
        "再委託先の場合のみ記入（必須）：再委託元の法人番号または正確な名称。登録済みの委託先、または"
        "このファイルのより上の行の委託先を指定できます。共同利用者や契約終了済みの委託先は指定できません。",
        "",
    ),
    Column(
        "is_group_company",
        "Group company",
        "グループ会社",
        14,
        "Yes if the vendor belongs to the company's group.",
        "当社グループの会社であれば「はい」。",
        "No",
    ),
    Column(
        "data_categories",
        "Data categories",
        "個人データの項目",
        30,
        "Codes of the kinds of personal data the vendor handles, separated by commas. The drop-down "
        "offers one code; type several separated by commas (Excel then warns, choose Yes to keep them).",
        "取り扱う個人データの項目のコード（複数の場合はカンマ区切り）。ドロップダウンでは1つ選べます。"
        "複数入力するとExcelが警告しますが、「はい」を選べばそのまま入力できます。",
        "customers_partners",
    ),
    Column(
        "purposes",
        "Purposes of use",
        "利用目的",
        30,
        "Codes of the purposes of use the data is entrusted for, separated by commas (as above).",
        "委託する利用目的のコード（複数の場合はカンマ区切り、上と同様）。",
        "service_provision, inquiries",
    ),
    Column(
        "handles_special_care_data",
        "Handles special-care data",
        "要配慮個人情報の取扱い",
        16,
        "Yes if the vendor handles special-care-required personal information (e.g. medical history).",
        "要配慮個人情報（病歴など）を取り扱う場合は「はい」。",
        "No",
    ),
    Column(
        "principal_count",
        "Number of principals",
        "本人の数",
        14,
        "Roughly how many individuals' data the vendor handles, as a whole number. Empty means 0.",
        "取り扱う本人の数の概算（整数）。空欄は0とみなします。",
        "5000",
    ),
    Column(
        "handles_data_abroad",
        "Handles data abroad",
        "外国での取扱い",
        14,
        "Yes if the vendor stores, accesses or processes the data in a foreign country "
        "(incl. cloud regions).",
        "外国でデータを保管・閲覧・処理する場合（クラウドのリージョンを含む）は「はい」。",
        "No",
    ),
    Column(
        "has_system_access",
        "Has system access",
        "システムへのアクセス",
        14,
        "Yes if the vendor has access to the company's systems.",
        "当社のシステムにアクセスできる場合は「はい」。",
        "Yes",
    ),
    Column("address", "Address", "所在地", 36, "Address.", "所在地。", "東京都千代田区丸の内1-1-1"),
    Column(
        "representative",
        "Representative",
        "代表者",
        20,
        "Name and title of the representative.",
        "代表者の氏名・役職。",
        "Taro Yamada, President",
    ),
    Column(
        "website",
        "Website",
        "ウェブサイト",
        28,
        "Web address, starting with https://.",
        "URL（https:// から始まるもの）。",
        "https://example.co.jp/",
    ),
    Column("notes", "Notes", "備考", 36, "Anything else worth recording.", "その他の記録事項。", ""),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
KEY_BY_HEADER = {column.header: column.key for column in COLUMNS}
YES_NO_KEYS = ("is_group_company", "handles_special_care_data", "handles_data_abroad", "has_system_access")


def _normalise(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _header_key(text: str) -> str:
    return re.sub(r"[\s*]", "", _normalise(text))


HEADER_ALIASES = {
    _header_key(alias): column.key
    for column in COLUMNS
    for alias in (column.header, column.english, column.japanese, column.key, column.key.replace("_", " "))
}


# --- the template ------------------------------------------------------------------------------------------


def _put(ws, row: int, column: int, value, *, font=None, fill=None):
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    cell.alignment = WRAP
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _country_codes() -> list[tuple[str, str]]:
    with translation.override("en"):
        return [(code, str(name)) for code, name in Vendor._meta.get_field("country").countries]


def _write_lists(ws) -> dict[str, str]:
    """The allowed values, one list per column; returns the range each drop-down points to."""
    categories = list(DataCategory.objects.filter(is_active=True).order_by("code"))
    purposes = list(Purpose.objects.filter(is_active=True).order_by("code"))
    countries = _country_codes()
    lists = {
        "kind": ("Kind / 種別", list(Vendor.Kind.values), None),
        "country": ("Country / 国", [code for code, _name in countries], [name for _code, name in countries]),
        "yes_no": ("Yes/No / はい/いいえ", list(YES_NO_CHOICES), None),
        "data_categories": (
            "Data categories / 個人データの項目",
            [c.code for c in categories],
            [f"{c.name_en} / {c.name_ja}" for c in categories],
        ),
        "purposes": (
            "Purposes of use / 利用目的",
            [p.code for p in purposes],
            [f"{p.name_en} / {p.name_ja}" for p in purposes],
        ),
    }
    ranges = {}
    column = 1
    for key, (title, values, labels) in lists.items():
        letter = get_column_letter(column)
        _put(ws, 1, column, title, font=BOLD)
        for row, value in enumerate(values, start=2):
            _put(ws, row, column, value)
        ws.column_dimensions[letter].width = 24
        if labels is not None:
            _put(ws, 1, column + 1, "Name / 名称", font=BOLD)
            for row, label in enumerate(labels, start=2):
                _put(ws, row, column + 1, label)
            ws.column_dimensions[get_column_letter(column + 1)].width = 48
        ranges[key] = f"{LISTS}!${letter}$2:${letter}${max(len(values), 1) + 1}"
        column += 2 if labels is not None else 1
    ws.sheet_state = "hidden"
    return ranges


def _validation(title: str, prompt: str, **kwargs) -> DataValidation:
    return DataValidation(
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=title,
        promptTitle=title,
        prompt=prompt[:255],
        **kwargs,
    )


def _write_vendors(ws, ranges: dict[str, str]) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        _put(ws, 1, index, column.header, font=BOLD, fill=HEADER_FILL)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32
    # Stored as text so Excel shows the 13 digits rather than 4.01E+12.
    ws.column_dimensions[get_column_letter(_position("corporate_number"))].number_format = "@"
    last = MAX_ROWS + 1

    def cells(key: str) -> str:
        letter = get_column_letter(_position(key))
        return f"{letter}2:{letter}{last}"

    kind = _validation(
        "Kind / 種別",
        "contractor / subcontractor / joint_user",
        type="list",
        formula1=ranges["kind"],
        error="Choose contractor, subcontractor or joint_user. / 一覧から選択してください。",
    )
    kind.add(cells("kind"))
    country = _validation(
        "Country / 国",
        "ISO 3166 alpha-2 (JP, US, DE …)",
        type="list",
        formula1=ranges["country"],
        error="Type a two-letter ISO 3166 country code. / ISO 3166 の2文字の国コードを入力してください。",
    )
    country.add(cells("country"))
    yes_no = _validation(
        "Yes / No",
        "Yes / No（はい / いいえ）",
        type="list",
        formula1='"{}"'.format(",".join(YES_NO_CHOICES)),
        error="Choose Yes or No. / はい または いいえ を選択してください。",
    )
    for key in YES_NO_KEYS:
        yes_no.add(cells(key))
    for key, title in (
        ("data_categories", "Data categories / 個人データの項目"),
        ("purposes", "Purposes of use / 利用目的"),
    ):
        # "information" only warns, so several comma-separated codes can still be typed.
        codes = _validation(
            title,
            "Codes, comma-separated. / コード（カンマ区切り）",
            type="list",
            formula1=ranges[key],
            errorStyle="information",
            error="Several codes separated by commas are accepted: choose Yes to keep them. / "
            "カンマ区切りで複数のコードを入力できます。「はい」を選んでください。",
        )
        codes.add(cells(key))
        ws.add_data_validation(codes)
    principals = _validation(
        "Number of principals / 本人の数",
        "A whole number, 0 or more. / 0以上の整数",
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        error="Type a whole number, 0 or more. / 0以上の整数を入力してください。",
    )
    principals.add(cells("principal_count"))
    for validation in (kind, country, yes_no, principals):
        ws.add_data_validation(validation)


# (topic, English, Japanese)
GENERAL_INSTRUCTIONS = (
    (
        "Rows / 行",
        "Fill in one row per vendor on the sheet “Vendors”, under the header row. Do not change the "
        "headers: columns are recognised by their header, so they may be reordered and optional columns "
        "may be removed. Empty rows are skipped.",
        "「Vendors」シートの見出し行の下に、委託先ごとに1行ずつ記入してください。列は見出しで識別されるため、"
        "見出しは変更しないでください（列の並べ替えや任意の列の削除はできます）。空の行は無視されます。",
    ),
    (
        "All or nothing / 全件一括",
        "Nothing is saved unless every row is valid: if any row has a problem, no vendor is created and "
        "every problem is listed with its row and column. Correct the file and upload it again.",
        "すべての行が正しい場合にのみ登録されます。1行でも問題があれば委託先は1件も登録されず、"
        "すべての問題が行と列とともに表示されます。ファイルを修正して再度アップロードしてください。",
    ),
    (
        "Drafts / 下書き",
        "Every vendor is created as a draft, with the person who uploads the file as its owner. Review each "
        "one in the register and submit it for review.",
        "委託先はすべて下書きとして登録され、アップロードした人が担当者になります。"
        "登録後、各委託先を確認して審査に提出してください。",
    ),
    (
        "Values / 入力値",
        "Columns marked * are required. Yes/no columns take Yes or No (はい / いいえ); empty means No. "
        "The allowed codes are offered in drop-down lists.",
        "* の付いた列は必須です。はい/いいえの列には Yes・No（はい・いいえ）を入力します。"
        "空欄は「いいえ」とみなします。使用できるコードはドロップダウンリストに表示されます。",
    ),
    (
        "File / ファイル",
        "Formulas are not accepted: type the values themselves. Save the file as .xlsx (not .xlsm or .xls). "
        f"At most {MAX_ROWS:,} vendors per file.",
        "数式は使用できません。値を直接入力してください。.xlsx 形式で保存してください（.xlsm・.xls は不可）。"
        f"1ファイルあたり最大{MAX_ROWS:,}件です。",
    ),
    (
        "Dry run / 確認のみ",
        "Leave “Dry run” checked on the upload page to check the file and see what would be created "
        "without saving anything.",
        "アップロード画面で「Dry run」（確認のみ）にチェックを入れたままにすると、"
        "保存せずにファイルを確認し、登録される内容を表示できます。",
    ),
)


def _write_instructions(ws) -> None:
    _put(ws, 1, 1, "Vendor bulk import / 委託先の一括登録", font=TITLE)
    _put(ws, 3, 3, "English", font=BOLD, fill=HEADER_FILL)
    _put(ws, 3, 4, "日本語", font=BOLD, fill=HEADER_FILL)
    row = 3
    for topic, english, japanese in GENERAL_INSTRUCTIONS:
        row += 1
        _put(ws, row, 1, topic, font=BOLD)
        _put(ws, row, 3, english)
        _put(ws, row, 4, japanese)
    row += 2
    for index, title in enumerate(("Column / 列", "Required / 必須", "English", "日本語", "Example / 例"), 1):
        _put(ws, row, index, title, font=BOLD, fill=HEADER_FILL)
    for column in COLUMNS:
        row += 1
        _put(ws, row, 1, column.header, font=BOLD)
        _put(ws, row, 2, "Yes / 必須" if column.required else "No / 任意")
        _put(ws, row, 3, column.help_en)
        _put(ws, row, 4, column.help_ja)
        _put(ws, row, 5, column.example)
    for letter, width in zip("ABCDE", (30, 14, 60, 60, 28), strict=True):
        ws.column_dimensions[letter].width = width


def import_template_workbook() -> bytes:
    """The .xlsx to fill in: the Vendors sheet with its drop-downs, bilingual instructions, allowed values."""
    workbook = Workbook()
    vendors = workbook.active
    vendors.title = VENDORS
    instructions = workbook.create_sheet(INSTRUCTIONS)
    ranges = _write_lists(workbook.create_sheet(LISTS))
    _write_vendors(vendors, ranges)
    _write_instructions(instructions)
    workbook.active = 0
    workbook.properties.title = "Vendor import / 委託先の一括登録"
    workbook.properties.creator = "Vendor register"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _position(key: str) -> int:
    return next(index for index, column in enumerate(COLUMNS, start=1) if column.key == key)


# --- reading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None  # the column's header, or its letter when it has none
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class VendorImportInvalid(ValidationError):
    """The workbook cannot be imported; `.problems` lists every reason, with its row and column."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__([str(problem) for problem in self.problems], code="invalid_vendor_import")


@dataclass
class PlannedVendor:
    """A vendor the file would create: the unsaved Vendor and what vendor_save needs besides it."""

    row: int
    vendor: Vendor
    data_categories: list[DataCategory] = field(default_factory=list)
    purposes: list[Purpose] = field(default_factory=list)
    parent_row: int | None = None  # re-entrusted by the vendor created from this earlier row
    parent_label: str = ""


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    planned: list[PlannedVendor]
    created: list[Vendor]

    @property
    def count(self) -> int:
        return len(self.created) if not self.dry_run else len(self.planned)


class _Row:
    """One vendor row being validated: its cells' values and the problems found so far."""

    def __init__(self, number: int):
        self.number = number
        self.values: dict[str, object] = {}  # by column key; formulas are not read
        self.bad: set[str] = set()  # columns already reported: no second problem about them
        self.problems: list[Problem] = []
        self.vendor: Vendor | None = None
        self.parent_ref = ""
        self.data_categories: list = []
        self.purposes: list = []

    def problem(self, key: str | None, reason: str) -> None:
        self.problems.append(Problem(self.number, COLUMN_BY_KEY[key].header if key else None, reason))
        if key:
            self.bad.add(key)

    def add(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.problems.append(problem)
            if problem.column in KEY_BY_HEADER:
                self.bad.add(KEY_BY_HEADER[problem.column])

    def text(self, key: str) -> str:
        return _as_text(self.values.get(key))

    def ok(self, *keys: str) -> bool:
        return not self.bad.intersection(keys)


def _is_formula(cell) -> bool:
    return getattr(cell, "data_type", None) == "f"


def _is_blank(cell) -> bool:
    value = getattr(cell, "value", None)
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _formula_reason() -> str:
    return _("The cell holds a formula; type the value itself (formulas are not read).")


def _read_header(ws) -> dict[str, int]:
    """Column key -> 0-based position, found by header text; raises if a required column is missing."""
    cells = next(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS), ())
    found: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(cells):
        letter = get_column_letter(index + 1)
        if _is_formula(cell):
            problems.append(Problem(1, letter, _formula_reason()))
            continue
        text = _as_text(cell.value)
        if not text:
            continue
        key = HEADER_ALIASES.get(_header_key(text))
        if key is None:
            problems.append(
                Problem(
                    1,
                    letter,
                    _(
                        "“%(header)s” is not a column of the template: remove the column, or give it "
                        "one of the template's headers."
                    )
                    % {"header": text[:100]},
                )
            )
        elif key in found:
            problems.append(
                Problem(
                    1,
                    letter,
                    _("The column “%(header)s” appears twice (also column %(other)s).")
                    % {"header": COLUMN_BY_KEY[key].header, "other": get_column_letter(found[key] + 1)},
                )
            )
        else:
            found[key] = index
    for column in COLUMNS:
        if column.required and column.key not in found:
            problems.append(
                Problem(
                    1,
                    None,
                    _("The required column “%(header)s” is missing: copy the header row from the template.")
                    % {"header": column.header},
                )
            )
    if problems:
        raise VendorImportInvalid(problems)
    return found


def _read_rows(ws, positions: dict[str, int]) -> tuple[list[_Row], list[Problem]]:
    rows: list[_Row] = []
    problems: list[Problem] = []
    keys_at = {index: key for key, index in positions.items()}
    ws.reset_dimensions()  # read every row, whatever the file claims its size is
    for number, cells in enumerate(ws.iter_rows(min_row=2, max_col=MAX_COLUMNS), start=2):
        if all(_is_blank(cell) for cell in cells):
            if number > MAX_BLANK_SCAN:
                break
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(
                Problem(
                    number,
                    None,
                    _("The sheet has more than %(max)s vendors; split it into several files.")
                    % {"max": f"{MAX_ROWS:,}"},
                )
            )
            break
        row = _Row(number)
        for index, cell in enumerate(cells):
            key = keys_at.get(index)
            if key is None:
                if not _is_blank(cell):
                    row.problems.append(
                        Problem(
                            number,
                            get_column_letter(index + 1),
                            _("This cell is in a column without a header: it would not be read."),
                        )
                    )
            elif _is_formula(cell):
                row.problem(key, _formula_reason())
            else:
                row.values[key] = cell.value
        rows.append(row)
    return rows, problems


def _filename(file) -> str:
    name = str(getattr(file, "name", "") or "")
    return re.split(r"[\\/]", name)[-1][:100] or "workbook.xlsx"


def _open_rows(file) -> list[_Row]:
    try:
        validate_workbook_upload(file)
    except ValidationError as error:
        raise VendorImportInvalid([Problem(None, None, message) for message in error.messages]) from error
    try:
        file.seek(0)
        # data_only=False so that formulas show as formulas (data_type "f") and are refused; with
        # data_only=True openpyxl would silently hand back their cached results, or nothing.
        workbook = load_workbook(file, read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        reason = _("The workbook could not be opened: it is damaged or not an Excel workbook.")
        raise VendorImportInvalid([Problem(None, None, reason)]) from error
    try:
        # A workbook of one sheet is read whatever its name (a list saved from another system); the
        # template's other sheets are instructions, so with several the vendors' one must be named.
        if VENDORS not in workbook.sheetnames and len(workbook.sheetnames) > 1:
            raise VendorImportInvalid(
                [
                    Problem(
                        None,
                        None,
                        _("The workbook has no sheet named “%(sheet)s”: fill in the import template.")
                        % {"sheet": VENDORS},
                    )
                ]
            )
        sheet = workbook[VENDORS] if VENDORS in workbook.sheetnames else workbook.worksheets[0]
        positions = _read_header(sheet)
        rows, problems = _read_rows(sheet, positions)
    except VendorImportInvalid:
        raise
    except Exception as error:  # a damaged sheet can fail while it is parsed
        reason = _("The workbook could not be read: it is damaged or not an Excel workbook.")
        raise VendorImportInvalid([Problem(None, None, reason)]) from error
    finally:
        workbook.close()
        file.seek(0)
    if problems:
        raise VendorImportInvalid([problem for row in rows for problem in row.problems] + problems)
    return rows


def _corporate_number_form(text: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for value in Vendor.Kind.values:
        lookup[_normalise(value)] = value
        lookup[_normalise(value.replace("_", " "))] = value
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in Vendor.Kind.choices:
                lookup[_normalise(str(label))] = value
    return lookup


def _parse_yes_no(row: _Row, key: str) -> bool:
    value = row.values.get(key)
    if isinstance(value, bool):
        return value
    text = _normalise(_as_text(value))
    if not text or text in NO_WORDS:
        return False
    if text in YES_WORDS:
        return True
    reason = _("“%(value)s” is not yes or no: use Yes or No (はい / いいえ).")
    row.problem(key, reason % {"value": _as_text(value)[:50]})
    return False


def _parse_count(row: _Row) -> int:
    value = row.values.get("principal_count")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = re.sub(r"[\s,_]", "", unicodedata.normalize("NFKC", _as_text(value)))
        if not text:
            return 0
        if not text.isascii() or not text.isdigit():
            row.problem(
                "principal_count",
                _("“%(value)s” is not a whole number of principals.") % {"value": _as_text(value)[:50]},
            )
            return 0
        number = int(text)
    if not 0 <= number <= 2_147_483_647:
        row.problem("principal_count", _("The number of principals must be a whole number from 0."))
        return 0
    return number


def _parse_codes(row: _Row, key: str, known: dict) -> list:
    text = unicodedata.normalize("NFKC", row.text(key))
    codes = [code.strip() for code in re.split(r"[,;、\n]", text) if code.strip()]
    found, unknown, inactive = [], [], []
    for code in codes:
        obj = known.get(code.casefold())
        if obj is None:
            unknown.append(code[:50])
        elif not obj.is_active:
            inactive.append(obj.code)
        elif obj not in found:
            found.append(obj)
    if unknown:
        reason = (
            _("Unknown data category code(s): %(codes)s. See the sheet “Lists” for the codes.")
            if key == "data_categories"
            else _("Unknown purpose-of-use code(s): %(codes)s. See the sheet “Lists” for the codes.")
        )
        row.problem(key, reason % {"codes": ", ".join(unknown)})
    if inactive:
        row.problem(key, _("No longer offered (inactive): %(codes)s.") % {"codes": ", ".join(inactive)})
    return found


def _parse_row(row: _Row, *, user, kinds: dict, countries: set, categories: dict, purposes: dict) -> None:
    """Everything that can be judged from the row alone; builds row.vendor (unsaved, no parent yet)."""
    name = row.text("name")
    if not name and row.ok("name"):
        row.problem("name", _("A name is required."))
    corporate_number = _corporate_number_form(row.text("corporate_number"))
    if corporate_number and row.ok("corporate_number"):
        try:
            validate_corporate_number(corporate_number)
        except ValidationError as error:
            for message in error.messages:
                row.problem("corporate_number", message)
    country = unicodedata.normalize("NFKC", row.text("country")).upper() or "JP"
    if country not in countries and row.ok("country"):
        row.problem(
            "country",
            _("“%(value)s” is not a country code: use the two-letter ISO 3166 code, e.g. JP, US or DE.")
            % {"value": row.text("country")[:50]},
        )
    kind_text = row.text("kind")
    kind = kinds.get(_normalise(kind_text)) if kind_text else Vendor.Kind.CONTRACTOR
    if kind is None and row.ok("kind"):
        row.problem(
            "kind",
            _("“%(value)s” is not a kind of vendor: use contractor, subcontractor or joint_user.")
            % {"value": kind_text[:50]},
        )
    flags = {key: _parse_yes_no(row, key) for key in YES_NO_KEYS if row.ok(key)}
    principal_count = _parse_count(row) if row.ok("principal_count") else 0
    if row.ok("data_categories"):
        row.data_categories = _parse_codes(row, "data_categories", categories)
    if row.ok("purposes"):
        row.purposes = _parse_codes(row, "purposes", purposes)
    row.parent_ref = row.text("parent") if row.ok("parent") else ""
    vendor = Vendor(
        name=name,
        name_kana=row.text("name_kana"),
        corporate_number=corporate_number if row.ok("corporate_number") else "",
        country=country if row.ok("country") else "JP",
        kind=kind or Vendor.Kind.CONTRACTOR,
        principal_count=principal_count,
        address=row.text("address"),
        representative=row.text("representative"),
        website=row.text("website"),
        notes=row.text("notes"),
        status=Vendor.Status.DRAFT,
        owner=user,
        **flags,
    )
    # The model's own field rules (lengths, URL, choices) for what was not already judged above.
    try:
        vendor.clean_fields(exclude=[*row.bad, "parent", "owner"])
    except ValidationError as error:
        row.add(_problems_from(error, row.number))
    if row.ok("country", "corporate_number") and vendor.needs_corporate_number and not corporate_number:
        row.problem("corporate_number", _("A vendor in Japan needs its corporate number."))
    row.vendor = vendor


def _problems_from(error: ValidationError, row: int) -> list[Problem]:
    """A model ValidationError as problems on the columns of the fields it names."""
    if not hasattr(error, "error_dict"):
        return [Problem(row, None, message) for message in error.messages]
    return [
        Problem(row, COLUMN_BY_KEY[name].header if name in COLUMN_BY_KEY else None, message)
        for name, errors in error.error_dict.items()
        for message in ValidationError(errors).messages
    ]


@dataclass
class _Existing:
    by_number: dict[str, Vendor]
    by_name: dict[str, list[Vendor]]


def _existing_vendors(rows: list[_Row]) -> _Existing:
    """The vendors of the register the file's corporate numbers and parent references name, in one query."""
    numbers, names = set(), set()
    for row in rows:
        if row.vendor.corporate_number:
            numbers.add(row.vendor.corporate_number)
        elif row.vendor.name:
            names.add(row.vendor.name)  # without a number, the name and country identify a re-import
        if row.parent_ref:
            number = _corporate_number_form(row.parent_ref)
            if len(number) == 13 and number.isdigit():
                numbers.add(number)
            names.add(row.parent_ref)
    existing = _Existing({}, defaultdict(list))
    if not numbers and not names:
        return existing
    vendors = Vendor.objects.filter(Q(corporate_number__in=numbers) | Q(name__in=names)).only(
        "pk", "name", "corporate_number", "kind", "status", "country"
    )
    for vendor in vendors:
        if vendor.corporate_number:
            existing.by_number[vendor.corporate_number] = vendor
        existing.by_name[vendor.name].append(vendor)
    return existing


def _check_parent(row: _Row, earlier: dict, all_rows: dict, existing: _Existing) -> PlannedVendor | None:
    """Resolve row.parent_ref; returns the plan with its parent, or None after reporting a problem."""
    vendor = row.vendor
    plan = PlannedVendor(row.number, vendor, row.data_categories, row.purposes)
    if not row.ok("kind", "parent"):
        return plan
    ref = row.parent_ref
    if vendor.kind != Vendor.Kind.SUBCONTRACTOR:
        if ref:
            row.problem(
                "parent", _("Only a subcontractor is re-entrusted by another vendor; leave this empty.")
            )
        return plan
    if not ref:
        row.problem("parent", _("A subcontractor needs the vendor that re-entrusts the work to it."))
        return plan
    number = _corporate_number_form(ref)
    if len(number) == 13 and number.isdigit():
        key = ("number", number)
        in_db = [existing.by_number[number]] if number in existing.by_number else []
    else:
        key = ("name", ref)
        in_db = existing.by_name.get(ref, [])
    in_file = earlier.get(key)
    if in_file is not None and in_db:
        row.problem(
            "parent",
            _(
                "“%(ref)s” names both a vendor of the register and the vendor on row %(row)s: "
                "give the corporate number instead."
            )
            % {"ref": ref[:100], "row": in_file.number},
        )
        return None
    if len(in_db) > 1:
        row.problem(
            "parent",
            _("Several vendors of the register are named “%(ref)s”: give the corporate number instead.")
            % {"ref": ref[:100]},
        )
        return None
    if in_db:
        parent = in_db[0]
        if parent.kind == Vendor.Kind.JOINT_USER:
            row.problem(
                "parent", _("A joint user does not re-entrust work; choose a contractor or subcontractor.")
            )
            return None
        if parent.status == Vendor.Status.TERMINATED:
            row.problem(
                "parent",
                _("“%(name)s” is terminated and cannot re-entrust work.") % {"name": parent.name},
            )
            return None
        vendor.parent = parent
        plan.parent_label = str(parent)
        return plan
    if in_file is not None:
        if in_file.vendor.kind == Vendor.Kind.JOINT_USER:
            row.problem(
                "parent", _("A joint user does not re-entrust work; choose a contractor or subcontractor.")
            )
            return None
        plan.parent_row = in_file.number
        plan.parent_label = _("%(name)s (row %(row)s)") % {"name": in_file.vendor.name, "row": in_file.number}
        return plan
    later = all_rows.get(key)
    if later is row:
        row.problem("parent", _("A vendor cannot re-entrust to itself."))
    elif later is not None:
        row.problem(
            "parent",
            _("“%(ref)s” is on row %(row)s, below this one: put the re-entrusting vendor on an earlier row.")
            % {"ref": ref[:100], "row": later.number},
        )
    else:
        row.problem(
            "parent",
            _(
                "No vendor “%(ref)s” in the register or on an earlier row of this file: give the corporate "
                "number or the exact name of the re-entrusting vendor."
            )
            % {"ref": ref[:100]},
        )
    return None


def read_vendor_workbook(*, file, user) -> list[PlannedVendor]:
    """The vendors a filled-in template would create, in file order.

    Raises VendorImportInvalid listing every problem found (row, column header, reason); nothing is
    returned unless every row is valid.
    """
    rows = _open_rows(file)
    kinds = _kind_lookup()
    countries = {code for code, _name in _country_codes()}
    categories = {c.code.casefold(): c for c in DataCategory.objects.all()}
    purposes = {p.code.casefold(): p for p in Purpose.objects.all()}
    for row in rows:
        _parse_row(row, user=user, kinds=kinds, countries=countries, categories=categories, purposes=purposes)
    existing = _existing_vendors(rows)

    all_rows: dict[tuple[str, str], _Row] = {}
    for row in rows:
        if row.vendor.corporate_number:
            all_rows.setdefault(("number", row.vendor.corporate_number), row)
        if row.vendor.name:
            all_rows.setdefault(("name", row.vendor.name), row)
    earlier: dict[tuple[str, str], _Row] = {}
    seen_names: dict[str, _Row] = {}
    planned = []
    for row in rows:
        vendor = row.vendor
        number = vendor.corporate_number
        if number:
            if ("number", number) in earlier:
                row.problem(
                    "corporate_number",
                    _("This corporate number is already on row %(row)s.")
                    % {"row": earlier["number", number].number},
                )
            elif number in existing.by_number:
                row.problem(
                    "corporate_number",
                    _("“%(name)s” in the register already has this corporate number.")
                    % {"name": existing.by_number[number].name},
                )
        elif vendor.name and any(
            other.country == vendor.country for other in existing.by_name.get(vendor.name, [])
        ):
            row.problem(
                "name",
                _("“%(name)s” in %(country)s is already in the register: is this file imported already?")
                % {"name": vendor.name, "country": vendor.country},
            )
        name_key = _normalise(vendor.name)
        if name_key:
            if name_key in seen_names:
                row.problem(
                    "name",
                    _("A vendor with this name is already on row %(row)s.")
                    % {"row": seen_names[name_key].number},
                )
            else:
                seen_names[name_key] = row
        plan = _check_parent(row, earlier, all_rows, existing)
        if number:
            earlier.setdefault(("number", number), row)
        if vendor.name:
            earlier.setdefault(("name", vendor.name), row)
        if plan is not None and not row.problems:
            planned.append(plan)
    problems = [problem for row in rows for problem in row.problems]
    if problems:
        raise VendorImportInvalid(problems)
    if not planned:
        raise VendorImportInvalid(
            [
                Problem(
                    None,
                    None,
                    _("The sheet “%(sheet)s” has no vendor: fill in one row per vendor under the header.")
                    % {"sheet": VENDORS},
                )
            ]
        )
    return planned


# --- saving ------------------------------------------------------------------------------------------------


def vendor_import(*, file, user, dry_run: bool = False) -> ImportResult:
    """Create every vendor of a filled-in template as a draft owned by `user`, or none at all.

    Everything is validated first (VendorImportInvalid lists every problem); a dry run stops there and
    returns what would be created. Vendors are saved in file order, so a parent on an earlier row exists
    before its subcontractors; any failure on the way rolls the whole import back.
    """
    services.require_editor(user)
    filename = _filename(file)
    planned = read_vendor_workbook(file=file, user=user)
    if dry_run:
        return ImportResult(filename, True, planned, [])
    reason = _("Bulk import from %(file)s") % {"file": filename}
    created: dict[int, Vendor] = {}
    with transaction.atomic():
        for plan in planned:
            vendor = plan.vendor
            if plan.parent_row is not None:
                vendor.parent = created[plan.parent_row]
            try:
                # Looked up on the module at call time: one rule set for the form and the import.
                services.vendor_save(
                    vendor=vendor,
                    user=user,
                    data_categories=plan.data_categories,
                    purposes=plan.purposes,
                    reason=reason,
                )
            except ValidationError as error:
                # E.g. someone saved the same corporate number since the file was checked.
                raise VendorImportInvalid(_problems_from(error, plan.row)) from error
            except IntegrityError as error:
                # E.g. a concurrent import saved the same corporate number, uncommitted when this one
                # checked it; it is committed now (the insert waited for it), so the constraint can say so.
                try:
                    vendor.validate_constraints()
                except ValidationError as explained:
                    raise VendorImportInvalid(_problems_from(explained, plan.row)) from error
                raise VendorImportInvalid(
                    [
                        Problem(
                            plan.row,
                            None,
                            _("The database refused this vendor (a concurrent change?); nothing was saved."),
                        )
                    ]
                ) from error
            created[plan.row] = vendor
    return ImportResult(filename, False, planned, list(created.values()))
