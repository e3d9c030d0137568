from django.core.management.base import BaseCommand, CommandError

from core.history_integrity import ROWS_MISSING, findings_of, run_verification, verify


class Command(BaseCommand):
    help = (
        "Verify that every history row is as the application wrote it (core.history_chain): report rows "
        "changed, deleted or inserted directly in the database. Exits with status 1 when any is found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="Do not record this run as the last verification (the audit page shows the last one).",
        )

    def handle(self, *args, no_record=False, **options):
        if no_record:
            report = verify()
            findings, count, rows = report.findings, report.problem_count, report.rows_checked
        else:
            verification = run_verification()
            findings = findings_of(verification)
            count, rows = verification.problem_count, verification.rows_checked
        for finding in findings:
            if finding.problem == ROWS_MISSING:
                where = f"{finding.count} rows up to history_id {finding.history_id}"
            else:
                where = f"object {finding.object_id}, history_id {finding.history_id}"
            self.stdout.write(f"{finding.model}: {where}: {finding.problem}")
        if count > len(findings):
            self.stdout.write(f"... and {count - len(findings)} more")
        if count:
            raise CommandError(f"{count} broken history rows among {rows:,} checked.")
        self.stdout.write(f"{rows:,} history rows checked: intact.")
