"""The contract life cycle: activate, terminate, renew, expire, and which contracts can still be edited."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent
from contracts.services import (
    consent_save,
    contract_activate,
    contract_expire_due,
    contract_renew,
    contract_save,
    contract_terminate,
)
from vendors.models import Vendor

from ..factories import (
    ProtectionContractFactory,
    ReentrustmentConsentFactory,
    SubcontractorFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    required_clauses,
)

S = ProtectionContract.Status
NOT_EDITABLE = [S.EXPIRED, S.TERMINATED, S.SUPERSEDED]


def refusal(service, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    return error.value.messages


def draft(**kwargs) -> ProtectionContract:
    """A draft that has everything activation needs."""
    kwargs.setdefault("status", S.DRAFT)
    return active_contract_for(kwargs.pop("vendor", None) or VendorFactory(), **kwargs)


def status_of(contract) -> str:
    return ProtectionContract.objects.get(pk=contract.pk).status


# --- activate -----------------------------------------------------------------------------------------------


def test_a_complete_draft_is_activated_with_a_version_by_the_user(procurement_user):
    contract = draft(signed_on=date(2026, 3, 15))
    contract_activate(contract=contract, user=procurement_user)
    assert contract.status == S.ACTIVE
    assert status_of(contract) == S.ACTIVE
    version = contract.history.get()
    assert version.status == S.ACTIVE
    assert version.history_user == procurement_user
    assert version.history_change_reason == "Activated: signed on 2026-03-15."


def test_activation_lists_every_unmet_prerequisite_together(procurement_user):
    contract = ProtectionContractFactory(kind=ContractKind.ENTRUSTMENT)
    titles = ", ".join(c.title_en for c in required_clauses(ContractKind.ENTRUSTMENT))
    assert refusal(contract_activate, contract=contract, user=procurement_user) == [
        "Enter the date the contract was signed.",
        "Attach the signed document.",
        "Enter the start date.",
        "Enter the end date, or a review date for an open-ended contract.",
        f"Required clauses are missing: {titles}.",
    ]
    assert status_of(contract) == S.DRAFT
    assert not contract.history.exists()


def test_activation_names_only_the_clauses_that_are_missing(procurement_user):
    kept = [
        c
        for c in required_clauses(ContractKind.ENTRUSTMENT)
        if c.code not in ("confidentiality", "liability")
    ]
    contract = draft(clauses=kept)
    assert refusal(contract_activate, contract=contract, user=procurement_user) == [
        "Required clauses are missing: Confidentiality, Liability and damages."
    ]
    assert status_of(contract) == S.DRAFT


def test_an_open_ended_draft_with_a_review_date_can_be_activated(procurement_user):
    contract = draft(ends_on=None, review_on=date(2028, 4, 1))
    contract_activate(contract=contract, user=procurement_user)
    assert status_of(contract) == S.ACTIVE


@pytest.mark.parametrize("status", [S.ACTIVE, S.EXPIRED, S.TERMINATED, S.SUPERSEDED])
def test_only_a_draft_can_be_activated(procurement_user, status):
    contract = draft(status=status)
    assert refusal(contract_activate, contract=contract, user=procurement_user) == [
        f"Only a draft can be activated; this contract is {S(status).label.lower()}."
    ]
    assert status_of(contract) == status


def test_a_contract_with_a_terminated_vendor_cannot_be_activated(procurement_user):
    contract = draft(vendor=VendorFactory(status=Vendor.Status.TERMINATED))
    assert refusal(contract_activate, contract=contract, user=procurement_user) == [
        "The vendor is terminated."
    ]


def test_activating_a_renewal_supersedes_the_contract_it_renews(procurement_user):
    vendor = VendorFactory()
    predecessor = active_contract_for(vendor, reference="PC-OLD")
    renewal = draft(vendor=vendor, reference="PC-NEW", renews=predecessor)
    contract_activate(contract=renewal, user=procurement_user)
    assert status_of(renewal) == S.ACTIVE
    predecessor.refresh_from_db()
    assert predecessor.status == S.SUPERSEDED
    version = predecessor.history.get()
    assert (version.history_user, version.history_change_reason) == (
        procurement_user,
        "Superseded by PC-NEW.",
    )


# --- terminate ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.ACTIVE, S.DRAFT])
def test_an_active_or_draft_contract_is_terminated_with_a_reason(compliance_user, status):
    contract = draft(status=status)
    contract_terminate(contract=contract, user=compliance_user, reason="  Entrustment stopped.  ")
    assert contract.status == S.TERMINATED
    version = contract.history.get()
    assert (version.history_user, version.history_change_reason) == (compliance_user, "Entrustment stopped.")


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_termination_needs_a_reason(compliance_user, reason):
    contract = draft(status=S.ACTIVE)
    assert refusal(contract_terminate, contract=contract, user=compliance_user, reason=reason) == [
        "Give a reason for terminating the contract."
    ]
    assert status_of(contract) == S.ACTIVE


@pytest.mark.parametrize("status", [S.EXPIRED, S.SUPERSEDED, S.TERMINATED])
def test_an_ended_contract_cannot_be_terminated(compliance_user, status):
    contract = draft(status=status)
    assert refusal(contract_terminate, contract=contract, user=compliance_user, reason="Stop.") == [
        f"Only a draft or active contract can be terminated; this one is {S(status).label.lower()}."
    ]
    assert status_of(contract) == status


# --- renew --------------------------------------------------------------------------------------------------


def test_renewal_creates_a_draft_successor_with_the_same_terms_and_clauses(procurement_user):
    owner = UserFactory(roles=["procurement"])
    clauses = [*required_clauses(ContractKind.PROTECTION_AGREEMENT), Clause.objects.get(code="joint_use_end")]
    contract = active_contract_for(
        VendorFactory(),
        kind=ContractKind.PROTECTION_AGREEMENT,
        title="Payroll processing agreement",
        reference="PC-2025-007",
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        auto_renews=True,
        renewal_months=6,
        notice_days=45,
        permits_reentrustment=True,
        owner=owner,
        notes="Annual review by legal.",
        clauses=clauses,
    )
    successor = contract_renew(contract=contract, user=procurement_user)
    successor.refresh_from_db()
    assert successor.pk != contract.pk
    assert successor.status == S.DRAFT
    assert successor.renews == contract
    assert successor.reference == "PC-2025-007-R2"
    assert (successor.vendor, successor.kind, successor.title) == (
        contract.vendor,
        ContractKind.PROTECTION_AGREEMENT,
        "Payroll processing agreement",
    )
    assert (successor.auto_renews, successor.renewal_months, successor.notice_days) == (True, 6, 45)
    assert successor.permits_reentrustment is True
    assert successor.owner == owner
    assert set(successor.clauses.all()) == set(clauses)
    assert (successor.signed_on, successor.document.name) == (None, "")
    assert status_of(contract) == S.ACTIVE
    version = successor.history.get()
    assert (version.history_user, version.history_change_reason) == (
        procurement_user,
        "Renewal of PC-2025-007.",
    )


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "next_start", "next_end"),
    [
        (date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 1), date(2027, 3, 31)),
        (date(2024, 10, 1), date(2026, 9, 30), date(2026, 10, 1), date(2028, 9, 30)),
        (date(2026, 1, 15), date(2026, 7, 14), date(2026, 7, 15), date(2027, 1, 14)),
    ],
    ids=["one-year", "two-years", "six-months"],
)
def test_the_renewal_starts_the_day_after_the_end_and_runs_for_the_same_term(
    procurement_user, starts_on, ends_on, next_start, next_end
):
    contract = active_contract_for(VendorFactory(), starts_on=starts_on, ends_on=ends_on)
    successor = contract_renew(contract=contract, user=procurement_user)
    assert (successor.starts_on, successor.ends_on) == (next_start, next_end)


def test_the_renewal_reference_skips_references_already_in_use(procurement_user):
    ProtectionContractFactory(reference="PC-9-R2")
    contract = active_contract_for(VendorFactory(), reference="PC-9")
    assert contract_renew(contract=contract, user=procurement_user).reference == "PC-9-R3"


def test_an_expired_contract_can_be_renewed(procurement_user):
    contract = active_contract_for(VendorFactory(), status=S.EXPIRED)
    assert contract_renew(contract=contract, user=procurement_user).status == S.DRAFT


def test_renewal_is_refused_while_a_draft_renewal_exists(procurement_user):
    contract = active_contract_for(VendorFactory(), reference="PC-5")
    contract_renew(contract=contract, user=procurement_user)
    assert refusal(contract_renew, contract=contract, user=procurement_user) == [
        "A renewal is already being prepared: PC-5-R2."
    ]
    assert contract.successors.count() == 1


@pytest.mark.parametrize("status", [S.DRAFT, S.TERMINATED])
def test_a_draft_or_terminated_contract_cannot_be_renewed(procurement_user, status):
    contract = active_contract_for(VendorFactory(), status=status)
    assert refusal(contract_renew, contract=contract, user=procurement_user) == [
        f"Only an active or expired contract can be renewed; this one is {S(status).label.lower()}."
    ]
    assert not contract.successors.exists()


# --- expire -------------------------------------------------------------------------------------------------


def test_an_active_contract_past_its_end_expires(db):
    contract = active_contract_for(VendorFactory(), starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    assert contract_expire_due(today=date(2026, 4, 1)) == 1
    contract.refresh_from_db()
    assert contract.status == S.EXPIRED
    version = contract.history.get()
    assert (version.history_user, version.history_change_reason) == (None, "Ended on 2026-03-31.")


def test_a_contract_is_not_expired_on_its_last_day_nor_when_it_is_not_active(db):
    last_day = active_contract_for(VendorFactory(), starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    open_ended = active_contract_for(
        VendorFactory(), starts_on=date(2025, 1, 1), ends_on=None, review_on=date(2026, 1, 1)
    )
    old_draft = active_contract_for(
        VendorFactory(), status=S.DRAFT, starts_on=date(2025, 2, 1), ends_on=date(2026, 1, 31)
    )
    assert contract_expire_due(today=date(2026, 3, 31)) == 0
    assert [status_of(c) for c in (last_day, open_ended, old_draft)] == [S.ACTIVE, S.ACTIVE, S.DRAFT]


def test_an_automatically_renewing_contract_moves_its_end_forward_past_today(db):
    contract = active_contract_for(
        VendorFactory(),
        starts_on=date(2024, 4, 1),
        ends_on=date(2025, 3, 31),
        auto_renews=True,
        renewal_months=12,
        notice_days=60,
    )
    assert contract_expire_due(today=date(2026, 5, 10)) == 1
    contract.refresh_from_db()
    assert contract.status == S.ACTIVE
    assert contract.ends_on == date(2027, 3, 31)  # two periods: 2026-03-31 had passed too
    assert contract.decision_on == date(2027, 1, 30)
    version = contract.history.get()
    assert (version.history_user, version.history_change_reason) == (None, "automatic renewal")


def test_an_automatic_renewal_by_one_period_ends_on_the_same_day_of_the_month(db):
    contract = active_contract_for(
        VendorFactory(),
        starts_on=date(2025, 7, 1),
        ends_on=date(2026, 3, 31),
        auto_renews=True,
        renewal_months=3,
    )
    contract_expire_due(today=date(2026, 4, 1))
    contract.refresh_from_db()
    assert contract.ends_on == date(2026, 6, 30)


def test_automatic_renewals_over_several_periods_keep_a_month_end_at_the_month_end(db):
    """Renewed monthly from 31 January: the periods end on 28 February, then 31 March — not 28 March."""
    contract = active_contract_for(
        VendorFactory(),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        auto_renews=True,
        renewal_months=1,
        notice_days=10,
    )
    contract_expire_due(today=date(2026, 3, 15))
    contract.refresh_from_db()
    assert contract.ends_on == date(2026, 3, 31)


def test_daily_automatic_renewals_keep_a_month_end_at_the_month_end(db):
    """The same with the job running daily: one period at a time, 28 February then 31 March."""
    contract = active_contract_for(
        VendorFactory(),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        auto_renews=True,
        renewal_months=1,
        notice_days=10,
    )
    ends = []
    for day in (date(2026, 2, 1), date(2026, 3, 1)):
        contract_expire_due(today=day)
        contract.refresh_from_db()
        ends.append(contract.ends_on)
    assert ends == [date(2026, 2, 28), date(2026, 3, 31)]


def test_the_daily_expiry_is_not_blocked_by_a_stored_document_over_a_lowered_size_limit(db, settings):
    """The upload limit applies to new uploads; a contract signed under the old limit still expires."""
    contract = active_contract_for(VendorFactory(), starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    settings.MAX_DOCUMENT_BYTES = 10  # the stored PDF is larger
    assert contract_expire_due(today=date(2026, 4, 1)) == 1
    assert status_of(contract) == S.EXPIRED


def test_running_the_expiry_twice_changes_nothing_more(db):
    expiring = active_contract_for(VendorFactory(), starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    renewing = active_contract_for(
        VendorFactory(), starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31), auto_renews=True
    )
    assert contract_expire_due(today=date(2026, 4, 2)) == 2
    assert contract_expire_due(today=date(2026, 4, 2)) == 0
    expiring.refresh_from_db()
    renewing.refresh_from_db()
    assert (expiring.status, renewing.status, renewing.ends_on) == (S.EXPIRED, S.ACTIVE, date(2027, 3, 31))
    assert expiring.history.count() == 1
    assert renewing.history.count() == 1


# --- editing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DRAFT, S.ACTIVE])
def test_a_draft_or_active_contract_can_be_edited(procurement_user, status):
    contract = active_contract_for(VendorFactory(), status=status)
    contract.title = "Renamed"
    contract_save(contract=contract, user=procurement_user, reason="Typo.")
    assert ProtectionContract.objects.get(pk=contract.pk).title == "Renamed"
    version = contract.history.get()
    assert (version.history_user, version.history_change_reason) == (procurement_user, "Typo.")


@pytest.mark.parametrize("status", NOT_EDITABLE)
def test_an_archived_contract_cannot_be_edited(procurement_user, status):
    contract = active_contract_for(VendorFactory(), status=status, title="Original")
    contract.title = "Renamed"
    (message,) = refusal(contract_save, contract=contract, user=procurement_user)
    assert message.endswith(": it is archived and cannot be edited.")
    assert ProtectionContract.objects.get(pk=contract.pk).title == "Original"
    assert not contract.history.exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.EXPIRED, "This contract is expired: it is archived and cannot be edited."),
        (S.TERMINATED, "This contract is terminated: it is archived and cannot be edited."),
        (S.SUPERSEDED, "This contract is superseded: it is archived and cannot be edited."),
    ],
)
def test_the_refusal_to_edit_names_the_status_in_plain_english(procurement_user, status, message):
    contract = active_contract_for(VendorFactory(), status=status)
    assert refusal(contract_save, contract=contract, user=procurement_user) == [message]


def test_an_archived_contract_cannot_be_edited_by_changing_its_status_in_memory(procurement_user):
    contract = active_contract_for(VendorFactory(), status=S.TERMINATED)
    contract.status = S.ACTIVE
    refusal(contract_save, contract=contract, user=procurement_user)
    assert status_of(contract) == S.TERMINATED


# --- roles --------------------------------------------------------------------------------------------------


def test_a_viewer_may_not_create_a_contract(viewer_user):
    contract = ProtectionContractFactory.build(vendor=VendorFactory())
    with pytest.raises(PermissionDenied):
        contract_save(contract=contract, user=viewer_user)
    assert not ProtectionContract.objects.exists()


def test_a_viewer_may_not_edit_a_contract(viewer_user):
    contract = draft(title="Original")
    contract.title = "Renamed"
    with pytest.raises(PermissionDenied):
        contract_save(contract=contract, user=viewer_user)
    assert ProtectionContract.objects.get(pk=contract.pk).title == "Original"


def test_a_viewer_may_not_activate_a_contract(viewer_user):
    contract = draft()
    with pytest.raises(PermissionDenied):
        contract_activate(contract=contract, user=viewer_user)
    assert status_of(contract) == S.DRAFT


def test_a_viewer_may_not_terminate_a_contract(viewer_user):
    contract = draft(status=S.ACTIVE)
    with pytest.raises(PermissionDenied):
        contract_terminate(contract=contract, user=viewer_user, reason="Stop.")
    assert status_of(contract) == S.ACTIVE


def test_a_viewer_may_not_renew_a_contract(viewer_user):
    contract = draft(status=S.ACTIVE)
    with pytest.raises(PermissionDenied):
        contract_renew(contract=contract, user=viewer_user)
    assert not contract.successors.exists()


def test_a_viewer_may_not_record_a_consent(viewer_user):
    subcontractor = SubcontractorFactory()
    consent = ReentrustmentConsentFactory.build(
        subcontractor=subcontractor, parent=subcontractor.parent, consented_by=viewer_user
    )
    with pytest.raises(PermissionDenied):
        consent_save(consent=consent, user=viewer_user)
    assert not ReentrustmentConsent.objects.exists()


def test_a_user_without_a_role_may_not_change_a_contract(roleless_user):
    contract = draft()
    with pytest.raises(PermissionDenied):
        contract_activate(contract=contract, user=roleless_user)
    assert status_of(contract) == S.DRAFT


@pytest.mark.parametrize("role", ["procurement_user", "compliance_user", "superuser"])
def test_procurement_compliance_and_superusers_may_change_contracts(db, request, role):
    user = request.getfixturevalue(role)
    contract = draft()
    contract_activate(contract=contract, user=user)
    assert status_of(contract) == S.ACTIVE
