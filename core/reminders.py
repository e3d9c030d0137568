"""Reminder emails that are sent at most once and never lost.

Each app registers a *source*: a function `(today) -> Iterable[Reminder]` that computes from the
database what is due. `run_reminders()` passes every reminder through `deliver()`, which claims
one ReminderLog row per (kind, subject, date, threshold, recipient) before sending. The unique row
makes repeated and concurrent runs skip what is claimed or sent; a failed send releases the claim
so the next run retries; a claim left by a killed worker expires after REMINDER_CLAIM_TIMEOUT_MINUTES.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import ReminderLog, UserPreference

logger = logging.getLogger(__name__)

# Attempts after which a reminder that keeps failing is left for a person to look at.
MAX_ATTEMPTS = 10
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Reminder:
    kind: str
    subject: object
    deadline: date
    threshold: int
    recipients: tuple
    template: str  # e.g. "contracts/email/notice": renders _subject.txt, .txt and .html
    context: dict = field(default_factory=dict)


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def __iadd__(self, other: "RunResult"):
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        return self


ReminderSource = Callable[[date], Iterable[Reminder]]
_SOURCES: dict[str, ReminderSource] = {}


def reminder_source(name: str):
    """Register a function that yields the reminders due on a given day."""

    def register(source: ReminderSource) -> ReminderSource:
        _SOURCES[name] = source
        return source

    return register


def reminder_sources() -> dict[str, ReminderSource]:
    return dict(_SOURCES)


def run_reminders(*, today: date | None = None, only: Iterable[str] | None = None) -> dict[str, RunResult]:
    today = today or timezone.localdate()
    return {name: deliver(source(today)) for name, source in _SOURCES.items() if only is None or name in only}


def deliver(reminders: Iterable[Reminder]) -> RunResult:
    result = RunResult()
    for reminder in reminders:
        seen = set()
        for recipient in reminder.recipients:
            if recipient is None or recipient.pk in seen or not recipient.email or not recipient.is_active:
                continue
            seen.add(recipient.pk)
            result += _deliver_one(reminder, recipient)
    return result


def _deliver_one(reminder: Reminder, recipient) -> RunResult:
    log = _claim(reminder, recipient)
    if log is None:
        return RunResult(skipped=1)
    try:
        _send(reminder, recipient)
    except TRANSIENT_ERRORS as error:
        logger.warning("Reminder %s to %s failed: %s", reminder.kind, recipient, error)
        ReminderLog.objects.filter(pk=log.pk).update(claimed_at=None, last_error=str(error)[:2000])
        return RunResult(failed=1)
    ReminderLog.objects.filter(pk=log.pk).update(sent_at=timezone.now(), last_error="")
    return RunResult(sent=1)


def _claim(reminder: Reminder, recipient) -> ReminderLog | None:
    """The claimed log row, or None when it is sent, held by another worker, or given up."""
    now = timezone.now()
    key = {
        "kind": reminder.kind,
        "subject_type": ContentType.objects.get_for_model(reminder.subject),
        "subject_id": reminder.subject.pk,
        "deadline": reminder.deadline,
        "threshold": reminder.threshold,
        "recipient": recipient,
    }
    with transaction.atomic():
        log, created = ReminderLog.objects.get_or_create(**key, defaults={"claimed_at": now, "attempts": 1})
    if created:
        return log
    stale = now - timedelta(minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES)
    claimed = (
        ReminderLog.objects.filter(pk=log.pk, sent_at=None, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    return log if claimed else None


def user_language(user) -> str:
    try:
        return user.preference.language
    except UserPreference.DoesNotExist:
        return settings.LANGUAGE_CODE


def _send(reminder: Reminder, recipient) -> None:
    with translation.override(user_language(recipient)):
        context = {
            **reminder.context,
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "threshold": reminder.threshold,
            "deadline": reminder.deadline,
        }
        subject = " ".join(render_to_string(f"{reminder.template}_subject.txt", context).split())
        text = render_to_string(f"{reminder.template}.txt", context)
        html = render_to_string(f"{reminder.template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()


def not_fully_sent(kind: str, model, threshold: int, deadline) -> Q:
    """Rows of `model` whose reminder (kind, deadline, threshold) has not yet gone out to everyone.

    `deadline` is an expression over the outer row (e.g. OuterRef("valid_until")) or a fixed date. Sources use
    it so that a run only looks at what is still due, not at everything ever reminded.
    """
    logs = ReminderLog.objects.filter(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(model),
        subject_id=OuterRef("pk"),
        deadline=deadline,
        threshold=threshold,
    )
    return ~Exists(logs) | Exists(logs.filter(sent_at=None))
