"""Two reviewers deciding the same assessment at the same moment: one decision wins, the other is told."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format

from assessments import services
from assessments.models import Assessment
from assessments.services import assessment_approve, assessment_reject, assessment_submit
from core.roles import COMPLIANCE, PROCUREMENT

from ..factories import UserFactory, answered_assessment

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks (select_for_update) and one writer at a time",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def decide_together(assessment, deciders, *, monkeypatch, hold_lock_seconds: float = 0) -> dict:
    """Run each (name, service, user, kwargs) in its own thread with its own connection, released together.

    With `hold_lock_seconds`, whoever locks the row first keeps it that long before deciding, so the
    other reviewer's request certainly arrives while the row is locked.
    """
    barrier = threading.Barrier(len(deciders))
    outcomes = {}

    def run(name, service, user, kwargs):
        try:
            barrier.wait(timeout=10)
            service(assessment=Assessment.objects.get(pk=assessment.pk), user=user, **kwargs)
            outcomes[name] = "ok"
        except ValidationError as error:
            outcomes[name] = error.messages
        except Exception as error:  # reported by the test, not lost in the thread
            outcomes[name] = error
        finally:
            connection.close()

    if hold_lock_seconds:
        decide = services._decide

        def slow_decide(current, **kwargs):
            time.sleep(hold_lock_seconds)  # the row is locked (select_for_update) while this sleeps
            return decide(current, **kwargs)

        monkeypatch.setattr(services, "_decide", slow_decide)
    threads = [threading.Thread(target=run, args=decider) for decider in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(not thread.is_alive() for thread in threads), "a reviewer's thread hung"
    return outcomes


@pytest.fixture
def scene():
    preparer = UserFactory(username="preparer", roles=[PROCUREMENT])
    approver = UserFactory(username="approver", first_name="Aki", last_name="Approver", roles=[COMPLIANCE])
    rejecter = UserFactory(username="rejecter", first_name="Ren", last_name="Rejecter", roles=[COMPLIANCE])
    assessment = answered_assessment(preparer=preparer)
    assessment_submit(assessment=assessment, user=preparer)
    return assessment, approver, rejecter


def race(scene, hold, monkeypatch):
    assessment, approver, rejecter = scene
    outcomes = decide_together(
        assessment,
        [
            ("approve", assessment_approve, approver, {"note": "Looks fine."}),
            ("reject", assessment_reject, rejecter, {"note": "Evidence is forged."}),
        ],
        monkeypatch=monkeypatch,
        hold_lock_seconds=hold,
    )
    assert sorted(outcome == "ok" for outcome in outcomes.values()) == [False, True], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    loser = next(name for name in outcomes if name != winner)
    return outcomes, winner, loser


HOLDS = pytest.mark.parametrize("hold", [0, 0.5], ids=["released-together", "second-waits-for-the-lock"])


@HOLDS
def test_two_reviewers_deciding_at_once_record_exactly_one_decision(scene, hold, monkeypatch):
    assessment, approver, rejecter = scene
    outcomes, winner, loser = race(scene, hold, monkeypatch)

    assert isinstance(outcomes[loser], list) and len(outcomes[loser]) == 1  # a ValidationError's message
    stored = Assessment.objects.select_related("reviewed_by").get(pk=assessment.pk)
    status, reviewer, note = {
        "approve": (Assessment.Status.APPROVED, approver, "Looks fine."),
        "reject": (Assessment.Status.REJECTED, rejecter, "Evidence is forged."),
    }[winner]
    assert (stored.status, stored.reviewed_by, stored.decision_note) == (status, reviewer, note)
    assert (stored.valid_until is not None) == (winner == "approve")
    decided = Assessment.Status.APPROVED, Assessment.Status.REJECTED
    versions = [(v.history_user, v.status) for v in stored.history.all() if v.status in decided]
    assert versions == [(reviewer, status)]


@HOLDS
def test_the_reviewer_who_lost_the_race_is_told_who_decided_first_and_when(scene, hold, monkeypatch):
    assessment, _approver, _rejecter = scene
    outcomes, _winner, loser = race(scene, hold, monkeypatch)

    stored = Assessment.objects.select_related("reviewed_by").get(pk=assessment.pk)
    when = date_format(timezone.localtime(stored.decided_at), "Y-m-d H:i")
    assert outcomes[loser] == [
        f"{stored.reviewed_by.get_full_name()} already decided this assessment ({stored.status}) at {when}."
    ]
