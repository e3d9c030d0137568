"""Transfer reminders to compliance: periodic checks due, stale country information, overdue corrections."""

import re
from datetime import date, timedelta

import pytest

from core.models import ReminderLog, UserProfile
from core.roles import COMPLIANCE, PROCUREMENT
from transfers.models import ForeignTransfer
from transfers.services import send_transfer_reminders

from ..factories import (
    ConsentTransferFactory,
    CountryFactory,
    ForeignVendorFactory,
    PeriodicCheckFactory,
    SystemTransferFactory,
    UserFactory,
    seeded_country,
)

pytestmark = pytest.mark.django_db

Status = ForeignTransfer.Status
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
COMPLIANCE_ADDRESSES = ["compliance1@example.com", "compliance2@example.com"]

CHECKED_ON = date(2026, 7, 1)
DUE = date(2027, 7, 1)  # 12 months after the last check


def day(offset: int, origin: date = DUE) -> date:
    return origin + timedelta(days=offset)


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def run_daily(first: date, last: date) -> dict[date, int]:
    """Run the reminders every day from `first` to `last`; the days something was sent, with the count."""
    sent_on = {}
    current = first
    while current <= last:
        sent = send_transfer_reminders(today=current)
        if sent:
            sent_on[current] = sent
        current += timedelta(days=1)
    return sent_on


@pytest.fixture(autouse=True)
def compliance_team(db):
    """Two compliance users receive reminders; a retired one and a buyer do not."""
    return [
        UserFactory(username="compliance1", first_name="Chika", last_name="Compliance", roles=[COMPLIANCE]),
        UserFactory(username="compliance2", roles=[COMPLIANCE]),
        UserFactory(username="retired", roles=[COMPLIANCE], is_active=False),
        UserFactory(username="buyer", roles=[PROCUREMENT]),
    ]


def fresh_country(**kwargs):
    """A non-equivalent country whose information is reviewed late enough not to go stale in these tests."""
    return CountryFactory(information_reviewed_on=date(2027, 6, 1), **kwargs)


@pytest.fixture
def transfer():
    transfer = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Cloudy Inc."),
        country=fresh_country(name_en="Checkland"),
        status=Status.ACTIVE,
        started_on=date(2025, 1, 1),
    )
    PeriodicCheckFactory(transfer=transfer, checked_on=CHECKED_ON)
    return transfer


# --- periodic checks ----------------------------------------------------------------------------------------

CHECK_SUBJECTS = {
    30: "[Vendor Register] Periodic check of the transfer to Cloudy Inc. due in 30 days",
    0: "[Vendor Register] Periodic check of the transfer to Cloudy Inc. is due today",
    -1: "[Vendor Register] Periodic check of the transfer to Cloudy Inc. is overdue",
}


@pytest.mark.parametrize("days_left", CHECK_SUBJECTS, ids=["in_30_days", "on_the_day", "overdue"])
def test_a_periodic_check_reminder_goes_to_every_active_compliance_user(transfer, mailoutbox, days_left):
    assert send_transfer_reminders(today=day(-days_left)) == 2
    assert recipients(mailoutbox) == COMPLIANCE_ADDRESSES
    assert {m.subject for m in mailoutbox} == {CHECK_SUBJECTS[days_left]}
    assert "Its periodic check is due on 2027-07-01." in mailoutbox[0].body


@pytest.mark.parametrize("days_left", CHECK_SUBJECTS, ids=["in_30_days", "on_the_day", "overdue"])
def test_a_second_run_on_the_same_day_sends_no_check_reminder(transfer, mailoutbox, days_left):
    send_transfer_reminders(today=day(-days_left))
    assert send_transfer_reminders(today=day(-days_left)) == 0
    assert len(mailoutbox) == 2


def test_nothing_is_sent_31_days_before_the_check_is_due(transfer, mailoutbox):
    assert send_transfer_reminders(today=day(-31)) == 0
    assert mailoutbox == []


def test_daily_runs_around_the_due_date_send_each_check_reminder_once(transfer, mailoutbox):
    assert run_daily(day(-45), day(30)) == {day(-30): 2, day(0): 2, day(1): 2}
    assert [m.subject for m in mailoutbox] == [
        CHECK_SUBJECTS[30],
        CHECK_SUBJECTS[30],
        CHECK_SUBJECTS[0],
        CHECK_SUBJECTS[0],
        CHECK_SUBJECTS[-1],
        CHECK_SUBJECTS[-1],
    ]


def test_a_first_run_inside_the_window_says_how_many_days_are_left(transfer, mailoutbox):
    assert send_transfer_reminders(today=day(-20)) == 2
    assert {m.subject for m in mailoutbox} == {
        "[Vendor Register] Periodic check of the transfer to Cloudy Inc. due in 20 days"
    }
    assert send_transfer_reminders(today=day(-19)) == 0


def test_a_new_check_moves_the_due_date_and_stops_the_reminders(transfer, mailoutbox):
    send_transfer_reminders(today=day(-30))
    PeriodicCheckFactory(transfer=transfer, checked_on=day(-10))
    mailoutbox.clear()
    assert run_daily(day(-10), day(10)) == {}


def test_without_any_check_the_first_one_is_due_12_months_after_the_start(mailoutbox):
    SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Fresh Start Inc."),
        country=fresh_country(),
        status=Status.ACTIVE,
        started_on=CHECKED_ON,
    )
    assert send_transfer_reminders(today=DUE) == 2
    assert {m.subject for m in mailoutbox} == {
        "[Vendor Register] Periodic check of the transfer to Fresh Start Inc. is due today"
    }


def test_a_check_made_on_a_leap_day_is_reminded_30_days_before_it_falls_due(mailoutbox):
    leap = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Leap Inc."),
        country=CountryFactory(information_reviewed_on=date(2029, 1, 1)),
        status=Status.ACTIVE,
        started_on=date(2027, 1, 1),
    )
    PeriodicCheckFactory(transfer=leap, checked_on=date(2028, 2, 29))
    assert leap.next_check_due() == date(2029, 2, 28)

    assert send_transfer_reminders(today=date(2029, 1, 29)) == 2
    assert {m.subject for m in mailoutbox} == {
        "[Vendor Register] Periodic check of the transfer to Leap Inc. due in 30 days"
    }


@pytest.mark.parametrize("status", [Status.PLANNED, Status.SUSPENDED, Status.ENDED])
def test_no_check_reminder_for_a_transfer_that_is_not_active(transfer, mailoutbox, status):
    ForeignTransfer.objects.filter(pk=transfer.pk).update(status=status)
    assert run_daily(day(-30), day(1)) == {}


def test_no_check_reminder_on_the_consent_route(mailoutbox):
    ConsentTransferFactory(country=fresh_country(), status=Status.ACTIVE, started_on=date(2020, 1, 1))
    assert send_transfer_reminders(today=DUE) == 0


# --- stale country information ------------------------------------------------------------------------------

REVIEWED = date(2026, 3, 1)
STALE_ON = date(2027, 3, 1)  # 12 months after the review
STALE_SUBJECT = "[Vendor Register] Protection-system information on Staleland needs review"


@pytest.fixture
def staleland():
    return CountryFactory(name_en="Staleland", information_reviewed_on=REVIEWED)


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.PLANNED])
def test_country_information_going_stale_is_reminded_30_days_ahead_once(staleland, mailoutbox, status):
    ConsentTransferFactory(country=staleland, status=status)
    assert send_transfer_reminders(today=day(-31, STALE_ON)) == 0
    assert send_transfer_reminders(today=day(-30, STALE_ON)) == 2
    assert recipients(mailoutbox) == COMPLIANCE_ADDRESSES
    assert {m.subject for m in mailoutbox} == {STALE_SUBJECT}
    assert "is (or becomes on 2027-03-01) more than 12 months old" in mailoutbox[0].body
    assert run_daily(day(-29, STALE_ON), day(60, STALE_ON)) == {}
    assert len(mailoutbox) == 2


def test_country_information_already_stale_is_reminded_once(staleland, mailoutbox):
    ConsentTransferFactory(country=staleland, status=Status.ACTIVE)
    assert send_transfer_reminders(today=day(10, STALE_ON)) == 2
    assert send_transfer_reminders(today=day(10, STALE_ON)) == 0
    assert send_transfer_reminders(today=day(11, STALE_ON)) == 0


def test_country_information_never_reviewed_is_reminded_once(mailoutbox):
    ConsentTransferFactory(country=CountryFactory(name_en="Staleland", information_reviewed_on=None))
    assert run_daily(date(2027, 3, 1), date(2027, 3, 5)) == {date(2027, 3, 1): 2}
    assert {m.subject for m in mailoutbox} == {STALE_SUBJECT}


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.ENDED])
def test_no_stale_country_reminder_when_only_inactive_transfers_use_it(staleland, mailoutbox, status):
    ConsentTransferFactory(country=staleland, status=status)
    assert send_transfer_reminders(today=day(10, STALE_ON)) == 0


def test_no_stale_country_reminder_for_a_country_no_transfer_uses(staleland, mailoutbox):
    assert send_transfer_reminders(today=day(10, STALE_ON)) == 0


def test_no_stale_country_reminder_for_an_equivalent_country(mailoutbox):
    germany = seeded_country("DE")
    germany.information_reviewed_on = REVIEWED
    germany.save()
    ConsentTransferFactory(country=germany, status=Status.ACTIVE)
    assert send_transfer_reminders(today=day(10, STALE_ON)) == 0


# --- overdue corrections ------------------------------------------------------------------------------------

CORRECTION_DUE = date(2027, 3, 1)
CORRECTION_SUBJECT = "[Vendor Register] Correction demanded from Cloudy Inc. is overdue"


@pytest.fixture
def impeded(transfer):
    return PeriodicCheckFactory(
        transfer=transfer,
        checked_on=date(2027, 1, 10),
        result="impeded",
        impediments="Access logs are not kept.",
        actions_demanded="Keep access logs for a year.",
        correction_due_on=CORRECTION_DUE,
    )


def test_a_correction_past_its_due_date_is_reminded_once(impeded, mailoutbox):
    assert send_transfer_reminders(today=CORRECTION_DUE) == 0
    assert send_transfer_reminders(today=day(1, CORRECTION_DUE)) == 2
    assert recipients(mailoutbox) == COMPLIANCE_ADDRESSES
    assert {m.subject for m in mailoutbox} == {CORRECTION_SUBJECT}
    assert "Keep access logs for a year." in mailoutbox[0].body
    assert run_daily(day(1, CORRECTION_DUE), day(40, CORRECTION_DUE)) == {}
    assert len(mailoutbox) == 2


def test_no_correction_reminder_once_a_later_check_was_made(impeded, mailoutbox):
    PeriodicCheckFactory(transfer=impeded.transfer, checked_on=date(2027, 2, 20))
    assert send_transfer_reminders(today=day(5, CORRECTION_DUE)) == 0


def test_no_correction_reminder_for_a_suspended_transfer(impeded, mailoutbox):
    ForeignTransfer.objects.filter(pk=impeded.transfer_id).update(status=Status.SUSPENDED)
    assert send_transfer_reminders(today=day(5, CORRECTION_DUE)) == 0


def test_each_reminder_is_logged_once_per_recipient(impeded, mailoutbox):
    send_transfer_reminders(today=day(1, CORRECTION_DUE))
    logs = ReminderLog.objects.filter(kind="transfer_correction_overdue", sent_at__isnull=False)
    assert sorted(log.recipient.username for log in logs) == ["compliance1", "compliance2"]


# --- language -----------------------------------------------------------------------------------------------


def japanese_and_english(outbox):
    japanese = next(m for m in outbox if m.to == ["compliance1@example.com"])
    english = next(m for m in outbox if m.to == ["compliance2@example.com"])
    return japanese, english


def prefers_japanese(compliance_team):
    UserProfile.objects.filter(user=compliance_team[0]).update(language="ja")


def assert_in_japanese(message):
    assert JAPANESE.search(message.subject), message.subject
    assert JAPANESE.search(message.body), message.body
    assert JAPANESE.search(message.alternatives[0].content)


def test_a_check_reminder_is_in_japanese_for_a_recipient_who_prefers_it(
    transfer, compliance_team, mailoutbox
):
    prefers_japanese(compliance_team)
    send_transfer_reminders(today=day(-30))
    japanese, english = japanese_and_english(mailoutbox)
    assert english.subject == CHECK_SUBJECTS[30]
    assert not JAPANESE.search(english.subject + english.body)
    assert_in_japanese(japanese)


def test_a_stale_country_reminder_is_in_japanese_for_a_recipient_who_prefers_it(
    staleland, compliance_team, mailoutbox
):
    prefers_japanese(compliance_team)
    ConsentTransferFactory(country=staleland, status=Status.ACTIVE)
    send_transfer_reminders(today=STALE_ON)
    japanese, english = japanese_and_english(mailoutbox)
    assert english.subject == STALE_SUBJECT
    assert_in_japanese(japanese)


def test_a_correction_reminder_is_in_japanese_for_a_recipient_who_prefers_it(
    impeded, compliance_team, mailoutbox
):
    prefers_japanese(compliance_team)
    send_transfer_reminders(today=day(1, CORRECTION_DUE))
    japanese, english = japanese_and_english(mailoutbox)
    assert english.subject == CORRECTION_SUBJECT
    assert_in_japanese(japanese)
