"""The contract record itself: derived dates, the clause checklist, and what the database refuses."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.models import Clause, ContractKind, ProtectionContract

from ..factories import ProtectionContractFactory, VendorFactory, required_clauses

pytestmark = pytest.mark.django_db


def clause(code: str) -> Clause:
    return Clause.objects.get(code=code)


# --- derived dates ------------------------------------------------------------------------------------------


def test_the_notice_deadline_is_the_end_date_minus_the_notice_period():
    contract = ProtectionContract(ends_on=date(2026, 3, 31), notice_days=60)
    assert contract.notice_deadline == date(2026, 1, 30)


def test_an_open_ended_contract_has_no_notice_deadline():
    contract = ProtectionContract(ends_on=None, review_on=date(2026, 6, 1), notice_days=60)
    assert contract.notice_deadline is None


def test_saving_stores_the_notice_deadline_as_the_decision_date():
    contract = ProtectionContractFactory(
        starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31), notice_days=90
    )
    assert ProtectionContract.objects.get(pk=contract.pk).decision_on == date(2025, 12, 31)


def test_saving_stores_the_review_date_as_the_decision_date_of_an_open_ended_contract():
    contract = ProtectionContractFactory(starts_on=date(2025, 4, 1), ends_on=None, review_on=date(2027, 4, 1))
    assert ProtectionContract.objects.get(pk=contract.pk).decision_on == date(2027, 4, 1)


def test_saving_only_some_fields_still_refreshes_the_decision_date():
    contract = ProtectionContractFactory(
        starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31), notice_days=30
    )
    contract.ends_on = date(2027, 3, 31)
    contract.save(update_fields=["ends_on"])
    assert ProtectionContract.objects.get(pk=contract.pk).decision_on == date(2027, 3, 1)


# --- clause checklist ---------------------------------------------------------------------------------------


def test_missing_clauses_lists_the_required_active_clauses_the_contract_lacks():
    present = [
        c
        for c in required_clauses(ContractKind.ENTRUSTMENT)
        if c.code not in ("confidentiality", "liability")
    ]
    contract = ProtectionContractFactory(kind=ContractKind.ENTRUSTMENT, clauses=present)
    assert [c.code for c in contract.missing_clauses] == ["confidentiality", "liability"]


def test_missing_clauses_is_empty_when_every_required_clause_is_present():
    contract = ProtectionContractFactory(
        kind=ContractKind.ENTRUSTMENT, clauses=required_clauses(ContractKind.ENTRUSTMENT)
    )
    assert contract.missing_clauses == []


def test_missing_clauses_ignores_an_inactive_clause():
    Clause.objects.create(
        code="retired_clause",
        title_en="Retired",
        title_ja="廃止",
        required_for=["entrustment"],
        is_active=False,
    )
    contract = ProtectionContractFactory(
        kind=ContractKind.ENTRUSTMENT, clauses=required_clauses(ContractKind.ENTRUSTMENT)
    )
    assert contract.missing_clauses == []


def test_missing_clauses_ignores_clauses_required_only_for_other_kinds():
    # joint_use_particulars is required for joint-use agreements only.
    contract = ProtectionContractFactory(
        kind=ContractKind.ENTRUSTMENT, clauses=required_clauses(ContractKind.ENTRUSTMENT)
    )
    assert clause("joint_use_particulars") not in contract.clauses.all()
    assert contract.missing_clauses == []
    joint = ProtectionContractFactory(kind=ContractKind.JOINT_USE, clauses=[])
    assert "joint_use_particulars" in [c.code for c in joint.missing_clauses]
    assert "purpose_limitation" not in [c.code for c in joint.missing_clauses]


def test_a_newly_required_clause_is_missing_from_existing_contracts():
    contract = ProtectionContractFactory(
        kind=ContractKind.ENTRUSTMENT, clauses=required_clauses(ContractKind.ENTRUSTMENT)
    )
    Clause.objects.create(
        code="ai_training", title_en="No AI training", title_ja="AI学習禁止", required_for=["entrustment"]
    )
    assert [c.code for c in contract.missing_clauses] == ["ai_training"]


# --- what the database refuses ------------------------------------------------------------------------------


def test_full_clean_refuses_a_contract_that_ends_before_it_starts():
    contract = ProtectionContract(
        vendor=VendorFactory(),
        title="Backwards",
        reference="PC-BACKWARDS",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 3, 31),
        notice_days=0,
    )
    with pytest.raises(ValidationError) as error:
        contract.full_clean()
    assert error.value.message_dict == {"__all__": ["The contract cannot end before it starts."]}


def test_the_database_refuses_a_contract_that_ends_before_it_starts_when_validation_is_bypassed():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtectionContractFactory(starts_on=date(2026, 4, 1), ends_on=date(2026, 3, 31))
    assert not ProtectionContract.objects.exists()


def test_a_contract_may_start_and_end_on_the_same_day():
    contract = ProtectionContractFactory(starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 1), notice_days=0)
    contract.full_clean()


def test_full_clean_refuses_a_reference_that_is_already_used():
    ProtectionContractFactory(reference="PC-2025-001")
    duplicate = ProtectionContract(vendor=VendorFactory(), title="Copy", reference="PC-2025-001")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.message_dict == {
        "reference": ["Protection contract with this Reference already exists."]
    }


def test_the_database_refuses_a_duplicate_reference_when_validation_is_bypassed():
    ProtectionContractFactory(reference="PC-2025-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtectionContractFactory(reference="PC-2025-001")
    assert ProtectionContract.objects.count() == 1
