"""Records of provision (Art. 29): how long each is kept (Rule 21), refused early deletion, and the purge."""

import io
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from transfers.models import ForeignTransfer, ProvisionRecord
from transfers.services import provision_record_delete, provision_record_save

from ..factories import (
    ConsentTransferFactory,
    ForeignTransferFactory,
    ProvisionRecordFactory,
    SystemTransferFactory,
)

pytestmark = pytest.mark.django_db

K = ProvisionRecord.Kind
RECORDS_WARNING = "This provision needs records of provision (Art. 29) and has none."


def today():
    return timezone.localdate()


def kept_until(message_date) -> str:
    return f"This record must be kept until {message_date} (Rule 21)."


def retained_until(record: ProvisionRecord, when: date) -> ProvisionRecord:
    """The record as stored, with its retention date moved to `when` (bypassing the model's computation)."""
    ProvisionRecord.objects.filter(pk=record.pk).update(retain_until=when)
    return ProvisionRecord.objects.get(pk=record.pk)


# --- retention dates ----------------------------------------------------------------------------------------


def test_a_contract_used_as_the_record_is_kept_one_year_from_the_last_provision():
    record = ProvisionRecordFactory(
        kind=K.CONTRACT_AS_RECORD, provided_on=date(2024, 1, 10), last_provided_on=date(2025, 3, 31)
    )
    assert ProvisionRecord.objects.get(pk=record.pk).retain_until == date(2026, 3, 31)


def test_a_contract_used_as_the_record_without_a_last_provision_counts_from_the_provision():
    record = ProvisionRecordFactory(kind=K.CONTRACT_AS_RECORD, provided_on=date(2024, 1, 10))
    assert record.retain_until == date(2025, 1, 10)


def test_a_batch_record_is_kept_three_years_from_the_last_provision():
    record = ProvisionRecordFactory(
        kind=K.BATCH, provided_on=date(2024, 1, 10), last_provided_on=date(2025, 3, 31)
    )
    assert ProvisionRecord.objects.get(pk=record.pk).retain_until == date(2028, 3, 31)


def test_a_single_record_is_kept_three_years_from_when_it_was_made():
    record = ProvisionRecordFactory(
        kind=K.SINGLE,
        created_on=date(2025, 2, 1),
        provided_on=date(2025, 1, 20),
        last_provided_on=date(2025, 6, 1),
    )
    assert ProvisionRecord.objects.get(pk=record.pk).retain_until == date(2028, 2, 1)


def test_a_record_made_today_is_dated_today_and_kept_three_years():
    record = ProvisionRecordFactory(provided_on=date(2020, 5, 1))
    assert record.created_on == today()
    assert record.retain_until == today() + relativedelta(years=3)


def test_the_retention_date_is_recomputed_on_every_save():
    record = ProvisionRecordFactory(kind=K.SINGLE, created_on=date(2025, 2, 1), provided_on=date(2025, 1, 20))
    record.retain_until = date(2099, 1, 1)
    record.kind = K.BATCH
    record.last_provided_on = date(2025, 9, 30)
    record.save()
    assert ProvisionRecord.objects.get(pk=record.pk).retain_until == date(2028, 9, 30)
    record.kind = K.CONTRACT_AS_RECORD
    record.save()
    assert ProvisionRecord.objects.get(pk=record.pk).retain_until == date(2026, 9, 30)


def test_the_service_saves_the_computed_retention_date(procurement_user):
    record = ProvisionRecord(
        kind=K.BATCH,
        provided_on=date(2025, 1, 1),
        last_provided_on=date(2025, 12, 31),
        recipient_name="Recipient Inc.",
        recipient_address="1 Market Street, San Francisco",
        individuals_description="Customers who ordered in 2025.",
        data_items="Name, e-mail address.",
    )
    provision_record_save(record=record, user=procurement_user)
    assert ProvisionRecord.objects.get(pk=record.pk).retain_until == date(2028, 12, 31)


def test_a_last_provision_before_the_first_is_refused(procurement_user):
    record = ProvisionRecordFactory.build(provided_on=date(2025, 5, 1), last_provided_on=date(2025, 4, 1))
    with pytest.raises(ValidationError) as error:
        provision_record_save(record=record, user=procurement_user)
    assert error.value.message_dict == {
        "last_provided_on": ["The last provision cannot come before the first."]
    }


def test_a_viewer_cannot_keep_records(viewer_user):
    with pytest.raises(PermissionDenied):
        provision_record_save(record=ProvisionRecordFactory.build(), user=viewer_user)
    assert not ProvisionRecord.objects.exists()


# --- deletion -----------------------------------------------------------------------------------------------


def test_deleting_a_record_before_its_retention_date_is_refused_by_the_model():
    record = ProvisionRecordFactory()
    with pytest.raises(ValidationError) as error:
        record.delete()
    assert error.value.messages == [kept_until(record.retain_until)]
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()


def test_deleting_a_record_on_its_retention_date_is_still_refused():
    record = retained_until(ProvisionRecordFactory(), today())
    with pytest.raises(ValidationError) as error:
        record.delete()
    assert error.value.messages == [kept_until(today())]
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()


def test_deleting_a_record_before_its_retention_date_is_refused_by_the_service(compliance_user):
    record = ProvisionRecordFactory()
    with pytest.raises(ValidationError) as error:
        provision_record_delete(record=record, user=compliance_user)
    assert error.value.messages == [kept_until(record.retain_until)]
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()


def test_a_bulk_delete_including_a_record_before_its_retention_date_is_refused_naming_it():
    expired = retained_until(
        ProvisionRecordFactory(recipient_name="Expired Inc."), today() - timedelta(days=1)
    )
    kept = ProvisionRecordFactory(recipient_name="Kept Inc.", provided_on=date(2026, 5, 1))
    with pytest.raises(ValidationError) as error:
        ProvisionRecord.objects.filter(pk__in=[expired.pk, kept.pk]).delete()
    assert error.value.messages == [
        "These records must be kept until their retention date (Rule 21): "
        f"#{kept.pk} Kept Inc. on 2026-05-01, until {kept.retain_until}."
    ]
    assert ProvisionRecord.objects.count() == 2


def test_a_bulk_delete_of_records_past_their_retention_date_deletes_them_with_history():
    records = [retained_until(ProvisionRecordFactory(), today() - timedelta(days=days)) for days in (1, 400)]
    ProvisionRecord.objects.filter(pk__in=[r.pk for r in records]).delete()
    assert not ProvisionRecord.objects.exists()
    assert ProvisionRecord.history.filter(history_type="-").count() == 2


def test_a_record_past_its_retention_date_can_be_deleted_on_the_model():
    record = retained_until(ProvisionRecordFactory(), today() - timedelta(days=1))
    record.delete()
    assert not ProvisionRecord.objects.filter(pk=record.pk).exists()


def test_a_record_past_its_retention_date_is_deleted_by_the_service_with_a_history_version(compliance_user):
    record = retained_until(ProvisionRecordFactory(), today() - timedelta(days=1))
    pk = record.pk
    provision_record_delete(record=record, user=compliance_user)
    assert not ProvisionRecord.objects.filter(pk=pk).exists()
    version = ProvisionRecord.history.filter(id=pk).latest()
    assert (version.history_type, version.history_user) == ("-", compliance_user)
    assert version.history_change_reason == "Retention period ended."


def test_only_compliance_deletes_a_record(procurement_user):
    record = retained_until(ProvisionRecordFactory(), today() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        provision_record_delete(record=record, user=procurement_user)
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()


# --- the purge ----------------------------------------------------------------------------------------------


@pytest.fixture
def records_around_today():
    made = {
        "long_gone": ProvisionRecordFactory(recipient_name="Long Gone Inc.", provided_on=date(2019, 4, 1)),
        "yesterday": ProvisionRecordFactory(recipient_name="Yesterday Inc.", provided_on=date(2022, 5, 1)),
        "today": ProvisionRecordFactory(recipient_name="Today Inc."),
        "tomorrow": ProvisionRecordFactory(recipient_name="Tomorrow Inc."),
        "later": ProvisionRecordFactory(recipient_name="Later Inc."),
    }
    days = {"long_gone": -900, "yesterday": -1, "today": 0, "tomorrow": 1}
    for key, offset in days.items():
        made[key] = retained_until(made[key], today() + timedelta(days=offset))
    return made


def test_the_purge_command_deletes_only_records_past_retention_and_prints_each(records_around_today):
    out = io.StringIO()
    call_command("purge_expired_records", stdout=out)
    remaining = set(ProvisionRecord.objects.values_list("recipient_name", flat=True))
    assert remaining == {"Today Inc.", "Tomorrow Inc.", "Later Inc."}
    gone, yesterday = records_around_today["long_gone"], records_around_today["yesterday"]
    lines = out.getvalue().splitlines()
    assert sorted(lines[:-1]) == sorted(
        [
            f"Deleted #{gone.pk} Long Gone Inc. on 2019-04-01 (kind single, retained until "
            f"{gone.retain_until})",
            f"Deleted #{yesterday.pk} Yesterday Inc. on 2022-05-01 (kind single, retained until "
            f"{yesterday.retain_until})",
        ]
    )
    assert lines[-1] == "2 record(s) past retention deleted."
    versions = ProvisionRecord.history.filter(history_type="-")
    assert {v.id for v in versions} == {gone.pk, yesterday.pk}
    assert {v.history_change_reason for v in versions} == {"Retention period ended."}


def test_the_purge_command_with_nothing_past_retention_deletes_nothing():
    ProvisionRecordFactory()
    out = io.StringIO()
    call_command("purge_expired_records", stdout=out)
    assert out.getvalue() == "0 record(s) past retention deleted.\n"
    assert ProvisionRecord.objects.count() == 1


# --- the warning on the transfer page -----------------------------------------------------------------------


def detail(client, transfer) -> str:
    response = client.get(reverse("transfers:detail", args=[transfer.pk]))
    assert response.status_code == 200
    return response.content.decode()


REQUIRING_RECORDS = {
    "third_party_provision": lambda: ForeignTransferFactory(
        relationship=ForeignTransfer.Relationship.THIRD_PARTY_PROVISION, ordinary_basis="consent"
    ),
    "consent_route_third_party": lambda: ConsentTransferFactory(),
    "consent_route_entrustment": lambda: ConsentTransferFactory(
        relationship=ForeignTransfer.Relationship.ENTRUSTMENT
    ),
}
NOT_REQUIRING_RECORDS = {
    "third_party_provision_under_an_exception": lambda: ForeignTransferFactory(
        relationship=ForeignTransfer.Relationship.THIRD_PARTY_PROVISION,
        route=ForeignTransfer.Route.LEGAL_EXCEPTION,
        legal_ground=ForeignTransfer.LegalGround.LAWS,
        legal_justification="A court order requires it.",
    ),
    "third_party_provision_to_an_equivalent_country_under_an_exception": lambda: ForeignTransferFactory(
        relationship=ForeignTransfer.Relationship.THIRD_PARTY_PROVISION,
        ordinary_basis=ForeignTransfer.OrdinaryBasis.LEGAL_EXCEPTION,
    ),
    "entrustment_to_an_equivalent_country": lambda: ForeignTransferFactory(),
    "entrustment_on_the_system_route": lambda: SystemTransferFactory(),
    "joint_use_on_the_system_route": lambda: SystemTransferFactory(
        relationship=ForeignTransfer.Relationship.JOINT_USE
    ),
}


@pytest.mark.parametrize("make", REQUIRING_RECORDS.values(), ids=REQUIRING_RECORDS.keys())
def test_the_transfer_page_warns_when_a_transfer_requiring_records_has_none(viewer_client, make):
    assert RECORDS_WARNING in detail(viewer_client, make())


@pytest.mark.parametrize("make", REQUIRING_RECORDS.values(), ids=REQUIRING_RECORDS.keys())
def test_the_transfer_page_does_not_warn_once_a_record_exists(viewer_client, make):
    transfer = make()
    ProvisionRecordFactory(transfer=transfer)
    assert RECORDS_WARNING not in detail(viewer_client, transfer)


@pytest.mark.parametrize("make", NOT_REQUIRING_RECORDS.values(), ids=NOT_REQUIRING_RECORDS.keys())
def test_the_transfer_page_does_not_warn_when_no_records_are_required(viewer_client, make):
    assert RECORDS_WARNING not in detail(viewer_client, make())
