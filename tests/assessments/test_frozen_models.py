"""A published standard is frozen in the models too, not only in clean() and the services: Criterion.save()
and delete() refuse a standard stored as published or retired, and Standard.save() refuses changes to what
defines a published or retired version. Publishing and retiring stay allowed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments.models import Category, Criterion, Standard
from assessments.services import standard_copy, standard_publish

from ..factories import CriterionFactory, StandardFactory

pytestmark = pytest.mark.django_db

S = Standard.Status
FROZEN = "The standard “{}” is {}: its criteria cannot change."


@pytest.fixture
def seeded():
    return Standard.objects.get(status=S.PUBLISHED)


def stored(obj):
    return type(obj).objects.get(pk=obj.pk)


def refused(action) -> list[str]:
    with pytest.raises(ValidationError) as error:
        action()
    return error.value.messages


def new_criterion(standard, code: str = "NEW-01") -> Criterion:
    return Criterion(
        standard=standard,
        code=code,
        category=Category.TECHNICAL,
        question_en="Are laptops encrypted?",
        question_ja="ノートPCを暗号化していますか。",
        weight=3,
    )


def vars_of(criterion: Criterion) -> dict:
    """The keyword arguments that create `criterion` through Criterion.objects.create()."""
    return {f.name: getattr(criterion, f.name) for f in Criterion._meta.concrete_fields if f.name != "id"}


def retired_standard() -> Standard:
    """Built as a draft, then published and retired: no longer the object that wrote it."""
    standard = StandardFactory(name="Old standard")
    CriterionFactory(standard=standard, code="OLD-01", weight=2)
    for status in (S.PUBLISHED, S.RETIRED):
        standard.status = status
        standard.save()
    return stored(standard)


# --- criteria -------------------------------------------------------------------------------------------


def test_a_criterion_of_a_published_standard_cannot_be_saved(seeded):
    criterion = seeded.criteria.get(code="TEC-01")
    criterion.weight = 1
    assert refused(criterion.save) == [FROZEN.format(seeded, "published")]
    assert stored(criterion).weight == 5
    assert not criterion.history.exists()


def test_no_criterion_can_be_created_in_a_published_standard(seeded):
    assert refused(lambda: Criterion.objects.create(**vars_of(new_criterion(seeded)))) == [
        FROZEN.format(seeded, "published")
    ]
    assert refused(new_criterion(seeded).save) == [FROZEN.format(seeded, "published")]
    assert seeded.criteria.count() == 38


def test_a_criterion_of_a_published_standard_cannot_be_deleted(seeded):
    criterion = seeded.criteria.get(code="TEC-01")
    assert refused(criterion.delete) == [FROZEN.format(seeded, "published")]
    assert seeded.criteria.filter(code="TEC-01").exists()
    assert not criterion.history.exists()


def test_a_criterion_of_a_retired_standard_cannot_be_saved_deleted_or_added():
    standard = retired_standard()
    criterion = standard.criteria.get()
    criterion.weight = 4
    message = [FROZEN.format(standard, "retired")]
    assert refused(criterion.save) == message
    assert refused(criterion.delete) == message
    assert refused(new_criterion(standard).save) == message
    assert list(standard.criteria.values_list("code", "weight")) == [("OLD-01", 2)]


def test_a_criterion_can_be_moved_neither_out_of_nor_into_a_published_standard(seeded):
    draft = StandardFactory(name="Draft standard")
    published = seeded.criteria.get(code="TEC-01")
    published.standard = draft
    assert refused(published.save) == [FROZEN.format(seeded, "published")]
    criterion = CriterionFactory(standard=draft, code="DRF-01")
    criterion.standard = stored(seeded)
    assert refused(criterion.save) == [FROZEN.format(seeded, "published")]
    assert stored(criterion).standard == draft and stored(published).standard == seeded


def test_the_criteria_of_a_draft_can_be_added_changed_and_deleted():
    draft = StandardFactory(name="Draft standard")
    criterion = new_criterion(stored(draft))
    criterion.save()
    criterion.weight = 5
    criterion.save()
    assert stored(criterion).weight == 5
    criterion.delete()
    assert not draft.criteria.exists()


def test_a_standard_written_already_published_gets_its_criteria_through_the_object_that_wrote_it():
    """As outside code sets a standard up, or a data load: one act of writing; read back, it is frozen."""
    standard = Standard.objects.create(name="Outside standard", status=S.PUBLISHED)
    Criterion.objects.create(**vars_of(new_criterion(standard, "OUT-01")))
    Criterion.objects.create(**vars_of(new_criterion(standard, "OUT-02")))
    assert standard.criteria.count() == 2

    read_back = stored(standard)
    assert refused(new_criterion(read_back, "OUT-03").save) == [FROZEN.format(standard, "published")]
    written = standard.criteria.get(code="OUT-01")
    written.weight = 1
    assert refused(written.save) == [FROZEN.format(standard, "published")]


def test_building_a_new_version_through_the_services_still_works(seeded, compliance_user):
    draft = standard_copy(standard=seeded, user=compliance_user)
    standard_publish(standard=draft, user=compliance_user)
    assert stored(draft).criteria.count() == 38
    assert (stored(draft).status, stored(seeded).status) == (S.PUBLISHED, S.RETIRED)


# --- the standard itself --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, label",
    [
        ("pass_score", Decimal("95.0"), "pass score"),
        ("conditional_score", Decimal("10.0"), "conditional score"),
        ("name", "Renamed standard", "name"),
        ("version", 7, "version"),
    ],
)
def test_what_defines_a_published_standard_cannot_change(seeded, field, value, label):
    before = getattr(seeded, field)
    setattr(seeded, field, value)
    assert refused(seeded.save) == [
        f"The standard “{stored(seeded)}” is published: its {label} cannot change; "
        "copy it to a new draft version to change it."
    ]
    assert getattr(stored(seeded), field) == before
    assert not seeded.history.filter(history_type="~").exists()


def test_every_changed_field_of_a_retired_standard_is_named():
    standard = retired_standard()
    standard.pass_score, standard.conditional_score = Decimal("90.0"), Decimal("70.0")
    assert refused(standard.save) == [
        f"The standard “{standard}” is retired: its pass score, conditional score cannot change; "
        "copy it to a new draft version to change it."
    ]


def test_a_published_standard_cannot_go_back_to_draft(seeded):
    seeded.status = S.DRAFT
    assert refused(seeded.save) == [
        f"The standard “{seeded}” is published: it cannot go back to draft; "
        "copy it to a new draft version to change it."
    ]
    assert stored(seeded).status == S.PUBLISHED


def test_retiring_and_an_unchanged_save_are_allowed(seeded):
    seeded.pass_score = Decimal("80")  # the stored value, written differently
    seeded.save()
    seeded.status = S.RETIRED
    seeded.save()
    assert stored(seeded).status == S.RETIRED


def test_a_draft_standard_can_change_freely():
    draft = StandardFactory(name="Draft standard")
    draft.name, draft.pass_score, draft.conditional_score = "Renamed draft", Decimal("90.0"), Decimal("75.0")
    draft.save()
    assert (stored(draft).name, stored(draft).pass_score) == ("Renamed draft", Decimal("90.0"))
