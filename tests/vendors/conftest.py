from collections import defaultdict

import pytest

from vendors import gates


@pytest.fixture(autouse=True)
def vendor_gates_only(monkeypatch):
    """Test the vendor status machine on its own rules; other apps test their gates themselves."""
    own = defaultdict(list)
    for status, registered in gates._GATES.items():
        own[status] = [gate for gate in registered if gate.__module__ == gates.__name__]
    monkeypatch.setattr(gates, "_GATES", own)
