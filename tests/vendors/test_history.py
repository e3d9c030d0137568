"""One readable version per change, with who and why; history can be read but never edited."""

import pytest
from django.urls import reverse

from core.history import versions
from vendors.models import Contact, Vendor
from vendors.services import contact_delete, contact_save, vendor_change_status, vendor_delete, vendor_save

from ..factories import (
    ContactFactory,
    DataCategoryFactory,
    PurposeFactory,
    SubcontractorFactory,
    UserFactory,
    VendorFactory,
)

S = Vendor.Status


def changes_of(version) -> dict[str, tuple[str, str]]:
    return {change.label: (change.old, change.new) for change in version.changes}


@pytest.fixture
def onboarded(procurement_user):
    """A vendor created through the service with two data categories and a purpose."""
    categories = [DataCategoryFactory(name_en="Customers"), DataCategoryFactory(name_en="Applicants")]
    purpose = PurposeFactory(name_en="Service provision")
    return vendor_save(
        vendor=VendorFactory.build(name="Sakura K.K.", owner=procurement_user),
        user=procurement_user,
        data_categories=categories,
        purposes=[purpose],
        reason="Onboarding.",
    )


# --- one version per save -----------------------------------------------------------------------------------


def test_creating_a_vendor_with_categories_and_purposes_writes_exactly_one_version(
    onboarded, procurement_user
):
    (record,) = onboarded.history.all()
    assert record.history_type == "+"
    assert record.history_user == procurement_user
    assert record.history_change_reason == "Onboarding."
    assert {row.datacategory.name_en for row in record.data_categories.all()} == {"Customers", "Applicants"}
    assert [row.purpose.name_en for row in record.purposes.all()] == ["Service provision"]


def test_updating_a_vendor_and_its_categories_writes_exactly_one_more_version(onboarded, procurement_user):
    onboarded.name = "Sakura Data K.K."
    vendor_save(
        vendor=onboarded,
        user=procurement_user,
        data_categories=[DataCategoryFactory()],
        purposes=[],
        reason="Renamed.",
    )
    assert onboarded.history.count() == 2
    latest = onboarded.history.latest("history_date")
    assert (latest.history_type, latest.name, latest.history_change_reason) == (
        "~",
        "Sakura Data K.K.",
        "Renamed.",
    )
    assert latest.data_categories.count() == 1
    assert latest.purposes.count() == 0


def test_a_save_without_a_reason_stores_no_reason(procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    assert vendor.history.get().history_change_reason is None
    assert versions(vendor)[0].reason == ""


def test_a_status_change_records_the_user_and_the_reason(onboarded, procurement_user, compliance_user):
    vendor_change_status(
        vendor=onboarded, status=S.UNDER_REVIEW, user=procurement_user, reason="Intake done."
    )
    vendor_change_status(
        vendor=onboarded, status=S.APPROVED, user=compliance_user, reason="Measures checked."
    )
    latest, previous, _created = onboarded.history.order_by("-history_date", "-history_id")
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        S.APPROVED,
        compliance_user,
        "Measures checked.",
    )
    assert (previous.status, previous.history_user, previous.history_change_reason) == (
        S.UNDER_REVIEW,
        procurement_user,
        "Intake done.",
    )


def test_a_status_change_without_a_reason_records_the_action_as_reason(onboarded, procurement_user):
    vendor_change_status(vendor=onboarded, status=S.UNDER_REVIEW, user=procurement_user)
    assert onboarded.history.latest("history_date").history_change_reason == "Submit for review."


def test_a_refused_status_change_writes_no_version(onboarded, procurement_user):
    with pytest.raises(Exception):  # noqa: B017 - the refusal itself is tested in test_status.py
        vendor_change_status(vendor=onboarded, status=S.APPROVED, user=procurement_user)
    assert onboarded.history.count() == 1


# --- readable diffs -----------------------------------------------------------------------------------------


def test_the_first_version_lists_the_values_set_with_verbose_names(onboarded, procurement_user):
    (version,) = versions(onboarded)
    assert version.action == "Created"
    assert version.user == procurement_user
    assert version.reason == "Onboarding."
    changes = changes_of(version)
    assert changes["name"] == ("", "Sakura K.K.")
    assert changes["kind"] == ("", "Contractor (entrusted party)")
    assert changes["status"] == ("", "Draft")
    assert changes["owner"] == ("", "procurement")
    assert changes["country"] == ("", "Japan")
    assert changes["data categories"] == ("", "Applicants, Customers")
    assert changes["purposes of use"] == ("", "Service provision")
    assert "id" not in changes
    assert "updated_at" not in changes


def test_versions_show_status_as_its_label_not_its_code(onboarded, procurement_user):
    vendor_change_status(vendor=onboarded, status=S.UNDER_REVIEW, user=procurement_user)
    latest = versions(onboarded)[0]
    assert latest.action == "Changed"
    assert changes_of(latest) == {"status": ("Draft", "Under review")}


def test_versions_show_the_owner_by_name_not_by_id(onboarded, procurement_user):
    new_owner = UserFactory(username="kenji", first_name="Kenji", last_name="Tanaka")
    onboarded.owner = new_owner
    vendor_save(vendor=onboarded, user=procurement_user)
    old, new = changes_of(versions(onboarded)[0])["owner"]
    assert old == "procurement"
    assert new in ("kenji", "Kenji Tanaka")
    assert str(new_owner.pk) not in (old, new)


def test_versions_show_the_parent_by_name_not_by_id(procurement_user):
    first = VendorFactory(name="First Parent K.K.")
    second = VendorFactory(name="Second Parent K.K.")
    subcontractor = vendor_save(vendor=SubcontractorFactory.build(parent=first), user=procurement_user)
    subcontractor.parent = second
    vendor_save(vendor=subcontractor, user=procurement_user)
    latest, created = versions(subcontractor)
    assert changes_of(latest)["re-entrusted by"] == ("First Parent K.K.", "Second Parent K.K.")
    assert changes_of(created)["re-entrusted by"] == ("", "First Parent K.K.")


def test_versions_show_data_category_changes_as_names(onboarded, procurement_user):
    vendor_save(
        vendor=onboarded,
        user=procurement_user,
        data_categories=[DataCategoryFactory(name_en="Camera footage")],
    )
    changes = changes_of(versions(onboarded)[0])
    assert changes["data categories"] == ("Applicants, Customers", "Camera footage")
    assert "purposes of use" not in changes  # unchanged M2M is not listed


def test_versions_show_the_recomputed_risk_tier_by_label(onboarded, procurement_user):
    onboarded.handles_data_abroad = True
    vendor_save(vendor=onboarded, user=procurement_user)
    changes = changes_of(versions(onboarded)[0])
    assert changes["risk tier"] == ("Low", "High")
    assert changes["handles data abroad"] == ("No", "Yes")


def test_a_version_that_changes_nothing_has_no_changes(onboarded, procurement_user):
    vendor_save(vendor=onboarded, user=procurement_user, reason="Just checking.")
    latest = versions(onboarded)[0]
    assert latest.changes == []
    assert latest.reason == "Just checking."


def test_versions_are_newest_first_and_can_be_limited(onboarded, procurement_user, compliance_user):
    vendor_change_status(vendor=onboarded, status=S.UNDER_REVIEW, user=procurement_user)
    vendor_change_status(vendor=onboarded, status=S.APPROVED, user=compliance_user, reason="ok")
    all_versions = versions(onboarded)
    assert [v.action for v in all_versions] == ["Changed", "Changed", "Created"]
    assert all_versions[0].reason == "ok"
    assert all_versions[0].user == compliance_user
    assert changes_of(all_versions[0]) == {"status": ("Under review", "Approved")}
    assert versions(onboarded, limit=1) == all_versions[:1]


# --- contacts -----------------------------------------------------------------------------------------------


def test_contact_changes_are_recorded_with_user_and_reason(procurement_user):
    vendor = VendorFactory()
    contact = contact_save(
        contact=Contact(vendor=vendor, name="Yui Suzuki", email="yui@example.com"),
        user=procurement_user,
        reason="New privacy officer.",
    )
    contact.email = "yui.suzuki@example.com"
    contact_save(contact=contact, user=procurement_user)
    latest, created = versions(contact)
    assert (created.action, created.reason, created.user) == (
        "Created",
        "New privacy officer.",
        procurement_user,
    )
    assert changes_of(created)["vendor"] == ("", vendor.name)
    assert latest.action == "Changed"
    assert changes_of(latest) == {"email": ("yui@example.com", "yui.suzuki@example.com")}


def test_demoting_the_previous_primary_contact_is_recorded_on_that_contact(procurement_user):
    vendor = VendorFactory()
    first = contact_save(contact=Contact(vendor=vendor, name="First", is_primary=True), user=procurement_user)
    contact_save(contact=Contact(vendor=vendor, name="Second", is_primary=True), user=procurement_user)
    latest = versions(first)[0]
    assert latest.reason == "Another contact became primary."
    assert changes_of(latest) == {"primary contact": ("Yes", "No")}


def test_deleting_a_contact_writes_a_deleted_version(procurement_user):
    contact = ContactFactory()
    pk = contact.pk
    contact_delete(contact=contact, user=procurement_user, reason="Left the company.")
    assert not Contact.objects.filter(pk=pk).exists()
    record = Contact.history.filter(id=pk).latest("history_date")
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        procurement_user,
        "Left the company.",
    )


# --- deletion -----------------------------------------------------------------------------------------------


def test_deleting_a_never_approved_vendor_writes_a_deleted_version(onboarded, procurement_user):
    ContactFactory(vendor=onboarded, name="Officer")
    pk = onboarded.pk
    vendor_delete(vendor=onboarded, user=procurement_user, reason="Entered by mistake.")
    assert not Vendor.objects.filter(pk=pk).exists()
    record = Vendor.history.filter(id=pk).latest("history_date")
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        procurement_user,
        "Entered by mistake.",
    )
    contact_record = Contact.history.filter(vendor_id=pk).latest("history_date")
    assert (contact_record.history_type, contact_record.history_change_reason) == ("-", "Vendor deleted.")


# --- the history pages --------------------------------------------------------------------------------------


def test_the_history_page_shows_who_why_and_the_new_status(
    client, onboarded, procurement_user, compliance_user
):
    vendor_change_status(vendor=onboarded, status=S.UNDER_REVIEW, user=procurement_user)
    vendor_change_status(
        vendor=onboarded, status=S.APPROVED, user=compliance_user, reason="Measures checked."
    )
    client.force_login(UserFactory(username="reader", roles=["viewer"]))
    response = client.get(reverse("vendors:history", args=[onboarded.pk]))
    assert response.status_code == 200
    assert [v.action for v in response.context["versions"]] == ["Changed", "Changed", "Created"]
    page = response.content.decode()
    assert "compliance" in page
    assert "procurement" in page
    assert "Measures checked." in page
    assert "Onboarding." in page
    assert "Approved" in page


def test_the_contact_history_page_renders(viewer_client, procurement_user):
    contact = contact_save(
        contact=Contact(vendor=VendorFactory(), name="Officer"), user=procurement_user, reason="Hi."
    )
    response = viewer_client.get(reverse("vendors:contact_history", args=[contact.pk]))
    assert response.status_code == 200
    assert "Officer" in response.content.decode()
    assert "Hi." in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url_name", ["vendors:history", "vendors:contact_history"])
def test_there_is_no_way_to_edit_history_through_the_history_pages(
    superuser_client, onboarded, method, url_name
):
    contact = ContactFactory(vendor=onboarded)
    pk = onboarded.pk if url_name == "vendors:history" else contact.pk
    before = Vendor.history.count(), Contact.history.count()
    response = getattr(superuser_client, method)(reverse(url_name, args=[pk]), {"history_change_reason": "x"})
    assert response.status_code == 405
    assert (Vendor.history.count(), Contact.history.count()) == before


def test_no_url_name_offers_to_edit_or_delete_a_version():
    from django.urls import get_resolver

    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        if namespace == "admin":
            continue  # the admin's history views are read-only (SIMPLE_HISTORY_REVERT_DISABLED)
        names += [f"{namespace}:{n}" for n in resolver.reverse_dict if isinstance(n, str)]
    assert [
        n for n in names if "history" in n and any(w in n for w in ("edit", "delete", "revert", "update"))
    ] == []
