"""Joint use (Art. 27(5)(iii)): publishing the particulars; the change rules of Art. 27(6) for versions."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from transfers.models import JointUseArrangement
from transfers.services import joint_use_publish, joint_use_revise, joint_use_save

from ..factories import JointUseArrangementFactory, JointUserFactory

pytestmark = pytest.mark.django_db

J = JointUseArrangement
NOTICE, EFFECTIVE = date(2026, 4, 1), date(2026, 5, 1)

ADVANCE_NOTICE_MISSING = (
    "Changed purposes or a new responsible party must be notified in advance: give the notice date and the "
    "date the change takes effect."
)
ADVANCE_NOTICE_LATE = "The notice ({notice}) must come on or before the change takes effect ({effective})."
ITEMS_NEED_CONSENT = (
    "The data items jointly used cannot change without the principals' prior consent (Art. 27(6)): "
    "record that basis."
)
SCOPE_NEEDS_BASIS = (
    "The scope of joint users cannot change unless the principals consented, a joint user was renamed, or "
    "a business was succeeded: record which."
)
NOTHING_CHANGES = "Nothing changes: no new version is needed."
ONLY_PUBLISHED = "Only the published version can be revised."
PUBLISHED_IS_REVISED = "A published arrangement is changed by revising it into a new version."
NO_NOTICE_DATE = "Record when the particulars were notified or made readily accessible."
TITLE_TAKEN = "Another joint-use arrangement already has this title."


@pytest.fixture
def joint_users():
    return [JointUserFactory(name="Sister Retail K.K."), JointUserFactory(name="Sister Finance K.K.")]


@pytest.fixture
def published(joint_users):
    return JointUseArrangementFactory(
        title="Group customer data",
        status=J.Status.PUBLISHED,
        notice_published_on=date(2025, 3, 1),
        effective_on=date(2025, 4, 1),
        joint_users=joint_users,
    )


def revise(arrangement, user, changes, **kwargs):
    return joint_use_revise(arrangement=arrangement, user=user, changes=changes, **kwargs)


def refusal(arrangement, user, changes, **kwargs) -> list[str]:
    versions = J.objects.count()
    with pytest.raises(ValidationError) as error:
        revise(arrangement, user, changes, **kwargs)
    assert J.objects.count() == versions
    assert J.objects.get(pk=arrangement.pk).status == arrangement.status
    return error.value.messages


# --- the responsible party ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("responsible_party_name", "Example Group Holdings K.K."),
        ("responsible_party_address", "2-2 Otemachi, Chiyoda-ku, Tokyo"),
        ("responsible_party_representative", "Hanako Suzuki, President"),
    ],
)
def test_a_new_name_address_or_representative_of_the_responsible_party_is_a_version_to_notify_without_delay(
    published, compliance_user, field, value
):
    revision = revise(published, compliance_user, {field: value})
    assert getattr(revision, field) == value
    assert revision.notify_without_delay is True
    assert J.objects.get(pk=revision.pk).notify_without_delay is True


def test_a_change_of_the_responsible_partys_details_needs_no_advance_notice(published, compliance_user):
    revision = revise(published, compliance_user, {"responsible_party_name": "Renamed Holdings K.K."})
    assert revision.version == 2


def test_a_replaced_responsible_party_without_the_notice_dates_is_refused(published, compliance_user):
    changes = {"responsible_party_replaced": True, "responsible_party_name": "Another Company K.K."}
    assert refusal(published, compliance_user, changes) == [ADVANCE_NOTICE_MISSING]


def test_a_replaced_responsible_party_notified_after_the_change_takes_effect_is_refused(
    published, compliance_user
):
    changes = {"responsible_party_replaced": True, "responsible_party_name": "Another Company K.K."}
    assert refusal(
        published, compliance_user, changes, notice_published_on=EFFECTIVE, effective_on=NOTICE
    ) == [ADVANCE_NOTICE_LATE.format(notice=EFFECTIVE, effective=NOTICE)]


@pytest.mark.parametrize("notice", [NOTICE, EFFECTIVE], ids=["before", "same_day"])
def test_a_replaced_responsible_party_notified_in_advance_is_a_new_version_not_flagged_for_later_notice(
    published, compliance_user, notice
):
    changes = {
        "responsible_party_replaced": True,
        "responsible_party_name": "Another Company K.K.",
        "responsible_party_address": "3-3 Umeda, Osaka",
        "responsible_party_representative": "Jiro Tanaka, President",
    }
    revision = revise(published, compliance_user, changes, notice_published_on=notice, effective_on=EFFECTIVE)
    assert revision.responsible_party_name == "Another Company K.K."
    assert (revision.notice_published_on, revision.effective_on) == (notice, EFFECTIVE)
    assert revision.notify_without_delay is False


# --- purposes -----------------------------------------------------------------------------------------------

NEW_PURPOSES = "Customer support, product information and joint marketing across the group."


@pytest.mark.parametrize(
    "dates",
    [{}, {"notice_published_on": NOTICE}, {"effective_on": EFFECTIVE}],
    ids=["neither", "no_effective_date", "no_notice_date"],
)
def test_changed_purposes_without_both_notice_dates_are_refused(published, compliance_user, dates):
    assert refusal(published, compliance_user, {"purposes": NEW_PURPOSES}, **dates) == [
        ADVANCE_NOTICE_MISSING
    ]


def test_changed_purposes_notified_after_the_change_takes_effect_are_refused(published, compliance_user):
    late = date(2026, 5, 2)
    assert refusal(
        published,
        compliance_user,
        {"purposes": NEW_PURPOSES},
        notice_published_on=late,
        effective_on=EFFECTIVE,
    ) == [ADVANCE_NOTICE_LATE.format(notice=late, effective=EFFECTIVE)]


@pytest.mark.parametrize("notice", [EFFECTIVE, NOTICE], ids=["same_day", "earlier"])
def test_changed_purposes_notified_on_or_before_the_change_takes_effect_are_allowed(
    published, compliance_user, notice
):
    revision = revise(
        published,
        compliance_user,
        {"purposes": NEW_PURPOSES},
        notice_published_on=notice,
        effective_on=EFFECTIVE,
    )
    assert revision.purposes == NEW_PURPOSES
    assert revision.notify_without_delay is False


# --- data items ---------------------------------------------------------------------------------------------

NEW_ITEMS = "Name, address, telephone number, purchase history, date of birth."


@pytest.mark.parametrize("basis", ["", J.ChangeBasis.RENAME, J.ChangeBasis.BUSINESS_SUCCESSION])
def test_changed_data_items_without_the_principals_consent_are_refused(published, compliance_user, basis):
    assert refusal(published, compliance_user, {"data_items": NEW_ITEMS}, change_basis=basis) == [
        ITEMS_NEED_CONSENT
    ]


def test_changed_data_items_with_the_principals_prior_consent_are_allowed(published, compliance_user):
    revision = revise(
        published, compliance_user, {"data_items": NEW_ITEMS}, change_basis=J.ChangeBasis.CONSENT
    )
    assert revision.data_items == NEW_ITEMS
    assert revision.change_basis == J.ChangeBasis.CONSENT


# --- scope of joint users -----------------------------------------------------------------------------------


def scope_changes(joint_users):
    return {
        "joint_users": {"joint_users": [*joint_users, JointUserFactory(name="New Sister K.K.")]},
        "scope_description": {"scope_description": "Every company of the group, including affiliates."},
    }


@pytest.mark.parametrize("what", ["joint_users", "scope_description"])
def test_a_changed_scope_of_joint_users_without_a_basis_is_refused(
    published, compliance_user, joint_users, what
):
    assert refusal(published, compliance_user, scope_changes(joint_users)[what]) == [SCOPE_NEEDS_BASIS]


@pytest.mark.parametrize("basis", J.ChangeBasis.values)
@pytest.mark.parametrize("what", ["joint_users", "scope_description"])
def test_a_changed_scope_of_joint_users_is_allowed_with_consent_a_renaming_or_a_business_succession(
    published, compliance_user, joint_users, what, basis
):
    changes = scope_changes(joint_users)[what]
    revision = revise(published, compliance_user, changes, change_basis=basis)
    assert revision.change_basis == basis
    if what == "joint_users":
        assert set(revision.joint_users.all()) == set(changes["joint_users"])
    else:
        assert revision.scope_description == changes["scope_description"]


def test_removing_a_joint_user_is_a_change_of_scope(published, compliance_user, joint_users):
    assert refusal(published, compliance_user, {"joint_users": joint_users[:1]}) == [SCOPE_NEEDS_BASIS]


def test_joint_users_given_as_primary_keys_in_another_order_are_no_change(
    published, compliance_user, joint_users
):
    changes = {"joint_users": [joint_users[1].pk, joint_users[0].pk]}
    assert refusal(published, compliance_user, changes) == [NOTHING_CHANGES]


# --- what cannot be revised ---------------------------------------------------------------------------------


def test_a_revision_that_changes_nothing_is_refused(published, compliance_user):
    assert refusal(published, compliance_user, {}) == [NOTHING_CHANGES]


def test_a_revision_repeating_the_current_particulars_is_refused(published, compliance_user):
    changes = {"purposes": published.purposes, "responsible_party_name": published.responsible_party_name}
    assert refusal(published, compliance_user, changes) == [NOTHING_CHANGES]


@pytest.mark.parametrize("status", [J.Status.DRAFT, J.Status.RETIRED])
def test_only_the_published_version_can_be_revised(compliance_user, status):
    arrangement = JointUseArrangementFactory(status=status)
    assert refusal(arrangement, compliance_user, {"responsible_party_name": "Renamed K.K."}) == [
        ONLY_PUBLISHED
    ]


def test_particulars_outside_the_arrangement_cannot_be_revised(published, compliance_user):
    with pytest.raises(ValidationError) as error:
        revise(published, compliance_user, {"version": 7, "status": "draft"})
    assert error.value.messages == ["These particulars cannot be revised: status, version."]


def test_only_compliance_revises_an_arrangement(published, procurement_user):
    with pytest.raises(PermissionDenied):
        revise(published, procurement_user, {"responsible_party_name": "Renamed K.K."})
    assert J.objects.count() == 1


# --- the new version ----------------------------------------------------------------------------------------


def test_the_new_version_follows_the_previous_one_which_is_retired(published, compliance_user, joint_users):
    revision = revise(
        published,
        compliance_user,
        {"purposes": NEW_PURPOSES},
        notice_published_on=NOTICE,
        effective_on=EFFECTIVE,
    )
    revision = J.objects.get(pk=revision.pk)
    assert revision.version == published.version + 1 == 2
    assert revision.previous == published
    assert revision.status == J.Status.PUBLISHED
    assert set(revision.joint_users.all()) == set(joint_users)
    assert revision.title == "Group customer data"
    for field in ("data_items", "scope_description", "notice_method", "responsible_party_name"):
        assert getattr(revision, field) == getattr(published, field), field
    assert (revision.notice_published_on, revision.effective_on) == (NOTICE, EFFECTIVE)
    previous = J.objects.get(pk=published.pk)
    assert previous.status == J.Status.RETIRED
    assert previous.next_version == revision
    assert revision.history.get().history_change_reason == "Version 2."
    assert previous.history.latest().history_change_reason == "Replaced by version 2."


def test_a_third_version_revises_the_second(published, compliance_user):
    second = revise(published, compliance_user, {"responsible_party_name": "Renamed K.K."})
    third = revise(second, compliance_user, {"responsible_party_address": "4-4 Shibuya, Tokyo"})
    assert (third.version, third.previous, third.responsible_party_name) == (3, second, "Renamed K.K.")
    assert J.objects.get(pk=second.pk).status == J.Status.RETIRED
    assert list(J.objects.filter(title="Group customer data").values_list("version", "status")) == [
        (3, "published"),
        (2, "retired"),
        (1, "retired"),
    ]


def test_the_retired_version_cannot_be_revised_again(published, compliance_user):
    revise(published, compliance_user, {"responsible_party_name": "Renamed K.K."})
    published.refresh_from_db()
    assert refusal(published, compliance_user, {"responsible_party_name": "Again K.K."}) == [ONLY_PUBLISHED]


# --- titles and lineage -------------------------------------------------------------------------------------


def untitled(**fields):
    """An arrangement created with the ORM from the particulars alone, as an outside caller would."""
    values = {
        "data_items": "Name, e-mail address.",
        "scope_description": "The company's consolidated subsidiaries.",
        "purposes": "Customer support.",
        "responsible_party_name": "Example Holdings K.K.",
        "responsible_party_address": "1-1 Marunouchi, Chiyoda-ku, Tokyo",
        "responsible_party_representative": "Taro Yamada, President",
        "notice_published_on": date(2025, 3, 1),
        "effective_on": date(2025, 4, 1),
        "status": J.Status.PUBLISHED,
    }
    values.update(fields)
    return J.objects.create(**values)


def test_arrangements_need_no_title_and_are_named_by_their_responsible_party():
    first = untitled()
    second = untitled(responsible_party_name="Other Holdings K.K.")
    assert J.objects.count() == 2
    assert (str(first), str(second)) == (
        "Joint use of Example Holdings K.K. v1",
        "Joint use of Other Holdings K.K. v1",
    )


def test_an_untitled_arrangement_is_revised_into_its_next_version(compliance_user):
    first = untitled()
    second = revise(first, compliance_user, {"responsible_party_address": "2-2 Otemachi, Tokyo"})
    assert (second.title, second.version, second.previous) == ("", 2, first)


def test_a_second_arrangement_with_a_title_already_used_is_refused(published, compliance_user):
    with pytest.raises(ValidationError) as error:
        joint_use_save(
            arrangement=JointUseArrangementFactory.build(title=published.title), user=compliance_user
        )
    assert error.value.messages == [TITLE_TAKEN]
    assert J.objects.count() == 1


def test_a_version_cannot_have_two_successors(published, compliance_user):
    revise(published, compliance_user, {"responsible_party_name": "Renamed K.K."})
    rival = JointUseArrangementFactory.build(title="", version=2, previous=published)
    with pytest.raises(ValidationError) as error:
        rival.full_clean()
    assert "previous" in error.value.message_dict


# --- drafts and publishing ----------------------------------------------------------------------------------


def test_a_draft_can_be_edited(compliance_user, joint_users):
    draft = JointUseArrangementFactory()
    draft.purposes = "Changed while still a draft."
    joint_use_save(arrangement=draft, user=compliance_user, joint_users=joint_users)
    stored = J.objects.get(pk=draft.pk)
    assert stored.purposes == "Changed while still a draft."
    assert set(stored.joint_users.all()) == set(joint_users)


def test_joint_use_save_refuses_to_edit_a_published_arrangement(published, compliance_user):
    published.purposes = "Edited in place."
    with pytest.raises(ValidationError) as error:
        joint_use_save(arrangement=published, user=compliance_user)
    assert error.value.messages == [PUBLISHED_IS_REVISED]
    assert (
        J.objects.get(pk=published.pk).purposes
        == "Customer support and product information across the group."
    )


def test_only_compliance_creates_an_arrangement(procurement_user):
    with pytest.raises(PermissionDenied):
        joint_use_save(arrangement=JointUseArrangementFactory.build(), user=procurement_user)
    assert not J.objects.exists()


def test_publishing_needs_the_date_the_particulars_were_made_accessible(compliance_user):
    draft = JointUseArrangementFactory(notice_published_on=None)
    with pytest.raises(ValidationError) as error:
        joint_use_publish(arrangement=draft, user=compliance_user)
    assert error.value.messages == [NO_NOTICE_DATE]
    assert J.objects.get(pk=draft.pk).status == J.Status.DRAFT


def test_publishing_with_the_notice_date_makes_the_draft_published(compliance_user):
    draft = JointUseArrangementFactory(notice_published_on=NOTICE, effective_on=EFFECTIVE)
    joint_use_publish(arrangement=draft, user=compliance_user)
    stored = J.objects.get(pk=draft.pk)
    assert stored.status == J.Status.PUBLISHED
    assert stored.history.latest().history_change_reason == "Published."


def test_publishing_after_joint_use_starts_is_refused(compliance_user):
    draft = JointUseArrangementFactory(notice_published_on=EFFECTIVE, effective_on=NOTICE)
    with pytest.raises(ValidationError) as error:
        joint_use_publish(arrangement=draft, user=compliance_user)
    assert error.value.messages == ["The particulars must be published before joint use starts."]


def test_a_published_arrangement_cannot_be_published_again(published, compliance_user):
    with pytest.raises(ValidationError) as error:
        joint_use_publish(arrangement=published, user=compliance_user)
    assert error.value.messages == ["Only a draft can be published."]


# --- the "change needing notice" filter ---------------------------------------------------------------------


def test_the_needs_notice_filter_lists_published_revisions_still_to_notify_and_nothing_else(viewer_client):
    today = timezone.localdate()

    def revision(title, *, status=J.Status.PUBLISHED, effective_on, notify_without_delay=False):
        JointUseArrangementFactory(
            title=title,
            version=2,
            previous=JointUseArrangementFactory(title=title, status=J.Status.RETIRED),
            status=status,
            effective_on=effective_on,
            notify_without_delay=notify_without_delay,
        )

    revision("Announced ahead", effective_on=today + timedelta(days=1))
    revision("New party, 30 days ago", effective_on=today - timedelta(days=30), notify_without_delay=True)
    revision("New party, 31 days ago", effective_on=today - timedelta(days=31), notify_without_delay=True)
    revision("In effect since yesterday", effective_on=today - timedelta(days=1))
    revision("Draft announced ahead", status=J.Status.DRAFT, effective_on=today + timedelta(days=1))
    JointUseArrangementFactory(
        title="Never revised", status=J.Status.PUBLISHED, effective_on=today + timedelta(days=1)
    )

    def listed(value) -> set[tuple[str, int]]:
        page = viewer_client.get(reverse("transfers:joint_use_list"), {"needs_notice": value})
        return {(arrangement.title, arrangement.version) for arrangement in page.context["object_list"]}

    needing_notice = {("Announced ahead", 2), ("New party, 30 days ago", 2)}
    assert listed("true") == needing_notice
    assert (
        listed("false") == set(JointUseArrangement.objects.values_list("title", "version")) - needing_notice
    )
    assert len(listed("false")) == 9
