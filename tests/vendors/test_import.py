"""Bulk onboarding from Excel: the template, every refusal (nothing saved), dry run, import, permissions."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from vendors import services
from vendors.importing import (
    COLUMN_BY_KEY,
    COLUMNS,
    Problem,
    VendorImportInvalid,
    import_template_workbook,
    vendor_import,
)
from vendors.models import Vendor

from ..factories import (
    DataCategoryFactory,
    JointUserFactory,
    PurposeFactory,
    UserFactory,
    VendorFactory,
    valid_corporate_number,
)
from ..permissions import LOGIN_URL

pytestmark = pytest.mark.django_db

H = {key: column.header for key, column in COLUMN_BY_KEY.items()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = "The cell holds a formula; type the value itself (formulas are not read)."
JOINT_USER_PARENT = "A joint user does not re-entrust work; choose a contractor or subcontractor."


def number(n: int) -> str:
    """A valid corporate number no factory hands out."""
    return valid_corporate_number(900_000_000 + n)


def vendor_row(n: int = 1, **values) -> dict:
    row = {"name": f"Import Vendor {n} K.K.", "corporate_number": number(n), "country": "JP"}
    row.update(values)
    return row


def workbook_bytes(rows: list[dict | None], *, drop: tuple[str, ...] = (), extra: dict | None = None):
    """The template with `rows` (column key -> value; None for an empty row) typed under its own header.

    `drop` removes columns (header included); `extra` adds cells by address, e.g. {"R2": "stray"}.
    """
    workbook = load_workbook(io.BytesIO(import_template_workbook()))
    sheet = workbook["Vendors"]
    position = {cell.value: cell.column for cell in sheet[1]}
    for number_, row in enumerate(rows, start=2):
        for key, value in (row or {}).items():
            sheet.cell(number_, position[H[key]], value)
    for key in drop:
        for row_number in range(1, len(rows) + 2):
            sheet.cell(row_number, position[H[key]]).value = None
    for address, value in (extra or {}).items():
        sheet[address] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows, *, name: str = "vendors.xlsx", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows, **kwargs), content_type=XLSX)


def refusal(user, rows, **kwargs) -> list[Problem]:
    """The problems reported for `rows`, checking that neither a real import nor a dry run saved anything."""
    before = Vendor.objects.count()
    for dry_run in (True, False):
        with pytest.raises(VendorImportInvalid) as caught:
            vendor_import(file=upload(rows, **kwargs), user=user, dry_run=dry_run)
        assert Vendor.objects.count() == before
    return caught.value.problems


# --- the template ------------------------------------------------------------------------------------------


def test_the_template_has_a_bold_frozen_bilingual_header_row_per_importable_field():
    workbook = load_workbook(io.BytesIO(import_template_workbook()))
    sheet = workbook["Vendors"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert sheet["A1"].value == "Name* / 名称*"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1  # no example row that would be imported by mistake


def test_the_template_header_does_not_depend_on_the_ui_language():
    with translation.override("ja"):
        japanese = load_workbook(io.BytesIO(import_template_workbook()))["Vendors"]
    assert [cell.value for cell in japanese[1]] == [column.header for column in COLUMNS]


def test_the_template_offers_drop_down_lists_from_a_hidden_lists_sheet():
    DataCategoryFactory(code="payroll")
    DataCategoryFactory(code="retired-category", is_active=False)
    PurposeFactory(code="billing")
    workbook = load_workbook(io.BytesIO(import_template_workbook()))
    lists = workbook["Lists"]
    assert lists.sheet_state == "hidden"
    values = {cell.value for row in lists.iter_rows() for cell in row}
    assert {"contractor", "subcontractor", "joint_user", "JP", "US", "payroll", "billing"} <= values
    assert "retired-category" not in values

    sheet = workbook["Vendors"]
    letter = {column.key: chr(ord("A") + index) for index, column in enumerate(COLUMNS)}
    by_column = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            by_column[cell_range.coord[0]] = validation
    kind, country = by_column[letter["kind"]], by_column[letter["country"]]
    assert kind.type == "list" and kind.formula1.startswith("Lists!")
    assert country.type == "list" and country.formula1.startswith("Lists!")
    for key in ("is_group_company", "handles_special_care_data", "handles_data_abroad", "has_system_access"):
        assert by_column[letter[key]].formula1 == '"Yes,No,はい,いいえ"'
    for key in ("data_categories", "purposes"):
        codes = by_column[letter[key]]
        assert codes.type == "list" and codes.formula1.startswith("Lists!")
        # Information only: several comma-separated codes can still be typed.
        assert codes.errorStyle == "information"
    assert by_column[letter["principal_count"]].type == "whole"


def test_the_instructions_explain_every_column_in_english_and_japanese():
    workbook = load_workbook(io.BytesIO(import_template_workbook()))
    text = "\n".join(
        str(cell.value) for row in workbook["Instructions"].iter_rows() for cell in row if cell.value
    )
    for column in COLUMNS:
        assert column.header in text
        assert column.help_en in text and column.help_ja in text
    assert "Nothing is saved unless every row is valid" in text
    assert "すべての行が正しい場合にのみ登録されます" in text


def test_procurement_downloads_the_template_as_an_attachment(procurement_client):
    response = procurement_client.get(reverse("vendors:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    assert "Vendors" in load_workbook(io.BytesIO(response.content)).sheetnames


# --- refusals: every problem reported with its row and column, nothing saved --------------------------------


def test_it_refuses_a_row_without_a_name(procurement_user):
    assert refusal(procurement_user, [vendor_row(name=None)]) == [
        Problem(2, H["name"], "A name is required.")
    ]


def test_it_refuses_a_corporate_number_of_the_wrong_length(procurement_user):
    assert refusal(procurement_user, [vendor_row(corporate_number="12345")]) == [
        Problem(2, H["corporate_number"], "A corporate number has exactly 13 digits.")
    ]


def test_it_refuses_a_corporate_number_with_a_wrong_check_digit(procurement_user):
    good = number(1)
    bad = str((int(good[0]) % 9) + 1) + good[1:]
    [problem] = refusal(procurement_user, [vendor_row(corporate_number=bad)])
    assert (problem.row, problem.column) == (2, H["corporate_number"])
    assert "check digit" in problem.reason


def test_it_refuses_a_vendor_in_japan_without_a_corporate_number(procurement_user):
    assert refusal(procurement_user, [vendor_row(corporate_number=None)]) == [
        Problem(2, H["corporate_number"], "A vendor in Japan needs its corporate number.")
    ]


def test_it_refuses_a_corporate_number_twice_in_the_file(procurement_user):
    rows = [vendor_row(1), vendor_row(2, corporate_number=number(1))]
    assert refusal(procurement_user, rows) == [
        Problem(3, H["corporate_number"], "This corporate number is already on row 2.")
    ]


def test_it_refuses_a_corporate_number_already_in_the_register(procurement_user):
    VendorFactory(name="Existing K.K.", corporate_number=number(1))
    assert refusal(procurement_user, [vendor_row(1)]) == [
        Problem(
            2, H["corporate_number"], "“Existing K.K.” in the register already has this corporate number."
        )
    ]


def test_it_refuses_a_name_twice_in_the_file(procurement_user):
    rows = [vendor_row(1, name="Twin K.K."), vendor_row(2, name=" twin k.k. ")]
    assert refusal(procurement_user, rows) == [
        Problem(3, H["name"], "A vendor with this name is already on row 2.")
    ]


def test_it_refuses_a_country_that_is_not_an_iso_code(procurement_user):
    assert refusal(procurement_user, [vendor_row(country="Japan", corporate_number="")]) == [
        Problem(
            2,
            H["country"],
            "“Japan” is not a country code: use the two-letter ISO 3166 code, e.g. JP, US or DE.",
        )
    ]


def test_it_refuses_an_unknown_kind(procurement_user):
    assert refusal(procurement_user, [vendor_row(kind="supplier")]) == [
        Problem(
            2, H["kind"], "“supplier” is not a kind of vendor: use contractor, subcontractor or joint_user."
        )
    ]


def test_it_refuses_a_subcontractor_without_parent(procurement_user):
    assert refusal(procurement_user, [vendor_row(kind="subcontractor")]) == [
        Problem(2, H["parent"], "A subcontractor needs the vendor that re-entrusts the work to it.")
    ]


def test_it_refuses_a_parent_for_a_contractor(procurement_user):
    parent = VendorFactory()
    assert refusal(procurement_user, [vendor_row(parent=parent.corporate_number)]) == [
        Problem(2, H["parent"], "Only a subcontractor is re-entrusted by another vendor; leave this empty.")
    ]


def test_it_refuses_an_unknown_parent(procurement_user):
    assert refusal(procurement_user, [vendor_row(kind="subcontractor", parent="Nobody K.K.")]) == [
        Problem(
            2,
            H["parent"],
            "No vendor “Nobody K.K.” in the register or on an earlier row of this file: give the corporate "
            "number or the exact name of the re-entrusting vendor.",
        )
    ]


def test_it_refuses_a_joint_user_as_parent(procurement_user):
    joint_user = JointUserFactory()
    assert refusal(procurement_user, [vendor_row(kind="subcontractor", parent=joint_user.name)]) == [
        Problem(2, H["parent"], JOINT_USER_PARENT)
    ]


def test_it_refuses_a_joint_user_of_the_same_file_as_parent(procurement_user):
    rows = [vendor_row(1, kind="joint_user"), vendor_row(2, kind="subcontractor", parent=number(1))]
    assert refusal(procurement_user, rows) == [Problem(3, H["parent"], JOINT_USER_PARENT)]


def test_it_refuses_a_terminated_parent(procurement_user):
    parent = VendorFactory(name="Gone K.K.", status=Vendor.Status.TERMINATED)
    assert refusal(procurement_user, [vendor_row(kind="subcontractor", parent=parent.corporate_number)]) == [
        Problem(2, H["parent"], "“Gone K.K.” is terminated and cannot re-entrust work.")
    ]


def test_it_refuses_a_parent_on_a_later_row(procurement_user):
    rows = [vendor_row(1, kind="subcontractor", parent="Import Vendor 2 K.K."), vendor_row(2)]
    assert refusal(procurement_user, rows) == [
        Problem(
            2,
            H["parent"],
            "“Import Vendor 2 K.K.” is on row 3, below this one: "
            "put the re-entrusting vendor on an earlier row.",
        )
    ]


def test_it_refuses_an_ambiguous_parent_name(procurement_user):
    VendorFactory(name="Common K.K.")
    VendorFactory(name="Common K.K.")
    assert refusal(procurement_user, [vendor_row(kind="subcontractor", parent="Common K.K.")]) == [
        Problem(
            2,
            H["parent"],
            "Several vendors of the register are named “Common K.K.”: give the corporate number instead.",
        )
    ]


def test_it_refuses_unknown_and_inactive_codes(procurement_user):
    DataCategoryFactory(code="old-category", is_active=False)
    PurposeFactory(code="billing")
    row = vendor_row(data_categories="customers_partners, nope", purposes="billing, old")
    assert refusal(procurement_user, [row]) == [
        Problem(
            2,
            H["data_categories"],
            "Unknown data category code(s): nope. See the sheet “Lists” for the codes.",
        ),
        Problem(
            2, H["purposes"], "Unknown purpose-of-use code(s): old. See the sheet “Lists” for the codes."
        ),
    ]
    assert refusal(procurement_user, [vendor_row(data_categories="old-category")]) == [
        Problem(2, H["data_categories"], "No longer offered (inactive): old-category.")
    ]


def test_it_refuses_a_yes_no_cell_that_is_neither(procurement_user):
    assert refusal(procurement_user, [vendor_row(handles_data_abroad="maybe")]) == [
        Problem(2, H["handles_data_abroad"], "“maybe” is not yes or no: use Yes or No (はい / いいえ).")
    ]


@pytest.mark.parametrize("value", ["many", "12.5", -5])
def test_it_refuses_a_principal_count_that_is_not_a_whole_number(procurement_user, value):
    [problem] = refusal(procurement_user, [vendor_row(principal_count=value)])
    assert (problem.row, problem.column) == (2, H["principal_count"])


def test_it_refuses_an_invalid_website(procurement_user):
    assert refusal(procurement_user, [vendor_row(website="not a web address")]) == [
        Problem(2, H["website"], "Enter a valid URL.")
    ]


def test_it_refuses_formulas_without_evaluating_them(procurement_user):
    assert refusal(procurement_user, [vendor_row(name='=CONCAT("A","B")', principal_count="=1+1")]) == [
        Problem(2, H["name"], FORMULA),
        Problem(2, H["principal_count"], FORMULA),
    ]


def test_it_reports_every_problem_of_every_row_at_once(procurement_user):
    rows = [vendor_row(1, name=None), vendor_row(2), vendor_row(3, kind="supplier", website="nope")]
    problems = refusal(procurement_user, rows)
    assert [(p.row, p.column) for p in problems] == [(2, H["name"]), (4, H["kind"]), (4, H["website"])]


def test_it_refuses_a_workbook_without_the_required_column(procurement_user):
    assert refusal(procurement_user, [vendor_row()], drop=("name",)) == [
        Problem(
            1,
            None,
            "The required column “Name* / 名称*” is missing: copy the header row from the template.",
        )
    ]


def test_it_refuses_a_column_it_does_not_know(procurement_user):
    problems = refusal(procurement_user, [vendor_row()], extra={"R1": "Credit rating"})
    assert [(p.row, p.column) for p in problems] == [(1, "R")]
    assert "“Credit rating” is not a column of the template" in problems[0].reason


def test_it_refuses_data_in_a_column_without_header(procurement_user):
    problems = refusal(procurement_user, [vendor_row()], extra={"T2": "stray note"})
    assert problems == [Problem(2, "T", "This cell is in a column without a header: it would not be read.")]


def test_it_refuses_a_template_without_any_vendor(procurement_user):
    [problem] = refusal(procurement_user, [None, None])
    assert "has no vendor" in problem.reason


def test_it_refuses_a_file_that_is_not_an_xlsx_workbook(procurement_user):
    with pytest.raises(VendorImportInvalid) as caught:
        vendor_import(
            file=SimpleUploadedFile("vendors.csv", b"name\nAcme\n"), user=procurement_user, dry_run=False
        )
    assert [str(p) for p in caught.value.problems] == [
        "Only Excel workbooks (.xlsx) are accepted; “vendors.csv” is not one."
    ]
    assert Vendor.objects.count() == 0


def test_only_procurement_may_import(compliance_user):
    with pytest.raises(PermissionDenied):
        vendor_import(file=upload([vendor_row()]), user=compliance_user, dry_run=True)


# --- what is accepted ---------------------------------------------------------------------------------------


def test_it_creates_drafts_owned_by_the_importer_with_history_naming_the_file(procurement_user):
    DataCategoryFactory(code="payroll", name_en="Payroll")
    PurposeFactory(code="billing", name_en="Billing")
    rows = [
        vendor_row(
            1,
            name_kana="インポート",
            data_categories="customers_partners, payroll",
            purposes="billing",
            handles_data_abroad="はい",
            has_system_access="Yes",
            principal_count=5000,
            website="https://example.co.jp/",
        ),
        vendor_row(2, corporate_number=int(number(2)), is_group_company="yes"),
        {"name": "Overseas Inc.", "country": "us", "kind": "joint_user"},
    ]
    result = vendor_import(file=upload(rows, name="onboarding.xlsx"), user=procurement_user, dry_run=False)
    assert result.count == 3
    assert Vendor.objects.count() == 3
    first = Vendor.objects.get(name="Import Vendor 1 K.K.")
    assert first.status == Vendor.Status.DRAFT
    assert first.owner == procurement_user
    assert first.name_kana == "インポート"
    assert sorted(c.code for c in first.data_categories.all()) == ["customers_partners", "payroll"]
    assert [p.code for p in first.purposes.all()] == ["billing"]
    assert first.handles_data_abroad and first.has_system_access and first.principal_count == 5000
    assert first.risk_tier == Vendor.RiskTier.HIGH  # risk rules of vendor_save applied
    [version] = first.history.all()
    assert version.history_type == "+"
    assert version.history_user == procurement_user
    assert version.history_change_reason == "Bulk import from onboarding.xlsx"
    assert Vendor.objects.get(name="Import Vendor 2 K.K.").corporate_number == number(2)
    overseas = Vendor.objects.get(name="Overseas Inc.")
    assert (overseas.country.code, overseas.kind, overseas.corporate_number) == ("US", "joint_user", "")


def test_a_parent_on_an_earlier_row_of_the_file_is_created_first(procurement_user):
    rows = [
        vendor_row(1, name="Prime K.K."),
        vendor_row(2, name="Second K.K.", kind="subcontractor", parent="Prime K.K."),
        vendor_row(3, name="Third K.K.", kind="subcontractor", parent=number(2)),
    ]
    vendor_import(file=upload(rows), user=procurement_user, dry_run=False)
    third = Vendor.objects.get(name="Third K.K.")
    assert [v.name for v in third.ancestors()] == ["Second K.K.", "Prime K.K."]
    # The parents' risk tiers were recomputed for their new subcontractor, as vendor_save does; every
    # version the import wrote names the file.
    prime = Vendor.objects.get(name="Prime K.K.")
    assert prime.risk_tier == Vendor.RiskTier.MEDIUM
    reasons = [version.history_change_reason for version in prime.history.all()]
    assert reasons == [
        "Risk tier recomputed: subcontractors changed (Second K.K.: Bulk import from vendors.xlsx).",
        "Bulk import from vendors.xlsx",
    ]


def test_a_workbook_of_one_sheet_is_read_whatever_the_sheet_is_called(procurement_user):
    workbook = Workbook()
    workbook.active.title = "Export from the old system"
    workbook.active.append(["name", "country", "kind"])
    workbook.active.append(["Plain Sheet Inc.", "US", "contractor"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("old-system.xlsx", buffer.getvalue(), content_type=XLSX)
    vendor_import(file=file, user=procurement_user, dry_run=False)
    assert Vendor.objects.get(name="Plain Sheet Inc.").country.code == "US"


def test_a_workbook_of_several_sheets_needs_the_vendors_sheet(procurement_user):
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.create_sheet("List").append(["name", "country"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("two-sheets.xlsx", buffer.getvalue(), content_type=XLSX)
    with pytest.raises(VendorImportInvalid) as caught:
        vendor_import(file=file, user=procurement_user, dry_run=True)
    assert [p.reason for p in caught.value.problems] == [
        "The workbook has no sheet named “Vendors”: fill in the import template."
    ]


def test_a_parent_already_in_the_register_is_found_by_corporate_number_or_exact_name(procurement_user):
    parent = VendorFactory(name="Registered K.K.")
    rows = [
        vendor_row(1, kind="subcontractor", parent=parent.corporate_number),
        vendor_row(2, kind="subcontractor", parent="Registered K.K."),
    ]
    vendor_import(file=upload(rows), user=procurement_user, dry_run=False)
    assert set(parent.subcontractors.values_list("name", flat=True)) == {
        "Import Vendor 1 K.K.",
        "Import Vendor 2 K.K.",
    }


def test_blank_rows_are_skipped(procurement_user):
    result = vendor_import(
        file=upload([vendor_row(1), None, None, vendor_row(2)]), user=procurement_user, dry_run=False
    )
    assert [plan.row for plan in result.planned] == [2, 5]
    assert Vendor.objects.count() == 2


def test_columns_are_found_by_header_in_any_order_and_either_language(procurement_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Vendors"
    sheet.append(["法人番号", "Kind", "名称"])  # one part of the bilingual header is enough
    sheet.append([number(1), "contractor", "Reordered K.K."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("reordered.xlsx", buffer.getvalue(), content_type=XLSX)
    vendor_import(file=file, user=procurement_user, dry_run=False)
    assert Vendor.objects.get(name="Reordered K.K.").corporate_number == number(1)


def test_a_dry_run_saves_nothing_and_returns_the_plan(procurement_user):
    VendorFactory(name="Registered K.K.")
    versions = Vendor.history.count()
    rows = [vendor_row(1), vendor_row(2, kind="subcontractor", parent="Registered K.K.")]
    result = vendor_import(file=upload(rows), user=procurement_user, dry_run=True)
    assert result.dry_run and result.count == 2
    assert [(p.row, p.vendor.name, p.parent_label) for p in result.planned] == [
        (2, "Import Vendor 1 K.K.", ""),
        (3, "Import Vendor 2 K.K.", "Registered K.K."),
    ]
    assert Vendor.objects.count() == 1
    assert Vendor.history.count() == versions


def test_a_failure_midway_leaves_nothing_saved(monkeypatch, procurement_user):
    real_save = services.vendor_save
    calls = []

    def fail_on_the_third(**kwargs):
        calls.append(kwargs["vendor"].name)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real_save(**kwargs)

    monkeypatch.setattr(services, "vendor_save", fail_on_the_third)
    rows = [vendor_row(n) for n in range(1, 5)]
    with pytest.raises(RuntimeError):
        vendor_import(file=upload(rows), user=procurement_user, dry_run=False)
    assert len(calls) == 3
    assert Vendor.objects.count() == 0
    assert Vendor.history.count() == 0


def test_a_refusal_while_saving_is_reported_on_its_row_and_nothing_stays(monkeypatch, procurement_user):
    real_save = services.vendor_save

    def refuse_the_second(**kwargs):
        if kwargs["vendor"].name == "Import Vendor 2 K.K.":
            raise ValidationError({"corporate_number": "Another vendor already has this corporate number."})
        return real_save(**kwargs)

    monkeypatch.setattr(services, "vendor_save", refuse_the_second)
    with pytest.raises(VendorImportInvalid) as caught:
        vendor_import(file=upload([vendor_row(1), vendor_row(2)]), user=procurement_user, dry_run=False)
    assert caught.value.problems == [
        Problem(3, H["corporate_number"], "Another vendor already has this corporate number.")
    ]
    assert Vendor.objects.count() == 0


# --- the page ---------------------------------------------------------------------------------------------


def test_the_page_offers_the_upload_form_and_the_template(procurement_client):
    response = procurement_client.get(reverse("vendors:import"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="file"' in content and 'name="dry_run"' in content
    assert reverse("vendors:import_template") in content
    assert "<script" not in content.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_page_imports_and_sends_to_the_draft_vendors(procurement_client, procurement_user):
    response = procurement_client.post(
        reverse("vendors:import"), {"file": upload([vendor_row(1), vendor_row(2)], name="batch.xlsx")}
    )
    assert response.status_code == 302
    assert response.url == reverse("vendors:list") + "?status=draft"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 vendors imported from batch.xlsx as drafts."
    ]
    assert set(Vendor.objects.values_list("owner", "status")) == {(procurement_user.pk, "draft")}


def test_the_page_previews_a_dry_run_without_saving(procurement_client):
    response = procurement_client.post(
        reverse("vendors:import"), {"file": upload([vendor_row(1)]), "dry_run": "on"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="import-preview"' in content and "Import Vendor 1 K.K." in content
    assert "Nothing was saved" in content
    assert Vendor.objects.count() == 0


def test_the_page_lists_every_problem_and_saves_nothing(procurement_client):
    rows = [vendor_row(1), vendor_row(2, kind="supplier")]
    response = procurement_client.post(reverse("vendors:import"), {"file": upload(rows)})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="import-problems"' in content
    assert "<td>3</td><td>Kind / 種別</td>" in content
    assert "is not a kind of vendor" in content
    assert Vendor.objects.count() == 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_after_a_refused_workbook_the_form_asks_for_the_file_again_keeping_the_dry_run_choice(
    procurement_client, dry_run
):
    rows = [vendor_row(1, kind="supplier")]
    data = {"file": upload(rows), **({"dry_run": "on"} if dry_run else {})}
    response = procurement_client.post(reverse("vendors:import"), data)
    form = response.context["form"]
    assert not form.is_bound  # the browser has dropped the file: the field must not look accepted
    assert form.initial["dry_run"] is dry_run
    assert "is-valid" not in response.content.decode()


def test_the_page_refuses_a_file_that_is_not_a_workbook_with_a_clear_message(procurement_client):
    file = SimpleUploadedFile("vendors.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    response = procurement_client.post(reverse("vendors:import"), {"file": file})
    assert response.status_code == 200
    assert "Only Excel workbooks (.xlsx) are accepted" in response.content.decode()
    assert Vendor.objects.count() == 0


@pytest.mark.parametrize("name", ["vendors:import", "vendors:import_template"])
@pytest.mark.parametrize("role", ["viewer", "compliance"])
def test_other_roles_may_neither_open_nor_post(client, name, role):
    client.force_login(UserFactory(username=f"{role}-importer", roles=[role]))
    assert client.get(reverse(name)).status_code == 403
    response = client.post(reverse(name), {"file": upload([vendor_row()])})
    assert response.status_code == 403
    assert Vendor.objects.count() == 0


@pytest.mark.parametrize("name", ["vendors:import", "vendors:import_template"])
def test_anonymous_users_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    response = client.post(reverse(name), {"file": upload([vendor_row()])})
    assert response.status_code == 302
    assert Vendor.objects.count() == 0


def test_it_refuses_a_foreign_vendor_already_in_the_register_by_name_and_country(procurement_user):
    """Without a corporate number, the same name in the same country means the file is imported twice."""
    VendorFactory(name="Harbor Payroll Pte. Ltd.", country="SG", corporate_number="")
    row = {"name": "Harbor Payroll Pte. Ltd.", "country": "SG"}
    assert refusal(procurement_user, [row]) == [
        Problem(
            2,
            H["name"],
            "“Harbor Payroll Pte. Ltd.” in SG is already in the register: is this file imported already?",
        )
    ]


def test_the_same_name_in_another_country_is_a_different_vendor(procurement_user):
    VendorFactory(name="Harbor Payroll Pte. Ltd.", country="SG", corporate_number="")
    result = vendor_import(
        file=upload([{"name": "Harbor Payroll Pte. Ltd.", "country": "MY"}]), user=procurement_user
    )
    assert [v.country.code for v in result.created] == ["MY"]
