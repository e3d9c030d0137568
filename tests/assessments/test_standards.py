"""Internal standards: published versions are frozen; change means copy, edit the draft, publish."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.models import Assessment, Category, Criterion, Standard
from assessments.services import (
    assessment_create,
    assessment_submit,
    criterion_save,
    current_standard,
    standard_copy,
    standard_publish,
    standard_save,
)

from ..factories import CriterionFactory, StandardFactory, VendorFactory, answered_assessment

pytestmark = pytest.mark.django_db

S = Standard.Status
NAME = "Vendor due-diligence standard"
FROZEN_CRITERIA = "The standard “Vendor due-diligence standard v1” is published: its criteria cannot change."


@pytest.fixture
def seeded():
    return Standard.objects.get(name=NAME, version=1)


def refusal(service, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    return error.value.messages


def stored(obj):
    return type(obj).objects.get(pk=obj.pk)


def new_criterion(standard, **kwargs) -> Criterion:
    values = {
        "standard": standard,
        "code": "NEW-01",
        "category": Category.TECHNICAL,
        "question_en": "Are laptops encrypted?",
        "question_ja": "ノートPCを暗号化していますか。",
        "weight": 3,
        "position": 99,
    }
    values.update(kwargs)
    return Criterion(**values)


# --- the seeded standard --------------------------------------------------------------------------------


def test_the_seeded_standard_is_published_with_38_criteria(seeded):
    assert seeded.status == S.PUBLISHED
    assert seeded.criteria.count() == 38
    assert current_standard() == seeded


# --- frozen once published ------------------------------------------------------------------------------


def test_a_criterion_of_a_published_standard_cannot_be_changed(seeded, compliance_user):
    criterion = seeded.criteria.get(code="TEC-01")
    criterion.weight = 1
    assert refusal(criterion_save, criterion=criterion, user=compliance_user) == [FROZEN_CRITERIA]
    assert stored(criterion).weight == 5
    assert not criterion.history.exists()


def test_no_criterion_can_be_added_to_a_published_standard(seeded, compliance_user):
    assert refusal(criterion_save, criterion=new_criterion(seeded), user=compliance_user) == [FROZEN_CRITERIA]
    assert seeded.criteria.count() == 38


def test_a_criterion_of_a_retired_standard_cannot_be_changed_either(compliance_user):
    retired = StandardFactory(name="Old standard", status=S.RETIRED)
    criterion = CriterionFactory(standard=retired, weight=2)
    criterion.weight = 4
    assert refusal(criterion_save, criterion=criterion, user=compliance_user) == [
        "The standard “Old standard v1” is retired: its criteria cannot change."
    ]
    assert stored(criterion).weight == 2


@pytest.mark.parametrize("status", [S.PUBLISHED, S.RETIRED])
def test_a_published_or_retired_standard_cannot_be_saved(compliance_user, status):
    standard = StandardFactory(name="Frozen standard", status=status)
    standard.pass_score = Decimal("50.0")
    assert refusal(standard_save, standard=standard, user=compliance_user) == [
        f"A {status} standard is frozen; copy it to a new draft version to change it."
    ]
    assert stored(standard).pass_score == Decimal("80.0")


def test_a_draft_standard_can_be_saved_with_a_version_by_the_user(compliance_user):
    standard = StandardFactory(name="Draft standard")
    standard.pass_score = Decimal("85.0")
    standard_save(standard=standard, user=compliance_user, reason="Stricter pass mark.")
    assert stored(standard).pass_score == Decimal("85.0")
    version = standard.history.get()
    assert (version.history_user, version.history_change_reason) == (compliance_user, "Stricter pass mark.")


def test_the_conditional_score_cannot_exceed_the_pass_score(compliance_user):
    standard = StandardFactory(name="Draft standard")
    standard.conditional_score = Decimal("90.0")
    assert "The conditional score cannot exceed the pass score." in refusal(
        standard_save, standard=standard, user=compliance_user
    )


# --- copy -----------------------------------------------------------------------------------------------


def test_copying_creates_the_next_version_as_a_draft_with_copies_of_every_criterion(seeded, compliance_user):
    draft = standard_copy(standard=seeded, user=compliance_user)

    draft = stored(draft)
    assert (draft.name, draft.version, draft.status) == (NAME, 2, S.DRAFT)
    assert draft.copied_from == seeded
    assert draft.published_on is None
    assert (draft.pass_score, draft.conditional_score) == (seeded.pass_score, seeded.conditional_score)
    fields = ["code", "category", "weight", "is_critical", "evidence_required", "applies_when", "position"]
    originals = list(seeded.criteria.order_by("code").values_list(*fields))
    copies = list(draft.criteria.order_by("code").values_list(*fields))
    assert copies == originals and len(copies) == 38
    assert set(draft.criteria.values_list("pk", flat=True)).isdisjoint(
        seeded.criteria.values_list("pk", flat=True)
    )
    assert seeded.criteria.count() == 38
    assert stored(seeded).status == S.PUBLISHED
    version = draft.history.get()
    assert (version.history_user, version.history_change_reason) == (
        compliance_user,
        "Copied from version 1.",
    )
    assert all(c.history.count() == 1 for c in draft.criteria.all())


def test_a_second_copy_takes_the_next_free_version_number(seeded, compliance_user):
    standard_copy(standard=seeded, user=compliance_user)
    assert standard_copy(standard=seeded, user=compliance_user).version == 3


def test_editing_the_draft_copy_leaves_the_original_untouched(seeded, compliance_user):
    draft = standard_copy(standard=seeded, user=compliance_user)
    copy = draft.criteria.get(code="TEC-01")
    copy.weight, copy.question_en = 3, "Is access limited and reviewed quarterly?"
    criterion_save(criterion=copy, user=compliance_user)
    criterion_save(criterion=new_criterion(draft), user=compliance_user)
    draft.pass_score = Decimal("75.0")
    standard_save(standard=draft, user=compliance_user)

    original = seeded.criteria.get(code="TEC-01")
    assert (original.weight, original.question_en) == (
        5,
        "Is access to personal data limited to the staff who need it (access control)?",
    )
    assert stored(copy).weight == 3
    assert seeded.criteria.count() == 38 and draft.criteria.count() == 39
    assert stored(seeded).pass_score == Decimal("80.0")


# --- publish --------------------------------------------------------------------------------------------


def test_publishing_a_draft_retires_the_version_published_before(seeded, compliance_user):
    draft = standard_copy(standard=seeded, user=compliance_user)

    standard_publish(standard=draft, user=compliance_user)

    assert draft.status == S.PUBLISHED
    assert draft.published_on == timezone.localdate()
    assert stored(seeded).status == S.RETIRED
    assert current_standard() == draft
    assert draft.history.first().history_change_reason == "Published."
    assert seeded.history.first().history_change_reason == "Retired by version 2."


def test_publishing_does_not_retire_other_standards(seeded, compliance_user):
    other = StandardFactory(name="Another standard")
    CriterionFactory(standard=other)
    standard_publish(standard=other, user=compliance_user)
    assert stored(seeded).status == S.PUBLISHED
    assert stored(other).status == S.PUBLISHED


@pytest.mark.parametrize("status", [S.PUBLISHED, S.RETIRED])
def test_only_a_draft_can_be_published(compliance_user, status):
    standard = StandardFactory(name="Not a draft", status=status)
    CriterionFactory(standard=standard)
    assert refusal(standard_publish, standard=standard, user=compliance_user) == [
        f"Only a draft can be published; this version is {status}."
    ]
    assert stored(standard).status == status


def test_a_draft_without_criteria_cannot_be_published(seeded, compliance_user):
    empty = StandardFactory(name=NAME, version=2, copied_from=seeded)
    assert refusal(standard_publish, standard=empty, user=compliance_user) == [
        "A standard needs at least one criterion."
    ]
    assert stored(empty).status == S.DRAFT
    assert stored(seeded).status == S.PUBLISHED


def test_an_assessment_keeps_the_version_it_was_prepared_against(seeded, compliance_user, procurement_user):
    old = answered_assessment(VendorFactory(), preparer=procurement_user)
    draft = standard_copy(standard=seeded, user=compliance_user)
    tec01 = draft.criteria.get(code="TEC-01")
    tec01.weight = 1
    criterion_save(criterion=tec01, user=compliance_user)
    standard_publish(standard=draft, user=compliance_user)

    assessment_submit(assessment=old, user=procurement_user)

    old = stored(old)
    assert old.standard == seeded and stored(seeded).status == S.RETIRED
    assert set(old.answers.values_list("criterion__standard", flat=True)) == {seeded.pk}
    assert old.score == Decimal("100.0")
    new = assessment_create(vendor=VendorFactory(), user=procurement_user)
    assert new.standard == draft
    assert set(new.answers.values_list("criterion__standard", flat=True)) == {draft.pk}
    assert Assessment.objects.filter(standard=seeded).count() == 1


# --- who may change standards ---------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["copy", "publish", "save", "criterion"])
def test_procurement_may_not_change_standards(seeded, procurement_user, action):
    draft = StandardFactory(name="Draft standard")
    criterion = CriterionFactory(standard=draft)
    call = {
        "copy": lambda: standard_copy(standard=seeded, user=procurement_user),
        "publish": lambda: standard_publish(standard=draft, user=procurement_user),
        "save": lambda: standard_save(standard=draft, user=procurement_user),
        "criterion": lambda: criterion_save(criterion=criterion, user=procurement_user),
    }[action]
    with pytest.raises(PermissionDenied):
        call()
    assert Standard.objects.filter(name=NAME).count() == 1
    assert stored(draft).status == S.DRAFT
    assert not draft.history.exists() and not criterion.history.exists()


def test_compliance_may_add_a_criterion_to_a_draft(compliance_user):
    draft = StandardFactory(name="Draft standard")
    criterion = criterion_save(criterion=new_criterion(draft), user=compliance_user, reason="New rule.")
    assert stored(criterion).standard == draft
    version = criterion.history.get()
    assert (version.history_user, version.history_change_reason) == (compliance_user, "New rule.")


# --- criterion rules ------------------------------------------------------------------------------------


def test_a_code_is_unique_within_a_standard(compliance_user):
    draft = StandardFactory(name="Draft standard")
    CriterionFactory(standard=draft, code="TEC-01")
    assert refusal(criterion_save, criterion=new_criterion(draft, code="TEC-01"), user=compliance_user) == [
        "This code is used by another criterion of the standard."
    ]
    assert draft.criteria.count() == 1


def test_the_same_code_may_be_used_in_another_standard(seeded, compliance_user):
    draft = StandardFactory(name="Draft standard")
    criterion_save(criterion=new_criterion(draft, code="TEC-01"), user=compliance_user)
    assert Criterion.objects.filter(code="TEC-01").count() == 2


@pytest.mark.parametrize("weight", [0, 6])
def test_a_weight_outside_1_to_5_is_refused(compliance_user, weight):
    draft = StandardFactory(name="Draft standard")
    with pytest.raises(ValidationError) as error:
        criterion_save(criterion=new_criterion(draft, weight=weight), user=compliance_user)
    assert set(error.value.message_dict) == {"weight"}
    assert not draft.criteria.exists()


@pytest.mark.parametrize("weight", [1, 5])
def test_weights_1_and_5_are_accepted(compliance_user, weight):
    draft = StandardFactory(name="Draft standard")
    criterion_save(criterion=new_criterion(draft, weight=weight), user=compliance_user)
    assert draft.criteria.get().weight == weight
