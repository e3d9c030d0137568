"""Renewal reminders and expiry escalations: who gets which email, when, in which language, and only once."""

import io
import re
import smtplib
from datetime import date, timedelta

import pytest
from celery.exceptions import Retry
from django.contrib.contenttypes.models import ContentType
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from contracts.models import ProtectionContract
from contracts.services import contract_save, send_contract_reminders
from core.models import ReminderLog, UserProfile
from core.roles import COMPLIANCE, PROCUREMENT
from core.tasks import send_reminders

from ..factories import UserFactory, VendorFactory, active_contract_for

pytestmark = pytest.mark.django_db

S = ProtectionContract.Status
DEADLINE = date(2027, 6, 30)  # the notice deadline of the contract most tests use
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


class DisconnectingBackend(BaseEmailBackend):
    """An SMTP server that drops the connection on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


FAILING_BACKEND = f"{__name__}.DisconnectingBackend"


def before(days: int, deadline: date = DEADLINE) -> date:
    return deadline - timedelta(days=days)


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", first_name="Olive", last_name="Owner", roles=[PROCUREMENT])


@pytest.fixture
def vendor_owner(db):
    return UserFactory(username="vendorowner", first_name="Victor", last_name="Vendor", roles=[PROCUREMENT])


def contract_with_deadline(
    deadline=DEADLINE, *, owner=None, vendor_owner=None, **kwargs
) -> ProtectionContract:
    """An active contract whose notice deadline is `deadline` (60 days' notice before its end)."""
    values = {
        "reference": "PC-REM",
        "title": "Call centre entrustment",
        "starts_on": deadline - timedelta(days=400),
        "ends_on": deadline + timedelta(days=60),
        "notice_days": 60,
        "owner": owner,
    }
    values.update(kwargs)
    return active_contract_for(VendorFactory(name="Kumo Call K.K.", owner=vendor_owner), **values)


@pytest.fixture
def contract(owner, vendor_owner):
    return contract_with_deadline(owner=owner, vendor_owner=vendor_owner)


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def sent_thresholds(contract) -> list[int]:
    logs = ReminderLog.objects.filter(subject_id=contract.pk, sent_at__isnull=False)
    return sorted({log.threshold for log in logs}, reverse=True)


# --- thresholds ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [90, 30, 7, 0])
def test_each_threshold_sends_one_email_to_the_contract_owner_and_the_vendor_owner(
    contract, mailoutbox, days
):
    assert send_contract_reminders(today=before(days)) == 2
    assert recipients(mailoutbox) == ["owner@example.com", "vendorowner@example.com"]
    assert sent_thresholds(contract) == [days]


def test_nothing_is_sent_before_the_first_threshold(contract, mailoutbox):
    assert send_contract_reminders(today=before(91)) == 0
    assert mailoutbox == []


def test_one_person_owning_both_contract_and_vendor_gets_one_email(owner, mailoutbox):
    contract_with_deadline(owner=owner, vendor_owner=owner)
    assert send_contract_reminders(today=before(30)) == 1
    assert recipients(mailoutbox) == ["owner@example.com"]


def test_a_second_run_on_the_same_day_sends_nothing(contract, mailoutbox):
    send_contract_reminders(today=before(30))
    assert send_contract_reminders(today=before(30)) == 0
    assert len(mailoutbox) == 2


def test_daily_runs_from_100_days_before_the_deadline_send_exactly_four_rounds(contract, mailoutbox):
    sent_on = {}
    for days in range(100, -1, -1):
        sent = send_contract_reminders(today=before(days))
        if sent:
            sent_on[days] = sent
    assert sent_on == {90: 2, 30: 2, 7: 2, 0: 2}
    assert len(mailoutbox) == 8
    assert sent_thresholds(contract) == [90, 30, 7, 0]


def test_a_first_run_after_missed_thresholds_sends_only_the_most_recent_one(contract, mailoutbox):
    assert send_contract_reminders(today=before(20)) == 2
    assert sent_thresholds(contract) == [30]
    assert {message.subject for message in mailoutbox} == {
        "[Vendor Register] PC-REM (Kumo Call K.K.): decide within 20 days"
    }
    assert send_contract_reminders(today=before(19)) == 0


def test_a_moved_deadline_starts_a_fresh_reminder_cycle(contract, owner, mailoutbox):
    send_contract_reminders(today=before(30))
    contract.ends_on += timedelta(days=60)
    contract_save(contract=contract, user=owner, reason="Extended by two months.")
    mailoutbox.clear()
    new_deadline = DEADLINE + timedelta(days=60)
    assert ProtectionContract.objects.get(pk=contract.pk).decision_on == new_deadline
    assert send_contract_reminders(today=before(30)) == 2  # 90 days before the new deadline
    assert all(new_deadline.isoformat() in message.body for message in mailoutbox)
    logs = ReminderLog.objects.filter(subject_id=contract.pk)
    assert sorted({(log.deadline, log.threshold) for log in logs}) == [(DEADLINE, 30), (new_deadline, 90)]


def test_an_open_ended_contract_is_reminded_of_its_review_date(owner, mailoutbox):
    contract_with_deadline(owner=owner, ends_on=None, review_on=DEADLINE)
    assert send_contract_reminders(today=before(7)) == 1
    (message,) = mailoutbox
    assert "is due for review on 2027-06-30" in message.body
    assert "7 days left." in message.body


@pytest.mark.parametrize("status", [S.DRAFT, S.TERMINATED, S.SUPERSEDED])
def test_no_reminder_is_sent_for_a_contract_that_is_not_active(owner, mailoutbox, status):
    contract_with_deadline(owner=owner, status=status)
    for days in (90, 30, 7, 0):
        assert send_contract_reminders(today=before(days)) == 0
    assert mailoutbox == []


# --- escalation after the end -------------------------------------------------------------------------------


@pytest.fixture
def compliance_team(db):
    return [
        UserFactory(username="compliance1", roles=[COMPLIANCE]),
        UserFactory(username="compliance2", roles=[COMPLIANCE]),
        UserFactory(username="retired", roles=[COMPLIANCE], is_active=False),
    ]


ENDS_ON = DEADLINE + timedelta(days=60)


def test_a_contract_that_ended_without_successor_is_escalated_once_to_compliance_and_the_owners(
    contract, compliance_team, mailoutbox
):
    ProtectionContract.objects.filter(pk=contract.pk).update(status=S.EXPIRED)
    day_after = ENDS_ON + timedelta(days=1)
    assert send_contract_reminders(today=day_after) == 4
    assert recipients(mailoutbox) == [
        "compliance1@example.com",
        "compliance2@example.com",
        "owner@example.com",
        "vendorowner@example.com",
    ]
    assert {m.subject for m in mailoutbox} == {
        "[Vendor Register] PC-REM (Kumo Call K.K.) ended with no successor"
    }
    assert send_contract_reminders(today=day_after) == 0
    assert send_contract_reminders(today=day_after + timedelta(days=10)) == 0
    assert len(mailoutbox) == 4


def test_an_active_contract_past_its_end_is_escalated_before_the_daily_expiry_runs(
    contract, compliance_team, mailoutbox
):
    send_contract_reminders(today=DEADLINE)  # the notice reminder on the deadline itself
    mailoutbox.clear()
    assert send_contract_reminders(today=ENDS_ON + timedelta(days=1)) == 4
    assert all("ended with no successor" in m.subject for m in mailoutbox)


def test_no_escalation_while_the_contract_has_not_ended(contract, compliance_team, mailoutbox):
    ProtectionContract.objects.filter(pk=contract.pk).update(status=S.EXPIRED)
    assert send_contract_reminders(today=ENDS_ON) == 0


def test_no_escalation_when_an_active_successor_exists(contract, compliance_team, mailoutbox):
    ProtectionContract.objects.filter(pk=contract.pk).update(status=S.EXPIRED)
    active_contract_for(
        contract.vendor,
        reference="PC-REM-R2",
        renews=contract,
        starts_on=ENDS_ON + timedelta(days=1),
        ends_on=ENDS_ON + timedelta(days=366),
    )
    assert send_contract_reminders(today=ENDS_ON + timedelta(days=1)) == 0
    assert mailoutbox == []


def test_a_draft_successor_does_not_stop_the_escalation(contract, compliance_team, mailoutbox):
    ProtectionContract.objects.filter(pk=contract.pk).update(status=S.EXPIRED)
    active_contract_for(contract.vendor, reference="PC-REM-R2", renews=contract, status=S.DRAFT)
    assert send_contract_reminders(today=ENDS_ON + timedelta(days=1)) == 4


# --- the email ----------------------------------------------------------------------------------------------


def test_each_recipient_gets_the_email_in_their_own_language(contract, owner, vendor_owner, mailoutbox):
    UserProfile.objects.filter(user=owner).update(language="ja")
    UserProfile.objects.filter(user=vendor_owner).update(language="en")
    send_contract_reminders(today=before(30))
    japanese = next(m for m in mailoutbox if m.to == [owner.email])
    english = next(m for m in mailoutbox if m.to == [vendor_owner.email])
    assert english.subject == "[Vendor Register] PC-REM (Kumo Call K.K.): decide within 30 days"
    assert english.body.startswith("Dear Victor Vendor,")
    assert not JAPANESE.search(english.subject + english.body)
    assert JAPANESE.search(japanese.subject), japanese.subject
    assert JAPANESE.search(japanese.body), japanese.body
    assert JAPANESE.search(japanese.alternatives[0].content)


def test_a_recipient_who_never_chose_a_language_gets_english(contract, mailoutbox):
    send_contract_reminders(today=before(30))
    assert all(not JAPANESE.search(m.subject + m.body) for m in mailoutbox)


@override_settings(SITE_URL="https://vendors.example.com")
def test_the_email_has_text_and_html_with_the_link_and_the_days_left(contract, mailoutbox):
    send_contract_reminders(today=before(30))
    message = next(m for m in mailoutbox if m.to == ["owner@example.com"])
    link = f"https://vendors.example.com/contracts/{contract.pk}/"
    assert message.subject == "[Vendor Register] PC-REM (Kumo Call K.K.): decide within 30 days"
    assert message.body.startswith("Dear Olive Owner,")
    assert "The last day to give notice of non-renewal is 2027-06-30." in message.body
    assert "30 days left." in message.body
    assert link in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "30 days left." in html


def test_the_email_on_the_deadline_says_it_is_today(contract, mailoutbox):
    send_contract_reminders(today=DEADLINE)
    message = mailoutbox[0]
    assert message.subject == "[Vendor Register] PC-REM (Kumo Call K.K.): decision due today"
    assert "That is today." in message.body


def test_recipients_without_an_email_address_are_skipped(owner, mailoutbox):
    no_address = UserFactory(username="noaddress", email="")
    contract = contract_with_deadline(owner=owner, vendor_owner=no_address)
    assert send_contract_reminders(today=before(30)) == 1
    assert recipients(mailoutbox) == ["owner@example.com"]
    assert not ReminderLog.objects.filter(subject_id=contract.pk, recipient=no_address).exists()


def test_a_contract_without_an_owner_reminds_the_vendor_owner_only(vendor_owner, mailoutbox):
    contract_with_deadline(owner=None, vendor_owner=vendor_owner)
    assert send_contract_reminders(today=before(30)) == 1
    assert recipients(mailoutbox) == ["vendorowner@example.com"]


def test_inactive_recipients_are_skipped(owner, mailoutbox):
    gone = UserFactory(username="gone", is_active=False)
    contract_with_deadline(owner=owner, vendor_owner=gone)
    assert send_contract_reminders(today=before(30)) == 1
    assert recipients(mailoutbox) == ["owner@example.com"]


# --- failures and retries -----------------------------------------------------------------------------------


def test_a_failed_send_is_logged_and_sent_exactly_once_by_a_later_run(owner, mailoutbox):
    contract = contract_with_deadline(owner=owner, vendor_owner=owner)
    with override_settings(EMAIL_BACKEND=FAILING_BACKEND):
        assert send_contract_reminders(today=before(30)) == 0
    log = ReminderLog.objects.get(subject_id=contract.pk)
    assert (log.sent_at, log.claimed_at, log.threshold) == (None, None, 30)
    assert log.last_error == "Connection unexpectedly closed"
    assert mailoutbox == []

    assert send_contract_reminders(today=before(29)) == 1
    assert send_contract_reminders(today=before(28)) == 0
    assert recipients(mailoutbox) == ["owner@example.com"]
    log.refresh_from_db()
    assert log.sent_at is not None
    assert (log.last_error, log.attempts) == ("", 2)


def claimed_log(contract, recipient, claimed_at) -> ReminderLog:
    return ReminderLog.objects.create(
        kind="contract_notice",
        subject_type=ContentType.objects.get_for_model(ProtectionContract),
        subject_id=contract.pk,
        deadline=contract.decision_on,
        threshold=30,
        recipient=recipient,
        claimed_at=claimed_at,
        attempts=1,
    )


def test_a_claim_left_by_a_dead_worker_is_retried(owner, mailoutbox, settings):
    contract = contract_with_deadline(owner=owner, vendor_owner=owner)
    stale = timezone.now() - timedelta(minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES + 1)
    log = claimed_log(contract, owner, stale)
    assert send_contract_reminders(today=before(30)) == 1
    assert len(mailoutbox) == 1
    log.refresh_from_db()
    assert log.sent_at is not None


def test_a_fresh_claim_held_by_another_worker_is_left_alone(owner, mailoutbox):
    contract = contract_with_deadline(owner=owner, vendor_owner=owner)
    log = claimed_log(contract, owner, timezone.now())
    assert send_contract_reminders(today=before(30)) == 0
    assert mailoutbox == []
    log.refresh_from_db()
    assert (log.sent_at, log.attempts) == (None, 1)


# --- how reminders are run ----------------------------------------------------------------------------------


def test_the_management_command_sends_what_is_due_and_prints_the_counts(contract, mailoutbox):
    out = io.StringIO()
    call_command("send_reminders", "--today", before(30).isoformat(), stdout=out)
    assert "contracts: 2 sent, 0 failed, 0 already handled" in out.getvalue()
    assert len(mailoutbox) == 2
    out = io.StringIO()
    call_command("send_reminders", "--today", before(30).isoformat(), "--kind", "contracts", stdout=out)
    assert "contracts: 0 sent, 0 failed, 0 already handled" in out.getvalue()


def test_the_task_run_eagerly_returns_the_counts(owner, vendor_owner, mailoutbox):
    contract_with_deadline(timezone.localdate() + timedelta(days=30), owner=owner, vendor_owner=vendor_owner)
    result = send_reminders.apply()
    assert result.successful()
    assert result.get()["contracts"] == {"sent": 2, "failed": 0, "skipped": 0, "queued": 0}
    assert len(mailoutbox) == 2


@override_settings(EMAIL_BACKEND=FAILING_BACKEND)
def test_the_task_retries_when_a_send_failed(owner):
    contract = contract_with_deadline(
        timezone.localdate() + timedelta(days=30), owner=owner, vendor_owner=owner
    )
    with pytest.raises(Retry):
        send_reminders()
    assert ReminderLog.objects.get(subject_id=contract.pk).sent_at is None
