from django.core.management.base import BaseCommand

from transfers.services import purge_expired_records


class Command(BaseCommand):
    help = "Delete records of provision whose retention period (Rule 21) has ended, listing each one."

    def handle(self, *args, **options):
        deleted = purge_expired_records()
        for line in deleted:
            self.stdout.write(f"Deleted {line}")
        self.stdout.write(f"{len(deleted)} record(s) past retention deleted.")
