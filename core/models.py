from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import QueryDict
from django.urls import get_script_prefix
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _

from .choices import CachedChoiceLabels
from .integrity_models import HistoryAlert, HistoryVerification  # noqa: F401  (history verification)


class UserProfile(CachedChoiceLabels, models.Model):
    """Per-user settings the product needs outside a request: the language and rhythm of reminder emails.

    Every user has one (created with the user), reachable as `user.profile`.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the emails you receive."),
    )
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("Receive one email a day listing your reminders instead of one email per reminder."),
    )

    class Meta:
        verbose_name = _("user profile")

    def __str__(self):
        return f"{self.user}: {self.language}"


class ReminderLog(models.Model):
    """One reminder email to one person about one subject and date: the outbox of every reminder kind.

    The row is written (claimed) before the mail is sent, in its own transaction, and its unique
    key makes a second run or a concurrent worker skip it: nothing is sent twice. A failed send
    releases the claim so the next run retries it: nothing is lost. It is claimed and updated with
    compare-and-swap queryset updates, so it carries no history (it is not a domain record).
    """

    class State(models.TextChoices):
        """Where a reminder stands for its recipient (the notifications page), derived from the row."""

        SENT = "sent", _("Sent")
        WAITING = "waiting", _("Waiting for the daily digest")
        FAILING = "failing", _("Not delivered yet")

    kind = models.CharField(_("kind"), max_length=40)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    deadline = models.DateField(_("about the date"), help_text="A moved date starts a fresh reminder cycle.")
    threshold = models.SmallIntegerField(
        _("days before"), help_text="Days before the date this reminder is for."
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    via_digest = models.BooleanField(
        _("in the daily digest"), default=False, help_text="Waits for the recipient's daily digest email."
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "deadline", "threshold", "recipient"],
                name="reminder_once_per_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="reminder_subject"),
            models.Index(fields=["recipient", "-created_at"], name="reminder_recipient"),
        ]

    def __str__(self):
        return f"{self.kind} {self.deadline} −{self.threshold}d → {self.recipient}"

    @staticmethod
    def in_state(state: str) -> models.Q:
        """The rows in `state` (a State), as a filter; agrees with `state` row by row."""
        if state == ReminderLog.State.SENT:
            return ~models.Q(sent_at=None)
        return models.Q(sent_at=None, via_digest=state == ReminderLog.State.WAITING)

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return self.State.SENT
        return self.State.WAITING if self.via_digest else self.State.FAILING


class RegisterExport(CachedChoiceLabels, models.Model):
    """An Excel register too large to stream during the request, built by a Celery worker into a file.

    Not a domain record: the worker claims it and reports progress with compare-and-swap queryset
    `.update()`s (`core.exports`), so it carries no history. It stores what the request asked for (the
    export's path and query string, the user, the language), so that the worker rebuilds exactly the rows
    the synchronous export would have given that user. Exports older than EXPORT_RETENTION_DAYS are
    deleted with their files (`core.exports.purge_old_exports`, run when an export starts).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="register_exports",
        verbose_name=_("user"),
    )
    register_name = models.CharField(_("register"), max_length=100)
    path = models.CharField(
        _("path"), max_length=300, help_text="The export URL's path, e.g. /vendors/export.xlsx."
    )
    query = models.TextField(_("filter"), blank=True, help_text="The export URL's query string.")
    language = models.CharField(_("language"), max_length=10, help_text="The language of the request.")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(
        _("rows in total"), null=True, blank=True, help_text="Counted by the worker when it starts."
    )
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=150, blank=True, help_text="The download's name.")
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The worker's last progress report; a running export silent for EXPORT_STALE_MINUTES "
        "is taken as abandoned by a dead worker and may be claimed again.",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("register export")
        verbose_name_plural = _("register exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user")]

    def __str__(self):
        return f"{self.register_name} #{self.pk} ({self.status})"

    @property
    def list_url(self) -> str:
        """The list the export was asked from, with its filter (see the list templates' export link)."""
        list_path = get_script_prefix()[:-1] + self.path.removesuffix("export.xlsx")
        return iri_to_uri(f"{list_path}?{self.query}").rstrip("?")

    @property
    def filters(self) -> list[tuple[str, str]]:
        """The filter as (name, value) pairs, a pair per value of a multiple choice."""
        return [(name, value) for name, values in QueryDict(self.query).lists() for value in values]

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_written * 100 // self.rows_total)
