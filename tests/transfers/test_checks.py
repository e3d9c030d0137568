"""Periodic checks of a standard-conforming recipient (Art. 28(3), Rule 18(1)); the disclosure on request."""

import html
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.roles import COMPLIANCE, PROCUREMENT
from transfers.models import ForeignTransfer, PeriodicCheck
from transfers.services import periodic_check_record

from ..factories import (
    ConsentTransferFactory,
    CountryFactory,
    ForeignTransferFactory,
    ForeignVendorFactory,
    PeriodicCheckFactory,
    SystemTransferFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = ForeignTransfer.Status
IMPEDED_NEEDS = "An impeded check needs the date by which the correction is due."
ONLY_SYSTEM_ROUTE = "Periodic checks belong to the standard-conforming-system route."
SUSPENDED_REASON = (
    "Suspended automatically: the periodic check of {date} found continued implementation difficult "
    "(APPI Art. 28(3)); provision must stop."
)


def today():
    return timezone.localdate()


@pytest.fixture
def transfer():
    return SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Cloudy Inc."),
        country=CountryFactory(name_en="Testland"),
        status=Status.ACTIVE,
        started_on=today() - timedelta(days=300),
    )


@pytest.fixture
def compliance_team(db):
    return [
        UserFactory(username="compliance1", roles=[COMPLIANCE]),
        UserFactory(username="compliance2", roles=[COMPLIANCE]),
        UserFactory(username="retired", roles=[COMPLIANCE], is_active=False),
        UserFactory(username="buyer", roles=[PROCUREMENT]),
    ]


def record(transfer, user, **fields):
    values = {
        "checked_on": today(),
        "result": PeriodicCheck.Result.OK,
        "implementation_status": "Audit report received; measures in place.",
    }
    values.update(fields)
    return periodic_check_record(transfer=transfer, user=user, **values)


def test_a_periodic_check_is_stored_with_who_checked_it_and_a_history_version(transfer, compliance_user):
    check = record(
        transfer,
        compliance_user,
        checked_on=date(2026, 3, 1),
        foreign_laws="A new government-access law, not applied to this recipient.",
    )
    stored = PeriodicCheck.objects.get(pk=check.pk)
    assert stored.transfer == transfer
    assert stored.checked_by == compliance_user
    assert (stored.checked_on, stored.result) == (date(2026, 3, 1), "ok")
    assert stored.implementation_status == "Audit report received; measures in place."
    assert stored.foreign_laws == "A new government-access law, not applied to this recipient."
    version = stored.history.get()
    assert (version.history_user, version.history_change_reason) == (
        compliance_user,
        "Periodic check recorded.",
    )
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.ACTIVE


def test_a_check_with_only_its_date_and_result_is_stored_as_made_by_the_user(transfer, compliance_user):
    check = periodic_check_record(transfer=transfer, user=compliance_user, checked_on=today(), result="ok")
    stored = PeriodicCheck.objects.get(pk=check.pk)
    assert (stored.checked_on, stored.result, stored.checked_by) == (today(), "ok", compliance_user)
    assert stored.implementation_status == ""


def test_a_check_without_its_result_is_refused(transfer, compliance_user):
    with pytest.raises(ValidationError) as error:
        periodic_check_record(transfer=transfer, user=compliance_user, checked_on=today())
    assert "result" in error.value.message_dict
    assert not PeriodicCheck.objects.exists()


def test_a_check_records_who_checked_it_when_given(transfer, compliance_user):
    colleague = UserFactory(username="auditor", roles=[COMPLIANCE])
    check = record(transfer, compliance_user, checked_by=colleague)
    assert PeriodicCheck.objects.get(pk=check.pk).checked_by == colleague
    assert check.history.get().history_user == compliance_user


@pytest.mark.parametrize("actions_demanded", ["", "Keep access logs."])
def test_an_impeded_check_without_the_correction_due_date_is_refused(
    transfer, compliance_user, actions_demanded
):
    with pytest.raises(ValidationError) as error:
        record(
            transfer,
            compliance_user,
            result="impeded",
            impediments="No access logs.",
            actions_demanded=actions_demanded,
            correction_due_on=None,
        )
    assert error.value.message_dict == {"correction_due_on": [IMPEDED_NEEDS]}
    assert not PeriodicCheck.objects.exists()


def test_an_impeded_check_with_the_due_date_but_no_actions_described_is_stored(transfer, compliance_user):
    check = record(
        transfer,
        compliance_user,
        result="impeded",
        impediments="No access logs.",
        correction_due_on=date(2026, 6, 1),
    )
    assert PeriodicCheck.objects.get(pk=check.pk).correction_due_on == date(2026, 6, 1)


def test_an_impeded_check_with_the_correction_demanded_and_its_due_date_is_stored(transfer, compliance_user):
    check = record(
        transfer,
        compliance_user,
        result="impeded",
        impediments="No access logs.",
        actions_demanded="Keep access logs for a year.",
        correction_due_on=today() + timedelta(days=60),
    )
    assert PeriodicCheck.objects.get(pk=check.pk).correction_due_on == today() + timedelta(days=60)
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.ACTIVE


def test_a_difficult_check_suspends_an_active_transfer_at_once_and_says_why_in_the_history(
    transfer, compliance_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(transfer, compliance_user, result="difficult", impediments="A serious leak, no prevention.")
    assert transfer.status == Status.SUSPENDED
    stored = ForeignTransfer.objects.get(pk=transfer.pk)
    assert stored.status == Status.SUSPENDED
    version = stored.history.latest()
    assert version.status == Status.SUSPENDED
    assert version.history_user == compliance_user
    assert version.history_change_reason == SUSPENDED_REASON.format(date=today())


def test_a_difficult_check_emails_every_active_compliance_user_once_the_transaction_commits(
    transfer, compliance_user, compliance_team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record(transfer, compliance_user, result="difficult", impediments="A serious leak, no prevention.")
    assert mailoutbox == []  # nothing is sent before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert sorted(address for message in mailoutbox for address in message.to) == [
        "compliance1@example.com",
        "compliance2@example.com",
        "compliance@example.com",
    ]
    message = mailoutbox[0]
    assert message.subject == "[Vendor Register] Transfer to Cloudy Inc. suspended: implementation difficult"
    assert (
        f"The periodic check of {today():%Y-%m-%d} found that Cloudy Inc. (Testland) can no longer continue "
        "implementing the measures. The transfer has been suspended" in message.body
    )
    assert "A serious leak, no prevention." in message.body


def test_a_difficult_check_with_callbacks_executed_sends_the_mails(
    transfer, compliance_user, compliance_team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(transfer, compliance_user, result="difficult")
    assert len(mailoutbox) == 3


def test_a_difficult_check_of_a_planned_transfer_does_not_change_its_status_or_send_mail(
    compliance_user, compliance_team, mailoutbox, django_capture_on_commit_callbacks
):
    planned = SystemTransferFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record(planned, compliance_user, result="difficult")
    assert ForeignTransfer.objects.get(pk=planned.pk).status == Status.PLANNED
    assert PeriodicCheck.objects.filter(transfer=planned, result="difficult").count() == 1
    assert mailoutbox == []


@pytest.mark.parametrize(
    "other_route",
    [
        lambda: ConsentTransferFactory(status=Status.ACTIVE),
        lambda: ForeignTransferFactory(status=Status.ACTIVE),
    ],
    ids=["consent", "equivalent_country"],
)
def test_periodic_checks_are_refused_outside_the_standard_conforming_system_route(
    compliance_user, other_route
):
    other = other_route()
    with pytest.raises(ValidationError) as error:
        record(other, compliance_user)
    assert error.value.messages == [ONLY_SYSTEM_ROUTE]
    assert not PeriodicCheck.objects.exists()


def test_only_compliance_records_a_periodic_check(transfer, procurement_user):
    with pytest.raises(PermissionDenied):
        record(transfer, procurement_user)
    assert not PeriodicCheck.objects.exists()


# --- disclosure on request (Rule 18(3)) ---------------------------------------------------------------------


@pytest.fixture
def checked_transfer(transfer):
    PeriodicCheckFactory(
        transfer=transfer,
        checked_on=date(2025, 3, 1),
        implementation_status="Old outline.",
        foreign_laws="Old laws.",
    )
    PeriodicCheckFactory(
        transfer=transfer,
        checked_on=date(2026, 3, 1),
        result="impeded",
        implementation_status="Encryption at rest and access control under the DPA.",
        foreign_laws="A national security law allowing broad government access.",
        impediments="Access logs are not kept.",
        actions_demanded="Keep access logs for a year.",
        correction_due_on=date(2026, 6, 1),
    )
    return transfer


SEVEN_ITEMS = [
    "How the system was set up: Contract or memorandum with the recipient",
    "Outline of the measures the recipient takes: Encryption at rest and access control under the DPA.",
    "How often and how it is checked: At least once a year, by reviewing the recipient's reports and the "
    "foreign laws that may affect it. Last checked on 2026-03-01.",
    "The country: Testland",
    "Foreign laws that may affect the measures: A national security law allowing broad government access.",
    "Impediments: Access logs are not kept.",
    "The company's response: Keep access logs for a year.",
]


def test_the_disclosure_page_shows_the_seven_items_from_the_latest_check(viewer_client, checked_transfer):
    response = viewer_client.get(reverse("transfers:disclosure", args=[checked_transfer.pk]))
    assert response.status_code == 200
    text = " ".join(
        html.unescape(response.content.decode()).replace("</strong>", "").replace("<strong>", "").split()
    )
    for item in SEVEN_ITEMS:
        assert item in text, item
    assert text.count("<li>") >= 7
    assert "Old outline." not in text


def test_the_disclosure_download_is_a_text_attachment_with_the_seven_numbered_items(
    viewer_client, checked_transfer
):
    response = viewer_client.get(reverse("transfers:disclosure", args=[checked_transfer.pk]), {"download": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="disclosure-{checked_transfer.pk}.txt"'
    lines = response.content.decode().splitlines()
    for number, item in enumerate(SEVEN_ITEMS, start=1):
        assert f"{number}. {item}" in lines
    assert "Cloudy Inc. / Testland" in lines


def test_the_disclosure_of_a_suspended_transfer_says_provision_has_stopped(viewer_client, checked_transfer):
    ForeignTransfer.objects.filter(pk=checked_transfer.pk).update(status=Status.SUSPENDED)
    response = viewer_client.get(reverse("transfers:disclosure", args=[checked_transfer.pk]), {"download": 1})
    assert "7. The company's response: Keep access logs for a year. Provision has been stopped." in (
        response.content.decode().splitlines()
    )


def test_the_disclosure_without_any_check_says_none_found(viewer_client, transfer):
    response = viewer_client.get(reverse("transfers:disclosure", args=[transfer.pk]), {"download": 1})
    lines = response.content.decode().splitlines()
    assert "2. Outline of the measures the recipient takes: —" in lines
    assert "6. Impediments: None found." in lines
    assert "7. The company's response: No response was needed." in lines
