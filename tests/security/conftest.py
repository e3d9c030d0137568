import pytest


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploads go to a folder of this test, never to the project's media/ folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
