import pytest

from ..conftest import keep_only_gates_of


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded documents go to a folder of this test, never to the project's media/ folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def vendor_and_contract_gates_only(monkeypatch):
    """Approval here is judged on the vendor and contract rules; assessments test their own gate."""
    keep_only_gates_of(monkeypatch, "vendors", "contracts")
