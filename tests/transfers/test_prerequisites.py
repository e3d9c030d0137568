"""What each legal route of APPI Art. 28 needs before personal data goes abroad, and activating a transfer."""

from datetime import datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from transfers.models import ConsentRecord, Country, ForeignTransfer
from transfers.services import (
    consent_record_save,
    transfer_activate,
    transfer_unmet_prerequisites,
    unmet_transfer_ids,
)

from ..factories import (
    ConsentRecordFactory,
    ConsentTransferFactory,
    CountryFactory,
    ForeignTransferFactory,
    ForeignVendorFactory,
    PeriodicCheckFactory,
    SystemTransferFactory,
    UserFactory,
    pdf_file,
    seeded_country,
)

pytestmark = pytest.mark.django_db

Route = ForeignTransfer.Route
Status = ForeignTransfer.Status

NO_COUNTRY = "Name the country of the recipient."
NOT_EQUIVALENT = "United States is not designated by the PPC as an equivalent country: choose another route."
NO_ORDINARY_BASIS = (
    "Record the ordinary basis of the provision (consent or an Art. 27 exception): "
    "an equivalent country still needs one."
)
NO_BASIS = "Record how the standard-conforming system is ensured (contract, group rules or APEC CBPR)."
NO_BASIS_DOCUMENT = "Attach the document establishing the system (contract, rules or certificate)."
NO_CHECK = (
    "No periodic check is recorded: check the recipient's implementation and the foreign laws affecting it "
    "at least once a year."
)
OLD_CHECK = "The last periodic check ({date}) is more than 12 months old."
DIFFICULT = "The check of {date} found continued implementation difficult: provision must stop."
CORRECTION_OVERDUE = "The correction demanded on {date} was due on {due} and no later check shows it done."
NO_CONSENT = "No consent record: record the information given and the consent obtained."
INFORMATION_AFTER_CONSENT = (
    "The information was given on {given}, after consent was obtained on {obtained}: it must come before."
)
NO_UNIDENTIFIED_REASON = "Say why the country could not be identified."
NO_SUBSTITUTE = "Record the substitute information given (e.g. candidate countries)."
NAME_OR_UNIDENTIFIED = "Name the country, or record that it could not be identified."
NO_COUNTRY_NAME_GIVEN = "Record the country name given to the principals."
NO_SYSTEM_SHOWN = "Record the country's protection system as it was shown to the principals."
STALE_SHOWN = "The country information shown was more than 12 months old when consent was obtained."
REVIEWED_AFTER_GIVEN = (
    "The country information recorded was reviewed on {reviewed}, after it was given to the principals on "
    "{given}: it cannot be what they were shown."
)
NO_HOW_GIVEN = "Record how the information was given to the principals."
NO_MEASURES = "Record the measures the recipient takes, as told to the principals."
NO_MEASURES_REASON = "Say why the recipient's measures could not be known."
NO_WHOSE_OR_HOW = "Record whose consent it is and how it was obtained."
NO_EVIDENCE = "Attach the evidence of the consent (form, screen capture, log)."
NO_GROUND = "Record which ground of Art. 27(1) applies."
NO_JUSTIFICATION = "Justify why the exception applies."


def today():
    return timezone.localdate()


def unmet(transfer) -> list[str]:
    """The prerequisites of the transfer as stored (read again, so nothing cached hides a change)."""
    return transfer_unmet_prerequisites(ForeignTransfer.objects.get(pk=transfer.pk))


def us():
    return seeded_country("US")


def legal_exception_transfer(**kwargs):
    values = {
        "country": us(),
        "route": Route.LEGAL_EXCEPTION,
        "relationship": ForeignTransfer.Relationship.THIRD_PARTY_PROVISION,
        "legal_ground": ForeignTransfer.LegalGround.LAWS,
        "legal_justification": "A foreign court order served on the group company requires it.",
    }
    values.update(kwargs)
    return ForeignTransferFactory(**values)


def consent_transfer_with(**consent) -> ForeignTransfer:
    """A consent-route transfer whose (only) consent record has the fields given over a complete one."""
    transfer_fields = {
        k[len("transfer__") :]: consent.pop(k) for k in list(consent) if k.startswith("transfer__")
    }
    transfer = ConsentTransferFactory(**transfer_fields)
    ConsentRecordFactory(transfer=transfer, **consent)
    return transfer


# --- (a) equivalent country ---------------------------------------------------------------------------------


def test_an_entrustment_to_an_equivalent_country_meets_every_prerequisite():
    assert unmet(ForeignTransferFactory(country=seeded_country("DE"))) == []


def test_a_country_the_ppc_has_not_designated_is_refused_on_the_equivalent_country_route():
    assert unmet(ForeignTransferFactory(country=us())) == [NOT_EQUIVALENT]


def test_the_united_kingdom_counts_as_an_equivalent_country():
    assert unmet(ForeignTransferFactory(country=seeded_country("GB"))) == []


def test_a_third_party_provision_to_an_equivalent_country_without_an_ordinary_basis_is_refused():
    transfer = ForeignTransferFactory(relationship=ForeignTransfer.Relationship.THIRD_PARTY_PROVISION)
    assert unmet(transfer) == [NO_ORDINARY_BASIS]


@pytest.mark.parametrize("basis", ForeignTransfer.OrdinaryBasis.values)
def test_a_third_party_provision_to_an_equivalent_country_with_an_ordinary_basis_is_accepted(basis):
    transfer = ForeignTransferFactory(
        relationship=ForeignTransfer.Relationship.THIRD_PARTY_PROVISION, ordinary_basis=basis
    )
    assert unmet(transfer) == []


@pytest.mark.parametrize(
    "relationship", [ForeignTransfer.Relationship.ENTRUSTMENT, ForeignTransfer.Relationship.JOINT_USE]
)
def test_an_entrustment_or_joint_use_to_an_equivalent_country_needs_no_separate_ordinary_basis(relationship):
    assert unmet(ForeignTransferFactory(relationship=relationship, ordinary_basis="")) == []


# --- the country --------------------------------------------------------------------------------------------


def test_a_transfer_without_a_country_is_refused_on_the_equivalent_country_route():
    assert unmet(ForeignTransferFactory(country=None)) == [NO_COUNTRY]


def checked(transfer):
    """The transfer with a recent `ok` check, so that only the rule under test is unmet."""
    PeriodicCheckFactory(transfer=transfer)
    return transfer


def test_a_transfer_without_a_country_is_refused_on_the_standard_conforming_system_route():
    assert unmet(checked(SystemTransferFactory(country=None))) == [NO_COUNTRY]


def test_a_transfer_without_a_country_is_refused_on_the_legal_exception_route():
    assert unmet(legal_exception_transfer(country=None)) == [NO_COUNTRY]


def test_the_consent_route_alone_may_leave_the_country_open_when_consent_says_it_could_not_be_identified():
    transfer = consent_transfer_with(
        transfer__country=None,
        country_unidentified=True,
        country_unidentified_reason="The cloud region is chosen by the provider at run time.",
        substitute_information="Candidate countries: United States, Singapore.",
    )
    assert unmet(transfer) == []


# --- (b) standard-conforming system -------------------------------------------------------------------------


def test_a_planned_transfer_needs_a_first_check_of_the_system_before_provision_starts():
    assert unmet(SystemTransferFactory()) == [NO_CHECK]


def test_a_planned_transfer_with_its_basis_document_and_a_recent_check_meets_every_prerequisite():
    assert unmet(checked(SystemTransferFactory())) == []


def test_a_transfer_relying_on_a_standard_conforming_system_needs_its_basis():
    assert unmet(checked(SystemTransferFactory(basis=""))) == [NO_BASIS]


def test_a_transfer_relying_on_a_standard_conforming_system_needs_the_document_establishing_it():
    assert unmet(checked(SystemTransferFactory(basis_document=""))) == [NO_BASIS_DOCUMENT]


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.SUSPENDED])
def test_once_provision_has_started_a_periodic_check_must_be_recorded(status):
    transfer = SystemTransferFactory(status=status, started_on=today() - timedelta(days=10))
    assert unmet(transfer) == [NO_CHECK]


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.SUSPENDED])
def test_a_started_transfer_with_a_recent_ok_check_meets_every_prerequisite(status):
    transfer = SystemTransferFactory(status=status, started_on=today() - timedelta(days=100))
    PeriodicCheckFactory(transfer=transfer, checked_on=today() - timedelta(days=30))
    assert unmet(transfer) == []


def test_a_last_check_more_than_12_months_old_is_refused_on_an_active_transfer():
    transfer = SystemTransferFactory(status=Status.ACTIVE, started_on=today() - timedelta(days=800))
    checked_on = today() - relativedelta(months=12) - timedelta(days=1)
    PeriodicCheckFactory(transfer=transfer, checked_on=checked_on)
    assert unmet(transfer) == [OLD_CHECK.format(date=checked_on)]


def test_a_last_check_exactly_12_months_old_is_still_accepted():
    transfer = SystemTransferFactory(status=Status.ACTIVE, started_on=today() - timedelta(days=800))
    PeriodicCheckFactory(transfer=transfer, checked_on=today() - relativedelta(months=12))
    assert unmet(transfer) == []


def test_once_checks_exist_an_old_last_check_is_refused_even_on_a_planned_transfer():
    transfer = SystemTransferFactory(status=Status.PLANNED)
    checked_on = today() - relativedelta(months=13)
    PeriodicCheckFactory(transfer=transfer, checked_on=checked_on)
    assert unmet(transfer) == [OLD_CHECK.format(date=checked_on)]


def test_only_the_latest_check_counts_for_its_age():
    transfer = SystemTransferFactory(status=Status.ACTIVE, started_on=today() - timedelta(days=800))
    PeriodicCheckFactory(transfer=transfer, checked_on=today() - timedelta(days=700))
    PeriodicCheckFactory(transfer=transfer, checked_on=today() - timedelta(days=20))
    assert unmet(transfer) == []


def impeded_check(transfer, *, checked_on, due):
    return PeriodicCheckFactory(
        transfer=transfer,
        checked_on=checked_on,
        result="impeded",
        impediments="Access logs are not kept.",
        actions_demanded="Keep access logs for a year.",
        correction_due_on=due,
    )


@pytest.fixture
def active_system_transfer():
    return SystemTransferFactory(status=Status.ACTIVE, started_on=today() - timedelta(days=400))


def test_an_impeded_check_whose_correction_is_overdue_is_refused(active_system_transfer):
    checked_on, due = today() - timedelta(days=60), today() - timedelta(days=1)
    impeded_check(active_system_transfer, checked_on=checked_on, due=due)
    assert unmet(active_system_transfer) == [CORRECTION_OVERDUE.format(date=checked_on, due=due)]


@pytest.mark.parametrize("days_left", [0, 1, 30])
def test_an_impeded_check_whose_correction_is_not_yet_due_is_accepted(active_system_transfer, days_left):
    impeded_check(
        active_system_transfer,
        checked_on=today() - timedelta(days=10),
        due=today() + timedelta(days=days_left),
    )
    assert unmet(active_system_transfer) == []


def test_an_overdue_correction_followed_by_a_later_ok_check_is_accepted(active_system_transfer):
    impeded_check(
        active_system_transfer, checked_on=today() - timedelta(days=60), due=today() - timedelta(days=30)
    )
    PeriodicCheckFactory(transfer=active_system_transfer, checked_on=today() - timedelta(days=5))
    assert unmet(active_system_transfer) == []


def test_a_check_finding_continued_implementation_difficult_is_refused(active_system_transfer):
    checked_on = today() - timedelta(days=3)
    PeriodicCheckFactory(
        transfer=active_system_transfer,
        checked_on=checked_on,
        result="difficult",
        impediments="A serious leak without any recurrence prevention.",
    )
    assert unmet(active_system_transfer) == [DIFFICULT.format(date=checked_on)]


def test_a_difficult_check_followed_by_a_later_ok_check_is_accepted(active_system_transfer):
    PeriodicCheckFactory(
        transfer=active_system_transfer, checked_on=today() - timedelta(days=40), result="difficult"
    )
    PeriodicCheckFactory(transfer=active_system_transfer, checked_on=today() - timedelta(days=2))
    assert unmet(active_system_transfer) == []


# --- (c) consent --------------------------------------------------------------------------------------------


def test_a_consent_route_transfer_without_a_consent_record_is_refused():
    assert unmet(ConsentTransferFactory()) == [NO_CONSENT]


def test_a_complete_consent_record_meets_every_prerequisite():
    assert unmet(consent_transfer_with()) == []


def test_information_given_after_consent_was_obtained_is_refused():
    obtained = today() - timedelta(days=10)
    given = obtained + timedelta(days=1)
    transfer = consent_transfer_with(obtained_on=obtained, information_given_on=given)
    assert unmet(transfer) == [INFORMATION_AFTER_CONSENT.format(given=given, obtained=obtained)]


def test_information_given_on_the_day_consent_was_obtained_is_accepted():
    obtained = today() - timedelta(days=10)
    assert unmet(consent_transfer_with(obtained_on=obtained, information_given_on=obtained)) == []


def test_only_the_latest_consent_record_is_judged():
    transfer = ConsentTransferFactory()
    ConsentRecordFactory(transfer=transfer, obtained_on=today() - timedelta(days=400), evidence="")
    ConsentRecordFactory(transfer=transfer, obtained_on=today() - timedelta(days=5))
    assert unmet(transfer) == []


def test_an_unidentified_country_needs_the_reason_and_the_substitute_information():
    transfer = consent_transfer_with(transfer__country=None, country_unidentified=True)
    assert unmet(transfer) == [NO_UNIDENTIFIED_REASON, NO_SUBSTITUTE]


def test_an_unidentified_country_with_a_blank_reason_is_refused():
    transfer = consent_transfer_with(
        transfer__country=None,
        country_unidentified=True,
        country_unidentified_reason="   ",
        substitute_information="Candidate countries: United States, Singapore.",
    )
    assert unmet(transfer) == [NO_UNIDENTIFIED_REASON]


def test_a_consent_route_transfer_without_a_country_needs_it_named_or_recorded_as_unidentified():
    transfer = consent_transfer_with(transfer__country=None, country_name_given="United States")
    assert unmet(transfer) == [NAME_OR_UNIDENTIFIED, NO_SYSTEM_SHOWN]


def test_the_country_name_given_to_the_principals_must_be_recorded():
    assert unmet(consent_transfer_with(country_name_given="")) == [NO_COUNTRY_NAME_GIVEN]


def test_a_consent_without_the_protection_system_shown_is_refused():
    assert unmet(consent_transfer_with(protection_system_snapshot={})) == [NO_SYSTEM_SHOWN]


def test_a_country_whose_system_is_unknown_at_consent_time_is_refused():
    transfer = consent_transfer_with(transfer__country=CountryFactory(has_protection_system=None))
    assert unmet(transfer) == [NO_SYSTEM_SHOWN]


def test_consent_record_save_freezes_the_country_information_as_it_stood(compliance_user):
    country = CountryFactory(
        name_en="Freezeland",
        other_laws="A data localisation law.",
        information_reviewed_on=today() - timedelta(days=20),
    )
    transfer = ConsentTransferFactory(country=country)
    consent = ConsentRecord(
        transfer=transfer,
        information_given_on=today() - timedelta(days=2),
        obtained_on=today() - timedelta(days=1),
        country_name_given="Freezeland",
        recipient_measures="Every OECD principle.",
        whose_consent="Members of the loyalty programme.",
        method="Web form",
        evidence=pdf_file("consent.pdf"),
    )
    consent_record_save(consent=consent, user=compliance_user)
    frozen = country.information_snapshot()
    assert ConsentRecord.objects.get(pk=consent.pk).protection_system_snapshot == frozen

    Country.objects.filter(pk=country.pk).update(
        other_laws="Changed afterwards.", has_protection_system=None, information_reviewed_on=None
    )
    consent = ConsentRecord.objects.get(pk=consent.pk)
    consent.how_given = "Edited later."
    consent_record_save(consent=consent, user=compliance_user)
    stored = ConsentRecord.objects.get(pk=consent.pk).protection_system_snapshot
    assert stored == frozen
    assert stored["other_laws"] == "A data localisation law."
    assert unmet(transfer) == []


def test_consent_record_save_takes_no_snapshot_when_the_country_is_unidentified(compliance_user):
    transfer = ConsentTransferFactory(country=None)
    consent = ConsentRecord(
        transfer=transfer,
        information_given_on=today() - timedelta(days=2),
        obtained_on=today() - timedelta(days=1),
        country_unidentified=True,
        country_unidentified_reason="Chosen by the cloud provider.",
        substitute_information="United States or Singapore.",
        recipient_measures="Every OECD principle.",
        how_given="In the consent e-mail.",
        whose_consent="Members.",
        method="Web form",
        evidence=pdf_file("consent.pdf"),
    )
    consent_record_save(consent=consent, user=compliance_user)
    assert ConsentRecord.objects.get(pk=consent.pk).protection_system_snapshot == {}
    assert unmet(transfer) == []


def created_consent(transfer, given):
    """A complete consent record created with the ORM, its snapshot left to the model."""
    return ConsentRecord.objects.create(
        transfer=transfer,
        information_given_on=given,
        obtained_on=given + timedelta(days=1),
        country_name_given=str(transfer.country or ""),
        recipient_measures="Every OECD principle.",
        how_given="On the sign-up page, above the consent box.",
        whose_consent="Members of the loyalty programme.",
        method="Web form",
        evidence=pdf_file("consent.pdf"),
    )


def review_country(country, *, reviewed, other_laws, at):
    """Save a review of the country's information, its history version dated `at`."""
    country.information_reviewed_on = reviewed
    country.other_laws = other_laws
    country._history_date = at
    country.save()


def test_a_consent_created_without_a_snapshot_freezes_the_country_information_as_it_was_given():
    country = CountryFactory(information_reviewed_on=today() - timedelta(days=200))
    given = today() - timedelta(days=100)
    review_country(
        country,
        reviewed=today() - timedelta(days=150),
        other_laws="The law shown then.",
        at=timezone.make_aware(datetime.combine(given - timedelta(days=50), time(9))),
    )
    review_country(
        country,
        reviewed=today() - timedelta(days=5),
        other_laws="A law passed since.",
        at=timezone.make_aware(datetime.combine(today() - timedelta(days=5), time(9))),
    )
    consent = created_consent(ConsentTransferFactory(country=country), given)
    snapshot = ConsentRecord.objects.get(pk=consent.pk).protection_system_snapshot
    assert snapshot["other_laws"] == "The law shown then."
    assert snapshot["information_reviewed_on"] == (today() - timedelta(days=150)).isoformat()
    assert unmet(consent.transfer) == []


def test_a_consent_given_before_the_country_history_begins_takes_the_current_information():
    country = CountryFactory(information_reviewed_on=today() - timedelta(days=30))
    consent = created_consent(ConsentTransferFactory(country=country), today() - timedelta(days=10))
    stored = ConsentRecord.objects.get(pk=consent.pk)
    assert stored.protection_system_snapshot == country.information_snapshot()
    assert unmet(consent.transfer) == []


def test_current_information_reviewed_after_the_consent_information_was_given_is_refused():
    reviewed = today() - timedelta(days=10)
    given = today() - timedelta(days=40)
    country = CountryFactory(information_reviewed_on=reviewed)
    consent = created_consent(ConsentTransferFactory(country=country), given)
    assert unmet(consent.transfer) == [REVIEWED_AFTER_GIVEN.format(reviewed=reviewed, given=given)]


def test_only_compliance_records_consent(procurement_user):
    consent = ConsentRecordFactory.build(transfer=ConsentTransferFactory())
    with pytest.raises(PermissionDenied):
        consent_record_save(consent=consent, user=procurement_user)
    assert not ConsentRecord.objects.exists()


def stale_check_case(*, reviewed, given):
    """A consent whose information was given on `given`, showing the country information reviewed on
    `reviewed` (as the snapshot then taken records it); consent obtained a week after."""
    country = CountryFactory(information_reviewed_on=reviewed)
    return consent_transfer_with(
        transfer__country=country, information_given_on=given, obtained_on=given + timedelta(days=7)
    )


def test_country_information_more_than_12_months_old_when_consent_was_obtained_is_refused():
    given = today() - timedelta(days=10)
    obtained = given + timedelta(days=7)
    reviewed = obtained - relativedelta(months=12) - timedelta(days=1)
    assert unmet(stale_check_case(reviewed=reviewed, given=given)) == [STALE_SHOWN]


def test_country_information_exactly_12_months_old_when_consent_was_obtained_is_accepted():
    given = today() - timedelta(days=10)
    obtained = given + timedelta(days=7)
    assert unmet(stale_check_case(reviewed=obtained - relativedelta(months=12), given=given)) == []


def test_country_information_fresh_when_consent_was_obtained_is_accepted_though_stale_today():
    given = today() - relativedelta(months=6)
    assert unmet(stale_check_case(reviewed=today() - relativedelta(months=14), given=given)) == []


def test_country_information_reviewed_after_it_was_given_is_refused():
    given = today() - relativedelta(months=3)
    reviewed = today() - timedelta(days=10)
    assert unmet(stale_check_case(reviewed=reviewed, given=given)) == [
        REVIEWED_AFTER_GIVEN.format(reviewed=reviewed, given=given)
    ]


def test_country_information_reviewed_on_the_day_it_was_given_is_accepted():
    given = today() - timedelta(days=10)
    assert unmet(stale_check_case(reviewed=given, given=given)) == []


def test_country_information_never_reviewed_is_refused():
    country = CountryFactory(information_reviewed_on=None)
    assert unmet(consent_transfer_with(transfer__country=country)) == [STALE_SHOWN]


def test_the_seeded_united_states_information_must_be_reviewed_before_consent_is_valid():
    assert unmet(consent_transfer_with(transfer__country=us(), country_name_given="United States")) == [
        STALE_SHOWN
    ]


def test_the_measures_the_recipient_takes_must_be_recorded():
    assert unmet(consent_transfer_with(recipient_measures="")) == [NO_MEASURES]


def test_measures_that_could_not_be_known_need_the_reason():
    transfer = consent_transfer_with(recipient_measures="", recipient_measures_unknown=True)
    assert unmet(transfer) == [NO_MEASURES_REASON]


def test_measures_that_could_not_be_known_are_accepted_with_the_reason():
    transfer = consent_transfer_with(
        recipient_measures="",
        recipient_measures_unknown=True,
        recipient_measures_unknown_reason="The recipient will be chosen by tender next year.",
    )
    assert unmet(transfer) == []


def test_how_the_information_was_given_must_be_recorded():
    assert unmet(consent_transfer_with(how_given="  ")) == [NO_HOW_GIVEN]


def test_whose_consent_and_how_it_was_obtained_must_be_recorded():
    assert unmet(consent_transfer_with(method="  ")) == [NO_WHOSE_OR_HOW]


def test_a_consent_without_evidence_is_refused():
    assert unmet(consent_transfer_with(evidence="")) == [NO_EVIDENCE]


# --- Art. 27(1) exceptions ----------------------------------------------------------------------------------


def test_a_legal_exception_with_its_ground_and_justification_meets_every_prerequisite():
    assert unmet(legal_exception_transfer()) == []


def test_a_legal_exception_needs_its_ground():
    assert unmet(legal_exception_transfer(legal_ground="")) == [NO_GROUND]


def test_a_legal_exception_needs_its_justification():
    assert unmet(legal_exception_transfer(legal_justification=" \n ")) == [NO_JUSTIFICATION]


# --- activation ---------------------------------------------------------------------------------------------


def test_activation_is_refused_listing_every_unmet_prerequisite(compliance_user):
    transfer = legal_exception_transfer(country=None, legal_ground="", legal_justification="")
    versions = transfer.history.count()
    with pytest.raises(ValidationError) as error:
        transfer_activate(transfer=transfer, user=compliance_user)
    assert error.value.messages == [NO_COUNTRY, NO_GROUND, NO_JUSTIFICATION]
    stored = ForeignTransfer.objects.get(pk=transfer.pk)
    assert (stored.status, stored.started_on) == (Status.PLANNED, None)
    assert transfer.history.count() == versions


def test_activation_of_a_transfer_meeting_every_prerequisite_makes_it_active_with_a_history_version(
    compliance_user,
):
    transfer = ForeignTransferFactory()
    transfer_activate(transfer=transfer, user=compliance_user)
    assert transfer.status == Status.ACTIVE
    stored = ForeignTransfer.objects.get(pk=transfer.pk)
    assert (stored.status, stored.started_on) == (Status.ACTIVE, today())
    version = stored.history.latest()
    assert version.status == Status.ACTIVE
    assert version.history_user == compliance_user
    assert version.history_change_reason == "Activated: every prerequisite of the route is met."


def test_activation_keeps_an_earlier_start_date(compliance_user):
    started = today() - timedelta(days=50)
    transfer = ForeignTransferFactory(started_on=started)
    transfer_activate(transfer=transfer, user=compliance_user)
    assert ForeignTransfer.objects.get(pk=transfer.pk).started_on == started


def test_a_suspended_transfer_meeting_every_prerequisite_can_be_resumed(compliance_user):
    transfer = SystemTransferFactory(status=Status.SUSPENDED, started_on=today() - timedelta(days=100))
    PeriodicCheckFactory(transfer=transfer, checked_on=today())
    transfer_activate(transfer=transfer, user=compliance_user)
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.ACTIVE


def test_a_suspended_transfer_whose_last_check_found_implementation_difficult_cannot_be_resumed(
    compliance_user,
):
    transfer = SystemTransferFactory(status=Status.SUSPENDED, started_on=today() - timedelta(days=100))
    PeriodicCheckFactory(transfer=transfer, checked_on=today(), result="difficult")
    with pytest.raises(ValidationError) as error:
        transfer_activate(transfer=transfer, user=compliance_user)
    assert error.value.messages == [DIFFICULT.format(date=today())]
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.SUSPENDED


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED])
def test_only_a_planned_or_suspended_transfer_can_be_activated(compliance_user, status):
    transfer = ForeignTransferFactory(status=status, started_on=today() - timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        transfer_activate(transfer=transfer, user=compliance_user)
    label = ForeignTransfer.Status(status).label.lower()
    assert error.value.messages == [
        f"Only a planned or suspended transfer can be activated; this one is {label}."
    ]


@pytest.mark.parametrize("role", ["procurement", "viewer", None])
def test_only_compliance_may_activate_a_transfer(role):
    user = UserFactory(username=f"not-compliance-{role}", roles=[role] if role else [])
    transfer = ForeignTransferFactory()
    with pytest.raises(PermissionDenied):
        transfer_activate(transfer=transfer, user=user)
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.PLANNED


def test_a_superuser_may_activate_a_transfer(superuser):
    transfer = ForeignTransferFactory()
    transfer_activate(transfer=transfer, user=superuser)
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.ACTIVE


def _consent_for(transfer):
    return ConsentRecord(
        transfer=transfer,
        information_given_on=today() - timedelta(days=2),
        obtained_on=today() - timedelta(days=1),
        country_name_given=str(transfer.country),
        recipient_measures="Every OECD principle.",
        how_given="On the loyalty programme's sign-up page, above the consent box.",
        whose_consent="Members of the loyalty programme.",
        method="Web form",
        evidence=pdf_file("consent.pdf"),
    )


def test_a_consent_obtained_for_another_country_does_not_cover_the_transfer(compliance_user):
    first = CountryFactory(name_en="Firstland", information_reviewed_on=today() - timedelta(days=20))
    transfer = ConsentTransferFactory(country=first)
    consent_record_save(consent=_consent_for(transfer), user=compliance_user)
    assert unmet(transfer) == []
    transfer.country = CountryFactory(
        name_en="Secondland", information_reviewed_on=today() - timedelta(days=20)
    )
    transfer.save()
    assert unmet(transfer) == [
        f"The consent was obtained for provision to another country ({first.code}): "
        "obtain it again for Secondland."
    ]


def test_a_consent_record_is_refused_on_another_route(compliance_user):
    transfer = SystemTransferFactory()
    with pytest.raises(ValidationError) as error:
        consent_record_save(consent=_consent_for(transfer), user=compliance_user)
    assert error.value.messages == ["Consent records belong to transfers on the consent route."]
    assert not ConsentRecord.objects.exists()


# --- the cached verdicts for many transfers -----------------------------------------------------------------


def test_unmet_transfer_ids_reuses_its_verdicts_while_the_data_stays_the_same(django_assert_num_queries):
    transfer = ForeignTransferFactory(country=us())
    assert unmet_transfer_ids() == {transfer.pk}
    with django_assert_num_queries(1):  # the marks of the data only
        assert unmet_transfer_ids() == {transfer.pk}


def test_unmet_transfer_ids_judges_afresh_when_rolled_back_rows_come_back_with_the_same_ids():
    def rolled_back_scene(code: str) -> frozenset[int]:
        # Written with the ORM, so each row has a history version, as outside callers write them.
        with transaction.atomic():
            ForeignTransfer.objects.create(
                vendor=ForeignVendorFactory(name="Same Id Inc."),
                country=seeded_country(code),
                route=Route.EQUIVALENT_COUNTRY,
            )
            verdict = unmet_transfer_ids()
            transaction.set_rollback(True)
        return verdict

    assert rolled_back_scene("US")  # not an equivalent country
    assert rolled_back_scene("DE") == frozenset()  # same count and ids on SQLite, later history
