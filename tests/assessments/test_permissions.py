"""Who may open which assessment page: the matrix of URLs and roles; refused writes change nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from assessments.excel import questionnaire_workbook
from assessments.models import Answer, Assessment, Criterion, Finding, Standard
from assessments.services import assessment_submit
from core.roles import PROCUREMENT

from ..conftest import ROLE_NAMES
from ..edit_forms import answers_token, edit_token
from ..factories import CriterionFactory, StandardFactory, UserFactory, VendorFactory, answered_assessment
from ..permissions import LOGIN_URL, READ, assert_table_covers, assert_write_refused

# Expected status per role; anonymous users are always sent to the login page (302).
PREPARERS = {"anonymous": 302, "viewer": 403, "procurement": 200, "compliance": 403, "superuser": 200}
REVIEWERS = {"anonymous": 302, "viewer": 403, "procurement": 403, "compliance": 200, "superuser": 200}
FINDINGS = {"anonymous": 302, "viewer": 403, "procurement": 200, "compliance": 200, "superuser": 200}


def post_only(expected: dict) -> dict:
    """A button (POST only): allowed roles are redirected back to the page (302) rather than shown one."""
    return {role: 302 if status == 200 else status for role, status in expected.items()}


# URL name -> (which object's pk it takes, method the check uses, expected status per role)
URLS = {
    "assessments:list": (None, "get", READ),
    "assessments:export": (None, "get", READ),
    "assessments:review_queue": (None, "get", READ),
    "assessments:review_export": (None, "get", READ),
    "assessments:finding_list": (None, "get", READ),
    "assessments:finding_export": (None, "get", READ),
    "assessments:standard_export": (None, "get", READ),
    "assessments:create": (None, "post", post_only(PREPARERS)),
    "assessments:detail": ("draft", "get", READ),
    "assessments:answers": ("draft", "get", PREPARERS),
    "assessments:submit": ("draft", "post", post_only(PREPARERS)),
    "assessments:decide": ("submitted", "post", post_only(REVIEWERS)),
    "assessments:questionnaire_download": ("draft", "get", READ),
    "assessments:questionnaire_upload": ("draft", "get", PREPARERS),
    "assessments:history": ("draft", "get", READ),
    "assessments:finding_create": ("submitted", "get", FINDINGS),
    "assessments:evidence": ("evidence_answer", "get", READ),
    "assessments:answer_history": ("evidence_answer", "get", READ),
    "assessments:finding_edit": ("finding", "get", FINDINGS),
    "assessments:finding_history": ("finding", "get", READ),
    "assessments:standard_list": (None, "get", READ),
    "assessments:standard_detail": ("published", "get", READ),
    "assessments:standard_edit": ("draft_standard", "get", REVIEWERS),
    "assessments:standard_copy": ("published", "post", post_only(REVIEWERS)),
    "assessments:standard_publish": ("draft_standard", "post", post_only(REVIEWERS)),
    "assessments:standard_history": ("published", "get", READ),
    "assessments:criterion_create": ("draft_standard", "get", REVIEWERS),
    "assessments:criterion_edit": ("draft_criterion", "get", REVIEWERS),
    "assessments:criterion_history": ("draft_criterion", "get", READ),
}


@pytest.fixture
def objects(db):
    preparer = UserFactory(username="preparer", roles=[PROCUREMENT])
    vendor = VendorFactory(name="Permission K.K.")
    draft = answered_assessment(vendor, preparer=preparer)
    submitted = answered_assessment(VendorFactory(name="Submitted K.K."), preparer=preparer)
    assessment_submit(assessment=submitted, user=preparer)
    draft_standard = StandardFactory(name="Draft standard")
    return {
        "vendor": vendor,
        "draft": draft,
        "submitted": submitted,
        "evidence_answer": draft.answers.get(criterion__code="BAS-01"),
        "finding": Finding.objects.create(
            assessment=submitted, description="Laptops are not encrypted.", owner=preparer
        ),
        "published": Standard.objects.get(status=Standard.Status.PUBLISHED),
        "draft_standard": draft_standard,
        "draft_criterion": CriterionFactory(standard=draft_standard, code="DRF-01", weight=2),
        "preparer": preparer,
    }


def url_of(name: str, objects) -> str:
    target, _method, _expected = URLS[name]
    return reverse(name, args=[objects[target].pk] if target else [])


def workbook_with(assessment, code: str, response: str) -> SimpleUploadedFile:
    workbook = load_workbook(io.BytesIO(questionnaire_workbook(assessment)))
    ws = workbook["Questionnaire"]
    row = next(row for row in range(2, ws.max_row + 1) if ws.cell(row, 1).value == code)
    ws.cell(row, 8).value = response
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("questionnaire.xlsx", buffer.getvalue())


def answers_form(assessment, code: str, response: str) -> dict:
    answers = list(
        assessment.answers.select_related("criterion").order_by("criterion__position", "criterion__code")
    )
    data = {
        "form-TOTAL_FORMS": len(answers),
        "form-INITIAL_FORMS": len(answers),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for index, answer in enumerate(answers):
        data[f"form-{index}-id"] = answer.pk
        data[f"form-{index}-response"] = response if answer.criterion.code == code else answer.response
        data[f"form-{index}-comment"] = answer.comment
    return data


def post_data(name: str, objects) -> dict:
    """A POST the page would accept from a role with the right: each one changes something."""
    preparer = objects["preparer"]
    finding_form = {
        "description": "Backups are not tested.",
        "severity": "medium",
        "due_on": "2027-03-31",
        "owner": preparer.pk,
        "status": "open",
    }
    criterion_form = {
        "code": "DRF-02",
        "category": "technical",
        "question_en": "Are backups tested?",
        "question_ja": "バックアップをテストしていますか。",
        "weight": "3",
        "applies_when": "always",
        "obligation": "must",
        "position": "2",
    }
    return {
        "assessments:create": lambda: {"vendor": objects["vendor"].pk},
        "assessments:answers": lambda: (
            answers_form(objects["draft"], "HND-02", "no") | answers_token(objects["draft"])
        ),
        "assessments:submit": lambda: {},
        "assessments:decide": lambda: {"decision": "approve", "note": "Fine."},
        "assessments:questionnaire_upload": lambda: {"file": workbook_with(objects["draft"], "HND-02", "No")},
        "assessments:finding_create": lambda: finding_form,
        "assessments:finding_edit": lambda: {
            **finding_form,
            "severity": "high",
            **edit_token(objects["finding"]),
        },
        "assessments:standard_edit": lambda: {
            "name": "Draft standard",
            "pass_score": "85.0",
            "conditional_score": "60.0",
            "notes": "Stricter.",
            **edit_token(objects["draft_standard"]),
        },
        "assessments:standard_copy": lambda: {},
        "assessments:standard_publish": lambda: {},
        "assessments:criterion_create": lambda: criterion_form,
        "assessments:criterion_edit": lambda: {
            **criterion_form,
            "code": "DRF-01",
            "weight": "5",
            **edit_token(objects["draft_criterion"]),
        },
    }[name]()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("name", URLS)
def test_each_role_gets_the_expected_answer_on_each_assessment_page(client_as, objects, name, role):
    _target, method, expected = URLS[name]
    client = client_as(role)
    if method == "get":
        response = client.get(url_of(name, objects))
    else:
        response = client.post(url_of(name, objects), post_data(name, objects))
    assert response.status_code == expected[role], f"{role} {method.upper()} {name}"
    if role == "anonymous":
        assert response.url.startswith(LOGIN_URL)
    elif response.status_code == 302:
        assert not response.url.startswith(LOGIN_URL)


def test_every_assessment_url_is_in_the_permission_table():
    assert_table_covers(URLS, prefix="assessments:")


# --- refused writes change nothing ----------------------------------------------------------------------

WRITES = sorted(name for name, (_target, method, expected) in URLS.items() if expected is not READ)


def snapshot() -> tuple:
    """Everything an assessment page could write: rows and history versions."""
    return (
        list(Assessment.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        list(Finding.objects.order_by("pk").values()),
        list(Standard.objects.order_by("pk").values()),
        list(Criterion.objects.order_by("pk").values()),
        Assessment.history.count(),
        Answer.history.count(),
        Finding.history.count(),
        Standard.history.count(),
        Criterion.history.count(),
    )


def roles_with(name: str, allowed: bool) -> list[str]:
    expected = URLS[name][2]
    return [role for role in ROLE_NAMES if (expected[role] in (200, 302) and role != "anonymous") is allowed]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name in WRITES for role in roles_with(name, False)]
)
def test_a_post_by_a_role_without_the_right_is_refused_and_changes_nothing(client_as, objects, name, role):
    data = post_data(name, objects)
    before = snapshot()
    response = client_as(role).post(url_of(name, objects), data)
    assert_write_refused(response, role, name)
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name in WRITES for role in roles_with(name, True)]
)
def test_the_same_post_by_a_role_with_the_right_changes_something(client_as, objects, name, role):
    """Proves the refused POSTs above would have written: the data is valid and the page acts on it."""
    data = post_data(name, objects)
    before = snapshot()
    response = client_as(role).post(url_of(name, objects), data)
    assert response.status_code in (200, 302), f"{role} POST {name}"
    assert snapshot() != before, f"{role} POST {name} changed nothing"


@pytest.mark.django_db
def test_a_user_without_any_role_gets_403_on_every_assessment_page(objects, roleless_user):
    client = Client()
    client.force_login(roleless_user)
    for name, (_target, method, _expected) in URLS.items():
        response = getattr(client, method)(url_of(name, objects))
        assert response.status_code == 403, name


@pytest.mark.django_db
def test_procurement_cannot_prepare_an_assessment_for_a_missing_vendor(procurement_client):
    response = procurement_client.post(reverse("assessments:create"), {"vendor": 999_999})
    assert response.status_code == 404
    assert not Assessment.objects.exists()
