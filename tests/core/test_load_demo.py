"""The demo data set: realistic, complete enough to try every rule, and safe to load twice."""

import pytest
from django.core.management import call_command

from core.roles import COMPLIANCE, PROCUREMENT, VIEWER
from vendors.models import Contact, Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_loaded):
    return Vendor.objects.all()


def test_it_loads_about_thirty_vendors(demo):
    assert 28 <= demo.count() <= 35


def test_loading_it_twice_creates_no_duplicates(demo, settings, capsys):
    names_before = sorted(demo.values_list("name", flat=True))
    contacts_before = Contact.objects.count()
    call_command("load_demo")
    assert "0 vendors created" in capsys.readouterr().out
    assert sorted(Vendor.objects.values_list("name", flat=True)) == names_before
    assert Contact.objects.count() == contacts_before
    assert len(set(names_before)) == len(names_before)


def test_it_creates_the_demo_users_in_their_groups(demo, django_user_model):
    for username, role in [
        ("procurement", PROCUREMENT),
        ("procurement2", PROCUREMENT),
        ("compliance", COMPLIANCE),
        ("viewer", VIEWER),
    ]:
        user = django_user_model.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password("demo")
    assert django_user_model.objects.get(username="admin").is_superuser


def test_it_has_a_subcontractor_chain_three_deep(demo):
    depths = {vendor.name: len(vendor.ancestors()) for vendor in demo.select_related("parent")}
    assert max(depths.values()) == 3
    deepest = next(v for v in demo if depths[v.name] == 3)
    assert deepest.kind == Vendor.Kind.SUBCONTRACTOR
    assert deepest.ancestors()[-1].kind == Vendor.Kind.CONTRACTOR


def test_it_has_foreign_vendors_and_group_companies(demo):
    foreign = demo.exclude(country="JP")
    assert foreign.exists()
    assert all(v.corporate_number == "" and v.handles_data_abroad for v in foreign)
    assert demo.filter(is_group_company=True).exists()
    assert demo.filter(is_group_company=True).exclude(country="JP").exists()


def test_it_covers_every_kind_status_and_risk_tier(demo):
    assert set(demo.values_list("kind", flat=True)) == set(Vendor.Kind.values)
    assert set(demo.values_list("status", flat=True)) == set(Vendor.Status.values)
    assert set(demo.values_list("risk_tier", flat=True)) == set(Vendor.RiskTier.values)


def test_every_demo_vendor_obeys_the_model_rules_and_has_a_primary_contact(demo):
    for vendor in demo:
        vendor.full_clean()
        assert vendor.contacts.filter(is_primary=True).count() == 1
        assert vendor.history.exists()


def test_every_approved_subcontractor_has_an_approved_parent(demo):
    for vendor in demo.filter(kind=Vendor.Kind.SUBCONTRACTOR, status=Vendor.Status.APPROVED):
        assert vendor.parent.status == Vendor.Status.APPROVED
