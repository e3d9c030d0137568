"""The one scoring rule, checked against scores worked out by hand."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from assessments.scoring import score_answers

PASS, CONDITIONAL = Decimal("80.0"), Decimal("60.0")


def criterion(code: str, weight: int = 1, *, category: str = "basic_policy", critical: bool = False):
    return SimpleNamespace(code=code, weight=weight, category=category, is_critical=critical)


def score(*answers, pass_score=PASS, conditional_score=CONDITIONAL):
    return score_answers(answers, pass_score=pass_score, conditional_score=conditional_score)


# --- credit and weights ---------------------------------------------------------------------------------


def test_each_answer_counts_with_its_criterion_s_weight():
    # yes on weight 3, no on weight 1: 3 of 4 -> 75.0
    assert score((criterion("A", 3), "yes"), (criterion("B", 1), "no")).score == Decimal("75.0")
    # the same answers the other way round: 1 of 4 -> 25.0
    assert score((criterion("A", 1), "yes"), (criterion("B", 3), "no")).score == Decimal("25.0")


def test_partial_earns_half_the_weight():
    # partial on weight 2 alone: 1 of 2 -> 50.0
    assert score((criterion("A", 2), "partial")).score == Decimal("50.0")
    # yes on 2 and partial on 2: 3 of 4 -> 75.0
    assert score((criterion("A", 2), "yes"), (criterion("B", 2), "partial")).score == Decimal("75.0")


def test_not_applicable_is_left_out_of_the_denominator():
    # yes on 3, na on 5: 3 of 3 -> 100.0 (not 3 of 8)
    card = score((criterion("A", 3), "yes"), (criterion("B", 5), "na"))
    assert (card.score, card.result) == (Decimal("100.0"), "pass")
    # no on 1, na on 5: 0 of 1
    assert score((criterion("A", 1), "no"), (criterion("B", 5), "na")).score == Decimal("0.0")


def test_an_unanswered_criterion_earns_nothing_and_counts_nowhere():
    assert score((criterion("A", 2), "yes"), (criterion("B", 4), "")).score == Decimal("100.0")


# --- critical criteria ----------------------------------------------------------------------------------


def test_a_critical_no_fails_the_assessment_whatever_the_score():
    # four yes on weight 5 and a critical no on weight 1: 20 of 21 -> 95.2, still a fail
    answers = [(criterion(f"Y{i}", 5), "yes") for i in range(4)]
    card = score(*answers, (criterion("CRIT", 1, critical=True), "no"))
    assert card.score == Decimal("95.2")
    assert card.result == "fail"
    assert card.critical_failures == ["CRIT"]


def test_every_critical_no_is_named():
    card = score(
        (criterion("C1", 5, critical=True), "no"),
        (criterion("A", 5), "yes"),
        (criterion("C2", 5, critical=True), "no"),
    )
    assert card.critical_failures == ["C1", "C2"]


def test_a_critical_criterion_answered_partially_is_scored_like_any_other():
    # partial on critical 4, yes on 1: 3 of 5 -> 60.0, conditional; no critical failure
    card = score((criterion("CRIT", 4, critical=True), "partial"), (criterion("A", 1), "yes"))
    assert (card.score, card.result, card.critical_failures) == (Decimal("60.0"), "conditional", [])


# --- thresholds -----------------------------------------------------------------------------------------


def test_a_score_exactly_at_the_pass_score_passes():
    # 4 of 5 -> 80.0 against the pass score 80.0
    card = score((criterion("A", 4), "yes"), (criterion("B", 1), "no"))
    assert (card.score, card.result) == (Decimal("80.0"), "pass")


def test_a_score_exactly_at_the_conditional_score_is_conditional():
    # 3 of 5 -> 60.0 against the conditional score 60.0
    card = score((criterion("A", 3), "yes"), (criterion("B", 2), "no"))
    assert (card.score, card.result) == (Decimal("60.0"), "conditional")


# 2 of 3 -> 66.7 (rounded); the thresholds are set around it, one tenth apart.
TWO_OF_THREE = ((criterion("A", 2), "yes"), (criterion("B", 1), "no"))


@pytest.mark.parametrize(
    ("pass_score", "conditional_score", "result"),
    [
        (Decimal("66.7"), Decimal("50.0"), "pass"),  # exactly at the pass score
        (Decimal("66.8"), Decimal("50.0"), "conditional"),  # just below the pass score
        (Decimal("90.0"), Decimal("66.7"), "conditional"),  # exactly at the conditional score
        (Decimal("90.0"), Decimal("66.8"), "fail"),  # just below the conditional score
    ],
    ids=["at-pass", "just-below-pass", "at-conditional", "just-below-conditional"],
)
def test_the_result_follows_the_thresholds_to_the_tenth(pass_score, conditional_score, result):
    card = score(*TWO_OF_THREE, pass_score=pass_score, conditional_score=conditional_score)
    assert (card.score, card.result) == (Decimal("66.7"), result)


def test_thresholds_may_be_given_as_numbers():
    card = score(*TWO_OF_THREE, pass_score=66, conditional_score=50)
    assert card.result == "pass"


def test_below_the_conditional_score_fails():
    # 1 of 2 -> 50.0 against 80 / 60
    card = score((criterion("A", 1), "yes"), (criterion("B", 1), "no"))
    assert (card.score, card.result, card.critical_failures) == (Decimal("50.0"), "fail", [])


# --- rounding -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # 2 of 3 = 66.666… -> 66.7
        (TWO_OF_THREE, Decimal("66.7")),
        # 1 of 3 = 33.333… -> 33.3
        (((criterion("A", 1), "yes"), (criterion("B", 2), "no")), Decimal("33.3")),
        # 13 of 16 = 81.25 -> 81.3 (half up; half-even would give 81.2)
        (
            (
                (criterion("A", 5), "yes"),
                (criterion("B", 5), "yes"),
                (criterion("C", 5), "partial"),
                (criterion("D", 1), "partial"),
            ),
            Decimal("81.3"),
        ),
        # 0.5 of 8 = 6.25 -> 6.3 (half up; half-even would give 6.2)
        (
            ((criterion("A", 1), "partial"), (criterion("B", 5), "no"), (criterion("C", 2), "no")),
            Decimal("6.3"),
        ),
        # 1.5 of 4 = 37.5 stays 37.5
        (((criterion("A", 3), "partial"), (criterion("B", 1), "no")), Decimal("37.5")),
    ],
    ids=["two-thirds", "one-third", "81.25", "6.25", "37.5"],
)
def test_the_score_is_rounded_to_one_decimal_half_up(answers, expected):
    card = score(*answers)
    assert card.score == expected
    assert card.score.as_tuple().exponent == -1


# --- categories -----------------------------------------------------------------------------------------


def test_each_category_gets_its_own_sub_score():
    card = score(
        (criterion("BAS-1", 2, category="basic_policy"), "yes"),
        (criterion("BAS-2", 2, category="basic_policy"), "no"),  # 2 of 4 -> 50.0
        (criterion("TEC-1", 3, category="technical"), "yes"),  # 3 of 3 -> 100.0
        (criterion("TEC-2", 3, category="technical"), "partial"),  # with TEC-1: 4.5 of 6 -> 75.0
        (criterion("PHY-1", 1, category="physical"), "partial"),
        (criterion("PHY-2", 2, category="physical"), "yes"),  # 2.5 of 3 -> 83.3
        (criterion("EXT-1", 5, category="external_environment"), "na"),  # nothing to score
    )
    assert card.by_category == {
        "basic_policy": Decimal("50.0"),
        "technical": Decimal("75.0"),
        "physical": Decimal("83.3"),
        "external_environment": None,
    }
    # overall: 2 + 4.5 + 2.5 = 9 of 4 + 6 + 3 = 13 -> 69.2
    assert (card.score, card.result) == (Decimal("69.2"), "conditional")


# --- nothing to score -----------------------------------------------------------------------------------


def test_all_not_applicable_has_no_score_and_fails():
    card = score((criterion("A", 3), "na"), (criterion("B", 5), "na"))
    assert (card.score, card.result) == (None, "fail")
    assert card.by_category == {"basic_policy": None}


def test_no_answers_at_all_has_no_score_and_fails():
    card = score()
    assert (card.score, card.result, card.by_category, card.critical_failures) == (None, "fail", {}, [])
