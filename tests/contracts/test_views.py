"""The contract pages: list and filters, create and edit, the action pages, detail, consents and clauses."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent
from contracts.services import contract_activation_blockers, contract_renew
from core.models import ReminderLog
from core.roles import PROCUREMENT
from vendors.models import Vendor

from ..edit_forms import edit_token
from ..factories import (
    PDF_BYTES,
    DataCategoryFactory,
    JointUserFactory,
    ProtectionContractFactory,
    ReentrustmentConsentFactory,
    SubcontractorFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    required_clauses,
    valid_corporate_number,
)

pytestmark = pytest.mark.django_db

S = ProtectionContract.Status
ENTRUSTMENT_CLAUSES = "entrustment"


def today():
    return timezone.localdate()


def listed(client, **params) -> set[str]:
    response = client.get(reverse("contracts:list"), params)
    assert response.status_code == 200
    return {contract.reference for contract in response.context["object_list"]}


# --- list filters -------------------------------------------------------------------------------------------


def test_the_list_filters_by_vendor(viewer_client):
    vendor = VendorFactory()
    active_contract_for(vendor, reference="PC-MINE")
    active_contract_for(VendorFactory(), reference="PC-OTHER")
    assert listed(viewer_client, vendor=vendor.pk) == {"PC-MINE"}


def test_the_list_filters_by_kind(viewer_client):
    active_contract_for(JointUserFactory(), reference="PC-JOINT")
    active_contract_for(VendorFactory(), reference="PC-ENTRUST")
    active_contract_for(VendorFactory(), reference="PC-AGREEMENT", kind=ContractKind.PROTECTION_AGREEMENT)
    assert listed(viewer_client, kind="joint_use") == {"PC-JOINT"}
    assert listed(viewer_client, kind=["entrustment", "protection_agreement"]) == {
        "PC-ENTRUST",
        "PC-AGREEMENT",
    }


def test_the_list_filters_by_status(viewer_client):
    for status in S.values:
        active_contract_for(VendorFactory(), reference=f"PC-{status}", status=status)
    assert listed(viewer_client, status="active") == {"PC-active"}
    assert listed(viewer_client, status=["expired", "terminated"]) == {"PC-expired", "PC-terminated"}


def test_the_list_filters_by_owner(viewer_client, procurement_user):
    active_contract_for(VendorFactory(), reference="PC-OWNED", owner=procurement_user)
    active_contract_for(VendorFactory(), reference="PC-SOMEONE-ELSE", owner=UserFactory(roles=[PROCUREMENT]))
    active_contract_for(VendorFactory(), reference="PC-NOBODY")
    assert listed(viewer_client, owner=procurement_user.pk) == {"PC-OWNED"}


def test_the_list_filters_by_notice_deadline_within_days(viewer_client):
    def with_deadline(reference, days, **kwargs):
        active_contract_for(
            VendorFactory(),
            reference=reference,
            starts_on=today() - timedelta(days=300),
            ends_on=today() + timedelta(days=days + 60),
            notice_days=60,
            **kwargs,
        )

    with_deadline("PC-TODAY", 0)
    with_deadline("PC-IN-30", 30)
    with_deadline("PC-IN-31", 31)
    with_deadline("PC-PASSED", -1)
    with_deadline("PC-DRAFT-IN-10", 10, status=S.DRAFT)
    active_contract_for(
        VendorFactory(), reference="PC-REVIEW-IN-5", ends_on=None, review_on=today() + timedelta(days=5)
    )
    assert listed(viewer_client, deadline_within=30) == {"PC-TODAY", "PC-IN-30", "PC-REVIEW-IN-5"}
    assert listed(viewer_client, deadline_within=0) == {"PC-TODAY"}


def test_the_list_filters_contracts_missing_required_clauses(viewer_client):
    active_contract_for(VendorFactory(), reference="PC-COMPLETE")
    active_contract_for(
        VendorFactory(),
        reference="PC-GAPS",
        clauses=[c for c in required_clauses(ENTRUSTMENT_CLAUSES) if c.code != "liability"],
    )
    active_contract_for(JointUserFactory(), reference="PC-JOINT-COMPLETE")
    active_contract_for(JointUserFactory(), reference="PC-JOINT-EMPTY", clauses=[])
    assert listed(viewer_client, missing_clauses="true") == {"PC-GAPS", "PC-JOINT-EMPTY"}
    assert listed(viewer_client, missing_clauses="false") == {"PC-COMPLETE", "PC-JOINT-COMPLETE"}


def test_the_missing_clauses_filter_ignores_inactive_clauses(viewer_client):
    Clause.objects.filter(code="liability").update(is_active=False)
    active_contract_for(
        VendorFactory(),
        reference="PC-NO-LIABILITY",
        clauses=[c for c in required_clauses(ENTRUSTMENT_CLAUSES) if c.code != "liability"],
    )
    assert listed(viewer_client, missing_clauses="true") == set()
    assert listed(viewer_client, missing_clauses="false") == {"PC-NO-LIABILITY"}


def test_the_list_filters_expired_contracts_without_an_active_successor(viewer_client):
    alone = active_contract_for(VendorFactory(), reference="PC-ALONE", status=S.EXPIRED)
    renewed = active_contract_for(VendorFactory(), reference="PC-RENEWED", status=S.EXPIRED)
    active_contract_for(renewed.vendor, reference="PC-RENEWED-R2", renews=renewed)
    in_progress = active_contract_for(VendorFactory(), reference="PC-IN-PROGRESS", status=S.EXPIRED)
    active_contract_for(in_progress.vendor, reference="PC-IN-PROGRESS-R2", renews=in_progress, status=S.DRAFT)
    active_contract_for(VendorFactory(), reference="PC-ACTIVE")
    assert alone.pk
    assert listed(viewer_client, expired_without_successor="true") == {"PC-ALONE", "PC-IN-PROGRESS"}


def test_the_list_searches_reference_title_and_vendor_name(viewer_client):
    active_contract_for(VendorFactory(name="Hoshi Logistics K.K."), reference="PC-A", title="Warehouse")
    active_contract_for(VendorFactory(), reference="PC-HOSHI-2", title="Printing")
    active_contract_for(VendorFactory(), reference="PC-C", title="Hoshi call centre")
    active_contract_for(VendorFactory(), reference="PC-D", title="Unrelated")
    assert listed(viewer_client, q="hoshi") == {"PC-A", "PC-HOSHI-2", "PC-C"}
    assert listed(viewer_client, q="hoshi warehouse") == {"PC-A"}


def test_the_list_shows_how_many_clauses_are_missing(viewer_client):
    active_contract_for(
        VendorFactory(),
        reference="PC-GAPS",
        clauses=[
            c for c in required_clauses(ENTRUSTMENT_CLAUSES) if c.code not in ("liability", "no_copying")
        ],
    )
    response = viewer_client.get(reverse("contracts:list"))
    (contract,) = response.context["object_list"]
    assert contract.missing_count == 2
    assert "2 missing" in response.content.decode()


# --- list query count ---------------------------------------------------------------------------------------

# Measured (the same on SQLite and PostgreSQL): session, user, then inside a savepoint (two more statements)
# the user's roles, the page count, the active clauses required per kind, the page of contracts with vendor
# and owner joined, and their clauses; then the navbar's groups and the filter form's choices (owners,
# responsible people; the vendor only when one is chosen).
LIST_QUERIES = 12


def create_contracts(count: int, *, batch: str = "A") -> None:
    """`count` more contracts in every kind and status, spread over vendors and owners; half lack clauses."""
    offset = ProtectionContract.objects.count()
    owners = [UserFactory(username=f"listowner{i}", roles=[PROCUREMENT]) for i in range(5)]
    vendors = Vendor.objects.bulk_create(
        Vendor(
            name=f"List Vendor {batch}{i:04d} K.K.",
            corporate_number=valid_corporate_number(700_000 + offset + i),
        )
        for i in range(max(1, count // 10))
    )
    kinds, statuses = ContractKind.values, S.values
    rows = []
    for i in range(count):
        ends_on = today() + timedelta(days=i % 500)
        rows.append(
            ProtectionContract(
                vendor=vendors[i % len(vendors)],
                kind=kinds[i % len(kinds)],
                title=f"List contract {batch}{i}",
                reference=f"PC-LIST-{batch}-{i:05d}",
                status=statuses[i % len(statuses)],
                starts_on=today() - timedelta(days=365),
                ends_on=ends_on,
                notice_days=60,
                decision_on=ends_on - timedelta(days=60),
                owner=owners[i % len(owners)],
            )
        )
    contracts = ProtectionContract.objects.bulk_create(rows)
    required = {kind: required_clauses(kind) for kind in kinds}
    through = ProtectionContract.clauses.through
    through.objects.bulk_create(
        through(protectioncontract_id=contract.pk, clause_id=clause.pk)
        for i, contract in enumerate(contracts)
        for clause in required[contract.kind][: None if i % 2 else -2]
    )
    assert ProtectionContract.objects.count() == offset + count


def test_the_contract_list_runs_the_same_number_of_queries_at_10_and_at_1000_contracts(
    viewer_client, django_assert_num_queries
):
    create_contracts(10)
    with CaptureQueriesContext(connection) as at_10:
        assert len(listed(viewer_client)) == 10
    create_contracts(990, batch="B")
    with django_assert_num_queries(len(at_10)):
        assert len(listed(viewer_client)) == 50
    assert len(at_10) == LIST_QUERIES


def test_a_filtered_contract_list_runs_the_same_number_of_queries_at_10_and_at_1000_contracts(
    viewer_client, django_assert_num_queries
):
    params = {"missing_clauses": "true", "status": "active", "q": "list", "ordering": "deadline"}
    create_contracts(10)
    with CaptureQueriesContext(connection) as at_10:
        listed(viewer_client, **params)
    create_contracts(990, batch="B")
    with django_assert_num_queries(len(at_10)):
        assert len(listed(viewer_client, **params)) == 50


# --- create and edit ----------------------------------------------------------------------------------------


def contract_form_data(vendor, **overrides) -> dict:
    data = {
        "vendor": vendor.pk,
        "kind": "entrustment",
        "title": "Customer support entrustment",
        "reference": "PC-NEW-1",
        "signed_on": "2026-03-15",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "review_on": "",
        "renewal_months": "12",
        "notice_days": "60",
        "owner": "",
        "clauses": [c.pk for c in required_clauses(ENTRUSTMENT_CLAUSES)],
        "notes": "",
        "reason": "",
    }
    data.update(overrides)
    return data


def test_procurement_creates_a_draft_contract_with_clauses_and_a_pdf(procurement_client, procurement_user):
    vendor = VendorFactory()
    response = procurement_client.post(
        reverse("contracts:create"),
        contract_form_data(
            vendor,
            owner=procurement_user.pk,
            permits_reentrustment="on",
            document=SimpleUploadedFile("signed.pdf", PDF_BYTES, content_type="application/pdf"),
            reason="Signed copy received.",
        ),
    )
    contract = ProtectionContract.objects.get(reference="PC-NEW-1")
    assert response.status_code == 302
    assert response.url == reverse("contracts:detail", args=[contract.pk])
    assert contract.status == S.DRAFT
    assert (contract.vendor, contract.owner, contract.permits_reentrustment) == (
        vendor,
        procurement_user,
        True,
    )
    assert set(contract.clauses.all()) == set(required_clauses(ENTRUSTMENT_CLAUSES))
    assert contract.document.read() == PDF_BYTES
    assert contract.decision_on == contract.notice_deadline
    version = contract.history.get()
    assert (version.history_type, version.history_user) == ("+", procurement_user)
    assert version.history_change_reason == "Signed copy received."


def test_the_create_page_suggests_the_vendor_and_the_procurement_user_as_owner(
    procurement_client, procurement_user
):
    vendor = VendorFactory()
    response = procurement_client.get(reverse("contracts:create"), {"vendor": vendor.pk})
    form = response.context["form"]
    assert (form["vendor"].value(), form["owner"].value()) == (str(vendor.pk), procurement_user.pk)


def test_the_create_form_refuses_a_contract_that_ends_before_it_starts(procurement_client):
    response = procurement_client.post(
        reverse("contracts:create"),
        contract_form_data(VendorFactory(), starts_on="2026-04-01", ends_on="2026-03-01", notice_days="0"),
    )
    assert response.status_code == 200
    assert "The contract cannot end before it starts." in response.content.decode()
    assert not ProtectionContract.objects.exists()


def test_procurement_edits_a_contract_and_the_change_is_recorded(procurement_client, procurement_user):
    contract = active_contract_for(VendorFactory(), reference="PC-EDIT", title="Old title")
    response = procurement_client.post(
        reverse("contracts:edit", args=[contract.pk]),
        contract_form_data(
            contract.vendor,
            reference="PC-EDIT",
            title="New title",
            ends_on="2027-09-30",
            reason="Extended after negotiation.",
        ),
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.title, contract.ends_on.isoformat(), contract.status) == (
        "New title",
        "2027-09-30",
        S.ACTIVE,
    )
    version = contract.history.get()
    assert (version.history_user, version.history_change_reason) == (
        procurement_user,
        "Extended after negotiation.",
    )


def test_the_vendor_of_a_saved_contract_cannot_be_changed(procurement_client):
    contract = active_contract_for(VendorFactory(), reference="PC-EDIT")
    other = VendorFactory()
    procurement_client.post(
        reverse("contracts:edit", args=[contract.pk]), contract_form_data(other, reference="PC-EDIT")
    )
    contract.refresh_from_db()
    assert contract.vendor != other


def test_editing_an_archived_contract_shows_the_refusal_on_the_form(procurement_client):
    contract = active_contract_for(VendorFactory(), reference="PC-OLD", status=S.TERMINATED, title="Kept")
    response = procurement_client.post(
        reverse("contracts:edit", args=[contract.pk]),
        contract_form_data(contract.vendor, reference="PC-OLD", title="Changed"),
    )
    assert response.status_code == 200
    assert "archived and cannot be edited" in response.content.decode()
    assert ProtectionContract.objects.get(pk=contract.pk).title == "Kept"


# --- action pages -------------------------------------------------------------------------------------------


def test_the_activate_page_activates_a_complete_draft(procurement_client):
    contract = active_contract_for(VendorFactory(), status=S.DRAFT)
    response = procurement_client.post(reverse("contracts:activate", args=[contract.pk]))
    assert response.status_code == 302
    assert response.url == reverse("contracts:detail", args=[contract.pk])
    assert ProtectionContract.objects.get(pk=contract.pk).status == S.ACTIVE


def test_the_activate_page_lists_what_blocks_activation(procurement_client):
    contract = ProtectionContractFactory()
    response = procurement_client.get(reverse("contracts:activate", args=[contract.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not possible yet:" in html
    assert "Attach the signed document." in html


def test_a_refused_activation_is_shown_on_the_page(procurement_client):
    contract = ProtectionContractFactory()
    response = procurement_client.post(reverse("contracts:activate", args=[contract.pk]))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "Enter the date the contract was signed." in errors
    assert "Enter the start date." in errors
    assert "Enter the date the contract was signed." in response.content.decode()
    assert ProtectionContract.objects.get(pk=contract.pk).status == S.DRAFT


def test_the_terminate_page_terminates_with_the_reason(compliance_client, compliance_user):
    contract = active_contract_for(VendorFactory())
    response = compliance_client.post(
        reverse("contracts:terminate", args=[contract.pk]), {"reason": "Entrustment stopped."}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == S.TERMINATED
    assert contract.history.get().history_change_reason == "Entrustment stopped."


def test_the_terminate_page_requires_a_reason(compliance_client):
    contract = active_contract_for(VendorFactory())
    response = compliance_client.post(reverse("contracts:terminate", args=[contract.pk]), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert ProtectionContract.objects.get(pk=contract.pk).status == S.ACTIVE


def test_a_refused_termination_is_shown_on_the_page(compliance_client):
    contract = active_contract_for(VendorFactory(), status=S.EXPIRED)
    response = compliance_client.post(reverse("contracts:terminate", args=[contract.pk]), {"reason": "Stop."})
    assert response.status_code == 200
    assert (
        "Only a draft or active contract can be terminated; this one is expired." in response.content.decode()
    )
    assert ProtectionContract.objects.get(pk=contract.pk).status == S.EXPIRED


def test_the_renew_page_creates_the_renewal_draft_and_opens_it(procurement_client):
    contract = active_contract_for(VendorFactory(), reference="PC-RENEW")
    response = procurement_client.post(reverse("contracts:renew", args=[contract.pk]))
    successor = ProtectionContract.objects.get(reference="PC-RENEW-R2")
    assert response.status_code == 302
    assert response.url == reverse("contracts:detail", args=[successor.pk])
    assert (successor.status, successor.renews) == (S.DRAFT, contract)


def test_a_refused_renewal_is_shown_on_the_page(procurement_client):
    contract = active_contract_for(VendorFactory(), status=S.DRAFT)
    response = procurement_client.post(reverse("contracts:renew", args=[contract.pk]))
    assert response.status_code == 200
    assert (
        "Only an active or expired contract can be renewed; this one is draft." in response.content.decode()
    )
    assert not contract.successors.exists()


# --- detail page --------------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_clause_checklist_with_missing_clauses_marked(viewer_client):
    contract = active_contract_for(
        VendorFactory(),
        clauses=[c for c in required_clauses(ENTRUSTMENT_CLAUSES) if c.code != "liability"],
    )
    response = viewer_client.get(reverse("contracts:detail", args=[contract.pk]))
    checklist = {
        clause.code: (present, required) for clause, present, required in response.context["checklist"]
    }
    assert checklist["liability"] == (False, True)
    assert checklist["confidentiality"] == (True, True)
    assert checklist["joint_use_particulars"] == (False, False)
    assert [c.code for c in response.context["missing"]] == ["liability"]
    html = response.content.decode()
    assert "1 missing" in html
    assert html.count("missing (required)") == 1
    assert 'Liability and damages <strong class="text-danger">missing (required)</strong>' in html


def test_the_detail_page_shows_the_notice_deadline(viewer_client):
    contract = active_contract_for(
        VendorFactory(),
        starts_on=today() - timedelta(days=100),
        ends_on=today() + timedelta(days=200),
        notice_days=90,
    )
    html = viewer_client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert (today() + timedelta(days=110)).isoformat() in html
    assert "90 days before the end" in html


def test_the_detail_page_lists_the_reminders_sent(viewer_client):
    owner = UserFactory(username="reminded", first_name="Rei", last_name="Minder")
    contract = active_contract_for(VendorFactory(), owner=owner)
    ReminderLog.objects.create(
        kind="contract_notice",
        subject_type=ContentType.objects.get_for_model(ProtectionContract),
        subject_id=contract.pk,
        deadline=contract.decision_on,
        threshold=30,
        recipient=owner,
        sent_at=timezone.now(),
    )
    response = viewer_client.get(reverse("contracts:detail", args=[contract.pk]))
    (log,) = response.context["reminders"]
    assert log.recipient == owner
    html = response.content.decode()
    assert "Rei Minder" in html
    assert contract.decision_on.isoformat() in html


def test_the_detail_page_offers_no_actions_to_a_viewer(viewer_client):
    contract = active_contract_for(VendorFactory())
    html = viewer_client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert reverse("contracts:edit", args=[contract.pk]) not in html
    assert reverse("contracts:terminate", args=[contract.pk]) not in html


# --- consents -----------------------------------------------------------------------------------------------


def consent_form_data(subcontractor, user, **overrides) -> dict:
    data = {
        "parent": subcontractor.parent_id,
        "subcontractor": subcontractor.pk,
        "scope_of_work": "Printing of customer notices.",
        "data_description": "Names and addresses only.",
        "consented_on": "2026-04-01",
        "consented_by": user.pk,
        "notes": "",
    }
    data.update(overrides)
    return data


def test_procurement_records_a_consent(procurement_client, procurement_user):
    subcontractor = SubcontractorFactory()
    category = DataCategoryFactory()
    response = procurement_client.post(
        reverse("contracts:consent_create"),
        consent_form_data(
            subcontractor,
            procurement_user,
            data_categories=[category.pk],
            document=SimpleUploadedFile("consent.pdf", PDF_BYTES),
        ),
    )
    consent = ReentrustmentConsent.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("contracts:consent_detail", args=[consent.pk])
    assert (consent.parent, consent.subcontractor) == (subcontractor.parent, subcontractor)
    assert list(consent.data_categories.all()) == [category]
    assert consent.history.get().history_user == procurement_user


def test_the_consent_page_is_prefilled_from_the_subcontractor_page(procurement_client, procurement_user):
    subcontractor = SubcontractorFactory()
    response = procurement_client.get(
        reverse("contracts:consent_create"),
        {"parent": subcontractor.parent_id, "subcontractor": subcontractor.pk},
    )
    form = response.context["form"]
    assert form["parent"].value() == str(subcontractor.parent_id)
    assert form["subcontractor"].value() == str(subcontractor.pk)
    assert form["consented_by"].value() == procurement_user.pk


def test_a_consent_for_a_vendor_the_parent_does_not_re_entrust_to_is_refused(
    procurement_client, procurement_user
):
    subcontractor = SubcontractorFactory()
    stranger = VendorFactory(name="Stranger K.K.")
    response = procurement_client.post(
        reverse("contracts:consent_create"),
        consent_form_data(subcontractor, procurement_user, parent=stranger.pk),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "subcontractor": ["This vendor is not re-entrusted by “Stranger K.K.”."]
    }
    assert not ReentrustmentConsent.objects.exists()


def test_the_consent_detail_page_shows_the_pair_and_the_scope(viewer_client):
    consent = ReentrustmentConsentFactory(
        subcontractor=SubcontractorFactory(name="Sub K.K.", parent=VendorFactory(name="Main K.K.")),
        scope_of_work="Scanning of application forms.",
    )
    html = viewer_client.get(reverse("contracts:consent_detail", args=[consent.pk])).content.decode()
    assert "Main K.K." in html
    assert "Sub K.K." in html
    assert "Scanning of application forms." in html
    assert reverse("contracts:consent_edit", args=[consent.pk]) not in html


def test_compliance_edits_a_consent(compliance_client, compliance_user):
    consent = ReentrustmentConsentFactory()
    response = compliance_client.post(
        reverse("contracts:consent_edit", args=[consent.pk]),
        consent_form_data(consent.subcontractor, compliance_user, scope_of_work="Scanning only."),
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.scope_of_work == "Scanning only."
    assert consent.history.get().history_user == compliance_user


# --- clause reference data ----------------------------------------------------------------------------------


def clause_form_data(**overrides) -> dict:
    data = {
        "code": "ai_training",
        "title_en": "No training of AI models on the data",
        "title_ja": "AI学習への利用禁止",
        "description": "",
        "required_for": ["entrustment", "protection_agreement"],
        "obligation": "should",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_compliance_creates_a_clause_required_for_the_kinds_ticked(compliance_client, compliance_user):
    response = compliance_client.post(reverse("contracts:clause_create"), clause_form_data())
    clause = Clause.objects.get(code="ai_training")
    assert response.status_code == 302
    assert clause.required_for == ["entrustment", "protection_agreement"]
    assert clause.history.get().history_user == compliance_user


def test_compliance_edits_the_kinds_a_clause_is_required_for(compliance_client):
    clause = Clause.objects.get(code="joint_use_end")
    response = compliance_client.get(reverse("contracts:clause_edit", args=[clause.pk]))
    assert response.context["form"]["required_for"].value() == []
    response = compliance_client.post(
        reverse("contracts:clause_edit", args=[clause.pk]),
        clause_form_data(
            code="joint_use_end", title_en=clause.title_en, required_for=["joint_use"], **edit_token(clause)
        ),
    )
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.required_for == ["joint_use"]


def test_a_clause_made_required_blocks_activation_of_contracts_lacking_it(compliance_client):
    contract = active_contract_for(VendorFactory(), status=S.DRAFT)
    compliance_client.post(reverse("contracts:clause_create"), clause_form_data(required_for=["entrustment"]))
    assert contract_activation_blockers(contract) == [
        "Required clauses are missing: No training of AI models on the data."
    ]


def test_the_clause_form_refuses_an_unknown_contract_kind(compliance_client):
    response = compliance_client.post(
        reverse("contracts:clause_create"), clause_form_data(required_for=["lease"])
    )
    assert response.status_code == 200
    assert "required_for" in response.context["form"].errors
    assert not Clause.objects.filter(code="ai_training").exists()


def test_procurement_may_not_create_or_edit_clauses(procurement_client):
    clause = Clause.objects.get(code="liability")
    assert procurement_client.get(reverse("contracts:clause_create")).status_code == 403
    assert procurement_client.post(reverse("contracts:clause_create"), clause_form_data()).status_code == 403
    edit = reverse("contracts:clause_edit", args=[clause.pk])
    assert procurement_client.get(edit).status_code == 403
    assert (
        procurement_client.post(edit, clause_form_data(code="liability", required_for=[])).status_code == 403
    )
    assert not Clause.objects.filter(code="ai_training").exists()
    clause.refresh_from_db()
    assert clause.required_for == ["entrustment", "protection_agreement", "joint_use"]


def test_the_renew_button_gives_way_to_the_renewal_in_progress(procurement_client, procurement_user):
    contract = active_contract_for(VendorFactory())
    renew_url = reverse("contracts:renew", args=[contract.pk])
    assert renew_url in procurement_client.get(contract.get_absolute_url()).content.decode()
    draft = contract_renew(contract=contract, user=procurement_user)
    html = procurement_client.get(contract.get_absolute_url()).content.decode()
    assert renew_url not in html
    assert draft.reference in html
