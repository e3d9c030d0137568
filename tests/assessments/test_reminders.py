"""The daily assessment run: re-assessments prepared in time, expiry reminders, escalation, findings."""

import re
from datetime import date, timedelta

import pytest
from django.test import override_settings

from assessments.models import Assessment, Finding
from assessments.services import finding_save, send_assessment_reminders
from core.models import ReminderLog, UserProfile
from core.roles import COMPLIANCE, PROCUREMENT
from vendors.models import Vendor

from ..factories import UserFactory, VendorFactory, approved_assessment_for

pytestmark = pytest.mark.django_db

EXPIRES = date(2027, 6, 30)  # valid_until of the approved assessment most tests use
FAR_AWAY = date(2031, 3, 31)
DUE = date(2027, 3, 31)  # due date of the finding most tests use
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
VENDOR = "Kumo Data K.K."


def before(days: int, day: date = EXPIRES) -> date:
    return day - timedelta(days=days)


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", first_name="Olive", last_name="Owner", roles=[PROCUREMENT])


@pytest.fixture
def vendor(owner):
    return VendorFactory(name=VENDOR, owner=owner, status=Vendor.Status.APPROVED)


@pytest.fixture
def approved(vendor):
    return approved_assessment_for(vendor, valid_until=EXPIRES)


@pytest.fixture
def compliance_team(db):
    return [
        UserFactory(username="compliance1", roles=[COMPLIANCE]),
        UserFactory(username="compliance2", roles=[COMPLIANCE]),
        UserFactory(username="retired", roles=[COMPLIANCE], is_active=False),
    ]


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def sent_logs(kind: str) -> list[tuple]:
    return sorted(
        ReminderLog.objects.filter(kind=kind, sent_at__isnull=False).values_list(
            "deadline", "threshold", "recipient__username"
        )
    )


def periodic_drafts():
    return Assessment.objects.filter(kind=Assessment.Kind.PERIODIC)


# --- the next periodic assessment -----------------------------------------------------------------------


def test_no_re_assessment_is_prepared_before_the_lead_time(approved):
    send_assessment_reminders(today=before(61))
    assert not periodic_drafts().exists()


def test_the_next_periodic_assessment_is_prepared_once_within_the_lead_time(approved):
    send_assessment_reminders(today=before(60))

    draft = periodic_drafts().get()
    assert (draft.status, draft.vendor, draft.follows, draft.prepared_by) == (
        Assessment.Status.DRAFT,
        approved.vendor,
        approved,
        None,
    )
    assert draft.standard == approved.standard
    assert draft.answers.count() == 31  # the criteria that apply to every vendor

    send_assessment_reminders(today=before(60))
    send_assessment_reminders(today=before(59))
    send_assessment_reminders(today=EXPIRES + timedelta(days=1))
    assert periodic_drafts().count() == 1


def test_a_first_run_after_expiry_still_prepares_the_re_assessment(approved):
    send_assessment_reminders(today=EXPIRES + timedelta(days=20))
    assert periodic_drafts().get().follows == approved


def test_nothing_is_prepared_or_sent_for_a_terminated_vendor(vendor, mailoutbox):
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.TERMINATED)
    approved_assessment_for(vendor, valid_until=EXPIRES)
    for day in (before(60), before(30), EXPIRES, EXPIRES + timedelta(days=1)):
        assert send_assessment_reminders(today=day) == 0
    assert not periodic_drafts().exists()
    assert mailoutbox == []


# --- reminders before expiry ----------------------------------------------------------------------------


@pytest.mark.parametrize("days", [60, 30, 0])
def test_each_threshold_reminds_the_vendor_owner_once(approved, mailoutbox, days):
    assert send_assessment_reminders(today=before(days)) == 1
    assert recipients(mailoutbox) == ["owner@example.com"]
    assert sent_logs("assessment_expiry") == [(EXPIRES, days, "owner")]
    assert send_assessment_reminders(today=before(days)) == 0
    assert len(mailoutbox) == 1


def test_nothing_is_sent_before_the_first_threshold(approved, mailoutbox):
    assert send_assessment_reminders(today=before(61)) == 0
    assert mailoutbox == []


def test_daily_runs_from_70_days_before_send_exactly_three_reminders(approved, mailoutbox):
    sent_on = {}
    for days in range(70, -1, -1):
        sent = send_assessment_reminders(today=before(days))
        if sent:
            sent_on[days] = sent
    assert sent_on == {60: 1, 30: 1, 0: 1}
    assert [log[1] for log in sent_logs("assessment_expiry")] == [0, 30, 60]


def test_a_first_run_after_missed_thresholds_sends_only_the_most_recent_one(approved, mailoutbox):
    assert send_assessment_reminders(today=before(20)) == 1
    assert sent_logs("assessment_expiry") == [(EXPIRES, 30, "owner")]
    assert [m.subject for m in mailoutbox] == [
        f"[Vendor Register] {VENDOR}: due-diligence assessment expires in 20 days"
    ]
    assert send_assessment_reminders(today=before(19)) == 0
    assert send_assessment_reminders(today=before(1)) == 0
    assert send_assessment_reminders(today=EXPIRES) == 1
    assert [log[1] for log in sent_logs("assessment_expiry")] == [0, 30]


def test_no_reminder_when_a_newer_approved_assessment_exists(vendor, approved, mailoutbox, compliance_team):
    approved_assessment_for(vendor, valid_until=FAR_AWAY)
    for day in (before(60), before(30), EXPIRES, EXPIRES + timedelta(days=1)):
        assert send_assessment_reminders(today=day) == 0
    assert mailoutbox == []
    assert not periodic_drafts().exists()


def test_a_vendor_without_owner_gets_no_reminder_and_nothing_is_logged(mailoutbox):
    approved_assessment_for(VendorFactory(owner=None), valid_until=EXPIRES)
    assert send_assessment_reminders(today=before(30)) == 0
    assert not ReminderLog.objects.exists()


# --- escalation after expiry ----------------------------------------------------------------------------


def test_an_expired_assessment_is_escalated_once_to_the_owner_and_every_compliance_user(
    approved, compliance_team, mailoutbox
):
    day_after = EXPIRES + timedelta(days=1)
    assert send_assessment_reminders(today=day_after) == 3
    assert recipients(mailoutbox) == [
        "compliance1@example.com",
        "compliance2@example.com",
        "owner@example.com",
    ]
    assert {m.subject for m in mailoutbox} == {
        f"[Vendor Register] {VENDOR}: due-diligence assessment has expired"
    }
    assert send_assessment_reminders(today=day_after) == 0
    assert send_assessment_reminders(today=day_after + timedelta(days=10)) == 0
    assert len(mailoutbox) == 3
    assert sent_logs("assessment_expired") == [
        (EXPIRES, 0, "compliance1"),
        (EXPIRES, 0, "compliance2"),
        (EXPIRES, 0, "owner"),
    ]


def test_no_escalation_on_the_last_valid_day(approved, compliance_team, mailoutbox):
    assert send_assessment_reminders(today=EXPIRES) == 1
    assert recipients(mailoutbox) == ["owner@example.com"]
    assert not ReminderLog.objects.filter(kind="assessment_expired").exists()


# --- overdue findings -----------------------------------------------------------------------------------


@pytest.fixture
def finding_owner(db):
    return UserFactory(username="fixer", first_name="Fumi", last_name="Fixer", roles=[PROCUREMENT])


@pytest.fixture
def finding(owner, finding_owner):
    """An open finding due on DUE, of another vendor of the same name (its assessment is valid for years)."""
    vendor = VendorFactory(name=VENDOR, owner=owner, status=Vendor.Status.APPROVED)
    assessment = approved_assessment_for(vendor, valid_until=FAR_AWAY)
    Assessment.objects.filter(pk=assessment.pk).update(result=Assessment.Result.CONDITIONAL, score=75)
    return Finding.objects.create(
        assessment=assessment,
        description="Laptops are not encrypted.",
        due_on=DUE,
        owner=finding_owner,
    )


def test_an_overdue_open_finding_reminds_its_owner_once(finding, mailoutbox):
    assert send_assessment_reminders(today=DUE) == 0
    assert send_assessment_reminders(today=DUE + timedelta(days=1)) == 1
    assert recipients(mailoutbox) == ["fixer@example.com"]
    assert send_assessment_reminders(today=DUE + timedelta(days=2)) == 0
    assert send_assessment_reminders(today=DUE + timedelta(days=30)) == 0
    assert sent_logs("finding_overdue") == [(DUE, 0, "fixer")]


def test_a_finding_whose_due_date_moved_reminds_again_after_the_new_date(finding, finding_owner, mailoutbox):
    send_assessment_reminders(today=DUE + timedelta(days=1))
    new_due = DUE + timedelta(days=60)
    finding.due_on = new_due
    finding_save(finding=finding, user=finding_owner, reason="Vendor needs two more months.")

    assert send_assessment_reminders(today=DUE + timedelta(days=2)) == 0
    assert send_assessment_reminders(today=new_due) == 0
    assert send_assessment_reminders(today=new_due + timedelta(days=1)) == 1
    assert send_assessment_reminders(today=new_due + timedelta(days=2)) == 0
    assert len(mailoutbox) == 2
    assert sent_logs("finding_overdue") == [(DUE, 0, "fixer"), (new_due, 0, "fixer")]
    assert new_due.isoformat() in mailoutbox[-1].body


@pytest.mark.parametrize("status", [Finding.Status.RESOLVED, Finding.Status.ACCEPTED_RISK])
def test_a_closed_finding_does_not_remind(finding, mailoutbox, status):
    Finding.objects.filter(pk=finding.pk).update(status=status, resolution_note="Encrypted in April.")
    assert send_assessment_reminders(today=DUE + timedelta(days=1)) == 0
    assert mailoutbox == []


def test_a_finding_without_a_due_date_does_not_remind(finding, mailoutbox):
    Finding.objects.filter(pk=finding.pk).update(due_on=None)
    assert send_assessment_reminders(today=DUE + timedelta(days=100)) == 0


# --- the emails -----------------------------------------------------------------------------------------


@override_settings(SITE_URL="https://vendors.example.com")
def test_the_expiry_reminder_names_the_vendor_the_date_and_links_to_the_vendor(approved, vendor, mailoutbox):
    send_assessment_reminders(today=before(30))
    (message,) = mailoutbox
    link = f"https://vendors.example.com/vendors/{vendor.pk}/#assessments"
    assert message.subject == f"[Vendor Register] {VENDOR}: due-diligence assessment expires in 30 days"
    assert message.body.startswith("Dear Olive Owner,")
    assert f"The due-diligence assessment of {VENDOR} is valid until 2027-06-30." in message.body
    assert link in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html" and f'href="{link}"' in html


def test_the_reminder_on_the_last_day_says_it_expires_today(approved, mailoutbox):
    send_assessment_reminders(today=EXPIRES)
    assert mailoutbox[0].subject == f"[Vendor Register] {VENDOR}: due-diligence assessment expires today"


def test_the_escalation_says_it_expired_and_nothing_newer_was_approved(approved, mailoutbox):
    send_assessment_reminders(today=EXPIRES + timedelta(days=3))
    (message,) = mailoutbox
    assert (
        f"The due-diligence assessment of {VENDOR} expired on 2027-06-30 and no newer assessment has been "
        "approved." in message.body
    )


@override_settings(SITE_URL="https://vendors.example.com")
def test_the_finding_reminder_quotes_the_finding_and_links_to_it(finding, mailoutbox):
    send_assessment_reminders(today=DUE + timedelta(days=1))
    (message,) = mailoutbox
    assert message.subject == f"[Vendor Register] {VENDOR}: a remediation finding is overdue"
    assert message.body.startswith("Dear Fumi Fixer,")
    assert "was due on 2027-03-31 and is still open" in message.body
    assert "Laptops are not encrypted." in message.body
    assert f"https://vendors.example.com{finding.get_absolute_url()}" in message.body


def test_a_recipient_who_never_chose_a_language_gets_english(approved, finding, compliance_team, mailoutbox):
    send_assessment_reminders(today=EXPIRES + timedelta(days=1))
    assert mailoutbox
    assert all(not JAPANESE.search(m.subject + m.body) for m in mailoutbox)


def test_a_japanese_speaking_owner_is_greeted_in_japanese(approved, owner, mailoutbox):
    UserProfile.objects.filter(user=owner).update(language="ja")
    send_assessment_reminders(today=before(30))
    (message,) = mailoutbox
    assert message.body.startswith("Olive Owner 様")


RUN_DAY = {"expiry": before(30), "expired": EXPIRES + timedelta(days=1), "finding": DUE + timedelta(days=1)}


@pytest.mark.parametrize("kind", ["expiry", "expired", "finding"])
def test_a_japanese_speaking_recipient_gets_the_whole_email_in_japanese(
    approved, finding, owner, finding_owner, mailoutbox, kind
):
    UserProfile.objects.filter(user=owner).update(language="ja")
    UserProfile.objects.filter(user=finding_owner).update(language="ja")
    send_assessment_reminders(today=RUN_DAY[kind])
    address = "fixer@example.com" if kind == "finding" else "owner@example.com"
    message = next(m for m in mailoutbox if m.to == [address])
    # the vendor name is the only English the email should still contain
    text = message.body.replace(VENDOR, "")
    assert JAPANESE.search(message.subject.replace(VENDOR, "")), message.subject
    main_sentence = text.splitlines()[2]
    assert JAPANESE.search(main_sentence), main_sentence
