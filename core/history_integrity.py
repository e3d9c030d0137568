"""Is the history as the application wrote it? Verify every seal chain, record the result, alert compliance.

`verify()` walks every history table in chain order (core.history_chain.walk: batches of whole objects,
flat memory) and recomputes each row's seal. A row is reported as
- altered: its columns or its historical M2M rows no longer give its seal (an UPDATE in the database, or an
  M2M row added, changed or deleted);
- predecessor missing: it chains to a row that is no longer before it (a version deleted before it);
- unsealed: it has no seal (a row inserted outside the application);
- and, per table, rows missing: fewer rows up to the highest history_id the last verification saw than it
  counted then (versions deleted that were an object's newest or only ones, which no chain shows).
Changing a live row directly in the database (no history row) is not a history tamper: the history still
says what the application wrote; the next save through a service records the live row as it is then.

`run_verification()` records a HistoryVerification (the audit page shows the latest);
`alert_compliance()` creates a HistoryAlert per finding no earlier run reported and emails every
compliance user about them through the reminder outbox (core.reminders.deliver): each finding is emailed
once, and a failed send is retried by the next run. core.tasks.verify_history runs both daily.
"""

import hmac
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .history_chain import HEAD, ChainSpec, sealed_history_models, spec_for, walk
from .models import HistoryAlert, HistoryVerification
from .reminders import Reminder, RunResult, deliver
from .roles import COMPLIANCE, active_users_with_role

ALTERED = "altered"
PREDECESSOR_MISSING = "predecessor_missing"
UNSEALED = "unsealed"
ROWS_MISSING = "rows_missing"
PROBLEMS = {
    ALTERED: _("changed outside the application"),
    PREDECESSOR_MISSING: _("the version before it was deleted"),
    UNSEALED: _("written outside the application (no seal)"),
}  # rows_missing is worded with its count (templates/core/history_finding.txt)
MAX_FINDINGS = 1000  # recorded per verification; the count covers all
HISTORY_ALERT = "history_alert"
ALERT_TEMPLATE = "core/email/history_alert"
ALERT_RETRY_DAYS = 7  # alerts whose email failed are retried by the runs of this many days
EMAILED_FINDINGS = 50  # listed in an alert email; the rest are on the audit page


@dataclass(frozen=True)
class Finding:
    model: str  # the tracked model's label, e.g. "vendors.vendor"
    problem: str
    object_id: int | None = None
    history_id: int | None = None  # for rows_missing: the highest history_id the count covers
    count: int | None = None  # for rows_missing: how many rows are gone

    @property
    def key(self) -> str:
        """Identifies the finding across runs: one alert per key."""
        if self.problem == ROWS_MISSING:
            return f"{self.model}:{self.problem}:{self.history_id}:{self.count}"
        return f"{self.model}:{self.problem}:{self.history_id}"

    @property
    def model_name(self) -> str:
        try:
            return capfirst(apps.get_model(self.model)._meta.verbose_name)
        except LookupError:
            return self.model

    @property
    def problem_text(self):
        return PROBLEMS.get(self.problem, self.problem)

    @property
    def is_row(self) -> bool:
        return self.problem != ROWS_MISSING


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)  # the first MAX_FINDINGS
    problem_count: int = 0
    rows_checked: int = 0
    # {historical model label: [highest history_id, rows up to it]}
    anchors: dict = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        self.problem_count += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)

    @property
    def is_intact(self) -> bool:
        return self.problem_count == 0


def verify(*, anchors: dict | None = None, models: Iterable | None = None) -> Report:
    """Every broken row of every history table (or of the historical `models`).

    `anchors` are the last verification's (by default, the latest HistoryVerification's).
    """
    if anchors is None:
        last = HistoryVerification.objects.first()
        anchors = last.anchors if last else {}
    report = Report()
    for history_model in models or sealed_history_models():
        spec = spec_for(history_model)
        _verify_table(spec, anchors.get(spec.label), report)
    return report


def _verify_table(spec: ChainSpec, anchor: list | None, report: Report) -> None:
    tracked = spec.model.instance_type._meta.label_lower
    position = len(HEAD) + spec.object_position
    anchored_top, anchored_count = anchor or (0, 0)
    current, previous = object(), ""
    rows = under_anchor = top = 0
    for batch in walk(spec):
        for row in batch.rows:
            history_id, stored, stored_previous = row[:3]
            object_id = row[position]
            if object_id != current:
                current, previous = object_id, ""
            rows += 1
            top = max(top, history_id)
            under_anchor += history_id <= anchored_top
            if not stored:
                report.add(Finding(tracked, UNSEALED, object_id, history_id))
            elif not hmac.compare_digest(
                spec.digest(row[len(HEAD) :], batch.m2m.get(history_id, {}), stored_previous), stored
            ):
                report.add(Finding(tracked, ALTERED, object_id, history_id))
            elif stored_previous != previous:
                report.add(Finding(tracked, PREDECESSOR_MISSING, object_id, history_id))
            previous = stored
    missing = max(0, anchored_count - under_anchor)
    if missing:
        report.add(Finding(tracked, ROWS_MISSING, history_id=anchored_top, count=missing))
    report.rows_checked += rows
    # The rows found missing stay counted, so every later run reports them too (until someone looks).
    report.anchors[spec.label] = [max(top, anchored_top), rows + missing]


def run_verification() -> HistoryVerification:
    """Verify everything against the last verification's anchors and record the result."""
    started = timezone.now()
    report = verify()
    return HistoryVerification.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        rows_checked=report.rows_checked,
        problem_count=report.problem_count,
        findings=[asdict(finding) for finding in report.findings],
        anchors=report.anchors,
    )


def findings_of(verification: HistoryVerification) -> list[Finding]:
    return [Finding(**finding) for finding in verification.findings]


def alert_compliance(verification: HistoryVerification) -> RunResult:
    """Alert compliance about the findings of `verification` no earlier verification reported.

    Each finding gets one HistoryAlert (unique key, so concurrent runs cannot both take it), attached to this
    verification; one email per verification with new alerts goes to every compliance user, claimed in the
    reminder outbox first, so a second run sends nothing and a failed send is retried by the next runs.
    """
    HistoryAlert.objects.bulk_create(
        [
            HistoryAlert(key=finding.key, verification=verification, finding=asdict(finding))
            for finding in findings_of(verification)
        ],
        ignore_conflicts=True,
    )
    return send_alerts()


def send_alerts() -> RunResult:
    """The alert emails of the last ALERT_RETRY_DAYS not yet sent to every compliance user."""
    return deliver(_alert_reminders())


def _alert_reminders() -> Iterator[Reminder]:
    recent = timezone.now() - timedelta(days=ALERT_RETRY_DAYS)
    verifications = HistoryVerification.objects.filter(finished_at__gte=recent, alerts__isnull=False)
    recipients = None
    for verification in verifications.distinct().order_by("finished_at"):
        if recipients is None:
            recipients = tuple(active_users_with_role(COMPLIANCE))
        findings = [Finding(**finding) for finding in verification.alerts.values_list("finding", flat=True)]
        yield Reminder(
            kind=HISTORY_ALERT,
            subject=verification,
            deadline=timezone.localdate(verification.finished_at),
            threshold=0,
            recipients=recipients,
            template=ALERT_TEMPLATE,
            context={
                "verification": verification,
                "count": len(findings),
                "findings": findings[:EMAILED_FINDINGS],
                "more": max(0, len(findings) - EMAILED_FINDINGS),
            },
        )
