from dataclasses import asdict

from celery import shared_task

from .exports import export_build
from .history_integrity import alert_compliance, run_verification, send_alerts
from .reminders import run_reminders


@shared_task(bind=True, max_retries=6)
def send_reminders(self):
    """Every registered reminder kind; failed sends stay due and the task retries with back-off."""
    results = run_reminders()
    if any(result.failed for result in results.values()):
        raise self.retry(countdown=min(3600, 60 * 2**self.request.retries))
    return {name: asdict(result) for name, result in results.items()}


@shared_task
def build_register_export(export_id: int) -> bool:
    """One background Excel export (`core.exports`); a second run, or one for an export another worker is
    writing, does nothing. Failures are recorded on the export, not retried."""
    return export_build(export_id=export_id)


@shared_task
def verify_history() -> dict:
    """Daily: verify every history seal chain, record the result, email compliance about new findings.

    Not retried (a run reads every history row); an alert whose email failed is sent by send_history_alerts.
    """
    verification = run_verification()
    result = alert_compliance(verification)
    if result.failed:
        send_history_alerts.apply_async(countdown=60)
    return {"problems": verification.problem_count, "rows": verification.rows_checked, **asdict(result)}


@shared_task(bind=True, max_retries=6)
def send_history_alerts(self) -> dict:
    """History alert emails not yet sent to every compliance user; failed sends retry with back-off."""
    result = send_alerts()
    if result.failed:
        raise self.retry(countdown=min(3600, 60 * 2**self.request.retries))
    return asdict(result)
