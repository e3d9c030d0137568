"""Excel registers: streamed write-only workbooks whose memory stays flat however many rows they hold.

A register is a list of `Column`s over the rows of a queryset. `register_response()` writes them with
openpyxl's write-only mode (rows go to a temporary file as they are appended) and streams the finished
file from disk. Every text cell is neutralised so that nothing in it runs as a formula when opened.
"""

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .downloads import XLSX, attachment

# A spreadsheet treats text starting with these as a formula (or as the start of one, via DDE).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
ITERATION_CHUNK = 2000
PROGRESS_EVERY = 500  # rows between two progress reports of a background export


def neutralise(text: str) -> str:
    """Text that cannot run as a formula: a leading apostrophe makes the spreadsheet show it as typed."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translatable string
    value: Callable[[Any], Any]
    width: int = 16


class RegisterFile(NamedTuple):
    """What one register download holds: `register_response(**register._asdict())` or `write_register`."""

    filename: str
    title: str
    columns: list[Column]
    rows: Iterable

    @classmethod
    def dated(cls, name: str, columns: list[Column], rows: Iterable) -> "RegisterFile":
        """The register `name` downloaded today: a sheet named `name` in the file `name-YYYY-MM-DD.xlsx`."""
        today = timezone.localdate().isoformat()
        return cls(filename=f"{name}-{today}.xlsx", title=name, columns=columns, rows=rows)


def column(header, attribute: str, width: int = 16) -> Column:
    """A column reading a (dotted) attribute of the row; a method is called, None stays empty."""

    def read(row):
        value = row
        for part in attribute.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value() if callable(value) else value

    return Column(header, read, width)


def choice_column(header, name: str, width: int = 16) -> Column:
    """A choice field of the row by its label, translated once per register, not once per row."""
    labels: dict = {}

    def label(row):
        if not labels:
            labels.update((value, str(text)) for value, text in type(row)._meta.get_field(name).flatchoices)
        value = getattr(row, name)
        return labels.get(value, value)

    return Column(header, label, width)


def _cell(ws, value, yes_no: tuple[str, str]):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        return value  # openpyxl formats a date as yyyy-mm-dd itself: no styled cell to build for each one
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(force_str(value))


def write_register(
    file,
    *,
    title: str,
    columns: list[Column],
    rows: Iterable,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows to `file` as one sheet (bold frozen headers, auto-filter, widths); returns the count.

    `progress(rows_written)`, if given, is called every PROGRESS_EVERY rows (not after the last ones).
    """
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=neutralise(force_str(title))[:31])
    for index, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = col.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for col in columns:
        cell = WriteOnlyCell(ws, neutralise(force_str(capfirst(col.header))))  # as list pages show them
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    yes_no = (_("yes"), _("no"))  # translated once per register, not once per cell
    for row in rows:
        ws.append([_cell(ws, col.value(row), yes_no) for col in columns])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(file)
    return count


def register_response(*, filename: str, title: str, columns: list[Column], rows: Iterable) -> FileResponse:
    """The register as a download, written to a temporary file first and streamed from there."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it once streamed)
    try:
        write_register(spool, title=title, columns=columns, rows=rows)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return attachment(spool, filename, content_type=XLSX)  # closes the spool once streamed


def stream(queryset: QuerySet) -> Iterable:
    """Rows one chunk at a time, each chunk with its prefetches: memory and queries per chunk stay fixed."""
    return queryset.iterator(chunk_size=ITERATION_CHUNK)
