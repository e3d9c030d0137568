"""The notifications page and the daily digest: every reminder reaches its person once, in one way."""

import smtplib
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone

from core.models import ReminderLog, UserProfile
from core.reminders import run_reminders
from core.roles import PROCUREMENT
from core.services import profile_save

from ..factories import UserFactory, VendorFactory, active_contract_for

pytestmark = pytest.mark.django_db

DEADLINE = date(2027, 6, 30)
REMINDED_ON = DEADLINE - timedelta(days=30)


class DisconnectingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def contract_due(owner, reference):
    """An active contract whose notice deadline is DEADLINE, owned by `owner` (also the vendor's owner)."""
    return active_contract_for(
        VendorFactory(name=f"Vendor of {reference}", owner=owner),
        reference=reference,
        starts_on=DEADLINE - timedelta(days=400),
        ends_on=DEADLINE + timedelta(days=60),
        notice_days=60,
        owner=owner,
    )


@pytest.fixture
def owner(db):
    return UserFactory(username="olive", first_name="Olive", roles=[PROCUREMENT])


def choose_digest(user):
    UserProfile.objects.filter(user=user).update(daily_digest=True)
    user.refresh_from_db()


def test_every_user_has_a_profile_with_a_language(owner):
    assert owner.profile.language == "en"
    assert owner.profile.daily_digest is False


def test_without_the_digest_each_reminder_is_its_own_email(owner, mailoutbox):
    contract_due(owner, "PC-1")
    contract_due(owner, "PC-2")
    run_reminders(today=REMINDED_ON, only=["contracts"])
    assert len(mailoutbox) == 2
    assert all("digest" not in message.subject for message in mailoutbox)


def test_with_the_digest_one_email_lists_every_reminder(owner, mailoutbox):
    choose_digest(owner)
    contract_due(owner, "PC-1")
    contract_due(owner, "PC-2")
    results = run_reminders(today=REMINDED_ON, only=["contracts"])
    assert results["contracts"].queued == 2
    assert results["digest"].sent == 2
    assert len(mailoutbox) == 1
    assert "2 reminders" in mailoutbox[0].subject
    assert "PC-1" in mailoutbox[0].body and "PC-2" in mailoutbox[0].body


def test_a_digest_line_is_never_sent_twice(owner, mailoutbox):
    choose_digest(owner)
    contract_due(owner, "PC-1")
    run_reminders(today=REMINDED_ON, only=["contracts"])
    run_reminders(today=REMINDED_ON, only=["contracts"])
    assert len(mailoutbox) == 1


def test_a_failed_digest_stays_queued_and_goes_out_once_the_mail_server_is_back(owner, mailoutbox):
    choose_digest(owner)
    contract_due(owner, "PC-1")
    with override_settings(EMAIL_BACKEND=f"{__name__}.DisconnectingBackend"):
        results = run_reminders(today=REMINDED_ON, only=["contracts"])
    assert results["digest"].failed == 1
    assert ReminderLog.objects.get().sent_at is None
    run_reminders(today=REMINDED_ON, only=["contracts"])
    assert len(mailoutbox) == 1
    assert ReminderLog.objects.get().sent_at is not None


def test_a_separate_email_that_failed_joins_the_digest_when_the_person_switches(owner, mailoutbox):
    contract_due(owner, "PC-1")
    with override_settings(EMAIL_BACKEND=f"{__name__}.DisconnectingBackend"):
        run_reminders(today=REMINDED_ON, only=["contracts"])
    choose_digest(owner)
    run_reminders(today=REMINDED_ON, only=["contracts"])
    assert len(mailoutbox) == 1
    assert "digest" in mailoutbox[0].subject
    assert ReminderLog.objects.get().via_digest


def test_the_notifications_page_lists_my_reminders_with_links(owner, client):
    contract = contract_due(owner, "PC-1")
    someone_else = UserFactory(username="other", roles=[PROCUREMENT])
    contract_due(someone_else, "PC-OTHER")
    run_reminders(today=REMINDED_ON, only=["contracts"])
    client.force_login(owner)
    page = client.get("/notifications/").content.decode()
    assert "PC-1" in page
    assert f'href="{contract.get_absolute_url()}"' in page
    assert "PC-OTHER" not in page


def test_the_notifications_page_shows_what_waits_for_the_digest(owner, client):
    choose_digest(owner)
    contract_due(owner, "PC-1")
    run_reminders(today=REMINDED_ON, only=["contracts"])  # sends the digest too
    contract_due(owner, "PC-2")
    ReminderLog.objects.update(sent_at=None, claimed_at=None)  # as if the digest had not gone out yet
    client.force_login(owner)
    page = client.get("/notifications/?state=waiting").content.decode()
    assert "waiting for the daily digest" in page


def test_the_notifications_page_has_a_fixed_number_of_queries(owner, client, django_assert_max_num_queries):
    for n in range(12):
        contract_due(owner, f"PC-{n}")
    run_reminders(today=REMINDED_ON, only=["contracts"])
    client.force_login(owner)
    with django_assert_max_num_queries(9):  # session, user, roles, profile, count, page, menu…
        assert client.get("/notifications/").status_code == 200


def test_choosing_the_digest_on_the_settings_page(owner, client):
    client.force_login(owner)
    response = client.post("/settings/", {"language": "ja", "daily_digest": "on"})
    assert response.status_code == 302
    owner.profile.refresh_from_db()
    assert owner.profile.daily_digest is True
    assert owner.profile.language == "ja"
    assert response.cookies["django_language"].value == "ja"


def test_an_unknown_language_is_refused_on_the_settings_page(owner, client):
    client.force_login(owner)
    response = client.post("/settings/", {"language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    owner.profile.refresh_from_db()
    assert owner.profile.language == "en"


def test_a_user_without_a_role_cannot_open_the_pages(client, roleless_user):
    client.force_login(roleless_user)
    assert client.get("/notifications/").status_code == 403
    assert client.get("/settings/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/settings/").status_code == 302


def reminder_in_state(owner, message, *, sent: bool, via_digest: bool) -> ReminderLog:
    contract = contract_due(owner, message)
    return ReminderLog.objects.create(
        kind="contract_notice",
        subject_type=ContentType.objects.get_for_model(contract),
        subject_id=contract.pk,
        deadline=DEADLINE,
        threshold=30,
        recipient=owner,
        message=message,
        sent_at=timezone.now() if sent else None,
        via_digest=via_digest,
    )


@pytest.mark.parametrize(
    ("state", "shown", "badge"),
    [
        ("sent", {"MSG-SENT", "MSG-SENT-IN-DIGEST"}, "in digest"),
        ("waiting", {"MSG-WAITING"}, "waiting for the daily digest"),
        ("failing", {"MSG-FAILING"}, "not delivered yet; retried automatically"),
    ],
)
def test_the_state_filter_keeps_the_reminders_in_that_state_and_no_other(owner, client, state, shown, badge):
    reminder_in_state(owner, "MSG-SENT", sent=True, via_digest=False)
    reminder_in_state(owner, "MSG-SENT-IN-DIGEST", sent=True, via_digest=True)
    reminder_in_state(owner, "MSG-WAITING", sent=False, via_digest=True)
    reminder_in_state(owner, "MSG-FAILING", sent=False, via_digest=False)
    client.force_login(owner)

    response = client.get("/notifications/", {"state": state})

    assert {reminder.message for reminder in response.context["object_list"]} == shown
    assert {reminder.state for reminder in response.context["object_list"]} == {state}
    assert badge in response.content.decode()


def test_an_unknown_state_lists_nothing(owner, client):
    reminder_in_state(owner, "MSG-SENT", sent=True, via_digest=False)
    client.force_login(owner)

    response = client.get("/notifications/", {"state": "lost"})

    assert list(response.context["object_list"]) == []


def test_nobody_saves_another_persons_settings(owner):
    other = UserFactory(username="other", roles=[PROCUREMENT])
    profile = other.profile
    profile.daily_digest = True

    with pytest.raises(ValidationError, match="only your own settings"):
        profile_save(profile=profile, user=owner)

    assert UserProfile.objects.get(user=other).daily_digest is False
    assert profile_save(profile=profile, user=other).daily_digest is True
