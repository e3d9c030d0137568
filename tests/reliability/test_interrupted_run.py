"""A worker stopped in the middle of a reminder run: what it sent stays sent, the email it was sending stays
claimed until REMINDER_CLAIM_TIMEOUT_MINUTES have passed, and later runs send the rest, nothing twice.

In-process, the email backend raises KeyboardInterrupt or SystemExit (not an Exception: nothing in the run
may catch it, as nothing catches a killed process). On PostgreSQL, `manage.py send_reminders` is also
killed with SIGKILL while the SMTP server holds its email, and started again.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from core.models import ReminderLog
from core.reminders import run_reminders

from ..e2e.test_reminder_worker import free_port
from .mail import InterruptingBackend, backend_path
from .scene import (
    DAY,
    DUE,
    IN_DIGEST,
    SEPARATE_EMAILS,
    assert_each_due_reminder_reached_its_person_once,
    logged,
)
from .scene import build_scene as scene

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MINUTES = 15


def interrupted_run(monkeypatch, *, deliver: int, interruption: type[BaseException]) -> None:
    monkeypatch.setattr(InterruptingBackend, "deliver", deliver)
    monkeypatch.setattr(InterruptingBackend, "interruption", interruption)
    monkeypatch.setattr(InterruptingBackend, "delivered", 0)
    with override_settings(EMAIL_BACKEND=backend_path(InterruptingBackend)), pytest.raises(interruption):
        run_reminders(today=DAY)


def claimed_unsent():
    return ReminderLog.objects.filter(sent_at=None).exclude(claimed_at=None)


def claimed_minutes_ago(minutes: float) -> None:
    """Time travel: the interrupted claim was taken `minutes` ago."""
    claimed_unsent().update(claimed_at=timezone.now() - timedelta(minutes=minutes))


# deliver=3: stopped among the separate emails; deliver=SEPARATE_EMAILS: stopped while sending the digest.
WHERE = pytest.mark.parametrize(
    ("deliver", "held"), [(3, 1), (SEPARATE_EMAILS, 3)], ids=["in-separate-emails", "in-the-digest"]
)
HOW = pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])


@WHERE
@HOW
def test_what_was_sent_before_the_interruption_stays_sent_and_the_email_being_sent_stays_claimed(
    db, mailoutbox, monkeypatch, deliver, held, interruption
):
    scene()
    interrupted_run(monkeypatch, deliver=deliver, interruption=interruption)

    assert len(mailoutbox) == deliver
    sent = ReminderLog.objects.exclude(sent_at=None)
    assert sent.count() == deliver
    assert all(row.claimed_at is not None and row.attempts == 1 for row in sent)
    # The digest claims every line of it before sending: all of them stay claimed.
    assert claimed_unsent().count() == held
    assert ReminderLog.objects.filter(sent_at=None, claimed_at=None, via_digest=False).count() == 0


@WHERE
@HOW
def test_after_the_claim_timeout_the_next_runs_send_the_rest_and_nothing_twice(
    db, mailoutbox, monkeypatch, deliver, held, interruption
):
    scene()
    interrupted_run(monkeypatch, deliver=deliver, interruption=interruption)

    # Restarted at once: everything not yet claimed goes out; the held claim may still be in progress.
    results = run_reminders(today=DAY)
    assert sum(result.sent for result in results.values()) == DUE.total() - deliver - held
    assert claimed_unsent().count() == held

    with override_settings(REMINDER_CLAIM_TIMEOUT_MINUTES=TIMEOUT_MINUTES):
        claimed_minutes_ago(TIMEOUT_MINUTES - 1)
        results = run_reminders(today=DAY)
        assert sum(result.sent for result in results.values()) == 0  # not yet taken as abandoned
        assert claimed_unsent().count() == held

        claimed_minutes_ago(TIMEOUT_MINUTES + 1)
        results = run_reminders(today=DAY)
        assert sum(result.sent for result in results.values()) == held

    assert_each_due_reminder_reached_its_person_once()
    assert claimed_unsent().count() == 0
    # The held rows were claimed twice (the interrupted attempt and the one that sent them), the others once.
    assert (
        sorted(ReminderLog.objects.values_list("attempts", flat=True))
        == [1] * (DUE.total() - held) + [2] * held
    )


# --- a real process, killed -------------------------------------------------------------------------------


class StallingMailbox:
    """An SMTP server that accepts `accept` messages, then holds the next one without answering."""

    def __init__(self, accept: int):
        self.accept = accept
        self.messages = []
        self.stalled = threading.Event()
        self.released = False

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) >= self.accept:
            self.stalled.set()
            while not self.released:
                await asyncio.sleep(0.05)
            return "421 Service not available, closing transmission channel"  # never delivered
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    mailbox = StallingMailbox(accept=3)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    mailbox.released = True
    controller.stop()


def send_reminders_process(port: int, log: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DEFAULT_FROM_EMAIL": "reminders@example.com",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders", "--today", DAY.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def delivered(mailbox) -> tuple[Counter, Counter]:
    """(recipient, subject) of the separate emails, and (recipient, line) of the digest lines, the SMTP
    server accepted."""
    emails, lines = Counter(), Counter()
    for envelope in mailbox.messages:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        body = message.get_body(("plain",)).get_content()
        for address in envelope.rcpt_tos:
            if "daily digest" in message["Subject"]:
                lines.update((address, line[2:]) for line in body.splitlines() if line.startswith("- "))
            else:
                emails[address, message["Subject"]] += 1
    return emails, lines


def sent_rows() -> int:
    return ReminderLog.objects.exclude(sent_at=None).count()


@pytest.mark.postgresql("the send_reminders process must see the test database")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_reminders_process_killed_while_sending_is_restarted_and_sends_the_rest_once(
    smtp_server, tmp_path
):
    controller, mailbox = smtp_server
    scene()
    log = tmp_path / "send_reminders.log"

    def run_to_the_end():
        process = send_reminders_process(controller.port, log)
        assert process.wait(timeout=300) == 0, log.read_text()
        time.sleep(0.5)  # the SMTP server's last handler may still be running

    killed = send_reminders_process(controller.port, log)
    try:
        assert mailbox.stalled.wait(timeout=180), log.read_text()
    finally:
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    assert (len(mailbox.messages), sent_rows(), claimed_unsent().count()) == (3, 3, 1)

    mailbox.accept, mailbox.released = 1_000, True
    run_to_the_end()  # restarted at once: the killed process's claim is left alone
    assert (sent_rows(), claimed_unsent().count()) == (DUE.total() - 1, 1)
    run_to_the_end()
    assert sent_rows() == DUE.total() - 1

    claimed_minutes_ago(TIMEOUT_MINUTES + 1)
    run_to_the_end()
    assert sent_rows() == DUE.total()

    emails, lines = delivered(mailbox)
    assert set(emails.values()) == {1} and emails.total() == SEPARATE_EMAILS, emails
    assert set(lines.values()) == {1} and lines.total() == IN_DIGEST, lines
    assert logged() == DUE
