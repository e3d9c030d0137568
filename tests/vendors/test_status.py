"""The vendor life cycle: which status changes exist, who may make them, and the gates in front of them."""

from collections import defaultdict

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vendors import gates
from vendors.gates import vendor_gate
from vendors.models import Vendor
from vendors.services import (
    vendor_approval_blockers,
    vendor_change_status,
    vendor_next_steps,
    vendor_save,
)

from ..factories import SubcontractorFactory, VendorFactory

S = Vendor.Status
NOT_TERMINATED = [S.DRAFT, S.UNDER_REVIEW, S.APPROVED, S.SUSPENDED]


def refusal(**kwargs) -> list[str]:
    with pytest.raises(ValidationError) as error:
        vendor_change_status(**kwargs)
    return error.value.messages


# --- transitions that exist -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.DRAFT, S.UNDER_REVIEW),
        (S.UNDER_REVIEW, S.APPROVED),
        (S.UNDER_REVIEW, S.DRAFT),
        (S.APPROVED, S.SUSPENDED),
        (S.SUSPENDED, S.APPROVED),
    ],
)
def test_it_allows_the_status_change(compliance_user, start, target):
    vendor = VendorFactory(status=start)
    vendor_change_status(vendor=vendor, status=target, user=compliance_user)
    assert Vendor.objects.get(pk=vendor.pk).status == target


@pytest.mark.parametrize("start", NOT_TERMINATED)
def test_it_allows_termination_with_a_reason_from_any_status_but_terminated(compliance_user, start):
    vendor = VendorFactory(status=start)
    vendor_change_status(vendor=vendor, status=S.TERMINATED, user=compliance_user, reason="Contract ended.")
    assert Vendor.objects.get(pk=vendor.pk).status == S.TERMINATED


# --- transitions that do not exist -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        (
            S.DRAFT,
            S.APPROVED,
            "A vendor cannot go from Draft to Approved. Possible next statuses: Under review, Terminated.",
        ),
        (
            S.APPROVED,
            S.DRAFT,
            "A vendor cannot go from Approved to Draft. Possible next statuses: Suspended, Terminated.",
        ),
        (
            S.SUSPENDED,
            S.UNDER_REVIEW,
            "A vendor cannot go from Suspended to Under review."
            " Possible next statuses: Approved, Terminated.",
        ),
        (
            S.DRAFT,
            S.SUSPENDED,
            "A vendor cannot go from Draft to Suspended. Possible next statuses: Under review, Terminated.",
        ),
    ],
)
def test_it_refuses_a_status_change_that_is_not_a_transition(superuser, start, target, message):
    vendor = VendorFactory(status=start)
    assert refusal(vendor=vendor, status=target, user=superuser) == [message]
    assert Vendor.objects.get(pk=vendor.pk).status == start


@pytest.mark.parametrize("target", [*NOT_TERMINATED, S.TERMINATED])
def test_it_refuses_any_change_to_a_terminated_vendor(superuser, target):
    vendor = VendorFactory(status=S.TERMINATED)
    label = S(target).label
    assert refusal(vendor=vendor, status=target, user=superuser, reason="Why not.") == [
        f"A vendor cannot go from Terminated to {label}."
    ]
    assert Vendor.objects.get(pk=vendor.pk).status == S.TERMINATED


@pytest.mark.parametrize("status", NOT_TERMINATED)
def test_it_refuses_a_change_to_the_same_status(superuser, status):
    vendor = VendorFactory(status=status)
    (message,) = refusal(vendor=vendor, status=status, user=superuser)
    assert message.startswith(f"A vendor cannot go from {S(status).label} to {S(status).label}.")


def test_it_refuses_a_value_that_is_not_a_status(superuser):
    vendor = VendorFactory()
    assert refusal(vendor=vendor, status="archived", user=superuser) == ["“archived” is not a vendor status."]


def test_a_refused_change_writes_no_history(superuser):
    vendor = VendorFactory(status=S.DRAFT)
    before = vendor.history.count()
    refusal(vendor=vendor, status=S.APPROVED, user=superuser)
    assert vendor.history.count() == before


# --- gates --------------------------------------------------------------------------------------------------


def test_it_refuses_approval_while_parent_is_not_approved(compliance_user):
    parent = VendorFactory(name="Parent K.K.", status=S.UNDER_REVIEW)
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    assert refusal(vendor=vendor, status=S.APPROVED, user=compliance_user) == [
        "The re-entrusting vendor “Parent K.K.” is not approved (it is under review); approve it first."
    ]
    assert Vendor.objects.get(pk=vendor.pk).status == S.UNDER_REVIEW


def test_it_allows_approval_once_the_parent_is_approved(compliance_user):
    parent = VendorFactory(status=S.APPROVED)
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    vendor_change_status(vendor=vendor, status=S.APPROVED, user=compliance_user)
    assert vendor.status == S.APPROVED


def test_it_refuses_reinstatement_while_the_parent_is_suspended(compliance_user):
    parent = VendorFactory(name="Parent K.K.", status=S.SUSPENDED)
    vendor = SubcontractorFactory(parent=parent, status=S.SUSPENDED)
    assert refusal(vendor=vendor, status=S.APPROVED, user=compliance_user) == [
        "The re-entrusting vendor “Parent K.K.” is not approved (it is suspended); approve it first."
    ]


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_it_refuses_termination_without_a_reason(compliance_user, reason):
    vendor = VendorFactory(status=S.APPROVED)
    assert refusal(vendor=vendor, status=S.TERMINATED, user=compliance_user, reason=reason) == [
        "Give a reason: terminate needs one."
    ]
    assert Vendor.objects.get(pk=vendor.pk).status == S.APPROVED


def test_it_refuses_termination_while_a_subcontractor_is_approved(compliance_user):
    vendor = VendorFactory(status=S.APPROVED)
    SubcontractorFactory(parent=vendor, name="Zeta Sub", status=S.APPROVED)
    SubcontractorFactory(parent=vendor, name="Alpha Sub", status=S.APPROVED)
    SubcontractorFactory(parent=vendor, name="Draft Sub", status=S.DRAFT)
    assert refusal(vendor=vendor, status=S.TERMINATED, user=compliance_user, reason="Ended.") == [
        "Suspend or terminate the subcontractors still approved first: Alpha Sub, Zeta Sub."
    ]
    assert Vendor.objects.get(pk=vendor.pk).status == S.APPROVED


def test_it_allows_termination_when_no_subcontractor_is_approved(compliance_user):
    vendor = VendorFactory(status=S.APPROVED)
    SubcontractorFactory(parent=vendor, status=S.SUSPENDED)
    SubcontractorFactory(parent=vendor, status=S.TERMINATED)
    vendor_change_status(vendor=vendor, status=S.TERMINATED, user=compliance_user, reason="Ended.")
    assert vendor.status == S.TERMINATED


def test_it_lists_every_unmet_prerequisite_together(compliance_user):
    vendor = SubcontractorFactory(parent=VendorFactory(status=S.APPROVED), status=S.APPROVED)
    SubcontractorFactory(parent=vendor, name="Still Approved Sub", status=S.APPROVED)
    assert refusal(vendor=vendor, status=S.TERMINATED, user=compliance_user, reason="") == [
        "Give a reason: terminate needs one.",
        "Suspend or terminate the subcontractors still approved first: Still Approved Sub.",
    ]


def test_it_lists_every_failing_approval_gate_together(compliance_user, monkeypatch):
    monkeypatch.setattr(gates, "_GATES", defaultdict(list, {k: list(v) for k, v in gates._GATES.items()}))

    @vendor_gate(S.APPROVED)
    def needs_a_contract(vendor):
        return ["No signed contract is on file."]

    parent = VendorFactory(name="Parent K.K.", status=S.DRAFT)
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    assert refusal(vendor=vendor, status=S.APPROVED, user=compliance_user) == [
        "The re-entrusting vendor “Parent K.K.” is not approved (it is draft); approve it first.",
        "No signed contract is on file.",
    ]


# --- roles --------------------------------------------------------------------------------------------------


def test_procurement_may_submit_a_draft_for_review(procurement_user):
    vendor = VendorFactory(status=S.DRAFT)
    vendor_change_status(vendor=vendor, status=S.UNDER_REVIEW, user=procurement_user)
    assert vendor.status == S.UNDER_REVIEW


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.UNDER_REVIEW, S.APPROVED),
        (S.UNDER_REVIEW, S.DRAFT),
        (S.APPROVED, S.SUSPENDED),
        (S.SUSPENDED, S.APPROVED),
        (S.APPROVED, S.TERMINATED),
    ],
)
def test_procurement_may_not_take_a_compliance_decision(procurement_user, start, target):
    vendor = VendorFactory(status=start)
    with pytest.raises(PermissionDenied):
        vendor_change_status(vendor=vendor, status=target, user=procurement_user, reason="Because.")
    assert Vendor.objects.get(pk=vendor.pk).status == start


def test_procurement_is_told_which_action_its_role_may_not_take(procurement_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied) as error:
        vendor_change_status(vendor=vendor, status=S.APPROVED, user=procurement_user)
    assert str(error.value) == "Your role may not approve a vendor."


ALL_TRANSITIONS = [
    (S.DRAFT, S.UNDER_REVIEW),
    (S.DRAFT, S.TERMINATED),
    (S.UNDER_REVIEW, S.APPROVED),
    (S.UNDER_REVIEW, S.DRAFT),
    (S.UNDER_REVIEW, S.TERMINATED),
    (S.APPROVED, S.SUSPENDED),
    (S.APPROVED, S.TERMINATED),
    (S.SUSPENDED, S.APPROVED),
    (S.SUSPENDED, S.TERMINATED),
]


@pytest.mark.parametrize(("start", "target"), ALL_TRANSITIONS)
def test_a_viewer_may_not_change_any_status(viewer_user, start, target):
    vendor = VendorFactory(status=start)
    with pytest.raises(PermissionDenied):
        vendor_change_status(vendor=vendor, status=target, user=viewer_user, reason="Because.")
    assert Vendor.objects.get(pk=vendor.pk).status == start
    assert vendor_next_steps(vendor, viewer_user) == []


@pytest.mark.parametrize(("start", "target"), ALL_TRANSITIONS)
def test_a_user_without_a_role_may_not_change_any_status(roleless_user, start, target):
    vendor = VendorFactory(status=start)
    with pytest.raises(PermissionDenied):
        vendor_change_status(vendor=vendor, status=target, user=roleless_user, reason="Because.")


@pytest.mark.parametrize(("start", "target"), ALL_TRANSITIONS)
def test_compliance_may_take_every_transition(compliance_user, start, target):
    vendor = VendorFactory(status=start)
    vendor_change_status(vendor=vendor, status=target, user=compliance_user, reason="Decided.")
    assert vendor.status == target


@pytest.mark.parametrize(("start", "target"), ALL_TRANSITIONS)
def test_a_superuser_may_take_every_transition(superuser, start, target):
    vendor = VendorFactory(status=start)
    vendor_change_status(vendor=vendor, status=target, user=superuser, reason="Decided.")
    assert vendor.status == target


def test_an_inactive_compliance_user_may_not_approve(compliance_user):
    compliance_user.is_active = False
    compliance_user.save()
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        vendor_change_status(vendor=vendor, status=S.APPROVED, user=compliance_user)


def test_next_steps_offer_each_role_only_its_own_transitions(procurement_user, compliance_user):
    vendor = VendorFactory(status=S.DRAFT)
    assert [t.target for t, _ in vendor_next_steps(vendor, procurement_user)] == [S.UNDER_REVIEW]
    assert [t.target for t, _ in vendor_next_steps(vendor, compliance_user)] == [S.UNDER_REVIEW, S.TERMINATED]


# --- approval blockers and the gate registry ----------------------------------------------------------------


def test_approval_blockers_are_empty_when_nothing_blocks_approval(db):
    assert vendor_approval_blockers(VendorFactory(status=S.UNDER_REVIEW)) == []
    approved_parent = VendorFactory(status=S.APPROVED)
    assert vendor_approval_blockers(SubcontractorFactory(parent=approved_parent)) == []


def test_approval_blockers_name_the_parent_that_is_not_approved(db):
    parent = VendorFactory(name="Parent K.K.", status=S.DRAFT)
    assert vendor_approval_blockers(SubcontractorFactory(parent=parent)) == [
        "The re-entrusting vendor “Parent K.K.” is not approved (it is draft); approve it first."
    ]


def test_a_registered_gate_blocks_approval(compliance_user, monkeypatch):
    monkeypatch.setattr(gates, "_GATES", defaultdict(list, {k: list(v) for k, v in gates._GATES.items()}))
    vendor = VendorFactory(name="Gated K.K.", status=S.UNDER_REVIEW)

    @vendor_gate(S.APPROVED)
    def needs_an_assessment(v):
        return [f"“{v.name}” has no completed assessment."]

    assert vendor_approval_blockers(vendor) == ["“Gated K.K.” has no completed assessment."]
    assert refusal(vendor=vendor, status=S.APPROVED, user=compliance_user) == [
        "“Gated K.K.” has no completed assessment."
    ]
    assert Vendor.objects.get(pk=vendor.pk).status == S.UNDER_REVIEW


def test_a_registered_gate_does_not_block_other_statuses(compliance_user, monkeypatch):
    monkeypatch.setattr(gates, "_GATES", defaultdict(list, {k: list(v) for k, v in gates._GATES.items()}))
    vendor_gate(S.APPROVED)(lambda v: ["Blocked."])
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    vendor_change_status(vendor=vendor, status=S.DRAFT, user=compliance_user)
    assert vendor.status == S.DRAFT


def test_registering_the_same_gate_twice_reports_it_once(db, monkeypatch):
    monkeypatch.setattr(gates, "_GATES", defaultdict(list, {k: list(v) for k, v in gates._GATES.items()}))

    def gate(v):
        return ["Once."]

    vendor_gate(S.APPROVED)(gate)
    vendor_gate(S.APPROVED)(gate)
    assert vendor_approval_blockers(VendorFactory()) == ["Once."]


def test_the_vendor_app_registers_its_own_gates():
    assert gates._GATES[S.APPROVED] == [gates.parent_must_be_approved]
    assert gates._GATES[S.TERMINATED] == [gates.no_approved_subcontractors]


# --- effects of a change ------------------------------------------------------------------------------------


def test_the_vendor_passed_in_reflects_the_new_status(compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    returned = vendor_change_status(vendor=vendor, status=S.APPROVED, user=compliance_user)
    assert returned is vendor
    assert vendor.status == S.APPROVED
    assert vendor.get_status_display() == "Approved"


def test_terminating_a_subcontractor_recomputes_the_parent_risk_tier(procurement_user, compliance_user):
    parent = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    assert parent.risk_tier == Vendor.RiskTier.LOW
    subcontractor = vendor_save(vendor=SubcontractorFactory.build(parent=parent), user=procurement_user)
    parent.refresh_from_db()
    assert parent.risk_tier == Vendor.RiskTier.MEDIUM

    vendor_change_status(vendor=subcontractor, status=S.TERMINATED, user=compliance_user, reason="Ended.")

    parent.refresh_from_db()
    assert parent.risk_tier == Vendor.RiskTier.LOW
    assert not any("subcontractor" in reason for reason in parent.risk_reasons)
    latest = parent.history.latest("history_date")
    assert latest.history_user == compliance_user
    assert subcontractor.name in latest.history_change_reason
