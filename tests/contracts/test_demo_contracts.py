"""The demo data set's contracts: every state, deadlines to remind about, and approvals that hold."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from contracts.models import ProtectionContract, ReentrustmentConsent
from vendors.models import Vendor
from vendors.services import vendor_approval_blockers

pytestmark = pytest.mark.django_db

S = ProtectionContract.Status


@pytest.fixture
def demo(demo_loaded):
    return ProtectionContract.objects.all()


def test_it_creates_contracts_in_every_status(demo):
    assert set(demo.values_list("status", flat=True)) == set(S.values)


def test_some_active_contracts_have_a_notice_deadline_within_the_next_30_days(demo):
    today = timezone.localdate()
    due = demo.filter(status=S.ACTIVE, decision_on__gte=today, decision_on__lte=today + timedelta(days=30))
    assert due.count() >= 2
    assert all(contract.decision_on == contract.notice_deadline for contract in due)


def test_every_approved_vendor_passes_the_approval_gates(demo):
    approved = Vendor.objects.filter(status=Vendor.Status.APPROVED).select_related("parent")
    assert approved.exists()
    assert {
        vendor.name: vendor_approval_blockers(vendor)
        for vendor in approved
        if vendor_approval_blockers(vendor)
    } == {}


def test_every_active_demo_contract_is_complete_and_signed(demo):
    for contract in demo.filter(status=S.ACTIVE):
        assert contract.missing_clauses == [], contract.reference
        assert contract.document and contract.signed_on, contract.reference


def test_every_approved_subcontractor_has_a_consent_from_its_parent(demo):
    for vendor in Vendor.objects.filter(kind=Vendor.Kind.SUBCONTRACTOR, status=Vendor.Status.APPROVED):
        assert ReentrustmentConsent.objects.filter(parent=vendor.parent, subcontractor=vendor).exists()


def test_loading_it_twice_creates_no_duplicate_contracts(demo):
    references = sorted(demo.values_list("reference", flat=True))
    call_command("load_demo", stdout=io.StringIO())
    assert sorted(ProtectionContract.objects.values_list("reference", flat=True)) == references
