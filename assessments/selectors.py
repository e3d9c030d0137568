"""Reads that need care: which criteria are asked of a vendor, an assessment's questionnaire, and the edit
token of its answers."""

from core.history import latest_version
from vendors.models import Vendor

from .models import Answer, Assessment, Criterion, Standard


def applicable_criteria(standard: Standard, vendor: Vendor) -> list[Criterion]:
    """The criteria of `standard` asked of `vendor` (applies_when holds for it), in questionnaire order."""
    return list(
        standard.criteria.filter(applies_when__in=Criterion.conditions_met_by(vendor)).order_by(
            "position", "code"
        )
    )


def questionnaire_answers(assessment: Assessment) -> list[Answer]:
    """One answer per criterion asked of the assessment's vendor, in questionnaire order.

    The questions come from the standard and the vendor, never from the answer rows that happen to exist:
    an assessment made without assessment_create may have none yet (a criterion without a row gets an
    unsaved blank answer here), and a row kept for a criterion that does not apply is left out.
    """
    stored = {answer.criterion_id: answer for answer in assessment.answers.all()}
    answers = []
    for criterion in applicable_criteria(assessment.standard, assessment.vendor):
        answer = stored.get(criterion.pk) or Answer(assessment=assessment, criterion=criterion)
        answer.criterion = criterion  # already loaded: no query per answer
        answers.append(answer)
    return answers


def answer_versions(assessment: Assessment):
    """Every version of the assessment's answers (a historical queryset)."""
    return Answer.history.filter(assessment_id=assessment.pk)


def answers_version(assessment: Assessment) -> int:
    """The edit token of an assessment's answers (its questionnaire page, a downloaded workbook): the newest
    version of any of them."""
    return latest_version(answer_versions(assessment))
