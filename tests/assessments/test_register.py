"""The assessment, review-queue, finding and standard registers: their columns (per-category sub-scores by the
scoring rule), the list's filter and order applied exactly, and a query count that does not grow."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Answer, Assessment, Category, Finding, Standard
from assessments.scoring import score_answers

from ..core.test_registers import column_of, export, headers, rows
from ..factories import CriterionFactory, StandardFactory, UserFactory, VendorFactory, answered_assessment

URL = "/assessments/export.xlsx"
CATEGORIES = [
    "Basic policy (10-1)",
    "Handling rules (10-2)",
    "Organizational measures (10-3)",
    "Personnel measures (10-4)",
    "Physical measures (10-5)",
    "Technical measures (10-6)",
    "External environment (10-7)",
    "Contract and re-entrustment",
]
HEADERS = [
    "Vendor",
    "Standard",
    "Kind",
    "Status",
    "Prepared by",
    "Submitted at",
    "Reviewed by",
    "Decided at",
    "Score",
    "Result",
    "Valid until",
    *CATEGORIES,
    "Open findings",
    "Decision note",
]
FINDING_HEADERS = [
    "Vendor",
    "Assessment",
    "Criterion",
    "Description",
    "Severity",
    "Status",
    "Due on",
    "Owner",
    "Resolution note",
    "Raised at",
]


@pytest.fixture
def epsilon(db):
    """An approved periodic assessment of Epsilon Cloud against a standard of our own, answered so that
    the technical measures score by hand: yes 3 + partial 2 x 0.5 + no 4 x 0 = 4 of 3 + 2 + 4 (the weight-5
    n/a left out) = 44.4; basic policy 100; physical (unanswered) and the other categories empty."""
    preparer = UserFactory(username="kito", first_name="Ken", last_name="Ito", roles=["procurement"])
    reviewer = UserFactory(username="amori", first_name="Aiko", last_name="Mori", roles=["compliance"])
    standard = StandardFactory(name="Supplier standard", version=2)
    assessment = Assessment.objects.create(
        vendor=VendorFactory(name="Epsilon Cloud K.K."),
        standard=standard,
        kind=Assessment.Kind.PERIODIC,
        status=Assessment.Status.APPROVED,
        prepared_by=preparer,
        submitted_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        reviewed_by=reviewer,
        decided_at=datetime(2026, 3, 5, 6, 30, tzinfo=UTC),
        score=Decimal("71.4"),
        result=Assessment.Result.CONDITIONAL,
        valid_until=date(2027, 3, 5),
        decision_note="Fix the access logging by June.",
    )
    Assessment.objects.filter(pk=assessment.pk).update(created_at=datetime(2026, 3, 1, 1, 0, tzinfo=UTC))
    answers = [
        ("TEC-1", Category.TECHNICAL, 3, "yes"),
        ("TEC-2", Category.TECHNICAL, 2, "partial"),
        ("TEC-3", Category.TECHNICAL, 4, "no"),
        ("TEC-4", Category.TECHNICAL, 5, "na"),
        ("POL-1", Category.BASIC_POLICY, 2, "yes"),
        ("PHY-1", Category.PHYSICAL, 1, ""),
    ]
    criteria = {}
    for code, category, weight, response in answers:
        criteria[code] = CriterionFactory(standard=standard, code=code, category=category, weight=weight)
        Answer.objects.create(assessment=assessment, criterion=criteria[code], response=response)
    finding = Finding.objects.create(
        assessment=assessment,
        criterion=criteria["TEC-3"],
        description="Access logs are not kept.",
        severity=Finding.Severity.HIGH,
        due_on=date(2026, 6, 30),
        owner=preparer,
    )
    Finding.objects.filter(pk=finding.pk).update(created_at=datetime(2026, 3, 5, 6, 30, tzinfo=UTC))
    Finding.objects.create(assessment=assessment, description="No training record.")
    Finding.objects.create(
        assessment=assessment,
        description="Visitor log missing.",
        status=Finding.Status.RESOLVED,
        resolution_note="Log book in place.",
    )
    return assessment


def test_the_assessment_register_has_its_columns_and_every_value_with_sub_scores(viewer_client, epsilon):
    ws = export(viewer_client, URL, {"q": "Epsilon"})

    assert headers(ws) == HEADERS
    assert rows(ws) == [
        [
            "Epsilon Cloud K.K.",
            "Supplier standard v2",
            "Periodic",
            "Approved",
            "Ken Ito",
            datetime(2026, 3, 2, 10, 0),  # Tokyo time
            "Aiko Mori",
            datetime(2026, 3, 5, 15, 30),
            71.4,
            "Conditional",
            date(2027, 3, 5),
            100,  # basic policy
            None,
            None,
            None,
            None,  # physical: its one criterion is unanswered
            44.4,  # technical, computed by hand above
            None,
            None,
            2,  # open findings (the resolved one is not counted)
            "Fix the access logging by June.",
        ]
    ]


def test_the_sub_scores_follow_the_scoring_rule_of_the_assessment_page(viewer_client, db):
    responses = {"BAS-01": "partial", "TEC-01": "no", "TEC-02": "partial", "PHY-01": "na", "ORG-01": "no"}
    assessment = answered_assessment(VendorFactory(name="Scored K.K."), responses=responses)
    answers = assessment.answers.select_related("criterion")
    card = score_answers(
        [(a.criterion, a.response) for a in answers if a.response], pass_score=80, conditional_score=60
    )

    ws = export(viewer_client, URL, {"q": "Scored"})

    row = dict(zip(headers(ws), rows(ws)[0], strict=True))
    expected = {label: card.by_category.get(value) for value, label in Category.choices}
    assert {label: row[label] for label in CATEGORIES} == {
        label: None if score is None else float(score) for label, score in expected.items()
    }
    assert any(score not in (None, 100) for score in expected.values())


@pytest.fixture
def assessments(db):
    standard = Standard.objects.get(status=Standard.Status.PUBLISHED)
    for name, status, score, submitted in [
        ("Kappa K.K.", "approved", "91.0", None),
        ("Lambda K.K.", "submitted", None, datetime(2026, 3, 2, tzinfo=UTC)),
        ("Mu K.K.", "submitted", None, datetime(2026, 2, 1, tzinfo=UTC)),
        ("Nu K.K.", "draft", None, None),
        ("Xi K.K.", "approved", "65.5", None),
    ]:
        Assessment.objects.create(
            vendor=VendorFactory(name=name),
            standard=standard,
            status=status,
            score=score and Decimal(score),
            submitted_at=submitted,
        )


def test_a_status_filter_exports_exactly_the_assessments_with_that_status(viewer_client, assessments):
    assert column_of(export(viewer_client, URL, {"status": "approved", "ordering": "vendor"}), "Vendor") == [
        "Kappa K.K.",
        "Xi K.K.",
    ]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": ["submitted", "draft"]},
        {"q": "lambda"},
        {"ordering": "-score"},
        {"ordering": "vendor", "page": "1"},
        {"status": "bogus"},
    ],
)
def test_the_export_has_the_same_rows_in_the_same_order_as_the_list(viewer_client, assessments, query):
    page = viewer_client.get("/assessments/", query)
    assert column_of(export(viewer_client, URL, query), "Vendor") == [
        a.vendor.name for a in page.context["object_list"]
    ]


def test_the_review_queue_register_has_the_submitted_assessments_oldest_first(viewer_client, assessments):
    ws = export(viewer_client, "/assessments/review/export.xlsx")

    assert headers(ws) == HEADERS
    assert column_of(ws, "Vendor") == ["Mu K.K.", "Lambda K.K."]
    assert column_of(ws, "Submitted at") == [datetime(2026, 2, 1, 9, 0), datetime(2026, 3, 2, 9, 0)]
    assert column_of(export(viewer_client, "/assessments/review/export.xlsx", {"q": "lambda"}), "Vendor") == [
        "Lambda K.K."
    ]


# --- findings -----------------------------------------------------------------------------------------------


def test_the_finding_register_has_its_columns_and_every_value_of_a_finding(viewer_client, epsilon):
    ws = export(viewer_client, "/assessments/findings/export.xlsx", {"q": "access logs"})

    assert headers(ws) == FINDING_HEADERS
    assert rows(ws) == [
        [
            "Epsilon Cloud K.K.",
            "Periodic assessment of Epsilon Cloud K.K. (2026-03-01)",
            "TEC-3",
            "Access logs are not kept.",
            "High",
            "Open",
            date(2026, 6, 30),
            "Ken Ito",
            None,
            datetime(2026, 3, 5, 15, 30),
        ]
    ]


def test_the_findings_list_page_shows_the_findings(viewer_client, epsilon):
    response = viewer_client.get("/assessments/findings/", {"status": "open"})
    assert response.status_code == 200
    assert "Access logs are not kept." in response.content.decode()
    assert "Visitor log missing." not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "open"},
        {"status": "resolved"},
        {"severity": "high"},
        {"q": "log"},
        {"severity": "bogus"},
    ],
)
def test_the_finding_export_has_the_same_rows_in_the_same_order_as_the_list(viewer_client, epsilon, query):
    page = viewer_client.get("/assessments/findings/", query)
    ws = export(viewer_client, "/assessments/findings/export.xlsx", query)
    assert column_of(ws, "Description") == [f.description for f in page.context["object_list"]]


def test_a_finding_status_filter_exports_exactly_those_findings(viewer_client, epsilon):
    ws = export(viewer_client, "/assessments/findings/export.xlsx", {"status": "open"})
    assert sorted(column_of(ws, "Description")) == ["Access logs are not kept.", "No training record."]


def test_the_findings_page_runs_the_same_number_of_queries_for_3_or_30_findings(viewer_client, db):
    standard = StandardFactory()
    CriterionFactory(standard=standard)
    add_assessments(standard, 3)
    with CaptureQueriesContext(connection) as at_3:
        assert len(viewer_client.get("/assessments/findings/").context["object_list"]) == 3
    add_assessments(standard, 27)
    with CaptureQueriesContext(connection) as at_30:
        assert len(viewer_client.get("/assessments/findings/").context["object_list"]) == 30
    assert len(at_30) == len(at_3)


def test_the_past_due_filter_splits_the_findings_as_each_finding_marks_itself(viewer_client, db):
    today = timezone.localdate()
    assessment = Assessment.objects.create(vendor=VendorFactory(), standard=StandardFactory())
    for description, status, due_on in [
        ("Open, due yesterday", Finding.Status.OPEN, today - timedelta(days=1)),
        ("Open, due today", Finding.Status.OPEN, today),
        ("Open, no due date", Finding.Status.OPEN, None),
        ("Resolved, due yesterday", Finding.Status.RESOLVED, today - timedelta(days=1)),
    ]:
        Finding.objects.create(
            assessment=assessment, description=description, status=status, due_on=due_on, resolution_note="x"
        )

    def listed(value):
        findings = viewer_client.get("/assessments/findings/", {"past_due": value}).context["object_list"]
        return {f.description: f.is_past_due for f in findings}

    assert listed("true") == {"Open, due yesterday": True}
    assert listed("false") == {
        "Open, due today": False,
        "Open, no due date": False,
        "Resolved, due yesterday": False,
    }


# --- standards ----------------------------------------------------------------------------------------------


def test_the_standard_register_has_its_columns_and_every_value_of_a_standard(viewer_client, db):
    standard = StandardFactory(
        name="Zeta standard", version=3, status=Standard.Status.PUBLISHED, published_on=date(2026, 1, 15)
    )
    for _ in range(3):
        CriterionFactory(standard=standard)
    StandardFactory(name="Zeta standard", version=4)

    ws = export(viewer_client, "/assessments/standards/export.xlsx", {"q": "zeta"})

    assert headers(ws) == [
        "Standard",
        "Version",
        "Status",
        "Pass score",
        "Conditional score",
        "Published on",
        "Criteria",
    ]
    assert rows(ws) == [
        ["Zeta standard", 4, "Draft", 80, 60, None, 0],
        ["Zeta standard", 3, "Published", 80, 60, date(2026, 1, 15), 3],
    ]
    published = export(
        viewer_client, "/assessments/standards/export.xlsx", {"q": "zeta", "status": "published"}
    )
    assert column_of(published, "Version") == [3]


# --- queries ------------------------------------------------------------------------------------------------


def add_assessments(standard: Standard, count: int) -> None:
    """`count` submitted assessments, each with answers in two categories and an open finding."""
    reviewer = UserFactory()
    criteria = list(standard.criteria.all())
    for _ in range(count):
        assessment = Assessment.objects.create(
            vendor=VendorFactory(),
            standard=standard,
            status=Assessment.Status.SUBMITTED,
            prepared_by=reviewer,
            reviewed_by=reviewer,
            submitted_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
        for criterion in criteria:
            Answer.objects.create(assessment=assessment, criterion=criterion, response="partial")
        Finding.objects.create(
            assessment=assessment, criterion=criteria[0], description="Gap.", owner=reviewer
        )


@pytest.mark.parametrize("url", [URL, "/assessments/review/export.xlsx", "/assessments/findings/export.xlsx"])
def test_the_assessment_registers_run_the_same_number_of_queries_for_3_or_30_rows(viewer_client, db, url):
    standard = StandardFactory()
    CriterionFactory(standard=standard, category=Category.TECHNICAL)
    CriterionFactory(standard=standard, category=Category.PHYSICAL)
    add_assessments(standard, 3)
    with CaptureQueriesContext(connection) as at_3:
        assert len(rows(export(viewer_client, url))) == 3
    add_assessments(standard, 27)
    with CaptureQueriesContext(connection) as at_30:
        assert len(rows(export(viewer_client, url))) == 30
    assert len(at_30) == len(at_3)


def test_the_standard_register_runs_the_same_number_of_queries_for_3_or_30_standards(viewer_client, db):
    def add_standards(count: int) -> None:
        for _ in range(count):
            CriterionFactory(standard=StandardFactory())

    url = "/assessments/standards/export.xlsx"
    existing = Standard.objects.count()  # the seeded ones
    add_standards(3)
    with CaptureQueriesContext(connection) as at_3:
        assert len(rows(export(viewer_client, url))) == existing + 3
    add_standards(27)
    with CaptureQueriesContext(connection) as at_30:
        assert len(rows(export(viewer_client, url))) == existing + 30
    assert len(at_30) == len(at_3)
