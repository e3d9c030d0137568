"""The one scoring rule, used wherever a score is shown or stored.

yes = 1, partial = 0.5, no = 0, each times the criterion's weight; "na" leaves the criterion out
of the denominator. score = 100 * earned / possible, to one decimal (half up). The result is
fail when any critical criterion is answered no; otherwise pass at or above the pass score,
conditional at or above the conditional score, fail below.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CREDIT = {"yes": Decimal(1), "partial": Decimal("0.5"), "no": Decimal(0)}
ONE_DECIMAL = Decimal("0.1")


@dataclass
class Tally:
    earned: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)

    def add(self, response: str, weight: int) -> None:
        if response in CREDIT:
            self.earned += CREDIT[response] * weight
            self.possible += weight

    @property
    def score(self) -> Decimal | None:
        if not self.possible:
            return None
        return (Decimal(100) * self.earned / self.possible).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class ScoreCard:
    score: Decimal | None
    result: str
    by_category: dict[str, Decimal | None] = field(default_factory=dict)
    critical_failures: list[str] = field(default_factory=list)


def score_answers(answers: Iterable[tuple[object, str]], *, pass_score, conditional_score) -> ScoreCard:
    """Score (criterion, response) pairs; a criterion needs .code, .category, .weight and .is_critical."""
    total, by_category, critical_failures = Tally(), {}, []
    for criterion, response in answers:
        total.add(response, criterion.weight)
        by_category.setdefault(criterion.category, Tally()).add(response, criterion.weight)
        if criterion.is_critical and response == "no":
            critical_failures.append(criterion.code)
    score = total.score
    if critical_failures or score is None:
        result = "fail"
    elif score >= Decimal(pass_score):
        result = "pass"
    elif score >= Decimal(conditional_score):
        result = "conditional"
    else:
        result = "fail"
    return ScoreCard(score, result, {c: t.score for c, t in by_category.items()}, critical_failures)
