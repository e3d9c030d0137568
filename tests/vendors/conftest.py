import pytest

from ..conftest import keep_only_gates_of


@pytest.fixture(autouse=True)
def vendor_gates_only(monkeypatch):
    """Test the vendor status machine on its own rules; other apps test their gates themselves."""
    keep_only_gates_of(monkeypatch, "vendors")
