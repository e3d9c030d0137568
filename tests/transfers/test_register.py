"""The foreign-transfer, joint-use and provision-record registers: their columns (route and unmet
prerequisites included), the list's filter and order applied exactly, and a query count that does not grow."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from transfers.models import ForeignTransfer, JointUseArrangement, ProvisionRecord

from ..core.test_registers import column_of, export, headers, rows
from ..factories import (
    ConsentRecordFactory,
    ConsentTransferFactory,
    CountryFactory,
    DataCategoryFactory,
    ForeignTransferFactory,
    ForeignVendorFactory,
    JointUseArrangementFactory,
    PeriodicCheckFactory,
    ProvisionRecordFactory,
    PurposeFactory,
    SystemTransferFactory,
    VendorFactory,
)

URL = "/transfers/export.xlsx"
HEADERS = [
    "Recipient",
    "Country",
    "Equivalent country",
    "Relationship",
    "Route",
    "Basis of the system",
    "Ordinary basis (Art. 27)",
    "Status",
    "Started on",
    "Data categories",
    "Purposes of use",
    "Last periodic check",
    "Last check result",
    "Next check due",
    "Unmet prerequisites",
    "Description",
]


@pytest.fixture
def omega(db):
    """An active Rule 16 transfer lacking its basis document, whose last check found an impediment whose
    correction is overdue."""
    today = timezone.localdate()
    transfer = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Omega Analytics Inc."),
        country=CountryFactory(name_en="Testland Omega"),
        relationship=ForeignTransfer.Relationship.THIRD_PARTY_PROVISION,
        ordinary_basis=ForeignTransfer.OrdinaryBasis.CONSENT,
        status=ForeignTransfer.Status.ACTIVE,
        started_on=date(2025, 9, 1),
        basis_document="",
        description="Analytics of purchase history.",
        data_categories=[
            DataCategoryFactory(code="ab-contact", name_en="Contact details"),
            DataCategoryFactory(code="aa-orders", name_en="Order history"),
        ],
        purposes=[PurposeFactory(name_en="Marketing analysis")],
    )
    PeriodicCheckFactory(transfer=transfer, checked_on=today - timedelta(days=200))
    PeriodicCheckFactory(
        transfer=transfer,
        checked_on=today - timedelta(days=40),
        result="impeded",
        correction_due_on=today - timedelta(days=10),
    )
    return transfer


def test_the_transfer_register_has_its_columns_and_every_value_with_the_unmet_prerequisites(
    viewer_client, omega
):
    today = timezone.localdate()
    checked, due = today - timedelta(days=40), today - timedelta(days=10)

    ws = export(viewer_client, URL, {"q": "omega"})

    assert headers(ws) == HEADERS
    assert rows(ws) == [
        [
            "Omega Analytics Inc.",
            "Testland Omega",
            "no",
            "Provision to a third party",
            "Recipient with a standard-conforming system (Rule 16)",
            "Contract or memorandum with the recipient",
            "Principal's consent (Art. 27(1))",
            "Active",
            date(2025, 9, 1),
            "Order history, Contact details",
            "Marketing analysis",
            checked,
            "Impeded: correction demanded",
            checked + relativedelta(months=12),
            "Attach the document establishing the system (contract, rules or certificate).\n"
            f"The correction demanded on {checked} was due on {due} and no later check shows it done.",
            "Analytics of purchase history.",
        ]
    ]


def test_a_transfer_with_every_prerequisite_met_has_that_column_empty(viewer_client, db):
    ForeignTransferFactory(
        vendor=ForeignVendorFactory(name="Met Inc."), status="active", started_on=date(2026, 1, 5)
    )
    unknown = ConsentTransferFactory(vendor=ForeignVendorFactory(name="Unknown Inc."), country=None)

    ws = export(viewer_client, URL, {"ordering": "vendor"})

    by_recipient = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows(ws)}
    met = by_recipient["Met Inc."]
    assert met["Route"] == "Equivalent country (Rule 15)"
    assert met["Equivalent country"] == "yes"
    assert met["Unmet prerequisites"] is None
    assert met["Last periodic check"] is None and met["Next check due"] is None
    assert by_recipient["Unknown Inc."]["Country"] == "not identified"
    assert by_recipient["Unknown Inc."]["Equivalent country"] is None
    assert by_recipient["Unknown Inc."]["Unmet prerequisites"].startswith("No consent record")
    assert unknown.route == ForeignTransfer.Route.CONSENT


@pytest.fixture
def transfers(db, omega):
    ForeignTransferFactory(vendor=ForeignVendorFactory(name="Alpha Hosting GmbH"), status="active")
    ConsentRecordFactory(
        transfer=ConsentTransferFactory(vendor=ForeignVendorFactory(name="Beta Recruit Inc."))
    )
    ConsentTransferFactory(vendor=ForeignVendorFactory(name="Gamma Survey Inc."), status="planned")


def recipients(ws) -> list[str]:
    return column_of(ws, "Recipient")


def test_a_route_filter_exports_exactly_the_transfers_on_that_route(viewer_client, transfers):
    assert recipients(export(viewer_client, URL, {"route": "consent"})) == [
        "Beta Recruit Inc.",
        "Gamma Survey Inc.",
    ]


def test_the_unmet_filter_exports_exactly_the_transfers_that_lack_something(viewer_client, transfers):
    assert recipients(export(viewer_client, URL, {"unmet": "true"})) == [
        "Gamma Survey Inc.",
        "Omega Analytics Inc.",
    ]
    assert recipients(export(viewer_client, URL, {"unmet": "false"})) == [
        "Alpha Hosting GmbH",
        "Beta Recruit Inc.",
    ]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "active"},
        {"unmet": "true", "route": "consent"},
        {"check_overdue": "false"},
        {"q": "inc"},
        {"page": "1", "relationship": "entrustment"},
        {"route": "bogus"},
    ],
)
def test_the_export_has_the_same_rows_in_the_same_order_as_the_list(viewer_client, transfers, query):
    page = viewer_client.get("/transfers/", query)
    assert recipients(export(viewer_client, URL, query)) == [
        t.vendor.name for t in page.context["object_list"]
    ]


# --- joint use ----------------------------------------------------------------------------------------------


def test_the_joint_use_register_has_its_columns_and_every_value_of_an_arrangement(viewer_client, db):
    JointUseArrangementFactory(
        title="Group customer data",
        version=2,
        status=JointUseArrangement.Status.PUBLISHED,
        notice_published_on=date(2026, 3, 15),
        effective_on=date(2026, 4, 1),
        change_basis=JointUseArrangement.ChangeBasis.RENAME,
        joint_users=[VendorFactory(name="Beta Retail K.K."), VendorFactory(name="Alpha Card K.K.")],
    )
    JointUseArrangementFactory(title="Group customer data", version=3)
    JointUseArrangementFactory(title="Other")

    ws = export(viewer_client, "/transfers/joint-use/export.xlsx", {"q": "customer", "status": "published"})

    assert headers(ws) == [
        "Title",
        "Version",
        "Status",
        "Data items jointly used",
        "Joint users",
        "Scope of joint users",
        "Purposes of use",
        "Responsible party",
        "Responsible party's address",
        "Representative",
        "How it is notified or made accessible",
        "Notice published on",
        "Effective on",
        "Basis of the change",
    ]
    assert rows(ws) == [
        [
            "Group customer data",
            2,
            "Published",
            "Name, address, telephone number, purchase history.",
            "Alpha Card K.K., Beta Retail K.K.",
            "The company's consolidated subsidiaries listed on its website.",
            "Customer support and product information across the group.",
            "Example Holdings K.K.",
            "1-1 Marunouchi, Chiyoda-ku, Tokyo",
            "Taro Yamada, President",
            "Published on the privacy page of the website.",
            date(2026, 3, 15),
            date(2026, 4, 1),
            "A joint user was renamed",
        ]
    ]
    every = export(viewer_client, "/transfers/joint-use/export.xlsx")
    page = viewer_client.get("/transfers/joint-use/")
    assert list(zip(column_of(every, "Title"), column_of(every, "Version"), strict=True)) == [
        (a.title, a.version) for a in page.context["object_list"]
    ]


# --- records of provision -----------------------------------------------------------------------------------


def test_the_provision_record_register_has_its_columns_and_every_value_of_a_record(viewer_client, omega):
    ProvisionRecordFactory(
        transfer=omega,
        kind=ProvisionRecord.Kind.BATCH,
        provided_on=date(2026, 1, 10),
        last_provided_on=date(2026, 3, 31),
        recipient_name="Omega Analytics Inc.",
        created_on=date(2026, 4, 1),
    )
    ProvisionRecordFactory(recipient_name="Someone else", consent_obtained=False)

    ws = export(viewer_client, "/transfers/records/export.xlsx", {"q": "omega"})

    assert headers(ws) == [
        "Provided on",
        "Last provided on",
        "Kind",
        "Recipient",
        "Recipient's address",
        "Recipient's representative",
        "Individuals",
        "Data items",
        "Consent obtained",
        "Transfer",
        "Made on",
        "Retain until",
    ]
    assert rows(ws) == [
        [
            date(2026, 1, 10),
            date(2026, 3, 31),
            "Batch record of continuous provision",
            "Omega Analytics Inc.",
            "1 Market Street, San Francisco, CA, USA",
            "Jane Doe, CEO",
            "Customers who ordered in May.",
            "Name, e-mail address.",
            "yes",
            "Omega Analytics Inc. in Testland Omega (Recipient with a standard-conforming system (Rule 16))",
            date(2026, 4, 1),
            date(2029, 3, 31),  # 3 years from the last provision of a batch
        ]
    ]
    not_consented = export(viewer_client, "/transfers/records/export.xlsx", {"consent_obtained": "false"})
    assert column_of(not_consented, "Recipient") == ["Someone else"]
    assert column_of(not_consented, "Transfer") == [None]


# --- queries ------------------------------------------------------------------------------------------------


def add_transfers(count: int) -> None:
    """`count` transfers of each route kind, with checks, consents, data categories and records."""
    category = DataCategoryFactory()
    for _ in range(count):
        system = SystemTransferFactory(
            data_categories=[category], status="active", started_on=date(2026, 1, 5)
        )
        PeriodicCheckFactory(transfer=system)
        consent = ConsentRecordFactory().transfer
        ProvisionRecordFactory(transfer=consent)
        JointUseArrangementFactory(joint_users=[system.vendor, consent.vendor])


def test_the_transfer_registers_run_the_same_number_of_queries_for_3_or_30_rows(viewer_client, db):
    registers = {URL: 2, "/transfers/joint-use/export.xlsx": 1, "/transfers/records/export.xlsx": 1}
    add_transfers(3)
    at_3 = {}
    for url, per_batch in registers.items():
        with CaptureQueriesContext(connection) as at_3[url]:
            assert len(rows(export(viewer_client, url))) == 3 * per_batch
    add_transfers(27)
    for url, per_batch in registers.items():
        with CaptureQueriesContext(connection) as at_30:
            assert len(rows(export(viewer_client, url))) == 30 * per_batch
        assert len(at_30) == len(at_3[url]), url
