"""What assessments mean for approving a vendor, through the gate registry (vendor and assessment gates)."""

from datetime import timedelta

import pytest

from assessments.models import Assessment
from assessments.services import (
    assessment_approve,
    assessment_reject,
    assessment_return,
    assessment_submit,
    vendor_assessment_blockers,
)
from core.roles import COMPLIANCE
from vendors import gates
from vendors.models import Vendor
from vendors.services import vendor_approval_blockers

from ..approval import approve, refusal, today
from ..conftest import keep_only_gates_of
from ..factories import UserFactory, VendorFactory, answered_assessment, approved_assessment_for

pytestmark = pytest.mark.django_db

S = Vendor.Status
NO_VALID_ASSESSMENT = "No approved due-diligence assessment is valid today."


@pytest.fixture(autouse=True)
def vendor_and_assessment_gates_only(monkeypatch):
    """Approval here is judged on the vendor and assessment rules; contracts test their own gates."""
    keep_only_gates_of(monkeypatch, "vendors", "assessments")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", roles=[COMPLIANCE])


def test_the_assessment_gate_is_registered_for_approval():
    names = [gate.__name__ for gate in gates._GATES[S.APPROVED]]
    assert names == ["parent_must_be_approved", "vendor_assessment_blockers"]


def test_a_vendor_without_any_assessment_cannot_be_approved(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    assert refusal(vendor, compliance_user) == [NO_VALID_ASSESSMENT]


def test_an_assessment_that_expired_yesterday_does_not_count(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    approved_assessment_for(vendor, valid_until=today() - timedelta(days=1))
    assert refusal(vendor, compliance_user) == [NO_VALID_ASSESSMENT]


@pytest.mark.parametrize("outcome", ["draft", "submitted", "returned", "rejected"])
def test_an_assessment_that_was_not_approved_does_not_count(compliance_user, reviewer, outcome):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    assessment = answered_assessment(vendor)
    if outcome != "draft":
        assessment_submit(assessment=assessment, user=assessment.prepared_by)
    if outcome == "returned":
        assessment_return(assessment=assessment, user=reviewer, note="Redo ORG-08.")
    if outcome == "rejected":
        assessment_reject(assessment=assessment, user=reviewer, note="Leak reported late.")
    assert Assessment.objects.get(pk=assessment.pk).status == outcome
    assert refusal(vendor, compliance_user) == [NO_VALID_ASSESSMENT]


def test_another_vendor_s_approved_assessment_does_not_count(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    approved_assessment_for(VendorFactory())
    assert refusal(vendor, compliance_user) == [NO_VALID_ASSESSMENT]


def test_an_approved_assessment_valid_until_today_allows_approval(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    approved_assessment_for(vendor, valid_until=today())
    approve(vendor, compliance_user)


def test_an_assessment_approved_through_the_workflow_allows_approval(compliance_user, reviewer):
    vendor = VendorFactory(status=S.UNDER_REVIEW, risk_tier="high")
    assessment = answered_assessment(vendor)
    assessment_submit(assessment=assessment, user=assessment.prepared_by)
    assessment_approve(assessment=assessment, user=reviewer)
    approve(vendor, compliance_user)


def test_an_expired_assessment_beside_a_valid_one_does_not_matter(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    approved_assessment_for(vendor, valid_until=today() - timedelta(days=400))
    approved_assessment_for(vendor, valid_until=today() + timedelta(days=30))
    approve(vendor, compliance_user)


def test_the_blocker_is_shown_before_anyone_tries():
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    assert vendor_assessment_blockers(vendor) == [NO_VALID_ASSESSMENT]
    assert vendor_approval_blockers(vendor) == [NO_VALID_ASSESSMENT]
    approved_assessment_for(vendor, valid_until=today())
    assert vendor_approval_blockers(vendor) == []
