"""The vendor register: its columns (with those contracts, assessments and transfers contribute), the list's
filter and order applied exactly, a query count that does not grow with the number of vendors, and the
reader's language."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Assessment
from contracts.models import ProtectionContract
from core.history import history_deferred
from vendors.models import Vendor

from ..core.test_registers import column_of, export, headers, rows
from ..factories import (
    ConsentTransferFactory,
    CountryFactory,
    DataCategoryFactory,
    ForeignTransferFactory,
    PurposeFactory,
    SubcontractorFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    approved_assessment_for,
    valid_corporate_number,
)

URL = "/vendors/export.xlsx"
HEADERS = [
    "Name",
    "Name (kana)",
    "Corporate number",
    "Country",
    "Kind",
    "Re-entrusted by",
    "Group company",
    "Status",
    "Risk tier",
    "Data categories",
    "Purposes of use",
    "Special-care data",
    "Principals (estimate)",
    "Data abroad",
    "System access",
    "Owner",
    "Covering contract",
    "Contract ends on",
    "Notice deadline (or review date)",
    "Assessment result",
    "Assessment score",
    "Assessment valid until",
    "Foreign transfers (country: route)",
    "Last changed",
]


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def names(ws) -> list[str]:
    return column_of(ws, "Name")


# --- columns ------------------------------------------------------------------------------------------------


@pytest.fixture
def gamma(db):
    """Gamma, three deep (Alpha re-entrusts to Beta, Beta to Gamma), with every register column filled in."""
    today = timezone.localdate()
    owner = UserFactory(username="hsato", first_name="Hanako", last_name="Sato", roles=["procurement"])
    alpha = VendorFactory(name="Alpha Holdings K.K.")
    beta = SubcontractorFactory(name="Beta Systems K.K.", parent=alpha)
    gamma = SubcontractorFactory(
        name="Gamma Print K.K.",
        parent=beta,
        name_kana="ガンマプリント",
        corporate_number=valid_corporate_number(4242),
        is_group_company=True,
        status=Vendor.Status.APPROVED,
        risk_tier=Vendor.RiskTier.HIGH,
        handles_special_care_data=True,
        principal_count=12000,
        handles_data_abroad=True,
        has_system_access=True,
        owner=owner,
    )
    with history_deferred(gamma):
        gamma.data_categories.set(
            [
                DataCategoryFactory(code="ab-contact", name_en="Contact details"),
                DataCategoryFactory(code="aa-health", name_en="Health records"),
            ]
        )
        gamma.purposes.set([PurposeFactory(code="billing", name_en="Billing")])
    # In force: the one whose notice deadline comes first covers the vendor.
    active_contract_for(gamma, reference="PC-LATER", ends_on=today + timedelta(days=400), notice_days=60)
    active_contract_for(gamma, reference="PC-COVERING", ends_on=today + timedelta(days=200), notice_days=90)
    # Not in force, though decided earlier.
    active_contract_for(gamma, reference="PC-DRAFT", status=ProtectionContract.Status.DRAFT, notice_days=200)
    # The latest approved assessment is the one valid longest.
    older = approved_assessment_for(gamma, valid_until=today + timedelta(days=30))
    Assessment.objects.filter(pk=older.pk).update(result=Assessment.Result.CONDITIONAL, score=Decimal("70.0"))
    approved_assessment_for(gamma, valid_until=today + timedelta(days=300))
    Assessment.objects.create(vendor=gamma, standard=older.standard, status=Assessment.Status.DRAFT)
    ForeignTransferFactory(vendor=gamma)
    ConsentTransferFactory(vendor=gamma, country=CountryFactory(code="XQ"), status="active")
    Vendor.objects.filter(pk=gamma.pk).update(updated_at=datetime(2026, 4, 1, 3, 0, tzinfo=UTC))
    return gamma


def test_the_vendor_register_has_its_columns_in_order_and_every_value_of_a_vendor(viewer_client, gamma):
    today = timezone.localdate()

    ws = export(viewer_client, URL, {"q": "Gamma"})

    assert headers(ws) == HEADERS
    assert rows(ws) == [
        [
            "Gamma Print K.K.",
            "ガンマプリント",
            gamma.corporate_number,
            "JP Japan",
            "Subcontractor (re-entrusted party)",
            "Alpha Holdings K.K. › Beta Systems K.K.",
            "yes",
            "Approved",
            "High",
            "Health records, Contact details",
            "Billing",
            "yes",
            12000,
            "yes",
            "yes",
            "Hanako Sato",
            "PC-COVERING",
            today + timedelta(days=200),
            today + timedelta(days=110),
            "Pass",
            90,
            today + timedelta(days=300),
            "DE: Equivalent country (Rule 15) (Planned); XQ: Principal's prior consent (Art. 28(1)) (Active)",
            datetime(2026, 4, 1, 12, 0),  # in Tokyo time
        ]
    ]


def test_each_vendor_shows_the_chain_of_vendors_that_re_entrust_to_it_parent_first(viewer_client, gamma):
    ws = export(viewer_client, URL, {"ordering": "name"})

    chains = dict(zip(names(ws), column_of(ws, "Re-entrusted by"), strict=True))
    assert chains == {
        "Alpha Holdings K.K.": None,
        "Beta Systems K.K.": "Alpha Holdings K.K.",
        "Gamma Print K.K.": "Alpha Holdings K.K. › Beta Systems K.K.",
    }


def test_a_vendor_without_contract_assessment_or_transfer_has_those_columns_empty(viewer_client, gamma):
    ws = export(viewer_client, URL, {"q": "Alpha"})
    row = dict(zip(headers(ws), rows(ws)[0], strict=True))
    assert [row[h] for h in HEADERS[16:23]] == [None] * 7


# --- the list's filter --------------------------------------------------------------------------------------


@pytest.fixture
def mix(db):
    contractor = VendorFactory(name="Kappa K.K.", status=Vendor.Status.APPROVED, risk_tier="low")
    VendorFactory(name="Lambda Tokyo K.K.", status=Vendor.Status.DRAFT, risk_tier="high")
    VendorFactory(name="Mu Osaka K.K.", status=Vendor.Status.APPROVED, risk_tier="medium", name_kana="ミュー")
    VendorFactory(name="Nu K.K.", status=Vendor.Status.SUSPENDED, is_group_company=True)
    SubcontractorFactory(name="Omicron Tokyo K.K.", parent=contractor, status=Vendor.Status.APPROVED)


def test_a_status_filter_exports_exactly_the_vendors_with_that_status(viewer_client, mix):
    assert names(export(viewer_client, URL, {"status": "approved"})) == [
        "Kappa K.K.",
        "Mu Osaka K.K.",
        "Omicron Tokyo K.K.",
    ]


def test_a_search_exports_exactly_the_vendors_it_finds(viewer_client, mix):
    assert names(export(viewer_client, URL, {"q": "tokyo"})) == ["Lambda Tokyo K.K.", "Omicron Tokyo K.K."]
    assert names(export(viewer_client, URL, {"q": "ミュー"})) == ["Mu Osaka K.K."]


def test_the_ordering_of_the_list_is_the_order_of_the_rows(viewer_client, mix):
    by_name = names(export(viewer_client, URL, {"ordering": "name"}))
    assert names(export(viewer_client, URL, {"ordering": "-name"})) == by_name[::-1]
    by_risk = export(viewer_client, URL, {"ordering": "risk_tier", "q": "K.K."})
    assert column_of(by_risk, "Risk tier")[:3] == ["High", "Medium", "Low"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": ["approved", "suspended"]},
        {"kind": "subcontractor"},
        {"is_group_company": "true"},
        {"risk_tier": "high", "q": "tokyo"},
        {"ordering": "-status"},
        {"ordering": "risk_tier", "status": "approved"},
    ],
)
def test_the_export_has_the_same_rows_in_the_same_order_as_the_list(viewer_client, mix, query):
    page = viewer_client.get("/vendors/", query)
    assert names(export(viewer_client, URL, query)) == [v.name for v in page.context["object_list"]]


def test_the_export_has_every_filtered_vendor_not_one_page_of_them(viewer_client, db):
    Vendor.objects.bulk_create(
        Vendor(name=f"Bulk {i:03d} K.K.", corporate_number=valid_corporate_number(700_000 + i))
        for i in range(55)
    )
    assert len(viewer_client.get("/vendors/", {"page": 2}).context["object_list"]) == 5

    assert len(rows(export(viewer_client, URL, {"page": 2}))) == 55
    assert names(export(viewer_client, URL, {"page": 2, "ordering": "-name"}))[:2] == [
        "Bulk 054 K.K.",
        "Bulk 053 K.K.",
    ]


@pytest.mark.parametrize("query", [{"status": "bogus"}, {"owner": "999999"}, {"data_categories": "999999"}])
def test_an_invalid_filter_exports_an_empty_register_as_the_list_shows_nothing(viewer_client, mix, query):
    page = viewer_client.get("/vendors/", query)
    assert page.status_code == 200
    assert list(page.context["object_list"]) == []

    ws = export(viewer_client, URL, query)
    assert headers(ws) == HEADERS
    assert rows(ws) == []


# --- queries ------------------------------------------------------------------------------------------------


def add_vendors(count: int) -> None:
    """`count` contractors, each with a subcontractor, a data category, an in-force contract, two approved
    assessments and two foreign transfers."""
    category = DataCategoryFactory()
    for _ in range(count):
        vendor = VendorFactory()
        with history_deferred(vendor):
            vendor.data_categories.set([category])
        SubcontractorFactory(parent=vendor)
        active_contract_for(vendor, document="")
        approved_assessment_for(vendor)
        approved_assessment_for(vendor, valid_until=timezone.localdate() + timedelta(days=10))
        ForeignTransferFactory(vendor=vendor)
        ForeignTransferFactory(vendor=vendor, country=None, route="consent")


def test_the_vendor_register_runs_the_same_number_of_queries_for_3_or_30_vendors(viewer_client, db):
    add_vendors(3)
    with CaptureQueriesContext(connection) as at_3:
        assert len(rows(export(viewer_client, URL))) == 6
    add_vendors(27)
    with CaptureQueriesContext(connection) as at_30:
        assert len(rows(export(viewer_client, URL))) == 60
    assert len(at_30) == len(at_3)


# --- the reader's language ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["header", "cookie"])
def test_a_japanese_reader_gets_the_headers_and_values_translated_so_far(viewer_client, db, how):
    VendorFactory(name="Acme K.K.", status=Vendor.Status.APPROVED, risk_tier=Vendor.RiskTier.HIGH)
    if how == "cookie":
        viewer_client.cookies["django_language"] = "ja"
        ws = export(viewer_client, URL)
    else:
        ws = export(viewer_client, URL, HTTP_ACCEPT_LANGUAGE="ja")

    assert len(headers(ws)) == len(HEADERS)
    row = dict(zip(headers(ws), rows(ws)[0], strict=True))
    assert row["名称"] == "Acme K.K."
    assert row["リスク区分"] == "高"
    assert "再委託元" in row


def test_every_vendor_register_header_is_translated_for_a_japanese_reader(viewer_client, db):
    ws = export(viewer_client, URL, HTTP_ACCEPT_LANGUAGE="ja")
    assert [ja for ja, en in zip(headers(ws), HEADERS, strict=True) if ja == en] == []


def test_an_english_reader_gets_the_english_headers(viewer_client, db):
    assert headers(export(viewer_client, URL, HTTP_ACCEPT_LANGUAGE="en")) == HEADERS
