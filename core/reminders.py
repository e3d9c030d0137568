"""Reminder emails that are sent at most once and never lost.

Each app registers a *source*: a function `(today) -> Iterable[Reminder]` that computes from the
database what is due. `run_reminders()` passes every reminder through `deliver()`, which claims
one ReminderLog row per (kind, subject, date, threshold, recipient) before sending. The unique row
makes repeated and concurrent runs skip what is claimed or sent; a failed send releases the claim
so the next run retries; a claim left by a killed worker expires after REMINDER_CLAIM_TIMEOUT_MINUTES.

A recipient who chose the daily digest gets no separate email: their row is queued (`via_digest`) and
`send_digests()`, run at the end of every reminder run, sends one email per person listing what is
queued, claiming each row the same way so a digest line also goes out exactly once.
"""

import logging
import smtplib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import ReminderLog, UserProfile

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
    queued: int = 0

    def __iadd__(self, other: "RunResult"):
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.queued += other.queued
        return self


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


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


DIGEST = "digest"


def run_reminders(*, today: date | None = None, only: Iterable[str] | None = None) -> dict[str, RunResult]:
    """Every due reminder of the registered kinds (or `only` those), then the digests they queued."""
    today = today or timezone.localdate()
    results = {
        name: deliver(source(today)) for name, source in _SOURCES.items() if only is None or name in only
    }
    results[DIGEST] = send_digests()
    return results


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
    email = _render(reminder.template, recipient, _reminder_context(reminder))
    note = {"message": email.subject[:300], "link": _link(reminder.subject)}
    if _wants_digest(recipient):
        return _queue_for_digest(reminder, recipient, note)
    claimed = _claim(reminder, recipient)
    if claimed is None:
        return RunResult(skipped=1)
    return _send_claimed(email, recipient, [claimed], what=f"Reminder {reminder.kind}", **note)


def _send_claimed(email: RenderedEmail, recipient, pks: list[int], *, what: str, **sent_fields) -> RunResult:
    """Send an email for the claimed log rows `pks`: mark them sent (with `sent_fields`), or, when the mail
    server fails, release the claim with the error so that the next run retries them."""
    rows = ReminderLog.objects.filter(pk__in=pks)
    try:
        _send(email, recipient)
    except TRANSIENT_ERRORS as error:
        logger.warning("%s to %s failed: %s", what, recipient, error)
        rows.update(claimed_at=None, last_error=str(error)[:2000])
        return RunResult(failed=len(pks))
    rows.update(sent_at=timezone.now(), last_error="", **sent_fields)
    return RunResult(sent=len(pks))


def _key(reminder: Reminder, recipient) -> dict:
    return {
        "kind": reminder.kind,
        "subject_type": ContentType.objects.get_for_model(reminder.subject),
        "subject_id": reminder.subject.pk,
        "deadline": reminder.deadline,
        "threshold": reminder.threshold,
        "recipient": recipient,
    }


def _claim(reminder: Reminder, recipient) -> int | None:
    """The id of the claimed log row, or None when it is sent, held by another worker, or given up.

    Inserting the row (unique per key) is the claim: what is due has mostly never been tried, so that is one
    statement. A row already there (a failed send, a dead worker's claim) is taken over by compare-and-swap.
    """
    key = _key(reminder, recipient)
    try:
        with transaction.atomic():
            return ReminderLog.objects.create(**key, claimed_at=timezone.now(), attempts=1).pk
    except IntegrityError:
        pass  # another run's row, or an earlier attempt's
    pk = ReminderLog.objects.filter(**key).values_list("pk", flat=True).first()
    return pk if pk is not None and _claim_existing(pk) else None


def _unclaimed(now) -> Q:
    stale = now - timedelta(minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES)
    return Q(sent_at=None, attempts__lt=MAX_ATTEMPTS) & (Q(claimed_at=None) | Q(claimed_at__lt=stale))


def _claim_existing(pk: int) -> bool:
    """Compare-and-swap: only one worker turns an unsent, unclaimed (or stale) row into its claim."""
    now = timezone.now()
    return bool(
        ReminderLog.objects.filter(_unclaimed(now), pk=pk).update(claimed_at=now, attempts=F("attempts") + 1)
    )


def _wants_digest(recipient) -> bool:
    profile = getattr(recipient, "profile", None)
    return bool(profile and profile.daily_digest)


def _queue_for_digest(reminder: Reminder, recipient, note: dict) -> RunResult:
    with transaction.atomic():
        log, created = ReminderLog.objects.get_or_create(
            **_key(reminder, recipient), defaults={"via_digest": True, **note}
        )
    if created:
        return RunResult(queued=1)
    # A separate email that failed before the person chose the digest joins the digest instead.
    moved = ReminderLog.objects.filter(_unclaimed(timezone.now()), pk=log.pk, via_digest=False).update(
        via_digest=True, **note
    )
    return RunResult(queued=1) if moved else RunResult(skipped=1)


def send_digests() -> RunResult:
    """One email per person listing every reminder queued for their digest; each line goes out once."""
    result = RunResult()
    waiting = ReminderLog.objects.filter(_unclaimed(timezone.now()), via_digest=True)
    recipients = get_user_model().objects.filter(pk__in=waiting.values("recipient")).select_related("profile")
    for recipient in recipients:
        rows = waiting.filter(recipient=recipient).order_by("deadline", "pk")
        claimed = [row for row in rows if _claim_existing(row.pk)]
        if not claimed:
            continue
        email = _render(DIGEST_TEMPLATE, recipient, {"reminders": claimed, "site_url": settings.SITE_URL})
        result += _send_claimed(email, recipient, [row.pk for row in claimed], what="Digest")
    return result


DIGEST_TEMPLATE = "core/email/digest"


def user_language(user) -> str:
    try:
        return user.profile.language
    except UserProfile.DoesNotExist:
        return settings.LANGUAGE_CODE


def _reminder_context(reminder: Reminder) -> dict:
    return {
        **reminder.context,
        "site_url": settings.SITE_URL,
        "threshold": reminder.threshold,
        "deadline": reminder.deadline,
    }


def _link(subject) -> str:
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if get_url else ""


def _render(template: str, recipient, context: dict) -> RenderedEmail:
    with translation.override(user_language(recipient)):
        context = {**context, "recipient": recipient}
        return RenderedEmail(
            subject=" ".join(render_to_string(f"{template}_subject.txt", context).split()),
            text=render_to_string(f"{template}.txt", context),
            html=render_to_string(f"{template}.html", context),
        )


def _send(email: RenderedEmail, recipient) -> None:
    message = EmailMultiAlternatives(
        email.subject, email.text, settings.DEFAULT_FROM_EMAIL, [recipient.email]
    )
    message.attach_alternative(email.html, "text/html")
    message.send()


def fully_sent(reminders: list[Reminder]) -> set[tuple]:
    """The (kind, subject id, date, threshold) keys among `reminders` already sent to each recipient.

    For sources that compute what is due in Python: one query, so a run skips what is done without
    claiming it recipient by recipient.
    """
    if not reminders:
        return set()
    model = type(reminders[0].subject)
    wanted = {(r.kind, r.subject.pk, r.deadline, r.threshold): r for r in reminders}
    sent = Counter(
        ReminderLog.objects.filter(
            subject_type=ContentType.objects.get_for_model(model),
            subject_id__in={key[1] for key in wanted},
            kind__in={key[0] for key in wanted},
        )
        .exclude(sent_at=None)
        .values_list("kind", "subject_id", "deadline", "threshold")
    )
    return {
        key
        for key, reminder in wanted.items()
        if sent[key] >= len({r.pk for r in reminder.recipients if r is not None and r.email and r.is_active})
    }


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
