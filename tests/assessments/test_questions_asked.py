"""The questions asked come from the standard and the vendor (criteria whose applies_when holds for it), not
from the answer rows that happen to exist: an assessment created through the ORM has none."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessments.excel import QuestionnaireInvalid, questionnaire_workbook, read_questionnaire
from assessments.models import Answer, Assessment, Category, Criterion, Standard
from assessments.registers import category_scores
from assessments.services import assessment_score, assessment_submit, preparers
from core.roles import PROCUREMENT

from ..factories import UserFactory, VendorFactory

pytestmark = pytest.mark.django_db

CODE, ANSWER, COMMENT = 1, 8, 9
A = Criterion.AppliesWhen


@pytest.fixture
def preparer():
    return UserFactory(roles=[PROCUREMENT])


@pytest.fixture
def standard():
    """Written the way outside code does: published at once, then its criteria through the same object."""
    standard = Standard.objects.create(
        name="Outside standard",
        version=1,
        status=Standard.Status.PUBLISHED,
        pass_score=80,
        conditional_score=60,
    )
    for position, (code, weight, critical, applies_when) in enumerate(
        [
            ("OUT-01", 3, False, A.ALWAYS),
            ("OUT-02", 1, True, A.SYSTEM_ACCESS),
            ("OUT-03", 2, False, A.DATA_ABROAD),  # not asked: the vendor keeps its data in Japan
        ]
    ):
        Criterion.objects.create(
            standard=standard,
            code=code,
            category=Category.TECHNICAL,
            question_en=f"Is {code} in place?",
            question_ja=f"{code}を実施していますか。",
            weight=weight,
            is_critical=critical,
            applies_when=applies_when,
            position=position,
        )
    return standard


@pytest.fixture
def assessment(standard, preparer):
    vendor = VendorFactory(has_system_access=True, handles_data_abroad=False)
    return Assessment.objects.create(vendor=vendor, standard=standard, kind="initial", prepared_by=preparer)


def answer(assessment, code: str, response: str, comment: str = "") -> Answer:
    criterion = assessment.standard.criteria.get(code=code)
    return Answer.objects.create(
        assessment=assessment, criterion=criterion, response=response, comment=comment
    )


def stored_answers(assessment) -> dict[str, tuple[str, str]]:
    return {a.criterion.code: (a.response, a.comment) for a in assessment.answers.select_related("criterion")}


def refusal(assessment, user) -> list[str]:
    with pytest.raises(ValidationError) as error:
        assessment_submit(assessment=assessment, user=user)
    return error.value.messages


def workbook_codes(content: bytes) -> list[str]:
    ws = load_workbook(io.BytesIO(content))["Questionnaire"]
    return [ws.cell(row, CODE).value for row in range(2, ws.max_row + 1)]


def filled(content: bytes, answers: dict[str, tuple[str, str]]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook["Questionnaire"]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, CODE).value in answers:
            ws.cell(row, ANSWER).value, ws.cell(row, COMMENT).value = answers[ws.cell(row, CODE).value]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- submitting ------------------------------------------------------------------------------------------


def test_an_asked_criterion_without_an_answer_row_blocks_submission(assessment, preparer):
    answer(assessment, "OUT-01", "yes")
    assert refusal(assessment, preparer) == ["Unanswered criteria: OUT-02."]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_a_blank_answer_blocks_submission_too(assessment, preparer):
    answer(assessment, "OUT-01", "yes")
    answer(assessment, "OUT-02", "")
    assert refusal(assessment, preparer) == ["Unanswered criteria: OUT-02."]


def test_an_assessment_with_no_answer_row_lists_every_asked_criterion(assessment, preparer):
    assert refusal(assessment, preparer) == ["Unanswered criteria: OUT-01, OUT-02."]


def test_it_submits_once_every_asked_criterion_is_answered_whatever_does_not_apply(assessment, preparer):
    answer(assessment, "OUT-01", "yes")
    answer(assessment, "OUT-02", "partial")
    assessment_submit(assessment=assessment, user=preparer)
    assessment.refresh_from_db()
    # (3 * 1 + 1 * 0.5) of (3 + 1) = 87.5; OUT-03 does not apply to this vendor and is not asked.
    assert (assessment.status, assessment.score, assessment.result) == ("submitted", Decimal("87.5"), "pass")


# --- scoring ---------------------------------------------------------------------------------------------


def test_an_answer_stored_for_a_criterion_that_does_not_apply_is_not_scored(assessment, preparer):
    answer(assessment, "OUT-01", "yes")
    answer(assessment, "OUT-02", "yes")
    answer(assessment, "OUT-03", "no")  # would make it 4 of 6 = 66.7, conditional

    card = assessment_score(assessment)
    assessment_submit(assessment=assessment, user=preparer)

    assert (card.score, card.by_category) == (Decimal("100.0"), {Category.TECHNICAL: Decimal("100.0")})
    assessment.refresh_from_db()
    assert (assessment.score, assessment.result) == (Decimal("100.0"), "pass")
    assert category_scores([assessment.pk]) == {assessment.pk: {Category.TECHNICAL: Decimal("100.0")}}


# --- the questionnaire workbook --------------------------------------------------------------------------


def test_the_workbook_lists_the_asked_criteria_filled_from_the_answers_that_exist(
    assessment, procurement_client
):
    answer(assessment, "OUT-02", "no", "Not yet.")
    answer(assessment, "OUT-03", "yes")  # a row for a criterion that does not apply: not shown

    response = procurement_client.get(reverse("assessments:questionnaire_download", args=[assessment.pk]))

    ws = load_workbook(io.BytesIO(response.content))["Questionnaire"]
    rows = [
        tuple(ws.cell(row, column).value for column in (CODE, ANSWER, COMMENT))
        for row in range(2, ws.max_row + 1)
    ]
    assert rows == [("OUT-01", None, None), ("OUT-02", "No", "Not yet.")]


def test_the_import_reads_asked_criteria_without_rows_and_refuses_one_that_does_not_apply(assessment):
    content = filled(questionnaire_workbook(assessment), {"OUT-01": ("Yes", ""), "OUT-02": ("No", "")})
    assert read_questionnaire(assessment=assessment, file=io.BytesIO(content)) == {
        "OUT-01": ("yes", ""),
        "OUT-02": ("no", ""),
    }

    workbook = load_workbook(io.BytesIO(content))
    workbook["Questionnaire"].cell(4, CODE).value = "OUT-03"
    workbook["Questionnaire"].cell(4, ANSWER).value = "Yes"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(QuestionnaireInvalid) as raised:
        read_questionnaire(assessment=assessment, file=buffer)
    assert raised.value.messages == [
        "Questionnaire, row 4, column Code: OUT-03 does not apply to this vendor: remove the row."
    ]


def test_an_orm_created_assessment_round_trips_through_the_questionnaire_and_is_submitted(
    assessment, preparer, procurement_client, procurement_user
):
    answer(assessment, "OUT-02", "no", "Planned.")  # one row exists, the other does not
    download = procurement_client.get(reverse("assessments:questionnaire_download", args=[assessment.pk]))
    assert workbook_codes(download.content) == ["OUT-01", "OUT-02"]
    answers = {"OUT-01": ("Yes", "ISO/IEC 27001 certified."), "OUT-02": ("Partially", "MFA for admins only.")}

    response = procurement_client.post(
        reverse("assessments:questionnaire_upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile("vendor-answers.xlsx", filled(download.content, answers))},
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.new, result.changed, result.unchanged) == (1, 1, 0)
    assert stored_answers(assessment) == {
        "OUT-01": ("yes", "ISO/IEC 27001 certified."),
        "OUT-02": ("partial", "MFA for admins only."),
    }
    created = assessment.answers.get(criterion__code="OUT-01")
    assert [(v.history_type, v.history_user, v.history_change_reason) for v in created.history.all()] == [
        ("+", procurement_user, "Imported from vendor-answers.xlsx.")
    ]
    # Downloaded again, the workbook holds what was imported.
    again = procurement_client.get(reverse("assessments:questionnaire_download", args=[assessment.pk]))
    ws = load_workbook(io.BytesIO(again.content))["Questionnaire"]
    assert {
        ws.cell(r, CODE).value: (ws.cell(r, ANSWER).value, ws.cell(r, COMMENT).value) for r in (2, 3)
    } == answers

    assessment_submit(assessment=assessment, user=preparer)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.score, assessment.result) == ("submitted", Decimal("87.5"), "pass")


# --- the pages -------------------------------------------------------------------------------------------


def test_the_answers_page_shows_every_asked_criterion_adding_the_missing_rows_once(
    assessment, procurement_client, procurement_user
):
    answer(assessment, "OUT-03", "yes")  # does not apply: not on the page

    response = procurement_client.get(reverse("assessments:answers", args=[assessment.pk]))

    assert [f.instance.criterion.code for f in response.context["formset"].forms] == ["OUT-01", "OUT-02"]
    # Added as the system's rows: opening the page answers nothing, so it makes nobody a preparer.
    added = Answer.history.filter(
        assessment_id=assessment.pk,
        history_type="+",
        history_user=None,
        history_change_reason="Blank answers added for the criteria the standard asks.",
    )
    assert sorted(added.values_list("criterion__code", flat=True)) == ["OUT-01", "OUT-02"]
    assert procurement_user.pk not in preparers(assessment)
    procurement_client.get(reverse("assessments:answers", args=[assessment.pk]))
    assert assessment.answers.count() == 3
    assert Answer.history.filter(assessment_id=assessment.pk).count() == 3  # OUT-03's, and the two added


def test_the_answers_page_saves_answers_to_the_added_rows(assessment, procurement_client, preparer):
    page = procurement_client.get(reverse("assessments:answers", args=[assessment.pk]))
    formset = page.context["formset"]
    data = {f"form-{name}": value for name, value in formset.management_form.initial.items()}
    data["version"] = page.context["version"]
    for index, form in enumerate(formset.forms):
        data[f"form-{index}-id"] = form.instance.pk
        data[f"form-{index}-response"] = "yes"

    response = procurement_client.post(reverse("assessments:answers", args=[assessment.pk]), data)

    assert response.status_code == 302
    assert stored_answers(assessment) == {"OUT-01": ("yes", ""), "OUT-02": ("yes", "")}
    assessment_submit(assessment=assessment, user=preparer)


def test_the_answers_page_adds_no_row_to_an_assessment_that_can_no_longer_change(
    assessment, procurement_client
):
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    procurement_client.get(reverse("assessments:answers", args=[assessment.pk]))
    assert not assessment.answers.exists()


def test_answers_can_still_be_created_through_the_orm(assessment):
    """No row is added when the assessment is saved: outside code creating its answers must not collide."""
    assessment.save()
    answer(assessment, "OUT-01", "yes")
    answer(assessment, "OUT-02", "no")
    assert stored_answers(assessment) == {"OUT-01": ("yes", ""), "OUT-02": ("no", "")}


def test_the_detail_page_shows_every_asked_criterion_in_the_same_number_of_queries(assessment, viewer_client):
    url = reverse("assessments:detail", args=[assessment.pk])
    viewer_client.get(url)  # session and caches warmed
    with CaptureQueriesContext(connection) as without_rows:
        response = viewer_client.get(url)
    codes = [a.criterion.code for group in response.context["groups"] for a in group["answers"]]
    assert codes == ["OUT-01", "OUT-02"]
    assert "0 of 2 answered" in response.content.decode()

    answer(assessment, "OUT-01", "yes")
    answer(assessment, "OUT-02", "yes")
    answer(assessment, "OUT-03", "no")
    with CaptureQueriesContext(connection) as with_rows:
        response = viewer_client.get(url)
    assert "2 of 2 answered" in response.content.decode()
    assert response.context["card"].score == Decimal("100.0")
    assert len(with_rows) == len(without_rows)
