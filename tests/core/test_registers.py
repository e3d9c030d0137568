"""Excel registers, what every one of them shares: the download itself, its format, who may fetch it, the
link on the list page, formula neutralisation, and the reference-data registers.

Each app's register (its columns, filters, query count; the vendor register in Japanese) is tested in
tests/<app>/test_register.py, with the helpers below.
"""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from assessments.models import Assessment, Finding
from contracts.models import Clause
from core.excel import Column, neutralise, write_register
from transfers.models import ProvisionRecord

from ..factories import (
    CountryFactory,
    DataCategoryFactory,
    ForeignTransferFactory,
    JointUseArrangementFactory,
    ProtectionContractFactory,
    ProvisionRecordFactory,
    PurposeFactory,
    StandardFactory,
    VendorFactory,
    approved_assessment_for,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# export url: (the list page it belongs to, the start of the file name)
REGISTERS = {
    "/vendors/export.xlsx": ("/vendors/", "vendors"),
    "/contracts/export.xlsx": ("/contracts/", "contracts"),
    "/assessments/export.xlsx": ("/assessments/", "assessments"),
    "/assessments/review/export.xlsx": ("/assessments/review/", "review-queue"),
    "/assessments/findings/export.xlsx": ("/assessments/findings/", "findings"),
    "/assessments/standards/export.xlsx": ("/assessments/standards/", "standards"),
    "/transfers/export.xlsx": ("/transfers/", "foreign-transfers"),
    "/transfers/joint-use/export.xlsx": ("/transfers/joint-use/", "joint-use"),
    "/transfers/records/export.xlsx": ("/transfers/records/", "provision-records"),
    "/vendors/data-categories/export.xlsx": ("/vendors/data-categories/", "data-categories"),
    "/vendors/purposes/export.xlsx": ("/vendors/purposes/", "purposes"),
    "/contracts/clauses/export.xlsx": ("/contracts/clauses/", "clauses"),
    "/transfers/countries/export.xlsx": ("/transfers/countries/", "countries"),
}

# Text a spreadsheet would run as a formula (or start one, via DDE) unless neutralised.
FORMULAS = ['=HYPERLINK("http://evil.example")', "+81 3 1234", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


# --- helpers, also used by tests/<app>/test_register.py -----------------------------------------------------


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def export(client, url: str, params=None, **extra) -> Worksheet:
    """The register downloaded from `url`, as its one sheet."""
    workbook = workbook_of(client.get(url, params or {}, **extra))
    assert len(workbook.worksheets) == 1
    return workbook.active


def shown(cell):
    """A cell's value as the reader sees it: a date cell (no time shown) is that day."""
    if cell.is_date and cell.number_format == "yyyy-mm-dd":
        return cell.value.date()
    return cell.value


def headers(ws: Worksheet) -> list:
    return [cell.value for cell in ws[1]]


def rows(ws: Worksheet) -> list[list]:
    """The data rows (the header row left out)."""
    return [[shown(cell) for cell in row] for row in ws.iter_rows(min_row=2)]


def column_of(ws: Worksheet, header: str) -> list:
    index = headers(ws).index(header)
    return [row[index] for row in rows(ws)]


def export_link(content: bytes) -> str | None:
    """The href of the page's "Export to Excel" link, if it has one."""
    match = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Export to Excel</a>', content.decode())
    return html.unescape(match.group(1)) if match else None


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Contract documents and evidence go to a folder of this test, never to the project's media/ folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


# --- neutralise ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_neutralise_puts_an_apostrophe_before_text_a_spreadsheet_would_run(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["", "Acme K.K.", "a = b + c", "e-mail", "'quoted", "株式会社＝テスト", " =1"]
)
def test_neutralise_leaves_other_text_as_it_is(text):
    assert neutralise(text) == text


# --- write_register -----------------------------------------------------------------------------------------


def test_write_register_writes_each_kind_of_value_as_a_spreadsheet_shows_it():
    row = {
        "text": "=1+1",
        "number": Decimal("-12.5"),
        "count": -3,
        "flag": True,
        "other_flag": False,
        "day": date(2026, 3, 31),
        "moment": datetime(2026, 3, 31, 15, 30, tzinfo=UTC),  # 00:30 the next day in Tokyo
        "empty": "",
        "missing": None,
    }
    columns = [Column(name, lambda r, name=name: r[name], 10 + i) for i, name in enumerate(row)]
    file = BytesIO()

    assert write_register(file, title="=Sheet", columns=columns, rows=[row, row]) == 2

    ws = load_workbook(BytesIO(file.getvalue())).active
    assert ws.title == "'=Sheet"
    assert headers(ws) == [
        "Text",
        "Number",
        "Count",
        "Flag",
        "Other_flag",
        "Day",
        "Moment",
        "Empty",
        "Missing",
    ]
    text, number, count, flag, other_flag, day, moment, empty, missing = ws[2]
    assert (text.value, text.data_type) == ("'=1+1", "s")
    assert (number.value, number.data_type) == (-12.5, "n")  # a negative number stays a number
    assert (count.value, count.data_type) == (-3, "n")
    assert (flag.value, other_flag.value) == ("yes", "no")
    assert day.is_date and day.number_format == "yyyy-mm-dd" and shown(day) == date(2026, 3, 31)
    assert moment.is_date and moment.number_format == "yyyy-mm-dd hh:mm"
    assert moment.value == datetime(2026, 4, 1, 0, 30)  # local time, as the reader lives it
    assert empty.value is None and missing.value is None
    assert ws.auto_filter.ref == "A1:I3"
    assert [ws.column_dimensions[letter].width for letter in "ABCDEFGHI"] == list(range(10, 19))


def test_an_empty_register_still_has_its_bold_header_row_and_filter():
    file = BytesIO()
    assert write_register(file, title="t", columns=[Column("Name", str)], rows=[]) == 0
    ws = load_workbook(BytesIO(file.getvalue())).active
    assert headers(ws) == ["Name"] and rows(ws) == []
    assert ws["A1"].font.b
    assert ws.auto_filter.ref == "A1:A1"


# --- the download -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", REGISTERS)
def test_a_register_downloads_as_an_xlsx_attachment_named_after_it_and_today(viewer_client, url):
    response = viewer_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    filename = f"{REGISTERS[url][1]}-{timezone.localdate().isoformat()}.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert workbook_of(response).active.title == REGISTERS[url][1]


@pytest.fixture
def one_of_everything(db):
    """At least one row in every register, with dates and yes/no values."""
    vendor = VendorFactory(is_group_company=True)
    ProtectionContractFactory(vendor=vendor, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    assessment = approved_assessment_for(vendor)
    Assessment.objects.create(vendor=vendor, standard=assessment.standard, status="submitted")
    Finding.objects.create(assessment=assessment, description="No access log.", due_on=date(2026, 6, 30))
    transfer = ForeignTransferFactory(vendor=vendor, started_on=date(2026, 4, 1))
    JointUseArrangementFactory(joint_users=[vendor], effective_on=date(2026, 4, 1))
    ProvisionRecordFactory(transfer=transfer, kind=ProvisionRecord.Kind.SINGLE)
    StandardFactory()


@pytest.mark.parametrize("url", REGISTERS)
def test_a_register_has_bold_frozen_headers_an_auto_filter_over_every_row_and_column_widths(
    viewer_client, one_of_everything, url
):
    ws = export(viewer_client, url)

    count = len(rows(ws))
    assert count >= 1
    width = len(headers(ws))
    assert all(isinstance(header, str) and header for header in headers(ws))
    assert all(cell.font.b for cell in ws[1])
    assert not any(cell.font.b for row in ws.iter_rows(min_row=2) for cell in row)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, width).column_letter}{count + 1}"
    assert all(ws.column_dimensions[ws.cell(1, i).column_letter].width for i in range(1, width + 1))
    cells = [cell for row in ws.iter_rows(min_row=2) for cell in row if cell.value is not None]
    dates = [cell for cell in cells if cell.is_date]
    assert all(cell.number_format in ("yyyy-mm-dd", "yyyy-mm-dd hh:mm") for cell in dates)
    assert not any(
        isinstance(cell.value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", cell.value) for cell in cells
    )
    assert not any(isinstance(cell.value, bool) or cell.value in ("True", "False") for cell in cells)


def test_dates_are_real_dates_and_booleans_read_yes_or_no(viewer_client, one_of_everything):
    ws = export(viewer_client, "/vendors/export.xlsx")
    assert column_of(ws, "Group company") == ["yes"]
    assert column_of(ws, "System access") == ["no"]
    valid_until = ws.cell(2, headers(ws).index("Assessment valid until") + 1)
    assert valid_until.is_date and valid_until.number_format == "yyyy-mm-dd"
    changed = ws.cell(2, headers(ws).index("Last changed") + 1)
    assert changed.is_date and changed.number_format == "yyyy-mm-dd hh:mm"


# --- who may download ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", REGISTERS)
def test_anyone_who_may_open_the_list_may_download_its_register_and_no_one_else(
    client_as, roleless_user, client, url
):
    list_url = REGISTERS[url][0]
    anonymous = client_as("anonymous").get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")

    client.force_login(roleless_user)
    assert client.get(url).status_code == 403
    assert client.get(list_url).status_code == 403

    for role in ("viewer", "procurement", "compliance", "superuser"):
        role_client = client_as(role)
        assert role_client.get(list_url).status_code == 200, role
        assert role_client.get(url).status_code == 200, role


# --- the link on the list page ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", REGISTERS)
def test_the_list_page_links_to_its_register_with_the_same_filter_but_not_the_page(viewer_client, url):
    list_url = REGISTERS[url][0]
    assert export_link(viewer_client.get(list_url).content) == url
    response = viewer_client.get(list_url, {"q": "k.k. tokyo", "page": "1"})
    assert export_link(response.content) == f"{url}?q=k.k.+tokyo"


def test_the_vendor_list_link_carries_every_filter_of_the_current_query(viewer_client):
    response = viewer_client.get("/vendors/?status=approved&page=1")
    assert export_link(response.content) == "/vendors/export.xlsx?status=approved"

    response = viewer_client.get("/vendors/?status=approved&status=draft&page=1&ordering=-name&q=a%26b")
    assert export_link(response.content) == (
        "/vendors/export.xlsx?status=approved&status=draft&ordering=-name&q=a%26b"
    )


def test_pages_that_are_not_lists_have_no_export_link(viewer_client, db):
    standard = StandardFactory()
    assert export_link(viewer_client.get(f"/assessments/standards/{standard.pk}/").content) is None
    assert export_link(viewer_client.get("/notifications/").content) is None


# --- formula neutralisation in every register ---------------------------------------------------------------


def test_text_that_would_run_as_a_formula_comes_out_as_text_in_every_register(viewer_client, db):
    for i, text in enumerate(FORMULAS):
        vendor = VendorFactory(name=text)
        ProtectionContractFactory(vendor=vendor, title=text)
        assessment = approved_assessment_for(vendor, decision_note=text)
        Assessment.objects.create(
            vendor=vendor, standard=assessment.standard, status="submitted", decision_note=text
        )
        Finding.objects.create(assessment=assessment, description=text, resolution_note=text)
        transfer = ForeignTransferFactory(vendor=vendor, description=text)
        JointUseArrangementFactory(title=text, data_items=text, responsible_party_name=text)
        ProvisionRecordFactory(transfer=transfer, recipient_name=text, data_items=text)
        StandardFactory(name=text)
        DataCategoryFactory(code=f"formula-{i}", name_en=text)
        PurposeFactory(code=f"formula-{i}", name_en=text)
        Clause.objects.create(code=f"formula-{i}", title_en=text, title_ja="条項")
        CountryFactory(name_en=text)

    for url in REGISTERS:
        ws = export(viewer_client, url)
        cells = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"], url
        texts = [cell.value for cell in cells if isinstance(cell.value, str)]
        # Whatever the text sits in (alone or inside a longer value), it never starts a cell unguarded.
        assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))], url
        assert len([t for t in texts if t.startswith("'")]) >= len(FORMULAS), url


def test_a_vendor_named_like_a_formula_is_shown_with_an_apostrophe_and_stays_text(viewer_client, db):
    for text in FORMULAS:
        VendorFactory(name=text)

    ws = export(viewer_client, "/vendors/export.xlsx", {"ordering": "name"})

    names = ws["A"][1:]
    assert all(cell.data_type == "s" for cell in names)
    # (A carriage return reads back as a line feed: XML normalises it. Either way it is not a formula.)
    assert sorted(cell.value for cell in names) == sorted("'" + text.replace("\r", "\n") for text in FORMULAS)


# --- reference data -----------------------------------------------------------------------------------------


def test_a_reference_register_has_the_list_columns_and_follows_its_filter(viewer_client, db):
    DataCategoryFactory(code="zz-health", name_en="Health records", name_ja="健康情報", is_special_care=True)
    DataCategoryFactory(code="zz-retired", name_en="Retired category", name_ja="旧区分", is_active=False)

    ws = export(viewer_client, "/vendors/data-categories/export.xlsx", {"q": "zz-"})

    assert headers(ws) == ["Code", "Name (English)", "Name (Japanese)", "Special-care-required", "Active"]
    assert rows(ws) == [
        ["zz-health", "Health records", "健康情報", "yes", "yes"],
        ["zz-retired", "Retired category", "旧区分", "no", "no"],
    ]
    only_active = export(
        viewer_client, "/vendors/data-categories/export.xlsx", {"q": "zz-", "is_active": "true"}
    )
    assert column_of(only_active, "Code") == ["zz-health"]


def test_a_reference_register_shows_choices_and_derived_columns_as_the_list_does(viewer_client, db):
    clauses = export(viewer_client, "/contracts/clauses/export.xlsx", {"q": "confidentiality"})
    assert headers(clauses) == [
        "Code",
        "Title (English)",
        "Title (Japanese)",
        "Required for",
        "Obligation",
        "Active",
    ]
    assert rows(clauses) == [
        [
            "confidentiality",
            "Confidentiality",
            "秘密保持",
            "Entrustment contract, Personal-information protection agreement, Joint-use agreement",
            "Should (guideline; company policy)",
            "yes",
        ]
    ]

    page = viewer_client.get("/transfers/countries/", {"q": "DE"})
    countries = export(viewer_client, "/transfers/countries/export.xlsx", {"q": "DE"})
    assert headers(countries) == [capfirst(header) for header in page.context["headers"]]
    assert [row[0] for row in rows(countries)] == [country.code for country in page.context["object_list"]]
    germany = next(row for row in rows(countries) if row[0] == "DE")
    assert germany[1:4] == ["Germany", "ドイツ", "yes"]
    assert germany[-1] == "not needed: equivalent country"
