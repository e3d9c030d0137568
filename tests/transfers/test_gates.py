"""What foreign transfers and joint use mean for approving a vendor (the vendor and transfer gates only)."""

import pytest
from django.core.exceptions import ValidationError

from transfers.models import ForeignTransfer, JointUseArrangement
from vendors import gates
from vendors.models import Vendor
from vendors.services import vendor_change_status

from ..conftest import keep_only_gates_of
from ..factories import (
    ForeignVendorFactory,
    JointUseArrangementFactory,
    JointUserFactory,
    VendorFactory,
    active_transfer_for,
)

pytestmark = pytest.mark.django_db

S = Vendor.Status
T = ForeignTransfer.Status
ABROAD = (
    "The vendor receives personal data abroad: it needs an active foreign transfer on a legal route "
    "(APPI Art. 28)."
)
NOT_IN_JOINT_USE = "A joint user must be in a published joint-use arrangement."


@pytest.fixture(autouse=True)
def vendor_and_transfer_gates_only(monkeypatch):
    """Approval here is judged on the vendor and transfer rules; contracts and assessments test their own."""
    keep_only_gates_of(monkeypatch, "vendors", "transfers")


def refusal(vendor, user) -> list[str]:
    with pytest.raises(ValidationError) as error:
        vendor_change_status(vendor=vendor, status=S.APPROVED, user=user)
    assert Vendor.objects.get(pk=vendor.pk).status == S.UNDER_REVIEW
    return error.value.messages


def approve(vendor, user) -> None:
    vendor_change_status(vendor=vendor, status=S.APPROVED, user=user)
    assert Vendor.objects.get(pk=vendor.pk).status == S.APPROVED


def test_the_transfer_gate_is_registered_for_approval():
    names = [gate.__name__ for gate in gates._GATES[S.APPROVED]]
    assert names == ["parent_must_be_approved", "vendor_transfer_blockers"]


# --- data abroad --------------------------------------------------------------------------------------------


def test_a_vendor_outside_japan_without_a_foreign_transfer_cannot_be_approved(compliance_user):
    assert refusal(ForeignVendorFactory(status=S.UNDER_REVIEW), compliance_user) == [ABROAD]


def test_a_vendor_outside_japan_with_an_active_foreign_transfer_can_be_approved(compliance_user):
    vendor = ForeignVendorFactory(status=S.UNDER_REVIEW)
    active_transfer_for(vendor)
    approve(vendor, compliance_user)


@pytest.mark.parametrize("status", [T.PLANNED, T.SUSPENDED, T.ENDED])
def test_a_foreign_transfer_that_is_not_active_does_not_count(compliance_user, status):
    vendor = ForeignVendorFactory(status=S.UNDER_REVIEW)
    active_transfer_for(vendor, status=status)
    assert refusal(vendor, compliance_user) == [ABROAD]


def test_an_active_transfer_to_another_vendor_does_not_count(compliance_user):
    vendor = ForeignVendorFactory(status=S.UNDER_REVIEW)
    active_transfer_for(ForeignVendorFactory())
    assert refusal(vendor, compliance_user) == [ABROAD]


def test_a_vendor_in_japan_handling_data_abroad_without_a_foreign_transfer_cannot_be_approved(
    compliance_user,
):
    vendor = VendorFactory(status=S.UNDER_REVIEW, handles_data_abroad=True)
    assert refusal(vendor, compliance_user) == [ABROAD]


def test_a_vendor_in_japan_handling_data_abroad_with_an_active_foreign_transfer_can_be_approved(
    compliance_user,
):
    vendor = VendorFactory(status=S.UNDER_REVIEW, handles_data_abroad=True)
    active_transfer_for(vendor)
    approve(vendor, compliance_user)


@pytest.mark.parametrize("status", [T.PLANNED, T.SUSPENDED])
def test_a_vendor_in_japan_handling_data_abroad_with_a_transfer_not_active_cannot_be_approved(
    compliance_user, status
):
    vendor = VendorFactory(status=S.UNDER_REVIEW, handles_data_abroad=True)
    active_transfer_for(vendor, status=status)
    assert refusal(vendor, compliance_user) == [ABROAD]


def test_a_domestic_vendor_needs_no_foreign_transfer(compliance_user):
    approve(VendorFactory(status=S.UNDER_REVIEW, country="JP", handles_data_abroad=False), compliance_user)


# --- joint users --------------------------------------------------------------------------------------------


def test_a_joint_user_outside_any_arrangement_cannot_be_approved(compliance_user):
    assert refusal(JointUserFactory(status=S.UNDER_REVIEW), compliance_user) == [NOT_IN_JOINT_USE]


@pytest.mark.parametrize("status", [JointUseArrangement.Status.DRAFT, JointUseArrangement.Status.RETIRED])
def test_a_draft_or_retired_arrangement_does_not_count(compliance_user, status):
    vendor = JointUserFactory(status=S.UNDER_REVIEW)
    JointUseArrangementFactory(status=status, joint_users=[vendor])
    assert refusal(vendor, compliance_user) == [NOT_IN_JOINT_USE]


def test_a_joint_user_in_a_published_arrangement_can_be_approved(compliance_user):
    vendor = JointUserFactory(status=S.UNDER_REVIEW)
    JointUseArrangementFactory(status=JointUseArrangement.Status.PUBLISHED, joint_users=[vendor])
    approve(vendor, compliance_user)


def test_a_published_arrangement_without_the_vendor_does_not_count(compliance_user):
    vendor = JointUserFactory(status=S.UNDER_REVIEW)
    JointUseArrangementFactory(status=JointUseArrangement.Status.PUBLISHED, joint_users=[JointUserFactory()])
    assert refusal(vendor, compliance_user) == [NOT_IN_JOINT_USE]


def test_a_joint_user_abroad_needs_both_an_active_transfer_and_a_published_arrangement(compliance_user):
    vendor = JointUserFactory(status=S.UNDER_REVIEW, country="SG", corporate_number="")
    assert refusal(vendor, compliance_user) == [ABROAD, NOT_IN_JOINT_USE]
    JointUseArrangementFactory(status=JointUseArrangement.Status.PUBLISHED, joint_users=[vendor])
    assert refusal(vendor, compliance_user) == [ABROAD]
    active_transfer_for(vendor, relationship=ForeignTransfer.Relationship.JOINT_USE)
    approve(vendor, compliance_user)


def test_a_contractor_needs_no_joint_use_arrangement(compliance_user):
    approve(VendorFactory(status=S.UNDER_REVIEW), compliance_user)
