"""The risk tier the intake answers call for, and how vendor_save keeps it up to date."""

import re

import pytest

from vendors.models import Vendor
from vendors.services import vendor_change_status, vendor_risk_tier, vendor_save

from ..factories import DataCategoryFactory, SubcontractorFactory, VendorFactory

HIGH, MEDIUM, LOW = Vendor.RiskTier.HIGH, Vendor.RiskTier.MEDIUM, Vendor.RiskTier.LOW


def tier_of(vendor):
    tier, reasons = vendor_risk_tier(vendor)
    assert reasons, "a tier always comes with at least one reason"
    return tier, " ".join(reasons)


def test_it_rates_a_vendor_high_when_the_intake_says_special_care_data(db):
    tier, reasons = tier_of(VendorFactory(handles_special_care_data=True))
    assert tier == HIGH
    assert "special-care-required" in reasons


def test_it_rates_a_vendor_high_when_a_data_category_is_special_care(db):
    vendor = VendorFactory()
    vendor.data_categories.set([DataCategoryFactory(), DataCategoryFactory(is_special_care=True)])
    tier, reasons = tier_of(vendor)
    assert tier == HIGH
    assert "special-care-required" in reasons


def test_it_does_not_rate_a_vendor_high_for_ordinary_data_categories(db):
    vendor = VendorFactory()
    vendor.data_categories.set([DataCategoryFactory(), DataCategoryFactory()])
    assert tier_of(vendor)[0] == LOW


def test_it_rates_a_vendor_high_above_100000_principals(db):
    tier, reasons = tier_of(VendorFactory(principal_count=100_001))
    assert tier == HIGH
    assert "more than 100,000 principals" in reasons
    assert re.search(r"estimate: 100,?001", reasons)


def test_it_does_not_rate_a_vendor_high_at_exactly_100000_principals(db):
    tier, reasons = tier_of(VendorFactory(principal_count=100_000))
    assert tier == MEDIUM
    assert "100,000 principals" not in reasons


def test_it_rates_a_vendor_high_when_it_handles_data_abroad(db):
    tier, reasons = tier_of(VendorFactory(handles_data_abroad=True))
    assert tier == HIGH
    assert "foreign country" in reasons


def test_it_lists_every_high_risk_reason(db):
    vendor = VendorFactory(handles_special_care_data=True, principal_count=200_000, handles_data_abroad=True)
    tier, reasons = vendor_risk_tier(vendor)
    assert tier == HIGH
    assert len(reasons) == 3


def test_it_rates_a_vendor_medium_above_1000_principals(db):
    tier, reasons = tier_of(VendorFactory(principal_count=1_001))
    assert tier == MEDIUM
    assert "more than 1,000 principals" in reasons


def test_it_rates_a_vendor_low_at_exactly_1000_principals(db):
    assert tier_of(VendorFactory(principal_count=1_000))[0] == LOW


def test_it_rates_a_vendor_medium_when_it_has_system_access(db):
    tier, reasons = tier_of(VendorFactory(has_system_access=True))
    assert tier == MEDIUM
    assert "access to company systems" in reasons


def test_it_rates_a_vendor_medium_when_it_re_entrusts_work_to_a_subcontractor(db):
    vendor = VendorFactory()
    SubcontractorFactory(parent=vendor)
    tier, reasons = tier_of(vendor)
    assert tier == MEDIUM
    assert "1 subcontractor(s)" in reasons


def test_it_does_not_count_a_terminated_subcontractor(db):
    vendor = VendorFactory()
    SubcontractorFactory(parent=vendor, status=Vendor.Status.TERMINATED)
    assert tier_of(vendor)[0] == LOW


def test_it_rates_a_vendor_low_when_nothing_raises_the_risk(db):
    tier, reasons = tier_of(VendorFactory(principal_count=10))
    assert tier == LOW
    assert reasons == "No high- or medium-risk factor in the intake."


def test_it_rates_an_unsaved_vendor_from_its_intake_alone(db):
    assert tier_of(VendorFactory.build(principal_count=5_000))[0] == MEDIUM
    assert tier_of(VendorFactory.build())[0] == LOW


def test_a_high_risk_factor_wins_over_medium_ones(db):
    vendor = VendorFactory(has_system_access=True, handles_data_abroad=True)
    tier, reasons = tier_of(vendor)
    assert tier == HIGH
    assert "access to company systems" not in reasons


# --- stored on save -----------------------------------------------------------------------------------------


def test_vendor_save_stores_the_tier_and_its_reasons(procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(handles_data_abroad=True), user=procurement_user)
    stored = Vendor.objects.get(pk=vendor.pk)
    assert stored.risk_tier == HIGH
    assert stored.risk_reasons == ["Handles personal data in a foreign country."]


def test_vendor_save_uses_the_data_categories_it_is_given(procurement_user):
    vendor = vendor_save(
        vendor=VendorFactory.build(),
        user=procurement_user,
        data_categories=[DataCategoryFactory(is_special_care=True)],
    )
    assert Vendor.objects.get(pk=vendor.pk).risk_tier == HIGH


def test_vendor_save_recomputes_the_tier_when_the_intake_changes(procurement_user):
    vendor = vendor_save(vendor=VendorFactory.build(principal_count=10), user=procurement_user)
    assert vendor.risk_tier == LOW

    vendor.principal_count = 5_000
    vendor_save(vendor=vendor, user=procurement_user)
    assert Vendor.objects.get(pk=vendor.pk).risk_tier == MEDIUM

    vendor.principal_count = 500_000
    vendor_save(vendor=vendor, user=procurement_user)
    assert Vendor.objects.get(pk=vendor.pk).risk_tier == HIGH

    vendor.principal_count = 10
    vendor_save(vendor=vendor, user=procurement_user)
    stored = Vendor.objects.get(pk=vendor.pk)
    assert stored.risk_tier == LOW
    assert stored.risk_reasons == ["No high- or medium-risk factor in the intake."]


def test_vendor_save_lowers_the_tier_when_a_special_care_category_is_removed(procurement_user):
    special = DataCategoryFactory(is_special_care=True)
    vendor = vendor_save(vendor=VendorFactory.build(), user=procurement_user, data_categories=[special])
    assert vendor.risk_tier == HIGH
    vendor_save(vendor=vendor, user=procurement_user, data_categories=[])
    assert Vendor.objects.get(pk=vendor.pk).risk_tier == LOW


def test_adding_a_subcontractor_raises_the_parent_to_medium_and_records_why(procurement_user):
    parent = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    versions_before = parent.history.count()

    subcontractor = vendor_save(
        vendor=SubcontractorFactory.build(parent=parent, name="Hosting Sub K.K."), user=procurement_user
    )

    parent.refresh_from_db()
    assert parent.risk_tier == MEDIUM
    assert parent.risk_reasons == ["Re-entrusts work to 1 subcontractor(s)."]
    assert parent.history.count() == versions_before + 1
    version = parent.history.latest("history_date")
    assert version.risk_tier == MEDIUM
    assert version.history_user == procurement_user
    assert "subcontractors changed" in version.history_change_reason
    assert subcontractor.name in version.history_change_reason


def test_a_parent_already_at_medium_gets_no_extra_version_when_a_subcontractor_is_added(procurement_user):
    parent = vendor_save(vendor=VendorFactory.build(has_system_access=True), user=procurement_user)
    vendor_save(vendor=SubcontractorFactory.build(parent=parent), user=procurement_user)
    parent.refresh_from_db()
    versions_before = parent.history.count()
    # The reasons change (1 -> 2 subcontractors): one version. Saving the second again changes nothing.
    second = vendor_save(vendor=SubcontractorFactory.build(parent=parent), user=procurement_user)
    assert parent.history.count() == versions_before + 1
    vendor_save(vendor=second, user=procurement_user)
    assert parent.history.count() == versions_before + 1


def test_moving_a_subcontractor_recomputes_both_parents(procurement_user):
    old_parent = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    new_parent = vendor_save(vendor=VendorFactory.build(), user=procurement_user)
    subcontractor = vendor_save(vendor=SubcontractorFactory.build(parent=old_parent), user=procurement_user)

    subcontractor.parent = new_parent
    vendor_save(vendor=subcontractor, user=procurement_user)

    old_parent.refresh_from_db()
    new_parent.refresh_from_db()
    assert old_parent.risk_tier == LOW
    assert new_parent.risk_tier == MEDIUM


@pytest.mark.parametrize("status", [Vendor.Status.DRAFT, Vendor.Status.APPROVED])
def test_a_subcontractor_still_counts_until_it_is_terminated(procurement_user, compliance_user, status):
    parent = vendor_save(vendor=VendorFactory.build(status=Vendor.Status.APPROVED), user=procurement_user)
    subcontractor = vendor_save(vendor=SubcontractorFactory.build(parent=parent), user=procurement_user)
    if status == Vendor.Status.APPROVED:
        vendor_change_status(vendor=subcontractor, status=Vendor.Status.UNDER_REVIEW, user=procurement_user)
        vendor_change_status(vendor=subcontractor, status=Vendor.Status.APPROVED, user=compliance_user)
    parent.refresh_from_db()
    assert parent.risk_tier == MEDIUM


# --- however the vendor is saved -------------------------------------------------------------------------


def test_a_vendor_created_without_a_tier_gets_the_one_its_intake_calls_for(db):
    vendor = Vendor.objects.create(name="Script K.K.", country="US", handles_special_care_data=True)
    assert vendor.risk_tier == HIGH
    assert Vendor.objects.get(pk=vendor.pk).risk_reasons == [
        "Handles special-care-required personal information."
    ]


def test_a_changed_intake_saved_directly_recomputes_the_tier(db):
    vendor = Vendor.objects.create(name="Script K.K.", country="US")
    assert vendor.risk_tier == LOW
    vendor = Vendor.objects.get(pk=vendor.pk)
    vendor.principal_count = 5_000
    vendor.save()
    assert Vendor.objects.get(pk=vendor.pk).risk_tier == MEDIUM


def test_a_tier_given_explicitly_is_kept_while_the_intake_does_not_change(db):
    vendor = Vendor.objects.create(name="Migrated K.K.", country="US", risk_tier=HIGH)
    vendor.notes = "Brought over from the old register."
    vendor.save()
    assert Vendor.objects.get(pk=vendor.pk).risk_tier == HIGH
