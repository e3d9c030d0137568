from datetime import date

from django.core.management.base import BaseCommand

from core.reminders import reminder_sources, run_reminders


class Command(BaseCommand):
    help = "Send every reminder kind that is due (safe to run twice or concurrently: nothing is sent twice)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="Compute what is due as of this date.")
        parser.add_argument(
            "--kind",
            action="append",
            choices=sorted(reminder_sources()),
            help="Only this reminder kind (repeatable).",
        )

    def handle(self, *args, today=None, kind=None, **options):
        for name, result in run_reminders(today=today, only=kind).items():
            line = f"{name}: {result.sent} sent, {result.failed} failed, {result.skipped} already handled"
            if result.queued:
                line += f", {result.queued} queued for a daily digest"
            self.stdout.write(line)
