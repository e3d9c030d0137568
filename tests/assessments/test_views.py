"""The assessment pages: list and filters, the review queue, detail, answering, submitting, deciding,
the Excel questionnaire, the standards pages, findings, and the vendor page's panel."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.excel import questionnaire_workbook
from assessments.models import Answer, Assessment, Finding, Standard
from assessments.services import (
    answer_save,
    assessment_approve,
    assessment_create,
    assessment_submit,
    standard_copy,
)
from core.roles import COMPLIANCE, PROCUREMENT
from vendors.models import Vendor

from ..edit_forms import edit_token
from ..factories import (
    PDF_BYTES,
    CriterionFactory,
    StandardFactory,
    UserFactory,
    VendorFactory,
    answered_assessment,
    valid_corporate_number,
)

pytestmark = pytest.mark.django_db

S = Assessment.Status
R = Assessment.Result
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Measured (the same on SQLite and PostgreSQL): session, user, the user's roles, the page count (inside a
# savepoint: two more statements), the navbar's groups, the filter form's choices (standards, reviewers,
# responsible people; the vendor only when one is chosen), and the page of assessments with vendor,
# standard, reviewer and preparer.
LIST_QUERIES = 11


def today():
    return timezone.localdate()


@pytest.fixture
def seeded():
    return Standard.objects.get(status=Standard.Status.PUBLISHED)


def make(name: str, *, vendor=None, standard=None, **fields) -> Assessment:
    """An assessment written straight to the table, of a vendor called `name`."""
    vendor = vendor or VendorFactory(name=name)
    standard = standard or Standard.objects.get(name="Vendor due-diligence standard", version=1)
    return Assessment.objects.create(vendor=vendor, standard=standard, **fields)


def listed(client, url_name="assessments:list", **params) -> list[str]:
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return [assessment.vendor.name for assessment in response.context["object_list"]]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def stored(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- list filters ---------------------------------------------------------------------------------------


def test_the_list_filters_by_status(viewer_client):
    for status in S.values:
        make(f"Vendor {status}", status=status)
    assert set(listed(viewer_client, status="submitted")) == {"Vendor submitted"}
    assert set(listed(viewer_client, status=["approved", "rejected"])) == {
        "Vendor approved",
        "Vendor rejected",
    }


def test_the_list_filters_by_result(viewer_client):
    for result in R.values:
        make(f"Vendor {result}", status=S.SUBMITTED, result=result)
    make("Vendor unscored")
    assert set(listed(viewer_client, result="conditional")) == {"Vendor conditional"}
    assert set(listed(viewer_client, result=["pass", "fail"])) == {"Vendor pass", "Vendor fail"}


def test_the_list_filters_by_vendor(viewer_client):
    vendor = VendorFactory(name="Mine K.K.")
    make("", vendor=vendor)
    make("", vendor=vendor, kind=Assessment.Kind.PERIODIC)
    make("Other K.K.")
    assert listed(viewer_client, vendor=vendor.pk) == ["Mine K.K.", "Mine K.K."]


def test_the_list_filters_by_standard(viewer_client, seeded):
    other = StandardFactory(name="Group standard", status=Standard.Status.PUBLISHED)
    make("Seeded K.K.")
    make("Group K.K.", standard=other)
    assert listed(viewer_client, standard=other.pk) == ["Group K.K."]
    assert listed(viewer_client, standard=seeded.pk) == ["Seeded K.K."]


def test_the_list_filters_by_reviewer(viewer_client):
    mine = UserFactory(username="rei", roles=[COMPLIANCE])
    other = UserFactory(username="sora", roles=[COMPLIANCE])
    make("Reviewed by Rei", status=S.APPROVED, reviewed_by=mine)
    make("Reviewed by Sora", status=S.REJECTED, reviewed_by=other)
    make("Not reviewed", status=S.SUBMITTED)
    assert listed(viewer_client, reviewed_by=mine.pk) == ["Reviewed by Rei"]


def test_the_list_filters_by_validity_ending_within_days(viewer_client):
    def approved(name, days, **kwargs):
        kwargs.setdefault("status", S.APPROVED)
        make(name, valid_until=today() + timedelta(days=days), **kwargs)

    approved("Ends today", 0)
    approved("Ends in 30", 30)
    approved("Ends in 31", 31)
    approved("Ended yesterday", -1)
    approved("Submitted, in 10", 10, status=S.SUBMITTED)
    assert set(listed(viewer_client, expiring_within=30)) == {"Ends today", "Ends in 30"}
    assert listed(viewer_client, expiring_within=0) == ["Ends today"]
    assert listed(viewer_client, expiring_within=3_000_000) == []  # refused, not a date overflow


def test_the_list_searches_vendor_names_and_kana(viewer_client):
    make("", vendor=VendorFactory(name="Sakura Logistics K.K.", name_kana="サクラロジスティクス"))
    make("Sakura Print K.K.")
    make("Kumo Data K.K.")
    assert set(listed(viewer_client, q="sakura")) == {"Sakura Logistics K.K.", "Sakura Print K.K."}
    assert listed(viewer_client, q="logistics SAKURA") == ["Sakura Logistics K.K."]
    assert listed(viewer_client, q="ロジスティクス") == ["Sakura Logistics K.K."]


def test_the_list_shows_newest_first_with_result_score_and_validity(viewer_client):
    make("Older K.K.")
    make("Newer K.K.", status=S.APPROVED, result=R.PASS, score=Decimal("91.5"), valid_until=date_in(200))
    response = viewer_client.get(reverse("assessments:list"))
    assert [a.vendor.name for a in response.context["object_list"]] == ["Newer K.K.", "Older K.K."]
    html = response.content.decode()
    assert "91.5" in html and date_in(200).isoformat() in html


def date_in(days: int):
    return today() + timedelta(days=days)


# --- the list's query count -----------------------------------------------------------------------------


def create_assessments(count: int, *, batch: str) -> None:
    """`count` assessments in every status, each of its own vendor, reviewed and prepared by someone."""
    offset = Vendor.objects.count()
    preparers = [UserFactory(username=f"prep{i}", roles=[PROCUREMENT]) for i in range(3)]
    reviewers = [UserFactory(username=f"rev{i}", roles=[COMPLIANCE]) for i in range(3)]
    vendors = Vendor.objects.bulk_create(
        Vendor(
            name=f"Bulk {batch}{i:04d} K.K.", corporate_number=valid_corporate_number(700_000 + offset + i)
        )
        for i in range(count)
    )
    standard = Standard.objects.get(status=Standard.Status.PUBLISHED)
    statuses = S.values
    Assessment.objects.bulk_create(
        Assessment(
            vendor=vendor,
            standard=standard,
            status=statuses[i % len(statuses)],
            result=R.PASS,
            score=Decimal("88.0"),
            prepared_by=preparers[i % 3],
            reviewed_by=reviewers[i % 3],
            valid_until=today() + timedelta(days=i % 400),
        )
        for i, vendor in enumerate(vendors)
    )


def test_the_assessment_list_runs_the_same_number_of_queries_at_10_and_at_1000_assessments(viewer_client):
    create_assessments(10, batch="A")
    with CaptureQueriesContext(connection) as at_10:
        assert len(listed(viewer_client)) == 10
    create_assessments(990, batch="B")
    assert Assessment.objects.count() == 1000
    with CaptureQueriesContext(connection) as at_1000:
        page = viewer_client.get(reverse("assessments:list"))
    assert len(page.context["object_list"]) == 50
    assert len(at_1000) == len(at_10) == LIST_QUERIES, [q["sql"] for q in at_1000.captured_queries]


def test_a_filtered_list_page_also_runs_a_fixed_number_of_queries(viewer_client):
    create_assessments(1000, batch="C")
    params = {"status": ["approved", "submitted"], "q": "Bulk", "ordering": "-valid_until", "page": 3}
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(reverse("assessments:list"), params)
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 50
    assert len(queries) == LIST_QUERIES


# --- the review queue -----------------------------------------------------------------------------------


def test_the_review_queue_shows_only_submitted_assessments_oldest_first(compliance_client):
    now = timezone.now()
    make("Submitted two days ago", status=S.SUBMITTED, submitted_at=now - timedelta(days=2))
    make("Submitted an hour ago", status=S.SUBMITTED, submitted_at=now - timedelta(hours=1))
    make("Submitted last week", status=S.SUBMITTED, submitted_at=now - timedelta(days=7))
    for status in (S.DRAFT, S.RETURNED, S.APPROVED, S.REJECTED):
        make(f"Vendor {status}", status=status, submitted_at=now - timedelta(days=30))
    assert listed(compliance_client, "assessments:review_queue") == [
        "Submitted last week",
        "Submitted two days ago",
        "Submitted an hour ago",
    ]


# --- the detail page ------------------------------------------------------------------------------------


def test_the_detail_page_groups_the_answers_by_category_with_sub_scores_and_lists_findings(viewer_client):
    assessment = answered_assessment(
        VendorFactory(name="Detail K.K."), responses={"BAS-01": "partial", "HND-02": "no"}
    )
    Finding.objects.create(
        assessment=assessment,
        criterion=assessment.standard.criteria.get(code="HND-02"),
        description="Handling rules do not cover the entrusted work.",
        due_on=date_in(45),
    )

    response = viewer_client.get(assessment.get_absolute_url())

    assert response.status_code == 200
    groups = [
        (g["category"], g["score"], [a.criterion.code for a in g["answers"]])
        for g in response.context["groups"]
    ]
    assert [(str(category), score) for category, score, _codes in groups] == [
        ("Basic policy (10-1)", Decimal("50.0")),
        ("Handling rules (10-2)", Decimal("50.0")),
        ("Organizational measures (10-3)", Decimal("100.0")),
        ("Personnel measures (10-4)", Decimal("100.0")),
        ("Physical measures (10-5)", Decimal("100.0")),
        ("Technical measures (10-6)", Decimal("100.0")),
        ("Contract and re-entrustment", Decimal("100.0")),
    ]
    assert groups[1][2] == ["HND-01", "HND-02"]
    html = response.content.decode()
    for text in (
        "Basic policy (10-1)",
        "50.0 / 100",
        "Handling rules do not cover the entrusted work.",
        date_in(45).isoformat(),
        "31 of 31 answered",
    ):
        assert text in html, text


# --- answering in the browser ---------------------------------------------------------------------------


def formset_post(client, assessment, changes: dict[str, dict]) -> dict:
    """The answers form as the browser would send it: management form, every form's current values, and
    `changes` (code -> field values, files included) applied."""
    response = client.get(reverse("assessments:answers", args=[assessment.pk]))
    assert response.status_code == 200
    formset = response.context["formset"]
    management = formset.management_form
    data = {management.add_prefix(name): management[name].value() for name in management.fields}
    for form in formset.forms:
        values = {
            "id": form.instance.pk,
            "response": form.instance.response,
            "comment": form.instance.comment,
        }
        values.update(changes.get(form.instance.criterion.code, {}))
        data.update({form.add_prefix(name): value for name, value in values.items()})
    data["version"] = response.context["version"]  # the page's edit token
    return data


def test_answers_saved_in_the_browser_get_one_version_each(procurement_client, procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    data = formset_post(
        procurement_client,
        assessment,
        {
            "BAS-01": {
                "response": "yes",
                "evidence": SimpleUploadedFile("policy.pdf", PDF_BYTES, content_type="application/pdf"),
            },
            "HND-02": {"response": "no", "comment": "Rules are being drafted."},
        },
    )
    assert data["form-TOTAL_FORMS"] == data["form-INITIAL_FORMS"] == 31

    response = procurement_client.post(
        reverse("assessments:answers", args=[assessment.pk]), data, follow=True
    )

    assert response.redirect_chain == [(assessment.get_absolute_url(), 302)]
    assert messages_of(response) == ["Answers saved."]
    bas01 = assessment.answers.get(criterion__code="BAS-01")
    hnd02 = assessment.answers.get(criterion__code="HND-02")
    assert bas01.response == "yes" and bas01.evidence.name.endswith(".pdf")
    with bas01.evidence.open("rb") as file:
        assert file.read() == PDF_BYTES
    assert (hnd02.response, hnd02.comment) == ("no", "Rules are being drafted.")
    versions = {a.criterion.code: a.history.count() for a in assessment.answers.select_related("criterion")}
    assert versions.pop("BAS-01") == versions.pop("HND-02") == 2  # created, then answered
    assert set(versions.values()) == {1}
    assert bas01.history.first().history_user == procurement_user


def test_a_critical_criterion_cannot_be_answered_not_applicable_in_the_browser(
    procurement_client, procurement_user
):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    data = formset_post(
        procurement_client, assessment, {"ORG-06": {"response": "na"}, "BAS-01": {"response": "no"}}
    )

    response = procurement_client.post(reverse("assessments:answers", args=[assessment.pk]), data)

    assert response.status_code == 200
    assert "Select a valid choice. na is not one of the available choices." in response.content.decode()
    assert set(assessment.answers.values_list("response", flat=True)) == {""}


def test_evidence_that_is_not_a_document_or_image_is_refused(procurement_client, procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    upload = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    data = formset_post(procurement_client, assessment, {"BAS-01": {"response": "yes", "evidence": upload}})

    response = procurement_client.post(reverse("assessments:answers", args=[assessment.pk]), data)

    assert response.status_code == 200
    assert "Evidence must be a PDF, Word (.docx), PNG or JPEG file" in response.content.decode()
    assert not assessment.answers.get(criterion__code="BAS-01").evidence


def test_answers_of_a_submitted_assessment_cannot_be_changed_in_the_browser(
    procurement_client, procurement_user
):
    assessment = answered_assessment(preparer=procurement_user)
    data = formset_post(procurement_client, assessment, {"HND-02": {"response": "no"}})
    assessment_submit(assessment=assessment, user=procurement_user)

    response = procurement_client.post(reverse("assessments:answers", args=[assessment.pk]), data)

    assert response.status_code == 200
    assert (
        "Only a draft or returned assessment can be changed; this one is submitted for review."
        in response.content.decode()
    )
    assert assessment.answers.get(criterion__code="HND-02").response == "yes"


# --- submitting and deciding ----------------------------------------------------------------------------


def test_a_complete_assessment_is_submitted_from_its_page(procurement_client, procurement_user):
    assessment = answered_assessment(preparer=procurement_user)
    response = procurement_client.post(reverse("assessments:submit", args=[assessment.pk]), follow=True)
    assert response.redirect_chain == [(assessment.get_absolute_url(), 302)]
    assert messages_of(response) == ["Submitted for review."]
    after = stored(assessment)
    assert (after.status, after.submitted_by, after.score, after.result) == (
        S.SUBMITTED,
        procurement_user,
        Decimal("100.0"),
        R.PASS,
    )


def test_an_incomplete_assessment_is_not_submitted_and_the_page_says_why(
    procurement_client, procurement_user
):
    assessment = answered_assessment(preparer=procurement_user, responses={"PER-03": "", "CON-05": ""})
    response = procurement_client.post(reverse("assessments:submit", args=[assessment.pk]), follow=True)
    assert messages_of(response) == ["Unanswered criteria: PER-03, CON-05."]
    assert "Unanswered criteria: PER-03, CON-05." in response.content.decode()
    assert stored(assessment).status == S.DRAFT


@pytest.fixture
def submitted(procurement_user):
    assessment = answered_assessment(preparer=procurement_user)
    return assessment_submit(assessment=assessment, user=procurement_user)


def decide(client, assessment, **data):
    return client.post(reverse("assessments:decide", args=[assessment.pk]), data, follow=True)


def test_compliance_approves_from_the_page(compliance_client, compliance_user, submitted):
    response = decide(compliance_client, submitted, decision="approve", note="Measures confirmed.")
    assert response.redirect_chain == [(submitted.get_absolute_url(), 302)]
    assert messages_of(response) == ["Decision recorded: Approved."]
    after = stored(submitted)
    assert (after.status, after.reviewed_by, after.decision_note) == (
        S.APPROVED,
        compliance_user,
        "Measures confirmed.",
    )
    assert after.valid_until is not None


def test_compliance_returns_with_a_note_from_the_page(compliance_client, submitted):
    response = decide(compliance_client, submitted, decision="return", note="Attach the audit report.")
    assert messages_of(response) == ["Decision recorded: Returned."]
    assert stored(submitted).status == S.RETURNED


def test_compliance_rejects_with_a_note_from_the_page(compliance_client, submitted):
    response = decide(compliance_client, submitted, decision="reject", note="Leak reported late.")
    assert messages_of(response) == ["Decision recorded: Rejected."]
    assert stored(submitted).status == S.REJECTED


@pytest.mark.parametrize("decision", ["reject", "return"])
def test_rejecting_or_returning_without_a_note_is_refused_on_the_page(compliance_client, submitted, decision):
    response = decide(compliance_client, submitted, decision=decision, note="")
    assert messages_of(response) == [f"Write a note saying why you {decision} it."]
    assert f"Write a note saying why you {decision} it." in response.content.decode()
    assert stored(submitted).status == S.SUBMITTED


def test_an_unknown_decision_is_refused_on_the_page(compliance_client, submitted):
    response = decide(compliance_client, submitted, decision="maybe")
    assert response.redirect_chain == [(submitted.get_absolute_url(), 302)]
    assert messages_of(response) == ["Select a valid choice. maybe is not one of the available choices."]
    assert stored(submitted).status == S.SUBMITTED


def test_a_decision_already_taken_is_named_on_the_page(compliance_client, submitted):
    first = UserFactory(username="first", first_name="Fumiko", last_name="First", roles=[COMPLIANCE])
    assessment_approve(assessment=submitted, user=first)
    response = decide(compliance_client, submitted, decision="reject", note="Too late.")
    (message,) = messages_of(response)
    assert message.startswith("Fumiko First already decided this assessment (approved) at ")
    assert stored(submitted).status == S.APPROVED


def test_a_failed_assessment_cannot_be_approved_on_the_page(compliance_client, procurement_user):
    assessment = answered_assessment(preparer=procurement_user, responses={"TEC-01": "no"})
    assessment_submit(assessment=assessment, user=procurement_user)
    response = decide(compliance_client, assessment, decision="approve")
    assert messages_of(response) == ["A failed assessment cannot be approved."]
    assert stored(assessment).status == S.SUBMITTED


def test_a_dual_role_preparer_cannot_decide_on_the_page(client):
    both = UserFactory(username="both", roles=[PROCUREMENT, COMPLIANCE])
    assessment = answered_assessment(preparer=both)
    assessment_submit(assessment=assessment, user=both)
    client.force_login(both)
    response = decide(client, assessment, decision="approve")
    assert messages_of(response) == [
        "You prepared or submitted this assessment: someone else must review it."
    ]
    assert stored(assessment).status == S.SUBMITTED


def test_the_decision_form_is_shown_to_compliance_only_while_submitted(client_as, submitted):
    url = submitted.get_absolute_url()
    assert client_as("compliance").get(url).context["decision_form"] is not None
    assert client_as("procurement").get(url).context["decision_form"] is None
    assessment_approve(assessment=submitted, user=UserFactory(username="other", roles=[COMPLIANCE]))
    assert client_as("compliance").get(url).context["decision_form"] is None


# --- the Excel questionnaire ----------------------------------------------------------------------------


def test_the_questionnaire_downloads_as_an_xlsx_attachment(viewer_client, procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    response = viewer_client.get(reverse("assessments:questionnaire_download", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="questionnaire-{assessment.pk}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Instructions", "Questionnaire", "_meta"]


ANSWER, COMMENT = 8, 9


def filled_workbook(assessment, answers: dict[str, tuple[str, str]], name="questionnaire.xlsx"):
    workbook = load_workbook(io.BytesIO(questionnaire_workbook(assessment)))
    ws = workbook["Questionnaire"]
    rows = {ws.cell(row, 1).value: row for row in range(2, ws.max_row + 1)}
    for code, (response, comment) in answers.items():
        ws.cell(rows[code], ANSWER).value = response
        ws.cell(rows[code], COMMENT).value = comment
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def answers_of(assessment) -> dict[str, tuple[str, str]]:
    return {a.criterion.code: (a.response, a.comment) for a in assessment.answers.select_related("criterion")}


@pytest.fixture
def draft(procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    for code, response in (("BAS-01", "yes"), ("HND-01", "partial")):
        answer = assessment.answers.select_related("criterion", "assessment").get(criterion__code=code)
        answer.response = response
        answer_save(answer=answer, user=procurement_user)
    return assessment


def upload(client, assessment, file):
    return client.post(reverse("assessments:questionnaire_upload", args=[assessment.pk]), {"file": file})


def test_a_filled_questionnaire_is_imported_and_the_page_counts_the_answers(procurement_client, draft):
    # Of the 31 rows: BAS-01 stays Yes, HND-01 goes from Partially to Yes, HND-02 and ORG-01 are new, 27 stay
    # empty (an empty row leaves its answer as it is).
    file = filled_workbook(
        draft,
        {
            "HND-01": ("Yes", "Rules attached."),
            "HND-02": ("はい", ""),
            "ORG-01": ("No", "Not yet appointed."),
        },
        name="kumo-answers.xlsx",
    )

    response = upload(procurement_client, draft, file)

    assert response.status_code == 200
    assert "Imported kumo-answers.xlsx: 2 new answers, 1 changed, 28 unchanged." in response.content.decode()
    answers = answers_of(draft)
    assert answers["BAS-01"] == ("yes", "")
    assert answers["HND-01"] == ("yes", "Rules attached.")
    assert answers["HND-02"] == ("yes", "")
    assert answers["ORG-01"] == ("no", "Not yet appointed.")
    imported = draft.answers.get(criterion__code="ORG-01").history.first()
    assert imported.history_change_reason == "Imported from kumo-answers.xlsx."
    assert draft.answers.get(criterion__code="BAS-01").history.count() == 2  # not touched by the import


def test_a_bad_questionnaire_lists_its_problems_and_changes_no_answer(procurement_client, draft):
    before = answers_of(draft), Answer.history.count()
    file = filled_workbook(draft, {"BAS-01": ("No", ""), "ORG-04": ("maybe", ""), "ORG-06": ("該当なし", "")})

    response = upload(procurement_client, draft, file)

    assert response.status_code == 200
    html = response.content.decode()
    assert "“maybe” is not one of Yes, Partially, No, Not applicable" in html
    assert "ORG-06 is critical" in html
    assert "Imported" not in html
    assert (answers_of(draft), Answer.history.count()) == before


def test_a_questionnaire_for_a_submitted_assessment_is_refused(procurement_client, procurement_user):
    assessment = answered_assessment(preparer=procurement_user)
    file = filled_workbook(assessment, {"HND-02": ("No", "Changed my mind.")})
    assessment_submit(assessment=assessment, user=procurement_user)

    response = upload(procurement_client, assessment, file)

    assert response.status_code == 200
    assert (
        "Only a draft or returned assessment can be changed; this one is submitted for review."
        in response.content.decode()
    )
    assert assessment.answers.get(criterion__code="HND-02").response == "yes"


# --- the standards pages --------------------------------------------------------------------------------


def test_the_standards_list_shows_every_version(viewer_client, seeded, compliance_user):
    standard_copy(standard=seeded, user=compliance_user)
    response = viewer_client.get(reverse("assessments:standard_list"))
    assert response.status_code == 200
    assert [str(s) for s in response.context["object_list"]] == [
        "Vendor due-diligence standard v2",
        "Vendor due-diligence standard v1",
    ]


def test_the_standard_page_lists_its_criteria_and_offers_compliance_a_copy(compliance_client, seeded):
    response = compliance_client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["criteria"]) == 38
    html = response.content.decode()
    assert "TEC-01" in html and "Copy to a new draft version" in html
    assert reverse("assessments:criterion_edit", args=[seeded.criteria.get(code="TEC-01").pk]) not in html


def test_the_standard_page_filters_criteria(viewer_client, seeded):
    response = viewer_client.get(seeded.get_absolute_url(), {"category": "external_environment"})
    assert [c.code for c in response.context["criteria"]] == ["EXT-01", "EXT-02", "EXT-03"]
    assert "Copy to a new draft version" not in response.content.decode()


def test_compliance_copies_a_standard_from_its_page(compliance_client, seeded):
    response = compliance_client.post(reverse("assessments:standard_copy", args=[seeded.pk]), follow=True)
    draft = Standard.objects.get(version=2)
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert messages_of(response) == ["New draft version created: edit its criteria, then publish it."]
    assert draft.status == Standard.Status.DRAFT and draft.criteria.count() == 38
    assert "Publish" in response.content.decode()


def test_compliance_publishes_a_draft_from_its_page(compliance_client, compliance_user, seeded):
    draft = standard_copy(standard=seeded, user=compliance_user)
    response = compliance_client.post(reverse("assessments:standard_publish", args=[draft.pk]), follow=True)
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert messages_of(response) == ["Published; the previous version is retired."]
    assert stored(draft).status == Standard.Status.PUBLISHED
    assert stored(seeded).status == Standard.Status.RETIRED


def test_publishing_an_empty_draft_is_refused_on_its_page(compliance_client):
    empty = StandardFactory(name="Empty standard")
    response = compliance_client.post(reverse("assessments:standard_publish", args=[empty.pk]), follow=True)
    assert messages_of(response) == ["A standard needs at least one criterion."]
    assert stored(empty).status == Standard.Status.DRAFT


def criterion_form(**overrides) -> dict:
    data = {
        "code": "TEC-09",
        "category": "technical",
        "question_en": "Are laptops encrypted?",
        "question_ja": "ノートPCを暗号化していますか。",
        "guidance": "",
        "weight": "4",
        "is_critical": "on",
        "applies_when": "always",
        "obligation": "must",
        "position": "27",
    }
    data.update(overrides)
    return data


def test_compliance_adds_a_criterion_to_a_draft(compliance_client, compliance_user):
    draft = StandardFactory(name="Draft standard")
    response = compliance_client.post(
        reverse("assessments:criterion_create", args=[draft.pk]), criterion_form()
    )
    assert response.status_code == 302 and response.url == draft.get_absolute_url()
    criterion = draft.criteria.get(code="TEC-09")
    assert (criterion.weight, criterion.is_critical, criterion.evidence_required) == (4, True, False)
    assert criterion.history.get().history_user == compliance_user


def test_compliance_edits_a_criterion_of_a_draft(compliance_client):
    criterion = CriterionFactory(standard=StandardFactory(name="Draft standard"), code="TEC-09", weight=2)
    response = compliance_client.post(
        reverse("assessments:criterion_edit", args=[criterion.pk]), criterion_form(weight="5")
    )
    assert response.status_code == 302
    assert stored(criterion).weight == 5


def test_a_criterion_cannot_be_added_to_a_published_standard_on_the_page(compliance_client, seeded):
    response = compliance_client.post(
        reverse("assessments:criterion_create", args=[seeded.pk]), criterion_form()
    )
    assert response.status_code == 200
    assert "is published: its criteria cannot change." in response.content.decode()
    assert seeded.criteria.count() == 38


def test_a_criterion_of_a_published_standard_cannot_be_edited_on_the_page(compliance_client, seeded):
    criterion = seeded.criteria.get(code="TEC-01")
    response = compliance_client.post(
        reverse("assessments:criterion_edit", args=[criterion.pk]),
        criterion_form(code="TEC-01", weight="1"),
    )
    assert response.status_code == 200
    assert "is published: its criteria cannot change." in response.content.decode()
    assert stored(criterion).weight == 5 and not criterion.history.exists()


def test_a_weight_outside_1_to_5_is_refused_on_the_page(compliance_client):
    draft = StandardFactory(name="Draft standard")
    response = compliance_client.post(
        reverse("assessments:criterion_create", args=[draft.pk]), criterion_form(weight="7")
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 5." in response.content.decode()
    assert not draft.criteria.exists()


def test_compliance_edits_a_draft_standard_and_a_published_one_is_refused(compliance_client, seeded):
    draft = StandardFactory(name="Draft standard")
    form = {"name": "Draft standard", "pass_score": "85.0", "conditional_score": "65.0", "notes": "Stricter."}
    response = compliance_client.post(reverse("assessments:standard_edit", args=[draft.pk]), form)
    assert response.status_code == 302
    assert stored(draft).pass_score == Decimal("85.0")

    form["name"] = seeded.name
    response = compliance_client.post(reverse("assessments:standard_edit", args=[seeded.pk]), form)
    assert response.status_code == 200
    assert "A published standard is frozen; copy it to a new draft version to change it." in (
        response.content.decode()
    )
    assert stored(seeded).pass_score == Decimal("80.0")


# --- findings -------------------------------------------------------------------------------------------


def finding_form(owner, **overrides) -> dict:
    data = {
        "criterion": "",
        "description": "Laptops are not encrypted.",
        "severity": "high",
        "due_on": date_in(60).isoformat(),
        "owner": owner.pk,
        "status": "open",
        "resolution_note": "",
    }
    data.update(overrides)
    return data


def test_a_finding_is_recorded_on_an_assessment(
    compliance_client, compliance_user, procurement_user, submitted
):
    criterion = submitted.standard.criteria.get(code="PHY-03")
    response = compliance_client.post(
        reverse("assessments:finding_create", args=[submitted.pk]),
        finding_form(procurement_user, criterion=criterion.pk),
    )
    finding = submitted.findings.get()
    assert response.status_code == 302 and response.url == finding.get_absolute_url()
    assert (finding.criterion, finding.owner, finding.due_on, finding.status) == (
        criterion,
        procurement_user,
        date_in(60),
        Finding.Status.OPEN,
    )
    assert finding.history.get().history_user == compliance_user
    page = compliance_client.get(submitted.get_absolute_url()).content.decode()
    assert "Laptops are not encrypted." in page


def test_a_finding_is_resolved_with_a_note(procurement_client, procurement_user, submitted):
    finding = Finding.objects.create(assessment=submitted, description="Laptops are not encrypted.")
    url = reverse("assessments:finding_edit", args=[finding.pk])

    response = procurement_client.post(
        url, finding_form(procurement_user, status="resolved", **edit_token(finding))
    )
    assert response.status_code == 200
    assert "Say how the finding was resolved or why the risk is accepted." in response.content.decode()
    assert stored(finding).status == Finding.Status.OPEN

    response = procurement_client.post(
        url,
        finding_form(
            procurement_user,
            status="resolved",
            resolution_note="BitLocker on every laptop.",
            **edit_token(finding),
        ),
    )
    assert response.status_code == 302
    assert (stored(finding).status, stored(finding).resolution_note) == (
        "resolved",
        "BitLocker on every laptop.",
    )


def test_a_finding_owner_must_be_a_procurement_user(compliance_client, compliance_user, submitted):
    response = compliance_client.post(
        reverse("assessments:finding_create", args=[submitted.pk]), finding_form(compliance_user)
    )
    assert response.status_code == 200
    assert not submitted.findings.exists()


# --- the vendor page ------------------------------------------------------------------------------------


def test_the_vendor_page_shows_the_latest_assessment_its_result_and_validity(
    viewer_client, procurement_user, compliance_user
):
    vendor = VendorFactory(name="Panel K.K.", risk_tier="medium")
    old = make("", vendor=vendor, status=S.REJECTED, result=R.FAIL, score=Decimal("40.0"))
    Assessment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    latest = answered_assessment(vendor, preparer=procurement_user, responses={"HND-02": "partial"})
    assessment_submit(assessment=latest, user=procurement_user)
    assessment_approve(assessment=latest, user=compliance_user)
    latest = stored(latest)

    response = viewer_client.get(vendor.get_absolute_url())

    assert response.status_code == 200
    (panel,) = [p for p in response.context["panels"] if p["template"] == "assessments/vendor_panel.html"]
    assert panel["latest"] == latest
    assert panel["assessments"] == [latest, old]
    html = response.content.decode()
    assert f"valid until {latest.valid_until.isoformat()}" in html
    assert str(latest.score) in html and "Pass" in html
    assert latest.get_absolute_url() in html


@pytest.mark.parametrize("vendor", ["", "abc", "-1", "99999999999999999999", "999999"])
def test_preparing_an_assessment_for_no_such_vendor_is_not_found(procurement_client, vendor):
    response = procurement_client.post(reverse("assessments:create"), {"vendor": vendor})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_the_vendor_page_offers_procurement_to_prepare_an_assessment(procurement_client):
    vendor = VendorFactory(name="New K.K.")
    html = procurement_client.get(vendor.get_absolute_url()).content.decode()
    assert "No assessment yet." in html
    assert reverse("assessments:create") in html

    response = procurement_client.post(reverse("assessments:create"), {"vendor": vendor.pk}, follow=True)
    assessment = vendor.assessments.get()
    assert response.redirect_chain == [(assessment.get_absolute_url(), 302)]
    assert messages_of(response) == [
        "Assessment prepared: answer it here or through the Excel questionnaire."
    ]
