"""Nothing that was ever approved is deleted, whichever way the deletion comes (the pages go through
vendors.services.vendor_delete; see test_views for them)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from vendors.models import Vendor

from ..factories import VendorFactory

pytestmark = pytest.mark.django_db


def test_a_vendor_once_approved_cannot_be_deleted_however_it_is_deleted():
    vendor = VendorFactory(status=Vendor.Status.APPROVED)
    vendor.status = Vendor.Status.SUSPENDED
    vendor.save()
    with pytest.raises(ValidationError, match="terminate it instead"):
        vendor.delete()
    assert Vendor.objects.filter(pk=vendor.pk).exists()  # refused before it began: the transaction is usable
    with pytest.raises(ValidationError, match="terminate it instead"), transaction.atomic():
        Vendor.objects.filter(pk=vendor.pk).delete()
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_a_draft_vendor_entered_by_mistake_can_be_deleted():
    vendor = VendorFactory()
    vendor.delete()
    assert not Vendor.objects.filter(pk=vendor.pk).exists()
