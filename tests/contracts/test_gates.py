"""What contracts mean for approving a vendor, through the real gate registry (vendor and contract gates)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from contracts.models import ContractKind, ProtectionContract
from vendors import gates
from vendors.models import Vendor
from vendors.services import vendor_approval_blockers

from ..approval import approve, refusal, today
from ..factories import (
    JointUserFactory,
    ReentrustmentConsentFactory,
    SubcontractorFactory,
    VendorFactory,
    active_contract_for,
    make_approvable,
    required_clauses,
)

S = Vendor.Status
C = ProtectionContract.Status

NO_CONTRACT = "No active entrustment contract or protection agreement covers today."
NO_JOINT_USE = "No active joint-use agreement covers today."
LAPSED = "Approved, but no active contract covers today: its last contract expired or was terminated."


def without(kind, *codes):
    return [c for c in required_clauses(kind) if c.code not in codes]


def test_the_contract_gates_are_registered_for_approval():
    names = [gate.__name__ for gate in gates._GATES[S.APPROVED]]
    assert names == ["parent_must_be_approved", "vendor_contract_blockers", "vendor_reentrustment_blockers"]


# --- contractors --------------------------------------------------------------------------------------------


def test_a_contractor_without_any_contract_cannot_be_approved(compliance_user):
    assert refusal(VendorFactory(status=S.UNDER_REVIEW), compliance_user) == [NO_CONTRACT]


@pytest.mark.parametrize("status", [C.DRAFT, C.EXPIRED, C.TERMINATED])
def test_a_contract_that_is_not_in_force_does_not_count(compliance_user, status):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, status=status)
    assert refusal(vendor, compliance_user) == [NO_CONTRACT]


def test_a_superseded_contract_still_counts_on_the_days_its_own_term_covers(compliance_user):
    """A renewal signed early supersedes its predecessor, whose term governs until the renewal starts."""
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    predecessor = active_contract_for(vendor, status=C.SUPERSEDED, ends_on=today() + timedelta(days=10))
    active_contract_for(
        vendor,
        renews=predecessor,
        starts_on=today() + timedelta(days=11),
        ends_on=today() + timedelta(days=375),
    )
    approve(vendor, compliance_user)


def test_a_superseded_contract_whose_term_has_ended_does_not_count(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(
        vendor,
        status=C.SUPERSEDED,
        starts_on=today() - timedelta(days=400),
        ends_on=today() - timedelta(days=1),
    )
    assert refusal(vendor, compliance_user) == [NO_CONTRACT]


def test_an_active_contract_missing_required_clauses_does_not_allow_approval(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(
        vendor, reference="PC-GAPS", clauses=without(ContractKind.ENTRUSTMENT, "confidentiality", "liability")
    )
    assert refusal(vendor, compliance_user) == [
        "The active contract PC-GAPS lacks required clauses: Confidentiality, Liability and damages."
    ]


def test_a_contract_that_starts_tomorrow_does_not_cover_today(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, starts_on=today() + timedelta(days=1), ends_on=today() + timedelta(days=365))
    assert refusal(vendor, compliance_user) == [NO_CONTRACT]


def test_a_contract_that_ended_yesterday_does_not_cover_today(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    # Still marked active: the daily expiry has not run yet.
    active_contract_for(vendor, starts_on=today() - timedelta(days=365), ends_on=today() - timedelta(days=1))
    assert refusal(vendor, compliance_user) == [NO_CONTRACT]


@pytest.mark.parametrize("kind", [ContractKind.ENTRUSTMENT, ContractKind.PROTECTION_AGREEMENT])
def test_a_contractor_with_a_complete_contract_covering_today_is_approved(compliance_user, kind):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, kind=kind)
    approve(vendor, compliance_user)


@pytest.mark.parametrize(("starts", "ends"), [(0, 30), (-30, 0)], ids=["starting-today", "ending-today"])
def test_a_contract_covers_its_first_and_last_day(compliance_user, starts, ends):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(
        vendor, starts_on=today() + timedelta(days=starts), ends_on=today() + timedelta(days=ends)
    )
    approve(vendor, compliance_user)


def test_an_open_ended_active_contract_covers_today(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, ends_on=None, review_on=today() + timedelta(days=200))
    approve(vendor, compliance_user)


def test_an_open_ended_contract_that_starts_tomorrow_does_not_cover_today(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(
        vendor, starts_on=today() + timedelta(days=1), ends_on=None, review_on=today() + timedelta(days=200)
    )
    assert refusal(vendor, compliance_user) == [NO_CONTRACT]


def test_one_complete_contract_is_enough_beside_an_incomplete_one(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, clauses=[])
    active_contract_for(vendor)
    approve(vendor, compliance_user)


def test_a_joint_use_agreement_does_not_count_for_a_contractor(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, kind=ContractKind.JOINT_USE)
    assert refusal(vendor, compliance_user) == [NO_CONTRACT]


# --- joint users --------------------------------------------------------------------------------------------


def test_a_joint_user_without_a_joint_use_agreement_cannot_be_approved(compliance_user):
    assert refusal(JointUserFactory(status=S.UNDER_REVIEW), compliance_user) == [NO_JOINT_USE]


def test_an_entrustment_contract_does_not_count_for_a_joint_user(compliance_user):
    vendor = JointUserFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, kind=ContractKind.ENTRUSTMENT)
    assert refusal(vendor, compliance_user) == [NO_JOINT_USE]


def test_a_joint_user_with_an_active_joint_use_agreement_is_approved(compliance_user):
    vendor = JointUserFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, kind=ContractKind.JOINT_USE)
    approve(vendor, compliance_user)


def test_a_joint_use_agreement_missing_required_clauses_does_not_allow_approval(compliance_user):
    vendor = JointUserFactory(status=S.UNDER_REVIEW)
    active_contract_for(
        vendor,
        kind=ContractKind.JOINT_USE,
        reference="PC-JOINT",
        clauses=without(ContractKind.JOINT_USE, "joint_use_particulars"),
    )
    assert refusal(vendor, compliance_user) == [
        "The active contract PC-JOINT lacks required clauses: "
        "Joint-use particulars (items, users, purposes, responsible party)."
    ]


# --- subcontractors -----------------------------------------------------------------------------------------


@pytest.fixture
def parent(db):
    vendor = VendorFactory(name="Parent K.K.", status=S.APPROVED)
    active_contract_for(vendor, permits_reentrustment=True)
    return vendor


@pytest.fixture
def subcontractor(parent):
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    active_contract_for(vendor)
    return vendor


NO_PERMISSION = "No active contract of “Parent K.K.” permits re-entrustment."
NO_CONSENT = "There is no written consent for “Parent K.K.” to re-entrust to this subcontractor."


def test_a_subcontractor_with_its_parents_permission_and_consent_is_approved(compliance_user, subcontractor):
    ReentrustmentConsentFactory(subcontractor=subcontractor)
    approve(subcontractor, compliance_user)


def test_a_subcontractor_needs_the_parents_contract_to_permit_re_entrustment(
    compliance_user, parent, subcontractor
):
    parent.contracts.update(permits_reentrustment=False)
    ReentrustmentConsentFactory(subcontractor=subcontractor)
    assert refusal(subcontractor, compliance_user) == [NO_PERMISSION]


def test_a_permitting_contract_of_the_parent_that_no_longer_covers_today_does_not_count(
    compliance_user, parent, subcontractor
):
    parent.contracts.update(status=C.EXPIRED)
    active_contract_for(parent, permits_reentrustment=False)
    ReentrustmentConsentFactory(subcontractor=subcontractor)
    assert refusal(subcontractor, compliance_user) == [NO_PERMISSION]


def test_a_subcontractor_needs_written_consent_for_the_pair(compliance_user, subcontractor):
    assert refusal(subcontractor, compliance_user) == [NO_CONSENT]


def test_consent_for_another_subcontractor_of_the_same_parent_does_not_count(
    compliance_user, parent, subcontractor
):
    ReentrustmentConsentFactory(subcontractor=SubcontractorFactory(parent=parent))
    assert refusal(subcontractor, compliance_user) == [NO_CONSENT]


def test_a_subcontractor_needs_its_own_contract_too(compliance_user, parent):
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    ReentrustmentConsentFactory(subcontractor=vendor)
    assert refusal(vendor, compliance_user) == [NO_CONTRACT]


def test_a_subcontractor_is_told_every_missing_prerequisite_together(compliance_user):
    parent = VendorFactory(name="Parent K.K.", status=S.UNDER_REVIEW)
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    assert refusal(vendor, compliance_user) == [
        "The re-entrusting vendor “Parent K.K.” is not approved (it is under review); approve it first.",
        NO_CONTRACT,
        NO_PERMISSION,
        NO_CONSENT,
    ]


def test_make_approvable_gives_a_subcontractor_everything_approval_needs(compliance_user):
    vendor = make_approvable(SubcontractorFactory(status=S.UNDER_REVIEW))
    assert vendor_approval_blockers(vendor) == []
    approve(vendor, compliance_user)


# --- approval blockers and the vendor page ------------------------------------------------------------------


def test_approval_blockers_list_the_contract_sentences(db):
    parent = VendorFactory(name="Parent K.K.", status=S.APPROVED)
    assert vendor_approval_blockers(SubcontractorFactory(parent=parent)) == [
        NO_CONTRACT,
        NO_PERMISSION,
        NO_CONSENT,
    ]
    assert vendor_approval_blockers(JointUserFactory()) == [NO_JOINT_USE]


def test_approval_blockers_are_empty_for_a_vendor_ready_for_approval(db):
    assert vendor_approval_blockers(make_approvable(VendorFactory())) == []
    assert vendor_approval_blockers(make_approvable(JointUserFactory())) == []


def test_the_vendor_page_warns_about_an_approved_vendor_whose_contract_was_terminated(viewer_client):
    vendor = VendorFactory(name="Lapsed K.K.", status=S.APPROVED)
    active_contract_for(vendor, reference="PC-LAPSED", status=C.TERMINATED)
    sub = SubcontractorFactory(name="Sub of Lapsed K.K.", parent=vendor)
    ReentrustmentConsentFactory(subcontractor=sub)
    html = viewer_client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert LAPSED in html
    assert "PC-LAPSED" in html
    assert "May re-entrust to “Sub of Lapsed K.K.”" in html


def test_the_subcontractor_page_lists_the_consent_it_received(viewer_client):
    consent = ReentrustmentConsentFactory(
        subcontractor=SubcontractorFactory(parent=VendorFactory(name="Main K.K."))
    )
    html = viewer_client.get(reverse("vendors:detail", args=[consent.subcontractor.pk])).content.decode()
    assert "“Main K.K.” may re-entrust to this vendor" in html
    assert reverse("contracts:consent_detail", args=[consent.pk]) in html


def test_the_vendor_page_shows_no_warning_while_a_contract_covers_today(viewer_client):
    vendor = VendorFactory(status=S.APPROVED)
    active_contract_for(vendor, reference="PC-COVERED")
    html = viewer_client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert "PC-COVERED" in html
    assert LAPSED not in html


def test_the_vendor_page_shows_no_lapse_warning_for_a_vendor_that_is_not_approved(viewer_client):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    active_contract_for(vendor, status=C.TERMINATED)
    html = viewer_client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert LAPSED not in html
