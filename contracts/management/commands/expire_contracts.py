from datetime import date

from django.core.management.base import BaseCommand

from contracts.services import contract_expire_due


class Command(BaseCommand):
    help = "Expire active contracts past their end, or renew those that renew automatically (daily)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat)

    def handle(self, *args, today=None, **options):
        self.stdout.write(f"{contract_expire_due(today=today)} contract(s) expired or renewed.")
