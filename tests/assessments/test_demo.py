"""The demo data set's assessments: every status, a conditional approval with its finding, valid approvals."""

import pytest
from django.utils import timezone

from assessments.models import Assessment, Finding
from vendors.models import Vendor
from vendors.services import vendor_approval_blockers

pytestmark = pytest.mark.django_db

S = Assessment.Status


@pytest.fixture
def demo(demo_loaded):
    return Assessment.objects.all()


def test_it_creates_assessments_in_every_status(demo):
    assert set(demo.values_list("status", flat=True)) == {
        S.DRAFT,
        S.SUBMITTED,
        S.RETURNED,
        S.APPROVED,
        S.REJECTED,
    }


def test_it_has_a_conditional_approval_with_an_open_finding_that_has_a_due_date(demo):
    conditional = demo.filter(status=S.APPROVED, result=Assessment.Result.CONDITIONAL)
    assert conditional.exists()
    for assessment in conditional:
        assert assessment.findings.filter(status=Finding.Status.OPEN, due_on__isnull=False).exists(), (
            assessment
        )


def test_every_approved_assessment_is_valid_today_and_was_decided_by_someone_else(demo):
    today = timezone.localdate()
    for assessment in demo.filter(status=S.APPROVED):
        assert assessment.valid_until >= today
        assert assessment.reviewed_by_id not in (assessment.prepared_by_id, assessment.submitted_by_id)


def test_every_approved_vendor_passes_every_approval_gate(demo):
    approved = Vendor.objects.filter(status=Vendor.Status.APPROVED).select_related("parent")
    assert approved.exists()
    assert {
        vendor.name: vendor_approval_blockers(vendor)
        for vendor in approved
        if vendor_approval_blockers(vendor)
    } == {}
