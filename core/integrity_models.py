"""What the history verification records (core.history_integrity); imported by core.models."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class HistoryVerification(models.Model):
    """One run of the history verification: when, how much, and what was wrong.

    The audit page shows the latest. Not a domain record (no history): the verification writes it once.
    """

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("verified at"), db_index=True)
    rows_checked = models.PositiveBigIntegerField(_("history rows checked"), default=0)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    findings = models.JSONField(
        _("findings"),
        default=list,
        blank=True,
        help_text="The first MAX_FINDINGS problems: model, problem, object id, history id, count.",
    )
    anchors = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per history table, [highest history_id, rows up to it]: the next run reports rows that "
        "have disappeared since, which no chain shows when they were an object's newest or only versions.",
    )

    class Meta:
        verbose_name = _("history verification")
        verbose_name_plural = _("history verifications")
        ordering = ["-finished_at", "-pk"]

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M}: {self.problem_count} problems"

    def get_absolute_url(self):
        return reverse("audit")

    @property
    def is_intact(self) -> bool:
        return self.problem_count == 0


class HistoryAlert(models.Model):
    """A finding compliance has been told about: one row per finding, so each is emailed once.

    `verification` is the run that first reported it; its alert email lists the alerts it created.
    """

    key = models.CharField(max_length=200, unique=True)
    verification = models.ForeignKey(
        HistoryVerification, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("verification")
    )
    finding = models.JSONField(_("finding"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("history alert")
        verbose_name_plural = _("history alerts")
        ordering = ["pk"]

    def __str__(self):
        return self.key
