"""Two reminder runs at the same moment (beat fired twice, a retried task overlapping, a manual
`send_reminders`): both compute what is due before either claims anything, and yet every due reminder
goes out exactly once in total.
"""

import threading
import time

import pytest

from assessments import services as assessment_services
from assessments.models import Assessment
from core import reminders
from core.models import ReminderLog
from core.reminders import run_reminders

from .scene import DAY, DUE, assert_each_due_reminder_reached_its_person_once
from .scene import build_scene as scene
from .together import current_job, run_together

pytestmark = [
    pytest.mark.postgresql("SQLite has one writer at a time: two runs cannot overlap"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RUNS = ("first", "second")


def both_compute_before_either_claims(monkeypatch, runs: int) -> None:
    """Each run lists what one kind has due, waits for the other runs to have listed it too, then sends;
    the digests are sent together too."""
    barrier = threading.Barrier(runs)
    deliver, send_digests = reminders.deliver, reminders.send_digests

    def deliver_after_the_others_computed(due):
        due = list(due)  # the queries of the source, in this run's own connection
        barrier.wait(timeout=60)
        return deliver(due)

    def digests_together():
        barrier.wait(timeout=60)
        return send_digests()

    monkeypatch.setattr(reminders, "deliver", deliver_after_the_others_computed)
    monkeypatch.setattr(reminders, "send_digests", digests_together)


def two_runs(monkeypatch) -> dict:
    both_compute_before_either_claims(monkeypatch, len(RUNS))
    outcomes = run_together({name: lambda: run_reminders(today=DAY) for name in RUNS})
    errors = {name: repr(outcome.error) for name, outcome in outcomes.items() if not outcome.ok}
    assert not errors, errors
    return {name: outcome.value for name, outcome in outcomes.items()}


def test_two_runs_at_once_send_every_due_reminder_exactly_once_in_total(monkeypatch, mailoutbox):
    scene()
    results = two_runs(monkeypatch)

    assert_each_due_reminder_reached_its_person_once()
    for kind in ("contracts", "assessments", "transfers", "digest"):
        assert sum(results[run][kind].failed for run in RUNS) == 0
    separate = sum(
        results[run][kind].sent for run in RUNS for kind in ("contracts", "assessments", "transfers")
    )
    digest = sum(results[run]["digest"].sent for run in RUNS)
    assert (separate, digest) == (DUE.total() - 3, 3)


def test_after_two_runs_at_once_each_reminder_row_was_claimed_once_and_a_third_run_sends_nothing(
    monkeypatch, mailoutbox
):
    scene()
    two_runs(monkeypatch)

    rows = ReminderLog.objects.all()
    assert rows.count() == DUE.total()
    assert {(row.attempts, row.claimed_at is not None, row.sent_at is not None) for row in rows} == {
        (1, True, True)
    }
    monkeypatch.undo()
    sent_before = len(mailoutbox)
    results = run_reminders(today=DAY)
    assert sum(result.sent for result in results.values()) == 0
    assert len(mailoutbox) == sent_before


def test_two_runs_preparing_the_same_re_assessment_at_once_prepare_it_once_and_both_go_on(
    monkeypatch, mailoutbox
):
    """The second run checks `follows` only after the first has committed the new draft."""
    scene()
    create = assessment_services.assessment_create
    both_found_it_due = threading.Barrier(len(RUNS))
    preparing = []

    def create_second_after_the_first_committed(**kwargs):
        preparing.append(current_job())
        both_found_it_due.wait(timeout=60)
        if current_job() == "second":
            time.sleep(1)  # the first run's draft is committed by now
        return create(**kwargs)

    monkeypatch.setattr(assessment_services, "assessment_create", create_second_after_the_first_committed)
    outcomes = run_together({name: lambda: run_reminders(today=DAY, only=["assessments"]) for name in RUNS})

    errors = {name: repr(outcome.error) for name, outcome in outcomes.items() if not outcome.ok}
    assert not errors, errors
    assert sorted(preparing) == sorted(RUNS)  # both runs found it to prepare
    assert Assessment.objects.filter(kind=Assessment.Kind.PERIODIC).count() == 1
    assert sum(outcome.value["assessments"].sent for outcome in outcomes.values()) == 2
