from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile every locale/*/LC_MESSAGES/django.po into its .mo (pure Python: no GNU gettext needed). "
        "Run by `make install`; the .mo files are build output and are not committed."
    )

    def handle(self, *args, **options):
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(f"{po_path}: {len(catalogue.translated_entries())} translated")
