"""Beat did not run for a week: the run on day D+7, after the last one on day D, sends one catch-up
reminder per item (that of the most recent threshold reached), not one per missed day or threshold.

Contracts have this test already (tests/contracts/test_reminders.py,
test_a_first_run_after_missed_thresholds_sends_only_the_most_recent_one); here are assessments, findings
and the transfer reminders.
"""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.test import override_settings

from assessments.models import Finding
from assessments.services import send_assessment_reminders
from core.models import ReminderLog
from core.roles import COMPLIANCE, PROCUREMENT
from transfers.models import ForeignTransfer
from transfers.services import send_transfer_reminders

from ..factories import (
    CountryFactory,
    ForeignTransferFactory,
    ForeignVendorFactory,
    PeriodicCheckFactory,
    SystemTransferFactory,
    UserFactory,
    VendorFactory,
    approved_assessment_for,
)

pytestmark = pytest.mark.django_db

WEEK = timedelta(days=7)
EXPIRES = date(2027, 6, 30)


@pytest.fixture
def owner():
    return UserFactory(username="owner", roles=[PROCUREMENT])


@pytest.fixture
def compliance():
    return [UserFactory(username=f"compliance{n}", roles=[COMPLIANCE]) for n in (1, 2)]


def sent(since: int = 0) -> Counter:
    """(kind, threshold, recipient) of the reminders sent, from the `since`-th row logged on."""
    rows = ReminderLog.objects.exclude(sent_at=None).order_by("pk")[since:]
    return Counter((row.kind, row.threshold, row.recipient.username) for row in rows)


def week_apart(send, day: date) -> tuple[Counter, Counter]:
    """What the run on `day` sent, and what the next run, a week later, sent."""
    send(today=day)
    first = sent()
    send(today=day + WEEK)
    second = sent(since=first.total())
    assert send(today=day + WEEK + timedelta(days=1)) == 0  # and the day after, nothing more
    return first, second


# --- assessments --------------------------------------------------------------------------------------------


@pytest.fixture
def approved(owner):
    return approved_assessment_for(VendorFactory(owner=owner), valid_until=EXPIRES)


def test_a_week_without_runs_before_the_first_threshold_sends_that_threshold_once(approved, mailoutbox):
    first, second = week_apart(send_assessment_reminders, EXPIRES - timedelta(days=65))
    assert first == Counter()
    assert second == Counter({("assessment_expiry", 60, "owner"): 1})
    assert len(mailoutbox) == 1


@override_settings(ASSESSMENT_REMINDER_DAYS=[60, 30, 7, 3, 0])
def test_a_week_without_runs_across_two_thresholds_sends_only_the_later_one(approved, mailoutbox):
    first, second = week_apart(send_assessment_reminders, EXPIRES - timedelta(days=10))
    assert first == Counter({("assessment_expiry", 30, "owner"): 1})
    assert second == Counter({("assessment_expiry", 3, "owner"): 1})  # the 7-day one is skipped
    assert "3 days" in mailoutbox[-1].subject + mailoutbox[-1].body


def test_a_week_without_runs_across_the_expiry_sends_the_escalation_once(approved, compliance, mailoutbox):
    first, second = week_apart(send_assessment_reminders, EXPIRES - timedelta(days=3))
    assert first == Counter({("assessment_expiry", 30, "owner"): 1})
    # Not the reminder of the expiry day itself: the assessment has expired by now, and that is what is said.
    assert second == Counter(
        {
            ("assessment_expired", 0, "owner"): 1,
            ("assessment_expired", 0, "compliance1"): 1,
            ("assessment_expired", 0, "compliance2"): 1,
        }
    )


def test_a_finding_that_fell_overdue_during_the_week_is_reminded_once(approved, owner, mailoutbox):
    due = EXPIRES - timedelta(days=200)
    Finding.objects.create(assessment=approved, description="No access logs.", due_on=due, owner=owner)
    first, second = week_apart(send_assessment_reminders, due - timedelta(days=1))
    assert first == Counter()
    assert second == Counter({("finding_overdue", 0, "owner"): 1})


# --- transfers ----------------------------------------------------------------------------------------------

CHECKED_ON = date(2026, 7, 1)
CHECK_DUE = date(2027, 7, 1)  # 12 months after the last check


def fresh_country(**kwargs):
    return CountryFactory(information_reviewed_on=date(2027, 6, 1), **kwargs)


@pytest.fixture
def transfer():
    transfer = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Cloudy Inc."),
        country=fresh_country(),
        status=ForeignTransfer.Status.ACTIVE,
        started_on=date(2025, 1, 1),
    )
    PeriodicCheckFactory(transfer=transfer, checked_on=CHECKED_ON)
    return transfer


def each(kind: str, threshold: int = 0) -> Counter:
    return Counter({(kind, threshold, "compliance1"): 1, (kind, threshold, "compliance2"): 1})


def test_a_week_without_runs_across_the_check_due_date_sends_only_the_overdue_reminder(
    transfer, compliance, mailoutbox
):
    first, second = week_apart(send_transfer_reminders, CHECK_DUE - timedelta(days=3))
    assert first == each("transfer_check", 30)
    assert second == each("transfer_check_overdue")  # not "due today" as well
    assert {message.subject for message in mailoutbox[-2:]} == {
        "[Vendor Register] Periodic check of the transfer to Cloudy Inc. is overdue"
    }


def test_a_week_without_runs_into_the_check_window_sends_one_reminder(transfer, compliance, mailoutbox):
    first, second = week_apart(send_transfer_reminders, CHECK_DUE - timedelta(days=33))
    assert first == Counter()
    assert second == each("transfer_check", 30)


def test_a_correction_that_fell_overdue_during_the_week_is_reminded_once(compliance, mailoutbox):
    transfer = SystemTransferFactory(
        country=fresh_country(), status=ForeignTransfer.Status.ACTIVE, started_on=date(2025, 1, 1)
    )
    corrected_by = date(2027, 3, 1)
    PeriodicCheckFactory(
        transfer=transfer,
        checked_on=corrected_by - timedelta(days=60),
        result="impeded",
        impediments="No access logs.",
        actions_demanded="Keep access logs for a year.",
        correction_due_on=corrected_by,
    )
    first, second = week_apart(send_transfer_reminders, corrected_by - timedelta(days=2))
    assert first == Counter()
    assert second == each("transfer_correction_overdue")


def test_country_information_going_stale_during_the_week_is_reminded_once(compliance, mailoutbox):
    reviewed = date(2026, 5, 1)
    ForeignTransferFactory(country=CountryFactory(information_reviewed_on=reviewed))
    stale_on = date(2027, 5, 1)
    first, second = week_apart(send_transfer_reminders, stale_on - timedelta(days=33))
    assert first == Counter()
    assert second == each("country_information_stale")
