"""The contract register: its columns (missing clauses included), the list's filter and order applied
exactly, and a query count that does not grow with the number of contracts."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import ContractKind, ProtectionContract

from ..core.test_registers import column_of, export, headers, rows
from ..factories import (
    ProtectionContractFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    required_clauses,
)

URL = "/contracts/export.xlsx"
HEADERS = [
    "Reference",
    "Title",
    "Vendor",
    "Kind",
    "Status",
    "Signed on",
    "Starts on",
    "Ends on",
    "Review date",
    "Notice days",
    "Notice deadline",
    "Renews automatically",
    "Renewal period (months)",
    "Permits re-entrustment",
    "Renews contract",
    "Missing clauses",
    "Owner",
    "Last changed",
]


def references(ws) -> list[str]:
    return column_of(ws, "Reference")


def test_the_contract_register_has_its_columns_in_order_and_every_value_of_a_contract(viewer_client, db):
    vendor = VendorFactory(name="Delta Logistics K.K.")
    owner = UserFactory(username="tsuzuki", first_name="Taro", last_name="Suzuki")
    previous = ProtectionContractFactory(
        vendor=vendor, reference="PC-2025-007", status=ProtectionContract.Status.SUPERSEDED
    )
    missing = {"confidentiality", "liability"}
    contract = ProtectionContractFactory(
        vendor=vendor,
        reference="PC-2026-012",
        title="Delivery data entrustment",
        kind=ContractKind.ENTRUSTMENT,
        status=ProtectionContract.Status.ACTIVE,
        signed_on=date(2026, 3, 20),
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
        review_on=date(2026, 10, 1),
        notice_days=60,
        auto_renews=True,
        renewal_months=12,
        permits_reentrustment=True,
        renews=previous,
        owner=owner,
        clauses=[c for c in required_clauses(ContractKind.ENTRUSTMENT) if c.code not in missing],
    )
    ProtectionContract.objects.filter(pk=contract.pk).update(
        updated_at=datetime(2026, 4, 1, 3, 0, tzinfo=UTC)
    )

    ws = export(viewer_client, URL, {"q": "PC-2026-012"})

    assert headers(ws) == HEADERS
    assert rows(ws) == [
        [
            "PC-2026-012",
            "Delivery data entrustment",
            "Delta Logistics K.K.",
            "Entrustment contract",
            "Active",
            date(2026, 3, 20),
            date(2026, 4, 1),
            date(2027, 3, 31),
            date(2026, 10, 1),
            60,
            date(2027, 1, 30),  # 60 days before the end
            "yes",
            12,
            "yes",
            "PC-2025-007",
            "Confidentiality, Liability and damages",
            "Taro Suzuki",
            datetime(2026, 4, 1, 12, 0),
        ]
    ]


def test_a_contract_with_every_required_clause_has_none_missing(viewer_client, db):
    active_contract_for(VendorFactory(), reference="PC-COMPLETE", document="")
    joint = active_contract_for(
        VendorFactory(kind="joint_user"), reference="PC-JOINT", document="", clauses=[]
    )

    ws = export(viewer_client, URL, {"ordering": "reference"})

    missing = dict(zip(references(ws), column_of(ws, "Missing clauses"), strict=True))
    assert missing["PC-COMPLETE"] is None
    assert missing["PC-JOINT"] == ", ".join(c.title_en for c in required_clauses(joint.kind))


# --- the list's filter --------------------------------------------------------------------------------------


@pytest.fixture
def contracts(db):
    today = timezone.localdate()
    acme = VendorFactory(name="Acme K.K.")
    active_contract_for(
        acme, reference="PC-A1", ends_on=today + timedelta(days=70), notice_days=60, document=""
    )
    active_contract_for(
        VendorFactory(name="Zeta K.K."), reference="PC-Z1", ends_on=today + timedelta(days=300), document=""
    )
    ProtectionContractFactory(vendor=acme, reference="PC-A2", title="Draft renewal")
    ProtectionContractFactory(reference="PC-T1", status=ProtectionContract.Status.TERMINATED)


def test_a_status_filter_exports_exactly_the_contracts_with_that_status(viewer_client, contracts):
    assert sorted(references(export(viewer_client, URL, {"status": "active"}))) == ["PC-A1", "PC-Z1"]
    assert references(export(viewer_client, URL, {"status": "draft", "q": "acme"})) == ["PC-A2"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"missing_clauses": "true"},
        {"deadline_within": "30"},
        {"q": "acme"},
        {"vendor": "0"},
        {"ordering": "-reference"},
        {"ordering": "vendor", "status": ["active", "draft"]},
        {"deadline_within": "-1"},
    ],
)
def test_the_export_has_the_same_rows_in_the_same_order_as_the_list(viewer_client, contracts, query):
    page = viewer_client.get("/contracts/", query)
    assert references(export(viewer_client, URL, query)) == [c.reference for c in page.context["object_list"]]


def test_the_missing_clauses_filter_exports_only_incomplete_contracts(viewer_client, contracts):
    assert sorted(references(export(viewer_client, URL, {"missing_clauses": "true"}))) == ["PC-A2", "PC-T1"]


def test_an_invalid_filter_exports_an_empty_register(viewer_client, contracts):
    assert list(viewer_client.get("/contracts/", {"status": "bogus"}).context["object_list"]) == []
    ws = export(viewer_client, URL, {"status": "bogus"})
    assert headers(ws) == HEADERS
    assert rows(ws) == []


# --- queries ------------------------------------------------------------------------------------------------


def add_contracts(count: int) -> None:
    owner = UserFactory()
    for _ in range(count):
        previous = active_contract_for(VendorFactory(), document="", owner=owner)
        ProtectionContractFactory(vendor=previous.vendor, renews=previous, owner=owner, clauses=[])


def test_the_contract_register_runs_the_same_number_of_queries_for_3_or_30_contracts(viewer_client, db):
    add_contracts(3)
    with CaptureQueriesContext(connection) as at_3:
        assert len(rows(export(viewer_client, URL))) == 6
    add_contracts(27)
    with CaptureQueriesContext(connection) as at_30:
        assert len(rows(export(viewer_client, URL))) == 60
    assert len(at_30) == len(at_3)
