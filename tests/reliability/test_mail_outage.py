"""The mail server is down for a whole reminder run: nothing is taken as sent, and every reminder of every
kind, digest included, goes out exactly once when the server is back.

The single-reminder cases are in tests/contracts/test_reminders.py (a failed send is retried once) and
tests/core/test_notifications.py (a failed digest stays queued).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings

from core.models import ReminderLog
from core.reminders import run_reminders

from .mail import DisconnectingBackend, RefusingBackend, backend_path
from .scene import DAY, DUE, IN_DIGEST, SEPARATE_EMAILS, assert_each_due_reminder_reached_its_person_once
from .scene import build_scene as scene

pytestmark = pytest.mark.django_db

OUTAGES = pytest.mark.parametrize(
    ("backend", "error"),
    [
        (DisconnectingBackend, "Connection unexpectedly closed"),
        (RefusingBackend, "[Errno 111] Connection refused"),
    ],
    ids=["server-disconnects", "connection-refused"],
)


def test_with_the_mail_server_up_a_run_sends_every_due_reminder_once(mailoutbox):
    scene()
    results = run_reminders(today=DAY)
    assert {name: result.sent for name, result in results.items()} == {
        "contracts": 5,  # the vendor owner's three go to her digest
        "assessments": 2,
        "transfers": 6,
        "digest": IN_DIGEST,
    }
    assert results["contracts"].queued == IN_DIGEST
    assert len(mailoutbox) == SEPARATE_EMAILS + 1
    assert_each_due_reminder_reached_its_person_once()


@OUTAGES
def test_a_run_while_the_mail_server_is_down_marks_nothing_sent_and_leaves_everything_due(
    mailoutbox, backend, error
):
    scene()
    with override_settings(EMAIL_BACKEND=backend_path(backend)):
        results = run_reminders(today=DAY)

    assert sum(result.sent for result in results.values()) == 0
    assert sum(result.failed for result in results.values()) == DUE.total()
    assert mailoutbox == []
    rows = ReminderLog.objects.all()
    assert rows.count() == DUE.total()
    # Not sent, not held by anyone (the next run may claim it at once), and the reason is kept.
    assert {(row.sent_at, row.claimed_at, row.attempts, row.last_error) for row in rows} == {
        (None, None, 1, error)
    }


@OUTAGES
def test_the_next_run_after_the_outage_sends_each_reminder_once_and_a_third_sends_nothing(
    mailoutbox, backend, error
):
    scene()
    with override_settings(EMAIL_BACKEND=backend_path(backend)):
        run_reminders(today=DAY)
        run_reminders(today=DAY)  # still down: a retry that fails again loses nothing either
    assert set(ReminderLog.objects.values_list("attempts", flat=True)) == {2}

    results = run_reminders(today=DAY)
    assert sum(result.failed for result in results.values()) == 0
    assert_each_due_reminder_reached_its_person_once()
    assert set(ReminderLog.objects.values_list("attempts", "last_error")) == {(3, "")}

    mail.outbox.clear()
    results = run_reminders(today=DAY)
    assert sum(result.sent for result in results.values()) == 0
    assert mailoutbox == []


@OUTAGES
def test_reminders_failed_on_one_day_go_out_once_on_the_next_day(mailoutbox, backend, error):
    """The outage lasts past midnight: the next day's run still finds yesterday's reminders due."""
    scene()
    with override_settings(EMAIL_BACKEND=backend_path(backend)):
        run_reminders(today=DAY)
    run_reminders(today=DAY + timedelta(days=1))
    assert_each_due_reminder_reached_its_person_once()
