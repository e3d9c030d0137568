"""Two reviewers deciding one assessment at once: exactly one decision.

Approve racing reject is tests/assessments/test_concurrency.py; this adds the pairs it leaves out, with its
`decide_together`: the same decision twice (two reviewers both approve) and a return racing an approval.
"""

import pytest

from assessments.models import Assessment
from assessments.services import assessment_approve, assessment_return, assessment_submit
from core.roles import COMPLIANCE, PROCUREMENT

from ..assessments.test_concurrency import decide_together
from ..factories import UserFactory, answered_assessment

pytestmark = [
    pytest.mark.postgresql("SQLite has no row locks (select_for_update) and one writer at a time"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = Assessment.Status
HOLDS = pytest.mark.parametrize("hold", [0, 0.5], ids=["released-together", "second-waits-for-the-lock"])


@pytest.fixture
def submitted():
    preparer = UserFactory(username="preparer", roles=[PROCUREMENT])
    assessment = answered_assessment(preparer=preparer)
    assessment_submit(assessment=assessment, user=preparer)
    return assessment


def reviewer(name: str):
    return UserFactory(username=name, first_name=name.title(), last_name="Reviewer", roles=[COMPLIANCE])


def decided_versions(assessment) -> list[tuple]:
    decisions = (S.APPROVED, S.REJECTED, S.RETURNED)
    return [
        (v.history_user.username, v.status)
        for v in assessment.history.order_by("history_id")
        if v.status in decisions
    ]


@HOLDS
def test_two_reviewers_approving_at_once_approve_once(submitted, hold, monkeypatch):
    outcomes = decide_together(
        submitted,
        [
            ("aki", assessment_approve, reviewer("aki"), {"note": "Fine."}),
            ("ren", assessment_approve, reviewer("ren"), {"note": "Fine too."}),
        ],
        monkeypatch=monkeypatch,
        hold_lock_seconds=hold,
    )

    assert sorted(outcome == "ok" for outcome in outcomes.values()) == [False, True], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    loser = next(name for name in outcomes if name != winner)
    stored = Assessment.objects.get(pk=submitted.pk)
    assert (stored.status, stored.reviewed_by.username) == (S.APPROVED, winner)
    assert decided_versions(stored) == [(winner, S.APPROVED)]  # one version, one validity period
    [message] = outcomes[loser]
    assert message.startswith(f"{winner.title()} Reviewer already decided this assessment (approved) at ")


@HOLDS
def test_a_return_racing_an_approval_leaves_one_decision(submitted, hold, monkeypatch):
    outcomes = decide_together(
        submitted,
        [
            ("approve", assessment_approve, reviewer("aki"), {"note": "Fine."}),
            ("return", assessment_return, reviewer("ren"), {"note": "Evidence for TEC-01 is missing."}),
        ],
        monkeypatch=monkeypatch,
        hold_lock_seconds=hold,
    )

    assert sorted(outcome == "ok" for outcome in outcomes.values()) == [False, True], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    stored = Assessment.objects.get(pk=submitted.pk)
    expected = {"approve": (S.APPROVED, "aki"), "return": (S.RETURNED, "ren")}[winner]
    assert (stored.status, stored.reviewed_by.username) == expected
    assert (stored.valid_until is not None) == (winner == "approve")
    assert decided_versions(stored) == [expected[::-1]]
    loser = next(name for name in outcomes if name != winner)
    assert isinstance(outcomes[loser], list) and len(outcomes[loser]) == 1
