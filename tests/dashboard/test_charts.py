"""The register at a glance: each bar counts what its link lists; the page costs a fixed number of queries."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments.models import Assessment, Finding, Standard
from dashboard.charts import BAR_AREA, COLUMN_AREA
from vendors.models import Vendor

from ..factories import (
    ForeignVendorFactory,
    ProtectionContractFactory,
    SystemTransferFactory,
    VendorFactory,
    active_contract_for,
)

S = Vendor.Status
R = Vendor.RiskTier


def dashboard(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def chart(response, key: str):
    return next(c for c in response.context["charts"] if c.key == key)


def bar(chart_, label: str):
    return next(b for b in chart_.bars if b.label == label)


def listed(client, url: str) -> list:
    """The rows a list page shows for `url` (every one: the tests stay under a page of 50)."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["paginator"].count == len(response.context["object_list"])
    return list(response.context["object_list"])


# --- vendors by status and by risk tier -----------------------------------------------------------------


@pytest.fixture
def vendors(db):
    for status, risk_tier, count in [
        (S.DRAFT, R.LOW, 2),
        (S.APPROVED, R.HIGH, 2),
        (S.APPROVED, R.MEDIUM, 1),
        (S.SUSPENDED, R.LOW, 1),
        (S.TERMINATED, R.HIGH, 1),
    ]:
        for _ in range(count):
            VendorFactory(status=status, risk_tier=risk_tier)


def test_vendors_by_status_counts_each_status(vendors, client_as):
    status_chart = chart(dashboard(client_as("viewer")), "status")

    assert [(b.label, b.value) for b in status_chart.bars] == [
        ("Draft", 2),
        ("Under review", 0),
        ("Approved", 3),
        ("Suspended", 1),
        ("Terminated", 1),
    ]
    assert status_chart.total == 7


def test_the_approved_bar_links_to_the_approved_vendors(vendors, client_as):
    client = client_as("viewer")
    approved = bar(chart(dashboard(client), "status"), "Approved")

    assert approved.url == "/vendors/?status=approved"
    rows = listed(client, approved.url)
    assert len(rows) == 3
    assert {v.status for v in rows} == {S.APPROVED}


def test_every_status_bar_links_to_as_many_vendors_as_it_counts(vendors, client_as):
    client = client_as("viewer")
    for b in chart(dashboard(client), "status").bars:
        assert len(listed(client, b.url)) == b.value, b.label


def test_vendors_by_risk_tier_leaves_terminated_vendors_out(vendors, client_as):
    client = client_as("viewer")
    risk_chart = chart(dashboard(client), "risk")

    assert [(b.label, b.value) for b in risk_chart.bars] == [("High", 2), ("Medium", 1), ("Low", 3)]
    for b in risk_chart.bars:
        rows = listed(client, b.url)
        assert len(rows) == b.value, b.label
        assert S.TERMINATED not in {v.status for v in rows}


def test_bars_are_drawn_in_proportion_to_the_largest(vendors, client_as):
    response = dashboard(client_as("viewer"))
    status_chart = chart(response, "status")

    assert bar(status_chart, "Approved").width == BAR_AREA
    assert bar(status_chart, "Draft").width == pytest.approx(BAR_AREA * 2 / 3)
    assert bar(status_chart, "Under review").width == 0
    # Each bar of the SVG is a link to its list.
    page = response.content.decode()
    for b in status_chart.bars:
        assert f'<a href="{escape(b.url)}">' in page


def test_charts_of_an_empty_register_have_zero_bars_and_no_division_by_zero(client_as):
    response = dashboard(client_as("viewer"))

    for c in response.context["charts"]:
        assert c.total == 0
        assert {b.width if c.horizontal else b.height for b in c.bars} == {0}


# --- notice deadlines per month -------------------------------------------------------------------------


def open_ended_contract(reference: str, decision_on, **kwargs):
    """An active open-ended contract whose decision date is its review date."""
    return active_contract_for(
        VendorFactory(), reference=reference, ends_on=None, review_on=decision_on, **kwargs
    )


@pytest.fixture
def deadlines(db):
    first = timezone.localdate().replace(day=1)
    open_ended_contract("PC-MONTH-0", first)
    open_ended_contract("PC-MONTH-2", first + relativedelta(months=2, days=14))
    open_ended_contract("PC-LAST-MONTH", first - timedelta(days=1))
    open_ended_contract("PC-MONTH-12", first + relativedelta(months=12))  # just after the last bar
    open_ended_contract("PC-MONTH-13", timezone.localdate() + relativedelta(months=13))
    open_ended_contract("PC-DRAFT-MONTH-0", first, status="draft")
    return first


def test_notice_deadlines_fall_in_the_bar_of_their_month(deadlines, client_as):
    deadline_chart = chart(dashboard(client_as("viewer")), "deadlines")

    assert len(deadline_chart.bars) == 12
    assert [b.value for b in deadline_chart.bars] == [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert deadline_chart.bars[0].sublabel == str(deadlines.year)
    assert deadline_chart.bars[0].height == COLUMN_AREA


def test_each_month_bar_lists_exactly_its_contracts_and_none_lists_later_ones(deadlines, client_as):
    client = client_as("viewer")
    bars = chart(dashboard(client), "deadlines").bars

    listed_by_bar = [[c.reference for c in listed(client, b.url)] for b in bars]

    assert listed_by_bar[0] == ["PC-MONTH-0"]
    assert listed_by_bar[2] == ["PC-MONTH-2"]
    assert [len(refs) for refs in listed_by_bar] == [b.value for b in bars]
    everywhere = {ref for refs in listed_by_bar for ref in refs}
    assert everywhere == {"PC-MONTH-0", "PC-MONTH-2"}


def test_the_month_bar_links_to_active_contracts_between_the_first_and_last_day(deadlines, client_as):
    url = chart(dashboard(client_as("viewer")), "deadlines").bars[2].url
    month = deadlines + relativedelta(months=2)
    last = month + relativedelta(months=1) - timedelta(days=1)

    assert url == (
        f"/contracts/?status=active&deadline_after={month.isoformat()}&deadline_before={last.isoformat()}"
    )


# --- query count ----------------------------------------------------------------------------------------


def grow_register(owner, count: int) -> None:
    """`count` more of everything the panels and charts show, all of it in the superuser's panels."""
    today = timezone.localdate()
    standard = Standard.objects.get(status=Standard.Status.PUBLISHED)
    for _ in range(count):
        draft = VendorFactory(owner=owner)
        approved = VendorFactory(owner=owner, status=S.APPROVED)
        active_contract_for(draft, owner=owner, ends_on=today + timedelta(days=90))
        ProtectionContractFactory(vendor=approved, owner=owner)
        Assessment.objects.create(vendor=draft, standard=standard, prepared_by=owner)
        submitted = Assessment.objects.create(
            vendor=approved,
            standard=standard,
            status=Assessment.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        Finding.objects.create(assessment=submitted, description="Late", due_on=today - timedelta(days=1))
        SystemTransferFactory(
            vendor=ForeignVendorFactory(), status="active", started_on=today - timedelta(days=400)
        )


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        dashboard(client)
    return len(queries)


def test_the_dashboard_runs_the_same_number_of_queries_for_3_and_for_30_of_everything(client_as, superuser):
    client = client_as("superuser")
    dashboard(client)  # warm up what is cached per process
    grow_register(superuser, 3)
    with_3 = dashboard_queries(client)

    grow_register(superuser, 27)
    with_30 = dashboard_queries(client)

    assert with_30 == with_3
    panels = {p.spec.key: p for ps in dashboard(client).context["sections"].values() for p in ps}
    assert panels["my_draft_vendors"].count == 30
    assert panels["notice_deadlines"].count == 30
    assert panels["checks_overdue"].count == 30
