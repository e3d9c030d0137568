from core.history import versions
from vendors.models import Vendor
from vendors.services import vendor_change_status, vendor_save

from ..factories import DataCategoryFactory, VendorFactory


def test_vendor_save_writes_one_version_with_categories(procurement_user, compliance_user):
    category = DataCategoryFactory(is_special_care=True)
    vendor = vendor_save(vendor=VendorFactory.build(), user=procurement_user, data_categories=[category],
                         reason="onboard")
    assert vendor.risk_tier == Vendor.RiskTier.HIGH
    assert vendor.history.count() == 1
    vendor_change_status(vendor=vendor, status="under_review", user=procurement_user)
    vendor_change_status(vendor=vendor, status="approved", user=compliance_user, reason="ok")
    vs = versions(vendor)
    assert [v.action for v in vs] == ["Changed", "Changed", "Created"]
    assert vs[0].reason == "ok" and vs[0].user == compliance_user
    assert vs[0].changes[0].label == "status" and vs[0].changes[0].new == "Approved"
    assert any(c.label == "data categories" and category.name in c.new for c in vs[2].changes)
