import os

import pytest
from django.db import connection

ON_POSTGRESQL = connection.vendor == "postgresql"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "postgresql(reason): needs PostgreSQL; skipped elsewhere, a failure with REQUIRE_SERVICES=1",
    )


def pytest_runtest_setup(item):
    """Before any fixture: no database is set up (or flushed) for a test that cannot run here."""
    marker = item.get_closest_marker("postgresql")
    if marker is None or ON_POSTGRESQL:
        return
    reason = f"needs PostgreSQL (set DATABASE_URL): {marker.args[0]}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but this runs on {connection.vendor}; {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploads and evidence go to a folder of this test, never to the project's media/ folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
