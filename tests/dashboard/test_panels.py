"""Each dashboard panel counts and previews exactly what its link lists, for the roles that need it."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Finding, Standard
from core.roles import PROCUREMENT
from vendors.models import Vendor

from ..factories import (
    ForeignVendorFactory,
    JointUseArrangementFactory,
    PeriodicCheckFactory,
    ProtectionContractFactory,
    SystemTransferFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    active_transfer_for,
    approved_assessment_for,
)

PROCUREMENT_PANELS = ["my_draft_vendors", "notice_deadlines", "assessments_to_prepare", "approved_with_gaps"]
COMPLIANCE_PANELS = [
    "review_queue",
    "approved_without_contract",
    "expiring_assessments",
    "transfers_unmet",
    "checks_overdue",
    "findings_past_due",
    "joint_use_notice",
]

# What each panel must show for the scene below, in the panel's order; anything else in the scene must not
# appear. Contract rows are named by reference, findings by "vendor: description", joint use by "title vN".
EXPECTED = {
    "my_draft_vendors": ["Mine Draft K.K."],
    # Every owner's: deadlines in 30 days (the earlier entered first), then in 40 days.
    "notice_deadlines": ["PC-MINE-SOON", "PC-THEIRS-SOON", "PC-MYVENDOR-SOON"],
    # Newest first, as the assessment list orders them.
    "assessments_to_prepare": ["Theirs Uncovered K.K.", "Mine Covered K.K.", "Mine Draft K.K."],
    "approved_with_gaps": ["Mine Lapsed K.K.", "Mine Uncovered K.K.", "Theirs Uncovered K.K."],
    "approved_without_contract": ["Mine Uncovered K.K.", "Theirs Uncovered K.K."],
    # Submitted 5 days ago before submitted yesterday.
    "review_queue": ["Theirs Draft K.K.", "Mine Draft K.K."],
    "expiring_assessments": ["Expiring Soon K.K."],
    "transfers_unmet": ["Never Checked Inc.", "Planned Unchecked Inc.", "Stale Check Inc."],
    "checks_overdue": ["Never Checked Inc.", "Stale Check Inc."],
    "findings_past_due": ["Mine Covered K.K.: Encrypt the backups"],
    "joint_use_notice": ["Group joint use v2"],
}

# Every label the scene could put in a panel: each panel is checked not to show the others.
ALL_LABELS = {
    "my_draft_vendors": ["Mine Draft K.K.", "Theirs Draft K.K.", "Mine Covered K.K.", "Mine Uncovered K.K."],
    "notice_deadlines": [
        "PC-MINE-SOON",
        "PC-MINE-LATER",
        "PC-THEIRS-SOON",
        "PC-MYVENDOR-SOON",
        "PC-MINE-DRAFT",
    ],
    "assessments_to_prepare": [
        "Mine Draft K.K.",
        "Mine Covered K.K.",
        "Theirs Uncovered K.K.",
        "Theirs Draft K.K.",
        "Mine Lapsed K.K.",
    ],
    "approved_with_gaps": [
        "Mine Uncovered K.K.",
        "Mine Lapsed K.K.",
        "Mine Covered K.K.",
        "Theirs Uncovered K.K.",
    ],
    "review_queue": ["Theirs Draft K.K.", "Mine Draft K.K.", "Mine Covered K.K.", "Theirs Uncovered K.K."],
    "approved_without_contract": [
        "Mine Uncovered K.K.",
        "Theirs Uncovered K.K.",
        "Mine Lapsed K.K.",
        "Mine Covered K.K.",
        "Mine Draft K.K.",
    ],
    "expiring_assessments": [
        "Expiring Soon K.K.",
        "Expiring Later K.K.",
        "Mine Covered K.K.",
        "Mine Lapsed K.K.",
    ],
    "transfers_unmet": [
        "Planned Unchecked Inc.",
        "Complete Active Inc.",
        "Ended Unchecked Inc.",
        "Stale Check Inc.",
        "Never Checked Inc.",
        "Fresh Check Inc.",
    ],
    "checks_overdue": [
        "Stale Check Inc.",
        "Never Checked Inc.",
        "Fresh Check Inc.",
        "Planned Unchecked Inc.",
    ],
    "findings_past_due": [
        "Encrypt the backups",
        "Rotate the keys",
        "Train the staff",
        "Review the logs",
    ],
    "joint_use_notice": ["Group joint use v1", "Group joint use v2", "Group joint use v3"],
}


def _assessment(vendor, status, *, prepared_by=None, submitted_days_ago=None):
    return Assessment.objects.create(
        vendor=vendor,
        standard=Standard.objects.get(status=Standard.Status.PUBLISHED),
        status=status,
        prepared_by=prepared_by,
        submitted_at=(
            timezone.now() - timedelta(days=submitted_days_ago) if submitted_days_ago is not None else None
        ),
    )


@pytest.fixture
def scene(procurement_user):
    """Items that must, and must not, appear in each panel; "mine" is procurement_user's."""
    today = timezone.localdate()
    me = procurement_user
    other = UserFactory(username="other-buyer", roles=[PROCUREMENT])
    approved = Vendor.Status.APPROVED

    # --- vendors and their cover ---------------------------------------------------------------------
    mine_draft = VendorFactory(name="Mine Draft K.K.", owner=me)
    theirs_draft = VendorFactory(name="Theirs Draft K.K.", owner=other)
    mine_covered = VendorFactory(name="Mine Covered K.K.", owner=me, status=approved)
    VendorFactory(name="Mine Uncovered K.K.", owner=me, status=approved)
    mine_lapsed = VendorFactory(name="Mine Lapsed K.K.", owner=me, status=approved)
    theirs_uncovered = VendorFactory(name="Theirs Uncovered K.K.", owner=other, status=approved)

    # decision_on = ends_on - notice_days (60 by default).
    active_contract_for(mine_covered, reference="PC-MINE-SOON", owner=me, ends_on=today + timedelta(days=90))
    active_contract_for(mine_lapsed, reference="PC-MINE-LATER", owner=me, ends_on=today + timedelta(days=180))
    active_contract_for(
        theirs_draft, reference="PC-THEIRS-SOON", owner=other, ends_on=today + timedelta(days=90)
    )
    active_contract_for(
        mine_draft, reference="PC-MYVENDOR-SOON", owner=other, ends_on=today + timedelta(days=100)
    )
    ProtectionContractFactory(
        vendor=mine_covered,
        reference="PC-MINE-DRAFT",
        owner=me,
        starts_on=today,
        ends_on=today + timedelta(days=90),
    )
    covered_assessment = approved_assessment_for(mine_covered)
    approved_assessment_for(mine_lapsed, valid_until=today - timedelta(days=1))

    # --- assessments in preparation and in review -------------------------------------------------------
    S = Assessment.Status
    _assessment(mine_draft, S.DRAFT, prepared_by=other)
    _assessment(mine_covered, S.RETURNED, prepared_by=other)
    _assessment(theirs_uncovered, S.DRAFT, prepared_by=me)  # someone else's vendor, but prepared by me
    _assessment(theirs_draft, S.DRAFT, prepared_by=other)
    _assessment(theirs_draft, S.SUBMITTED, prepared_by=other, submitted_days_ago=5)
    _assessment(mine_draft, S.SUBMITTED, prepared_by=other, submitted_days_ago=1)
    approved_assessment_for(VendorFactory(name="Expiring Soon K.K."), valid_until=today + timedelta(days=30))
    approved_assessment_for(VendorFactory(name="Expiring Later K.K."), valid_until=today + timedelta(days=90))

    # --- foreign transfers ------------------------------------------------------------------------------
    SystemTransferFactory(vendor=ForeignVendorFactory(name="Planned Unchecked Inc."))  # no periodic check yet
    active_transfer_for(ForeignVendorFactory(name="Complete Active Inc."))
    SystemTransferFactory(vendor=ForeignVendorFactory(name="Ended Unchecked Inc."), status="ended")
    long_ago = today - timedelta(days=500)
    stale = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Stale Check Inc."), status="active", started_on=long_ago
    )
    PeriodicCheckFactory(transfer=stale, checked_on=today - timedelta(days=400))
    SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Never Checked Inc."), status="active", started_on=long_ago
    )
    fresh = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Fresh Check Inc."), status="active", started_on=long_ago
    )
    PeriodicCheckFactory(transfer=fresh)  # 30 days ago

    # --- findings ---------------------------------------------------------------------------------------
    F = Finding.Status
    for description, status, due_in in [
        ("Encrypt the backups", F.OPEN, -3),
        ("Rotate the keys", F.RESOLVED, -3),
        ("Train the staff", F.OPEN, 1),
        ("Review the logs", F.OPEN, 0),
    ]:
        Finding.objects.create(
            assessment=covered_assessment,
            description=description,
            status=status,
            due_on=today + timedelta(days=due_in),
        )

    # --- joint use: v1 in force, v2 announced ahead, v3 still a draft -----------------------------------
    v1 = JointUseArrangementFactory(
        title="Group joint use",
        version=1,
        status="published",
        notice_published_on=today - timedelta(days=210),
        effective_on=today - timedelta(days=200),
    )
    v2 = JointUseArrangementFactory(
        title="Group joint use",
        version=2,
        previous=v1,
        status="published",
        notice_published_on=today,
        effective_on=today + timedelta(days=14),
    )
    JointUseArrangementFactory(
        title="Group joint use", version=3, previous=v2, effective_on=today + timedelta(days=60)
    )


def dashboard(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def panels_by_key(response) -> dict:
    return {panel.spec.key: panel for panels in response.context["sections"].values() for panel in panels}


def panel_html(response, key: str) -> str:
    page = response.content.decode()
    start = page.index(f'id="panel-{key}"')
    end = page.find('id="panel-', start + 1)
    return page[start : end if end != -1 else page.index('id="section-register"')]


ROW_LINK = re.compile(r'<li class="list-group-item[^>]*>(?:<span>)?<a href="[^"]*">([^<]*)</a>')


def shown_labels(response, key: str) -> list[str]:
    return [html.unescape(label) for label in ROW_LINK.findall(panel_html(response, key))]


def shown_count(response, key: str) -> int:
    match = re.search(r'panel-count"[^>]*>(\d+)</a>', panel_html(response, key))
    return int(match.group(1))


def role_for(key: str) -> str:
    return "procurement" if key in PROCUREMENT_PANELS else "compliance"


@pytest.mark.parametrize("key", PROCUREMENT_PANELS + COMPLIANCE_PANELS)
def test_each_panel_counts_and_shows_exactly_its_items(scene, client_as, key):
    response = dashboard(client_as(role_for(key)))
    panel = panels_by_key(response)[key]

    assert panel.count == len(EXPECTED[key])
    assert shown_count(response, key) == len(EXPECTED[key])
    assert shown_labels(response, key) == EXPECTED[key]
    section = panel_html(response, key)
    shown = {part for label in EXPECTED[key] for part in (label, label.split(": ")[-1])}
    for label in set(ALL_LABELS[key]) - shown:
        assert html.escape(label) not in section, f"{label} must not be in {key}"


@pytest.mark.parametrize("key", PROCUREMENT_PANELS + COMPLIANCE_PANELS)
def test_each_panel_link_lists_exactly_the_counted_rows(scene, client_as, key):
    client = client_as(role_for(key))
    panel = panels_by_key(dashboard(client))[key]

    response = client.get(panel.url)

    assert response.status_code == 200
    listed = list(response.context["object_list"])
    paginator = response.context.get("paginator")
    assert (paginator.count if paginator else len(listed)) == panel.count
    assert [row.pk for row in listed] == [item.pk for item in panel.items]


def test_the_review_queue_shows_the_oldest_submission_first(scene, client_as):
    panel = panels_by_key(dashboard(client_as("compliance")))["review_queue"]

    submitted = [item.submitted_at for item in panel.items]
    assert submitted == sorted(submitted)
    assert [item.vendor.name for item in panel.items] == ["Theirs Draft K.K.", "Mine Draft K.K."]


def test_a_panel_previews_five_rows_and_links_to_the_rest(client_as, procurement_user):
    for i in range(7):
        VendorFactory(name=f"Draft {i} K.K.", owner=procurement_user)

    response = dashboard(client_as("procurement"))

    panel = panels_by_key(response)["my_draft_vendors"]
    assert panel.count == 7
    assert len(shown_labels(response, "my_draft_vendors")) == 5
    assert "Show all 7" in panel_html(response, "my_draft_vendors")


# --- who sees what --------------------------------------------------------------------------------------


def section_keys(response) -> dict[str, list[str]]:
    return {
        role: [panel.spec.key for panel in panels] for role, panels in response.context["sections"].items()
    }


def test_procurement_sees_only_its_panels(client_as):
    assert section_keys(dashboard(client_as("procurement"))) == {"procurement": PROCUREMENT_PANELS}


def test_compliance_sees_only_its_panels(client_as):
    assert section_keys(dashboard(client_as("compliance"))) == {"compliance": COMPLIANCE_PANELS}


def test_a_viewer_sees_no_role_panels_but_sees_the_charts(client_as):
    response = dashboard(client_as("viewer"))

    assert response.context["sections"] == {}
    assert 'id="panel-' not in response.content.decode()
    assert [chart.key for chart in response.context["charts"]] == ["status", "risk", "deadlines"]
    assert response.content.decode().count('<svg class="chart') == 3


def test_a_superuser_sees_both_sections(client_as):
    response = dashboard(client_as("superuser"))

    assert section_keys(response) == {"procurement": PROCUREMENT_PANELS, "compliance": COMPLIANCE_PANELS}
    assert len(response.context["charts"]) == 3


def test_an_anonymous_visitor_is_sent_to_the_login_page(client_as):
    response = client_as("anonymous").get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(client, roleless_user):
    client.force_login(roleless_user)

    assert client.get(reverse("home")).status_code == 403
