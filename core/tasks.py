from dataclasses import asdict

from celery import shared_task

from .reminders import run_reminders


@shared_task(bind=True, max_retries=6)
def send_reminders(self):
    """Every registered reminder kind; failed sends stay due and the task retries with back-off."""
    results = run_reminders()
    if any(result.failed for result in results.values()):
        raise self.retry(countdown=min(3600, 60 * 2**self.request.retries))
    return {name: asdict(result) for name, result in results.items()}
