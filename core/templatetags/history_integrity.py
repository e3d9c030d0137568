from django import template

from core.history_integrity import findings_of
from core.models import HistoryVerification

register = template.Library()

SHOWN_FINDINGS = 20


@register.simple_tag
def last_history_verification() -> dict | None:
    """The latest history verification and its first findings (the audit page's banner); one query."""
    verification = HistoryVerification.objects.first()
    if verification is None:
        return None
    findings = findings_of(verification)
    return {
        "verification": verification,
        "findings": findings[:SHOWN_FINDINGS],
        "more": verification.problem_count - min(len(findings), SHOWN_FINDINGS),
    }
