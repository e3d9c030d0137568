"""When load_demo refuses or skips: kept apart from the tests that share one loaded demo set."""

import pytest
from django.core.management import CommandError, call_command

from vendors.models import Vendor

from ..factories import VendorFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG off"):
        call_command("load_demo")
    assert not Vendor.objects.exists()


def test_with_if_empty_it_loads_nothing_when_vendors_exist(settings, capsys):
    VendorFactory(name="Already here K.K.")
    call_command("load_demo", "--if-empty")
    assert "demo data not loaded" in capsys.readouterr().out
    assert list(Vendor.objects.values_list("name", flat=True)) == ["Already here K.K."]
