"""The vendor pages: create, edit, change status, delete, contacts, reference data, the detail page."""

import pytest
from django.urls import reverse

from contracts.models import ProtectionContract
from core.roles import COMPLIANCE, PROCUREMENT, VIEWER
from vendors.models import Contact, DataCategory, Purpose, Vendor
from vendors.services import vendor_change_status, vendor_save

from ..edit_forms import edit_token
from ..factories import (
    ContactFactory,
    DataCategoryFactory,
    PurposeFactory,
    SubcontractorFactory,
    UserFactory,
    VendorFactory,
)

S = Vendor.Status


def vendor_form_data(**overrides) -> dict:
    data = {
        "name": "Sakura Data Services K.K.",
        "name_kana": "サクラデータサービス",
        "corporate_number": "4011001098993",
        "country": "JP",
        "address": "東京都千代田区丸の内1-1-1",
        "representative": "",
        "website": "",
        "kind": "contractor",
        "parent": "",
        "owner": "",
        "principal_count": "0",
        "notes": "",
        "reason": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def form_data_of(vendor: Vendor, **overrides) -> dict:
    """The edit form as the page would submit it for `vendor`, with `overrides`."""
    data = vendor_form_data(
        name=vendor.name,
        name_kana=vendor.name_kana,
        corporate_number=vendor.corporate_number,
        country=vendor.country.code,
        address=vendor.address,
        kind=vendor.kind,
        parent=vendor.parent_id or "",
        owner=vendor.owner_id or "",
        principal_count=str(vendor.principal_count),
        data_categories=[c.pk for c in vendor.data_categories.all()],
        purposes=[p.pk for p in vendor.purposes.all()],
    )
    for flag in ("is_group_company", "handles_special_care_data", "handles_data_abroad", "has_system_access"):
        if getattr(vendor, flag):
            data[flag] = "on"
    data.update(edit_token(vendor))
    data.update(overrides)
    return data


# --- create -------------------------------------------------------------------------------------------------


def test_procurement_creates_a_vendor_and_lands_on_its_page(procurement_client, procurement_user):
    category, purpose = DataCategoryFactory(), PurposeFactory()
    response = procurement_client.post(
        reverse("vendors:create"),
        vendor_form_data(
            owner=procurement_user.pk,
            data_categories=[category.pk],
            purposes=[purpose.pk],
            principal_count="5000",
            reason="New CRM outsourcing.",
        ),
    )
    vendor = Vendor.objects.get(name="Sakura Data Services K.K.")
    assert response.status_code == 302
    assert response.url == reverse("vendors:detail", args=[vendor.pk])
    assert vendor.status == S.DRAFT
    assert vendor.owner == procurement_user
    assert list(vendor.data_categories.all()) == [category]
    assert list(vendor.purposes.all()) == [purpose]
    assert vendor.risk_tier == Vendor.RiskTier.MEDIUM
    (record,) = vendor.history.all()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        procurement_user,
        "New CRM outsourcing.",
    )


def test_the_new_vendor_form_proposes_the_signed_in_procurement_user_as_owner(
    procurement_client, procurement_user
):
    response = procurement_client.get(reverse("vendors:create"))
    assert response.status_code == 200
    assert response.context["form"].initial["owner"] == procurement_user.pk


def test_the_new_vendor_form_preselects_the_parent_for_a_subcontractor(procurement_client):
    parent = VendorFactory()
    response = procurement_client.get(reverse("vendors:create"), {"parent": parent.pk})
    initial = response.context["form"].initial
    assert (initial["kind"], str(initial["parent"])) == ("subcontractor", str(parent.pk))


def test_an_invalid_corporate_number_is_shown_next_to_the_field_and_nothing_is_created(procurement_client):
    response = procurement_client.post(
        reverse("vendors:create"), vendor_form_data(corporate_number="4011001098994")
    )
    assert response.status_code == 200
    message = "The check digit (first digit) does not match: this is not a valid corporate number."
    assert response.context["form"].errors["corporate_number"] == [message]
    page = response.content.decode()
    field_at = page.index('id="id_corporate_number"')
    next_field_at = page.index('id="id_representative"')
    assert field_at < page.index(message) < next_field_at
    assert not Vendor.objects.exists()
    assert not Vendor.history.exists()


def test_a_subcontractor_without_parent_is_refused_on_the_parent_field(procurement_client):
    response = procurement_client.post(reverse("vendors:create"), vendor_form_data(kind="subcontractor"))
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [
        "A subcontractor needs the vendor that re-entrusts the work to it."
    ]
    assert not Vendor.objects.exists()


def test_a_duplicate_corporate_number_is_refused_on_the_page(procurement_client):
    VendorFactory(corporate_number="4011001098993")
    response = procurement_client.post(
        reverse("vendors:create"), vendor_form_data(corporate_number="4011001098993")
    )
    assert response.status_code == 200
    assert "Another vendor already has this corporate number." in response.content.decode()
    assert Vendor.objects.count() == 1


def test_the_owner_must_be_a_procurement_user(procurement_client):
    viewer = UserFactory(username="someviewer", roles=["viewer"])
    response = procurement_client.post(reverse("vendors:create"), vendor_form_data(owner=viewer.pk))
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Vendor.objects.exists()


# --- edit ---------------------------------------------------------------------------------------------------


def test_procurement_edits_a_vendor(procurement_client, procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(name="Old Name K.K."), user=procurement_user)
    response = procurement_client.post(
        reverse("vendors:edit", args=[vendor.pk]),
        form_data_of(vendor, name="New Name K.K.", has_system_access="on", reason="Renamed."),
    )
    assert response.status_code == 302
    assert response.url == reverse("vendors:detail", args=[vendor.pk])
    vendor.refresh_from_db()
    assert vendor.name == "New Name K.K."
    assert vendor.risk_tier == Vendor.RiskTier.MEDIUM
    latest = vendor.history.latest("history_date")
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        procurement_user,
        "Renamed.",
    )


def test_an_invalid_edit_changes_nothing(procurement_client, procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(name="Kept K.K."), user=procurement_user)
    response = procurement_client.post(
        reverse("vendors:edit", args=[vendor.pk]),
        form_data_of(vendor, name="Changed", corporate_number="123"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["corporate_number"] == [
        "A corporate number has exactly 13 digits."
    ]
    vendor.refresh_from_db()
    assert vendor.name == "Kept K.K."
    assert vendor.history.count() == 1


def test_the_edit_form_does_not_offer_the_vendor_itself_or_unfit_parents(procurement_client):
    vendor = VendorFactory()
    fit = VendorFactory()
    joint = VendorFactory(kind=Vendor.Kind.JOINT_USER)
    terminated = VendorFactory(status=S.TERMINATED)
    response = procurement_client.get(reverse("vendors:edit", args=[vendor.pk]))
    offered = set(response.context["form"].fields["parent"].queryset)
    assert fit in offered
    assert not offered & {vendor, joint, terminated}


# --- status -------------------------------------------------------------------------------------------------


def test_compliance_approves_a_vendor_under_review(compliance_client, compliance_user):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    response = compliance_client.post(
        reverse("vendors:status", args=[vendor.pk]), {"status": "approved", "reason": "Measures checked."}
    )
    assert response.status_code == 302
    assert response.url == reverse("vendors:detail", args=[vendor.pk])
    vendor.refresh_from_db()
    assert vendor.status == S.APPROVED
    latest = vendor.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (compliance_user, "Measures checked.")


def test_a_refused_status_change_shows_the_gate_message_on_the_page(compliance_client):
    parent = VendorFactory(name="Parent K.K.", status=S.DRAFT)
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    response = compliance_client.post(reverse("vendors:status", args=[vendor.pk]), {"status": "approved"})
    assert response.status_code == 200
    message = "The re-entrusting vendor “Parent K.K.” is not approved (it is draft); approve it first."
    assert message in response.context["form"].non_field_errors()
    assert message in response.content.decode()
    vendor.refresh_from_db()
    assert vendor.status == S.UNDER_REVIEW


def test_termination_without_a_reason_is_refused_on_the_page(compliance_client):
    vendor = VendorFactory(status=S.APPROVED)
    response = compliance_client.post(reverse("vendors:status", args=[vendor.pk]), {"status": "terminated"})
    assert response.status_code == 200
    assert "Give a reason: terminate needs one." in response.content.decode()
    vendor.refresh_from_db()
    assert vendor.status == S.APPROVED


def test_a_viewer_may_not_change_a_status(viewer_client):
    vendor = VendorFactory(status=S.DRAFT)
    response = viewer_client.post(reverse("vendors:status", args=[vendor.pk]), {"status": "under_review"})
    assert response.status_code == 403
    vendor.refresh_from_db()
    assert vendor.status == S.DRAFT


def test_procurement_may_not_approve_through_the_page(procurement_client):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    response = procurement_client.post(reverse("vendors:status", args=[vendor.pk]), {"status": "approved"})
    assert response.status_code == 403
    vendor.refresh_from_db()
    assert vendor.status == S.UNDER_REVIEW


def test_procurement_submits_a_draft_for_review_through_the_page(procurement_client):
    vendor = VendorFactory(status=S.DRAFT)
    response = procurement_client.post(
        reverse("vendors:status", args=[vendor.pk]), {"status": "under_review"}
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.status == S.UNDER_REVIEW


def test_the_status_page_offers_only_the_steps_open_to_the_role(procurement_client):
    vendor = VendorFactory(status=S.DRAFT)
    response = procurement_client.get(reverse("vendors:status", args=[vendor.pk]))
    assert response.status_code == 200
    assert [t.target for t, _ in response.context["next_steps"]] == ["under_review"]
    assert list(response.context["form"].fields["status"].widget.choices) == [
        ("under_review", "Submit for review")
    ]


# --- delete -------------------------------------------------------------------------------------------------


def test_procurement_deletes_a_vendor_that_was_never_approved(procurement_client, procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    vendor_change_status(vendor=vendor, status=S.UNDER_REVIEW, user=procurement_user)
    pk = vendor.pk
    response = procurement_client.post(reverse("vendors:delete", args=[pk]), {"reason": "Entered twice."})
    assert response.status_code == 302
    assert response.url == reverse("vendors:list")
    assert not Vendor.objects.filter(pk=pk).exists()
    assert Vendor.history.filter(id=pk, history_type="-").get().history_change_reason == "Entered twice."


def test_deleting_a_subcontractor_recomputes_the_parent_risk(procurement_client, procurement_user):
    parent = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    child = vendor_save(vendor=SubcontractorFactory.build(parent=parent), user=procurement_user)
    parent.refresh_from_db()
    assert parent.risk_tier == Vendor.RiskTier.MEDIUM
    procurement_client.post(reverse("vendors:delete", args=[child.pk]), {"reason": "Mistake."})
    parent.refresh_from_db()
    assert parent.risk_tier == Vendor.RiskTier.LOW


def test_a_vendor_that_was_ever_approved_cannot_be_deleted(
    procurement_client, procurement_user, compliance_user
):
    vendor = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    vendor_change_status(vendor=vendor, status=S.UNDER_REVIEW, user=procurement_user)
    vendor_change_status(vendor=vendor, status=S.APPROVED, user=compliance_user)
    vendor_change_status(vendor=vendor, status=S.SUSPENDED, user=compliance_user)
    contact = ContactFactory(vendor=vendor)
    response = procurement_client.post(reverse("vendors:delete", args=[vendor.pk]), {"reason": "Try."})
    assert response.status_code == 200
    assert (
        "This vendor was approved at some point: terminate it instead of deleting it."
        in response.content.decode()
    )
    assert Vendor.objects.filter(pk=vendor.pk).exists()
    assert Contact.objects.filter(pk=contact.pk).exists()  # nothing of the refused deletion stays done


def test_a_vendor_with_subcontractors_cannot_be_deleted(procurement_client, procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    vendor_save(vendor=SubcontractorFactory.build(parent=vendor), user=procurement_user)
    response = procurement_client.post(reverse("vendors:delete", args=[vendor.pk]), {"reason": "Try."})
    assert response.status_code == 200
    assert "This vendor has subcontractors: terminate it instead of deleting it." in response.content.decode()
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_the_delete_page_explains_why_a_vendor_cannot_be_deleted(procurement_client, procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    SubcontractorFactory(parent=vendor)
    response = procurement_client.get(reverse("vendors:delete", args=[vendor.pk]))
    assert response.status_code == 200
    assert response.context["blockers"] == [
        "This vendor has subcontractors: terminate it instead of deleting it."
    ]


# --- contacts -----------------------------------------------------------------------------------------------


def test_procurement_adds_a_contact(procurement_client, procurement_user):
    vendor = VendorFactory()
    response = procurement_client.post(
        reverse("vendors:contact_create", args=[vendor.pk]),
        {"name": "Yui Suzuki", "email": "yui@example.com", "role": "Privacy officer", "is_primary": "on"},
    )
    assert response.status_code == 302
    assert response.url == reverse("vendors:detail", args=[vendor.pk]) + "#contacts"
    contact = vendor.contacts.get()
    assert (contact.name, contact.email, contact.is_primary) == ("Yui Suzuki", "yui@example.com", True)
    assert contact.history.get().history_user == procurement_user


def test_an_invalid_contact_is_refused_on_the_page(procurement_client):
    vendor = VendorFactory()
    response = procurement_client.post(
        reverse("vendors:contact_create", args=[vendor.pk]), {"name": "", "email": "not-an-email"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "email"}
    assert not Contact.objects.exists()


def test_procurement_edits_a_contact(procurement_client):
    contact = ContactFactory(name="Old", email="old@example.com")
    response = procurement_client.post(
        reverse("vendors:contact_edit", args=[contact.pk]),
        {"name": "New", "email": "new@example.com", **edit_token(contact)},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("New", "new@example.com")


def test_making_a_second_contact_primary_demotes_the_first(procurement_client):
    vendor = VendorFactory()
    first = ContactFactory(vendor=vendor, name="First", is_primary=True)
    response = procurement_client.post(
        reverse("vendors:contact_create", args=[vendor.pk]), {"name": "Second", "is_primary": "on"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert not first.is_primary
    assert vendor.contacts.get(is_primary=True).name == "Second"


def test_editing_a_contact_into_primary_demotes_the_other(procurement_client):
    vendor = VendorFactory()
    first = ContactFactory(vendor=vendor, name="First", is_primary=True)
    second = ContactFactory(vendor=vendor, name="Second", is_primary=False)
    response = procurement_client.post(
        reverse("vendors:contact_edit", args=[second.pk]),
        {"name": "Second", "is_primary": "on", **edit_token(second)},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_procurement_removes_a_contact(procurement_client, procurement_user):
    contact = ContactFactory()
    pk, vendor_pk = contact.pk, contact.vendor_id
    response = procurement_client.post(reverse("vendors:contact_delete", args=[pk]), {"reason": "Left."})
    assert response.status_code == 302
    assert response.url == reverse("vendors:detail", args=[vendor_pk]) + "#contacts"
    assert not Contact.objects.filter(pk=pk).exists()
    record = Contact.history.get(id=pk, history_type="-")
    assert (record.history_user, record.history_change_reason) == (procurement_user, "Left.")


# --- reference data -----------------------------------------------------------------------------------------


def test_compliance_creates_a_data_category(compliance_client, compliance_user):
    response = compliance_client.post(
        reverse("vendors:datacategory_create"),
        {
            "code": "medical",
            "name_en": "Medical records",
            "name_ja": "診療記録",
            "is_special_care": "on",
            "is_active": "on",
        },
    )
    category = DataCategory.objects.get(code="medical")
    assert response.status_code == 302
    assert response.url == reverse("vendors:datacategory_detail", args=[category.pk])
    assert category.is_special_care
    assert category.history.get().history_user == compliance_user


def test_compliance_edits_a_data_category(compliance_client):
    category = DataCategoryFactory(name_en="Old")
    response = compliance_client.post(
        reverse("vendors:datacategory_edit", args=[category.pk]),
        {
            "code": category.code,
            "name_en": "New",
            "name_ja": category.name_ja,
            "is_active": "on",
            **edit_token(category),
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name_en == "New"


def test_compliance_creates_a_purpose_with_its_data_categories(compliance_client):
    category = DataCategoryFactory()
    response = compliance_client.post(
        reverse("vendors:purpose_create"),
        {
            "code": "payroll",
            "name_en": "Payroll",
            "name_ja": "給与計算",
            "data_categories": [category.pk],
            "is_active": "on",
        },
    )
    purpose = Purpose.objects.get(code="payroll")
    assert response.status_code == 302
    assert list(purpose.data_categories.all()) == [category]
    (record,) = purpose.history.all()
    assert [row.datacategory for row in record.data_categories.all()] == [category]


def test_compliance_edits_a_purpose(compliance_client):
    purpose = PurposeFactory(name_en="Old")
    category = DataCategoryFactory()
    response = compliance_client.post(
        reverse("vendors:purpose_edit", args=[purpose.pk]),
        {
            "code": purpose.code,
            "name_en": "New",
            "name_ja": purpose.name_ja,
            "data_categories": [category.pk],
            **edit_token(purpose),
        },
    )
    assert response.status_code == 302
    purpose.refresh_from_db()
    assert (purpose.name_en, purpose.is_active, list(purpose.data_categories.all())) == (
        "New",
        False,
        [category],
    )
    assert purpose.history.count() == 2


@pytest.mark.parametrize(
    "url_name",
    [
        "vendors:datacategory_create",
        "vendors:purpose_create",
        "vendors:datacategory_edit",
        "vendors:purpose_edit",
    ],
)
def test_procurement_may_not_edit_reference_data(procurement_client, url_name):
    category, purpose = DataCategoryFactory(name_en="Kept"), PurposeFactory(name_en="Kept")
    args = [] if url_name.endswith("create") else [category.pk if "datacategory" in url_name else purpose.pk]
    data = {"code": "new-code", "name_en": "Changed", "name_ja": "変更", "is_active": "on"}
    assert procurement_client.get(reverse(url_name, args=args)).status_code == 403
    assert procurement_client.post(reverse(url_name, args=args), data).status_code == 403
    assert DataCategory.objects.filter(name_en="Changed").count() == 0
    assert Purpose.objects.filter(name_en="Changed").count() == 0


def test_a_duplicate_reference_code_is_refused_on_the_page(compliance_client):
    DataCategoryFactory(code="taken")
    response = compliance_client.post(
        reverse("vendors:datacategory_create"), {"code": "taken", "name_en": "X", "name_ja": "X"}
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


# --- detail page --------------------------------------------------------------------------------------------


def test_the_detail_page_shows_what_blocks_approval(viewer_client):
    parent = VendorFactory(name="Parent K.K.", status=S.UNDER_REVIEW)
    vendor = SubcontractorFactory(parent=parent, status=S.UNDER_REVIEW)
    response = viewer_client.get(reverse("vendors:detail", args=[vendor.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "What blocks approval" in page
    assert (
        "The re-entrusting vendor “Parent K.K.” is not approved (it is under review); approve it first."
        in page
    )


def test_the_detail_page_says_nothing_blocks_approval_when_nothing_does(viewer_client):
    vendor = VendorFactory(status=S.UNDER_REVIEW)
    response = viewer_client.get(reverse("vendors:detail", args=[vendor.pk]))
    assert response.context["approval_blockers"] == []
    assert "Nothing: every approval prerequisite is met." in response.content.decode()


def test_the_detail_page_shows_the_chain_and_the_subtree(viewer_client):
    root = VendorFactory(name="Root K.K.")
    middle = SubcontractorFactory(name="Middle K.K.", parent=root)
    leaf = SubcontractorFactory(name="Leaf K.K.", parent=middle)
    response = viewer_client.get(reverse("vendors:detail", args=[middle.pk]))
    assert response.context["chain"] == [root]
    assert response.context["subtree"] == [(1, leaf)]


@pytest.mark.parametrize(("role", "can_edit"), [(VIEWER, False), (COMPLIANCE, False), (PROCUREMENT, True)])
def test_the_detail_page_offers_editing_only_to_procurement(db, client, role, can_edit):
    vendor = VendorFactory()
    client.force_login(UserFactory(username=f"{role}-user", roles=[role]))
    response = client.get(reverse("vendors:detail", args=[vendor.pk]))
    assert response.context["can_edit"] is can_edit
    assert (reverse("vendors:edit", args=[vendor.pk]) in response.content.decode()) is can_edit


def test_a_vendor_with_a_contract_cannot_be_deleted_and_the_page_names_the_contract(procurement_client):
    vendor = VendorFactory(name="Has Contract K.K.")
    ProtectionContract.objects.create(vendor=vendor, title="Draft terms", reference="PC-DEL-1")
    response = procurement_client.post(reverse("vendors:delete", args=[vendor.pk]), {"reason": "mistake"})
    assert response.status_code == 200
    assert "PC-DEL-1" in response.content.decode()
    assert Vendor.objects.filter(pk=vendor.pk).exists()
