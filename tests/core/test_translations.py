"""Every translatable string of the product has a Japanese translation in the committed catalogue."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
IGNORED = ["staticfiles", "tests", "var", "bench", "media", "node_modules", "db.sqlite3"]


def untranslated(catalogue: polib.POFile) -> list[str]:
    return [
        entry.msgid for entry in catalogue if not entry.obsolete and (not entry.translated() or entry.fuzzy)
    ]


def test_the_committed_catalogue_is_complete():
    missing = untranslated(polib.pofile(str(PO)))
    assert not missing, f"{len(missing)} strings lack a Japanese translation: {missing[:20]}"


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is needed to extract strings"
)
def test_every_string_in_the_code_and_templates_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """Extract the strings afresh (as `make messages` does) from a copy of the sources: nothing may be new."""
    source = tmp_path / "src"
    shutil.copytree(
        settings.BASE_DIR, source, ignore=shutil.ignore_patterns(*IGNORED, ".*", "*.mo", "__pycache__")
    )
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["ja"], verbosity=0)
    missing = untranslated(polib.pofile(str(source / "locale" / "ja" / "LC_MESSAGES" / "django.po")))
    assert not missing, (
        f"{len(missing)} strings lack a Japanese translation (run `make messages`): {missing[:30]}"
    )
