from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserProfile(models.Model):
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
