"""Assessments and findings as spreadsheets, and the vendor register's latest-assessment columns."""

from collections.abc import Iterable, Iterator

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from core.db import in_ids
from core.excel import ITERATION_CHUNK, Column, choice_column, column, stream
from core.templatetags.ui import user_label
from vendors.registers import vendor_register_columns

from .models import Answer, Assessment, Category, Criterion, Finding, Standard
from .scoring import CREDIT, Tally


def _latest_approved_by_vendor(vendor_ids: list[int]) -> dict[int, dict]:
    """{vendor id: its approved assessment valid longest}, one query."""
    labels = {value: str(label) for value, label in Assessment.Result.choices}
    latest: dict[int, dict] = {}
    rows = (
        Assessment.objects.filter(in_ids("vendor_id", vendor_ids), status=Assessment.Status.APPROVED)
        .order_by("vendor_id", "-valid_until", "-pk")
        .values("vendor_id", "result", "score", "valid_until")
    )
    for row in rows:
        if row["vendor_id"] not in latest:
            latest[row["vendor_id"]] = {**row, "result": labels.get(row["result"], row["result"])}
    return latest


def _latest_approved_value(key: str):
    def read(vendor):
        latest = vendor.register["assessments"]
        return latest[key] if latest else None

    return read


vendor_register_columns(
    "assessments",
    load=_latest_approved_by_vendor,
    columns=(
        Column(_("Assessment result"), _latest_approved_value("result"), 12),
        Column(_("Assessment score"), _latest_approved_value("score"), 10),
        Column(_("Assessment valid until"), _latest_approved_value("valid_until"), 12),
    ),
)


def _earned():
    return Sum(
        Case(
            *(
                When(response=response, then=F("criterion__weight") * Value(credit))
                for response, credit in CREDIT.items()
            ),
            default=Value(0),
            output_field=DecimalField(max_digits=8, decimal_places=2),
        )
    )


def category_scores(assessment_ids: list[int]) -> dict[int, dict[str, object]]:
    """{assessment id: {category: score}} from one aggregate query (same rule as scoring.score_answers)."""
    rows = (
        Answer.objects.filter(in_ids("assessment_id", assessment_ids))
        .filter(Criterion.applies_q(criterion="criterion", vendor="assessment__vendor"))
        .values("assessment_id", "criterion__category")
        .annotate(earned=_earned(), possible=Sum("criterion__weight", filter=Q(response__in=list(CREDIT))))
        .order_by()
    )
    scores: dict[int, dict[str, object]] = {}
    for row in rows:
        tally = Tally(earned=row["earned"] or 0, possible=row["possible"] or 0)
        scores.setdefault(row["assessment_id"], {})[row["criterion__category"]] = tally.score
    return scores


def _with_category_scores(assessments: Iterable[Assessment]) -> Iterator[Assessment]:
    batch: list[Assessment] = []

    def flush():
        scores = category_scores([a.pk for a in batch])
        for assessment in batch:
            assessment.category_scores = scores.get(assessment.pk, {})
        yield from batch

    for assessment in assessments:
        batch.append(assessment)
        if len(batch) == ITERATION_CHUNK:
            yield from flush()
            batch = []
    yield from flush()


def _user(attribute: str):
    def read(row):
        user = getattr(row, attribute)
        return user and user_label(user)

    return read


def assessment_register(queryset: QuerySet[Assessment]) -> tuple[list[Column], Iterable]:
    columns = [
        column(_("Vendor"), "vendor.name", 28),
        column(_("Standard"), "standard", 24),
        choice_column(_("Kind"), "kind", 18),
        choice_column(_("Status"), "status", 14),
        Column(_("Prepared by"), _user("prepared_by"), 16),
        column(_("Submitted at"), "submitted_at", 17),
        Column(_("Reviewed by"), _user("reviewed_by"), 16),
        column(_("Decided at"), "decided_at", 17),
        column(_("Score"), "score", 8),
        choice_column(_("Result"), "result", 12),
        column(_("Valid until"), "valid_until", 12),
        *(
            Column(label, lambda a, value=value: a.category_scores.get(value), 14)
            for value, label in Category.choices
        ),
        column(_("Open findings"), "open_findings", 9),
        column(_("Decision note"), "decision_note", 40),
    ]
    queryset = queryset.select_related("vendor", "standard", "prepared_by", "reviewed_by").annotate(
        open_findings=Count("findings", filter=Q(findings__status=Finding.Status.OPEN))
    )
    return columns, _with_category_scores(stream(queryset))


def finding_register(queryset: QuerySet[Finding]) -> tuple[list[Column], Iterable]:
    columns = [
        column(_("Vendor"), "assessment.vendor.name", 28),
        column(_("Assessment"), "assessment", 28),
        column(_("Criterion"), "criterion.code", 10),
        column(_("Description"), "description", 48),
        choice_column(_("Severity"), "severity", 10),
        choice_column(_("Status"), "status", 12),
        column(_("Due on"), "due_on", 12),
        Column(_("Owner"), _user("owner"), 16),
        column(_("Resolution note"), "resolution_note", 40),
        column(_("Raised at"), "created_at", 17),
    ]
    queryset = queryset.select_related("assessment__vendor", "assessment__standard", "criterion", "owner")
    return columns, stream(queryset)


def standard_register(queryset: QuerySet[Standard]) -> tuple[list[Column], Iterable]:
    columns = [
        column(_("Standard"), "name", 32),
        column(_("Version"), "version", 8),
        choice_column(_("Status"), "status", 12),
        column(_("Pass score"), "pass_score", 10),
        column(_("Conditional score"), "conditional_score", 10),
        column(_("Published on"), "published_on", 12),
        column(_("Criteria"), "criterion_count", 8),
    ]
    return columns, stream(queryset.annotate(criterion_count=Count("criteria")))
