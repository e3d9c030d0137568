"""A large, realistic register for benchmarks: `generate_data --vendors 10000 [--seed 1] [--today D]`.

The generator is core.datagen; this command only checks the database is empty, and reports.
"""

import argparse
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from core.datagen import Generator, fingerprint
from vendors.models import Vendor


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = (
        "Fill an empty database with N realistic vendors, their contracts, assessments, transfers and "
        "history. The same --vendors, --seed and --today give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--vendors", type=int, required=True, help="How many vendors to generate.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--today",
            type=iso_date,
            help="Generate relative to this day, YYYY-MM-DD (default: today). History ends the day before.",
        )

    def handle(self, *args, vendors, seed, today=None, **options):
        if vendors < 1:
            raise CommandError("--vendors must be at least 1.")
        existing = Vendor.objects.count()
        if existing:
            raise CommandError(
                f"The database already holds {existing:,} vendors: generate_data fills an empty register "
                "only. Point DATABASE_URL at a new database and run `manage.py migrate` first."
            )
        today = today or timezone.localdate()
        started = time.monotonic()
        self.stdout.write(f"Generating {vendors:,} vendors (seed {seed}, today {today})")
        generator = Generator(vendors=vendors, seed=seed, today=today, progress=self.stdout.write)
        try:
            result = generator.run()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: bulk loads leave none, and autovacuum may be off.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write("Rows per table:")
        for table, count in result["tables"].items():
            self.stdout.write(f"  {table:<40} {count:>12,}")
        self.stdout.write("History rows per table:")
        for table, count in sorted(result["history"].items()):
            if count:
                self.stdout.write(f"  {table:<40} {count:>12,}")
        due, active = result["notice_reminders_due"], result["active_contracts"]
        self.stdout.write(
            f"history rows {result['history_rows']:,}, historical M2M rows {result['m2m_history_rows']:,}\n"
            f"contract notice reminders due on {today}: {due:,} of {active:,} active contracts "
            f"({100 * due / max(active, 1):.1f}%)\n"
            f"fingerprint {fingerprint()} (equal for the same --vendors, --seed and --today)"
        )
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
