"""An assessment's life: prepare, answer, submit, then approve, reject or return — and who may do what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import Answer, Assessment, Criterion, Finding, Standard
from assessments.services import (
    answer_save,
    assessment_approve,
    assessment_create,
    assessment_reject,
    assessment_return,
    assessment_submit,
    finding_save,
)
from core.roles import COMPLIANCE, PROCUREMENT

from ..factories import UserFactory, VendorFactory, answered_assessment, pdf_file

pytestmark = pytest.mark.django_db

S = Assessment.Status
R = Assessment.Result
ALWAYS = [
    "BAS-01", "HND-01", "HND-02", "ORG-01", "ORG-02", "ORG-04", "ORG-05", "ORG-06", "ORG-07", "ORG-08",
    "PER-01", "PER-02", "PER-03", "PHY-01", "PHY-02", "PHY-03", "PHY-04", "TEC-01", "TEC-02", "TEC-03",
    "TEC-04", "TEC-06", "CON-01", "CON-02", "CON-03", "CON-04", "CON-05", "CON-06", "REN-01", "REN-02",
    "REN-03",
]  # fmt: skip
# Of the 117 weight points that apply to every vendor, these non-critical weight-4 answers cost 24:
# 93 of 117 = 79.5, conditional.
CONDITIONAL_NOS = dict.fromkeys(["PHY-01", "PHY-03", "TEC-02", "TEC-04", "CON-02", "CON-03"], "no")
NO_DECISION_MESSAGE = "You prepared or submitted this assessment: someone else must review it."


@pytest.fixture
def preparer(db):
    return UserFactory(username="preparer", first_name="Paula", last_name="Preparer", roles=[PROCUREMENT])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", first_name="Rei", last_name="Reviewer", roles=[COMPLIANCE])


@pytest.fixture
def second_reviewer(db):
    return UserFactory(username="reviewer2", first_name="Sora", last_name="Second", roles=[COMPLIANCE])


def refusal(service, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    return error.value.messages


def stored(assessment) -> Assessment:
    return Assessment.objects.get(pk=assessment.pk)


def codes(assessment) -> list[str]:
    return list(assessment.answers.order_by("criterion__position").values_list("criterion__code", flat=True))


def answer(assessment, code) -> Answer:
    return assessment.answers.select_related("criterion", "assessment").get(criterion__code=code)


def submitted(preparer, vendor=None, **kwargs) -> Assessment:
    assessment = answered_assessment(vendor, preparer=preparer, **kwargs)
    return assessment_submit(assessment=assessment, user=preparer)


def open_finding(assessment, *, due_on=None, status=Finding.Status.OPEN, **kwargs) -> Finding:
    values = {
        "assessment": assessment,
        "description": "Handling rules do not cover deletion at the end of the work.",
        "due_on": due_on,
        "status": status,
        "resolution_note": "" if status == Finding.Status.OPEN else "Done.",
    }
    values.update(kwargs)
    return Finding.objects.create(**values)


# --- prepare --------------------------------------------------------------------------------------------


def test_a_new_assessment_is_a_draft_with_one_empty_answer_per_criterion_that_applies(preparer):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    assessment = stored(assessment)
    assert (assessment.status, assessment.kind, assessment.prepared_by) == (S.DRAFT, "initial", preparer)
    assert assessment.standard == Standard.objects.get(status=Standard.Status.PUBLISHED)
    assert codes(assessment) == ALWAYS
    assert set(assessment.answers.values_list("response", flat=True)) == {""}
    assert assessment.history.get().history_change_reason == (
        "Prepared against Vendor due-diligence standard v1."
    )


@pytest.mark.parametrize(
    ("flags", "extra"),
    [
        ({"handles_data_abroad": True}, {"EXT-01", "EXT-02", "EXT-03"}),
        ({"handles_special_care_data": True}, {"TEC-07", "TEC-08"}),
        ({"has_system_access": True}, {"ORG-03", "TEC-05"}),
        (
            {"handles_data_abroad": True, "handles_special_care_data": True, "has_system_access": True},
            {"EXT-01", "EXT-02", "EXT-03", "TEC-07", "TEC-08", "ORG-03", "TEC-05"},
        ),
    ],
    ids=["abroad", "special-care", "system-access", "all"],
)
def test_conditional_criteria_apply_only_to_vendors_they_concern(preparer, flags, extra):
    assessment = assessment_create(vendor=VendorFactory(**flags), user=preparer)
    assert set(codes(assessment)) == set(ALWAYS) | extra


def test_a_domestic_vendor_without_special_data_or_system_access_gets_none_of_them(preparer):
    found = set(codes(assessment_create(vendor=VendorFactory(), user=preparer)))
    assert not {code for code in found if code.startswith("EXT-")}
    assert found.isdisjoint({"TEC-07", "TEC-08", "ORG-03", "TEC-05"})


def test_compliance_does_not_prepare_assessments(reviewer):
    with pytest.raises(PermissionDenied):
        assessment_create(vendor=VendorFactory(), user=reviewer)
    assert not Assessment.objects.exists()


# --- answer ---------------------------------------------------------------------------------------------


def test_a_critical_criterion_cannot_be_answered_not_applicable(preparer):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    org06 = answer(assessment, "ORG-06")
    org06.response = Answer.Response.NA
    with pytest.raises(ValidationError) as error:
        answer_save(answer=org06, user=preparer)
    assert error.value.message_dict == {"response": ["ORG-06 is critical: “not applicable” is not accepted."]}
    assert answer(assessment, "ORG-06").response == ""


def test_a_criterion_that_is_not_critical_can_be_answered_not_applicable(preparer):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    con02 = answer(assessment, "CON-02")
    con02.response, con02.comment = Answer.Response.NA, "No contract changes in scope."
    answer_save(answer=con02, user=preparer)
    assert answer(assessment, "CON-02").response == "na"


@pytest.mark.parametrize(
    ("status", "label"),
    [(S.SUBMITTED, "submitted for review"), (S.APPROVED, "approved"), (S.REJECTED, "rejected")],
)
def test_answers_cannot_change_once_the_assessment_left_draft(preparer, status, label):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    bas01 = answer(assessment, "BAS-01")
    bas01.response = Answer.Response.NO
    assert refusal(answer_save, answer=bas01, user=preparer) == [
        f"Only a draft or returned assessment can be changed; this one is {label}."
    ]
    assert answer(assessment, "BAS-01").response == ""


def test_answers_of_a_returned_assessment_can_change(preparer):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    Assessment.objects.filter(pk=assessment.pk).update(status=S.RETURNED)
    bas01 = answer(assessment, "BAS-01")
    bas01.response = Answer.Response.NO
    answer_save(answer=bas01, user=preparer, reason="Corrected.")
    assert answer(assessment, "BAS-01").response == "no"


def test_compliance_cannot_answer(preparer, reviewer):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    bas01 = answer(assessment, "BAS-01")
    bas01.response = Answer.Response.YES
    with pytest.raises(PermissionDenied):
        answer_save(answer=bas01, user=reviewer)
    assert answer(assessment, "BAS-01").response == ""


# --- submit ---------------------------------------------------------------------------------------------


def test_submission_lists_every_unmet_prerequisite_together(preparer):
    assessment = answered_assessment(
        preparer=preparer,
        responses={"BAS-01": "", "HND-02": "", "ORG-08": "no"},
    )
    # evidence missing for a yes and a partial answer on criteria that require it
    for code, response in (("HND-01", "yes"), ("ORG-01", "partial")):
        Answer.objects.filter(assessment=assessment, criterion__code=code).update(
            response=response, evidence=""
        )
    # a critical criterion "not applicable" (as an old import might have left it)
    Answer.objects.filter(assessment=assessment, criterion__code="ORG-07").update(response="na")
    Assessment.objects.filter(pk=assessment.pk).update(status=S.REJECTED)
    versions = assessment.history.count()

    assert refusal(assessment_submit, assessment=assessment, user=preparer) == [
        "Only a draft or returned assessment can be submitted; this one is rejected.",
        "Unanswered criteria: BAS-01, HND-02.",
        "Critical criteria cannot be “not applicable”: ORG-07.",
        "Evidence is required for: HND-01, ORG-01.",
    ]
    after = stored(assessment)
    assert (after.status, after.submitted_by, after.submitted_at, after.score, after.result) == (
        S.REJECTED,
        None,
        None,
        None,
        "",
    )
    assert after.history.count() == versions


def test_a_draft_with_unanswered_criteria_and_missing_evidence_is_not_submitted(preparer):
    assessment = answered_assessment(preparer=preparer, responses={"REN-03": ""}, evidence=False)
    assert refusal(assessment_submit, assessment=assessment, user=preparer) == [
        "Unanswered criteria: REN-03.",
        "Evidence is required for: BAS-01, HND-01, ORG-01, ORG-06, ORG-08, PER-01, PER-02, PHY-04, "
        "TEC-01, TEC-03, TEC-06, CON-04, REN-02.",
    ]
    assert stored(assessment).status == S.DRAFT


def test_evidence_is_not_asked_for_a_no_or_not_applicable_answer(preparer):
    # BAS-01 and TEC-06 require evidence, but only for yes and partial answers
    assessment = answered_assessment(preparer=preparer, responses={"BAS-01": "no", "TEC-06": "na"})
    Answer.objects.filter(assessment=assessment, criterion__code__in=["BAS-01", "TEC-06"]).update(evidence="")
    assessment_submit(assessment=assessment, user=preparer)
    assert stored(assessment).status == S.SUBMITTED


def test_a_complete_draft_is_submitted_with_its_score_and_result(preparer):
    assessment = answered_assessment(preparer=preparer)
    before = timezone.now()

    assessment_submit(assessment=assessment, user=preparer)

    after = stored(assessment)
    assert (after.status, after.submitted_by, after.result) == (S.SUBMITTED, preparer, R.PASS)
    assert isinstance(after.score, Decimal) and after.score == Decimal("100.0")
    assert before <= after.submitted_at <= timezone.now()
    version = after.history.first()
    assert (version.history_user, version.history_change_reason, version.status) == (
        preparer,
        "Submitted for review.",
        S.SUBMITTED,
    )


def test_a_conditional_score_is_stored_at_submission(preparer):
    assessment = submitted(preparer, responses=CONDITIONAL_NOS)
    assert (assessment.score, assessment.result) == (Decimal("79.5"), R.CONDITIONAL)


def test_a_critical_no_is_stored_as_a_fail_whatever_the_score(preparer):
    assessment = submitted(preparer, responses={"ORG-07": "no"})
    # 112 of 117
    assert (assessment.score, assessment.result) == (Decimal("95.7"), R.FAIL)


def test_compliance_cannot_submit(preparer, reviewer):
    assessment = answered_assessment(preparer=preparer)
    with pytest.raises(PermissionDenied):
        assessment_submit(assessment=assessment, user=reviewer)
    assert stored(assessment).status == S.DRAFT


# --- approve --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tier", "months"), [("high", 12), ("medium", 24), ("low", 36)])
def test_a_pass_is_approved_for_the_months_of_the_vendor_s_risk_tier(preparer, reviewer, tier, months):
    assessment = submitted(preparer, VendorFactory(risk_tier=tier))

    assessment_approve(assessment=assessment, user=reviewer, note="Measures confirmed.")

    after = stored(assessment)
    assert (after.status, after.reviewed_by, after.decision_note) == (
        S.APPROVED,
        reviewer,
        "Measures confirmed.",
    )
    assert after.valid_until == timezone.localdate() + relativedelta(months=months)
    assert after.decided_at is not None


def test_a_failed_assessment_cannot_be_approved(preparer, reviewer):
    assessment = submitted(preparer, responses={"CON-01": "no"})
    assert refusal(assessment_approve, assessment=assessment, user=reviewer) == [
        "A failed assessment cannot be approved."
    ]
    after = stored(assessment)
    assert (after.status, after.reviewed_by, after.valid_until) == (S.SUBMITTED, None, None)


CONDITIONAL_NEEDS_FINDING = (
    "A conditional result can be approved only with at least one open remediation finding "
    "that has a due date."
)


def test_a_conditional_result_without_any_finding_cannot_be_approved(preparer, reviewer):
    assessment = submitted(preparer, responses=CONDITIONAL_NOS)
    assert refusal(assessment_approve, assessment=assessment, user=reviewer) == [CONDITIONAL_NEEDS_FINDING]
    assert stored(assessment).status == S.SUBMITTED


@pytest.mark.parametrize(
    "finding",
    [
        {"due_on": None},
        {"due_on": timezone.localdate() + timedelta(days=30), "status": Finding.Status.RESOLVED},
        {"due_on": timezone.localdate() + timedelta(days=30), "status": Finding.Status.ACCEPTED_RISK},
    ],
    ids=["open-without-due-date", "resolved", "risk-accepted"],
)
def test_a_conditional_result_needs_an_open_finding_with_a_due_date(preparer, reviewer, finding):
    assessment = submitted(preparer, responses=CONDITIONAL_NOS)
    open_finding(assessment, **finding)
    assert refusal(assessment_approve, assessment=assessment, user=reviewer) == [CONDITIONAL_NEEDS_FINDING]
    assert stored(assessment).status == S.SUBMITTED


def test_a_conditional_result_with_an_open_finding_due_on_a_date_is_approved(preparer, reviewer):
    assessment = submitted(preparer, responses=CONDITIONAL_NOS)
    finding_save(
        finding=Finding(
            assessment=assessment,
            description="Encrypt laptops.",
            due_on=timezone.localdate() + timedelta(days=90),
            owner=preparer,
        ),
        user=reviewer,
    )
    assessment_approve(assessment=assessment, user=reviewer)
    after = stored(assessment)
    assert (after.status, after.result) == (S.APPROVED, R.CONDITIONAL)


# --- reject and return ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "verb"),
    [(assessment_reject, "reject"), (assessment_return, "return")],
    ids=["reject", "return"],
)
@pytest.mark.parametrize("note", ["", "   "], ids=["empty", "blank"])
def test_rejecting_or_returning_needs_a_note(preparer, reviewer, service, verb, note):
    assessment = submitted(preparer)
    assert refusal(service, assessment=assessment, user=reviewer, note=note) == [
        f"Write a note saying why you {verb} it."
    ]
    after = stored(assessment)
    assert (after.status, after.reviewed_by, after.decided_at) == (S.SUBMITTED, None, None)


def test_a_rejected_assessment_is_final(preparer, reviewer):
    assessment = submitted(preparer)
    assessment_reject(assessment=assessment, user=reviewer, note="ORG-07: leak reported late.")
    after = stored(assessment)
    assert (after.status, after.reviewed_by, after.decision_note) == (
        S.REJECTED,
        reviewer,
        "ORG-07: leak reported late.",
    )
    assert after.valid_until is None
    assert not after.is_editable


def test_a_returned_assessment_can_be_corrected_and_submitted_again(preparer, reviewer, second_reviewer):
    assessment = submitted(preparer, responses={"ORG-08": "no"})
    first_submission = assessment.submitted_at
    assessment_return(assessment=assessment, user=reviewer, note="Attach the latest audit report for ORG-08.")
    assert stored(assessment).status == S.RETURNED and stored(assessment).is_editable

    org08 = answer(assessment, "ORG-08")
    org08.response, org08.evidence = Answer.Response.YES, pdf_file("audit-2026.pdf")
    answer_save(answer=org08, user=preparer)
    assessment_submit(assessment=assessment, user=preparer)

    after = stored(assessment)
    assert (after.status, after.score, after.result) == (S.SUBMITTED, Decimal("100.0"), R.PASS)
    assert after.submitted_at > first_submission
    assessment_approve(assessment=assessment, user=second_reviewer)
    assert stored(assessment).status == S.APPROVED


# --- only once, only when submitted ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [(assessment_approve, {}), (assessment_reject, {"note": "No."}), (assessment_return, {"note": "Redo."})],
    ids=["approve", "reject", "return"],
)
def test_a_draft_cannot_be_decided(preparer, reviewer, service, kwargs):
    assessment = answered_assessment(preparer=preparer)
    assert refusal(service, assessment=assessment, user=reviewer, **kwargs) == [
        "Only a submitted assessment can be decided; this one is draft."
    ]
    assert stored(assessment).status == S.DRAFT


@pytest.mark.parametrize(
    ("first", "status"),
    [(assessment_approve, "approved"), (assessment_reject, "rejected"), (assessment_return, "returned")],
    ids=["approved", "rejected", "returned"],
)
@pytest.mark.parametrize(
    ("second", "kwargs"),
    [(assessment_approve, {}), (assessment_reject, {"note": "Too late."})],
    ids=["then-approve", "then-reject"],
)
def test_a_decision_taken_by_another_reviewer_is_named(
    preparer, reviewer, second_reviewer, first, status, second, kwargs
):
    assessment = submitted(preparer)
    first(assessment=assessment, user=reviewer, note="First decision.")
    decided = stored(assessment)
    when = date_format(timezone.localtime(decided.decided_at), "Y-m-d H:i")

    assert refusal(second, assessment=assessment, user=second_reviewer, **kwargs) == [
        f"Rei Reviewer already decided this assessment ({status}) at {when}."
    ]
    after = stored(assessment)
    assert (after.status, after.reviewed_by, after.decision_note) == (status, reviewer, "First decision.")


# --- segregation of duties ------------------------------------------------------------------------------


@pytest.fixture
def both_roles(db):
    return UserFactory(username="both", roles=[PROCUREMENT, COMPLIANCE])


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [(assessment_approve, {}), (assessment_reject, {"note": "No."}), (assessment_return, {"note": "Redo."})],
    ids=["approve", "reject", "return"],
)
def test_the_user_who_prepared_an_assessment_cannot_decide_it(both_roles, preparer, service, kwargs):
    assessment = answered_assessment(preparer=both_roles)
    assessment_submit(assessment=assessment, user=preparer)  # submitted by someone else
    assert refusal(service, assessment=assessment, user=both_roles, **kwargs) == [NO_DECISION_MESSAGE]
    assert stored(assessment).status == S.SUBMITTED


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [(assessment_approve, {}), (assessment_reject, {"note": "No."}), (assessment_return, {"note": "Redo."})],
    ids=["approve", "reject", "return"],
)
def test_the_user_who_submitted_an_assessment_cannot_decide_it(both_roles, preparer, service, kwargs):
    assessment = answered_assessment(preparer=preparer)
    assessment_submit(assessment=assessment, user=both_roles)
    assert stored(assessment).prepared_by == preparer
    assert refusal(service, assessment=assessment, user=both_roles, **kwargs) == [NO_DECISION_MESSAGE]
    assert stored(assessment).status == S.SUBMITTED


def test_another_compliance_user_can_decide_what_a_dual_role_user_prepared(both_roles, reviewer):
    assessment = submitted(both_roles)
    assessment_approve(assessment=assessment, user=reviewer)
    assert stored(assessment).status == S.APPROVED


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [(assessment_approve, {}), (assessment_reject, {"note": "No."}), (assessment_return, {"note": "Redo."})],
    ids=["approve", "reject", "return"],
)
def test_procurement_cannot_decide(preparer, service, kwargs):
    assessment = submitted(preparer)
    other = UserFactory(username="buyer2", roles=[PROCUREMENT])
    with pytest.raises(PermissionDenied):
        service(assessment=assessment, user=other, **kwargs)
    assert stored(assessment).status == S.SUBMITTED


# --- history --------------------------------------------------------------------------------------------


def test_the_history_records_who_took_each_step_and_why(preparer, reviewer, second_reviewer):
    assessment = answered_assessment(preparer=preparer)
    assessment_submit(assessment=assessment, user=preparer)
    assessment_return(assessment=assessment, user=reviewer, note="Confirm the backup restore test.")
    assessment_submit(assessment=assessment, user=preparer)
    assessment_reject(assessment=assessment, user=second_reviewer, note="Restore test failed.")

    versions = list(assessment.history.order_by("history_date", "history_id"))
    assert [(v.history_user, v.history_change_reason, v.status) for v in versions] == [
        (preparer, "Prepared against Vendor due-diligence standard v1.", S.DRAFT),
        (preparer, "Submitted for review.", S.SUBMITTED),
        (reviewer, "Confirm the backup restore test.", S.RETURNED),
        (preparer, "Submitted for review.", S.SUBMITTED),
        (second_reviewer, "Restore test failed.", S.REJECTED),
    ]


def test_each_answer_change_is_a_version_by_the_preparer(preparer):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    bas01 = answer(assessment, "BAS-01")
    bas01.response, bas01.comment = Answer.Response.PARTIAL, "Policy being rewritten."
    answer_save(answer=bas01, user=preparer, reason="From the vendor's call.")
    versions = list(bas01.history.order_by("history_date", "history_id"))
    assert [(v.history_user, v.response, v.history_change_reason) for v in versions] == [
        (preparer, "", None),
        (preparer, "partial", "From the vendor's call."),
    ]


def test_approving_writes_one_version_by_the_reviewer_with_the_note_and_the_validity(preparer, reviewer):
    assessment = submitted(preparer, VendorFactory(risk_tier="high"))
    before = assessment.history.count()

    assessment_approve(assessment=assessment, user=reviewer, note="Measures confirmed on site.")

    new_versions = list(assessment.history.order_by("history_date", "history_id"))[before:]
    assert [(v.history_user, v.status, v.decision_note, v.valid_until) for v in new_versions] == [
        (reviewer, S.APPROVED, "Measures confirmed on site.", timezone.localdate() + relativedelta(months=12))
    ]


def test_a_criterion_outside_the_assessment_s_standard_is_not_part_of_it(preparer):
    assessment = assessment_create(vendor=VendorFactory(), user=preparer)
    assert not Criterion.objects.filter(answers__assessment=assessment).exclude(standard=assessment.standard)


def test_a_compliance_user_who_answered_questions_cannot_review_the_assessment(db):
    both = UserFactory(username="both-roles", roles=[PROCUREMENT, COMPLIANCE])
    preparer = UserFactory(username="preparer-only", roles=[PROCUREMENT])
    assessment = answered_assessment(VendorFactory(), preparer=preparer)
    answer = assessment.answers.select_related("criterion").filter(criterion__is_critical=False).first()
    answer.comment = "Checked on site."
    answer_save(answer=answer, user=both)
    assessment_submit(assessment=assessment, user=preparer)
    with pytest.raises(ValidationError) as error:
        assessment_approve(assessment=assessment, user=both)
    assert "You prepared or submitted this assessment: someone else must review it." in error.value.messages


def test_a_terminated_vendor_is_not_assessed_any_more(procurement_user):
    vendor = VendorFactory(status="terminated")
    with pytest.raises(ValidationError) as error:
        assessment_create(vendor=vendor, user=procurement_user)
    assert error.value.messages == ["The vendor is terminated: it is no longer assessed."]
