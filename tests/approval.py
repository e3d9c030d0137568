"""Asking to approve a vendor, for the tests of its approval gates (one module per app that registers gates).

`refusal()` expects the approval to be refused and gives its messages; `approve()` expects it to go through.
Either way, the stored status and the vendor's history are checked: a refusal writes no version, an approval
exactly one, by the approving user.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vendors.models import Vendor
from vendors.services import vendor_change_status

S = Vendor.Status


def today():
    return timezone.localdate()


def refusal(vendor, user) -> list[str]:
    versions = vendor.history.count()
    with pytest.raises(ValidationError) as error:
        vendor_change_status(vendor=vendor, status=S.APPROVED, user=user)
    assert Vendor.objects.get(pk=vendor.pk).status == S.UNDER_REVIEW
    assert vendor.history.count() == versions
    return error.value.messages


def approve(vendor, user) -> Vendor:
    versions = vendor.history.count()
    vendor_change_status(vendor=vendor, status=S.APPROVED, user=user)
    assert Vendor.objects.get(pk=vendor.pk).status == S.APPROVED
    assert vendor.history.count() == versions + 1
    latest = vendor.history.order_by("-history_id").first()
    assert (latest.status, latest.history_user) == (S.APPROVED, user)
    return vendor
