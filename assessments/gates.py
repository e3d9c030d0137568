"""An approved, valid due-diligence assessment is a prerequisite of vendor approval."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vendors.gates import coverage_gap, vendor_gate
from vendors.models import Vendor

from . import services
from .models import Assessment

vendor_gate(Vendor.Status.APPROVED)(services.vendor_assessment_blockers)


@coverage_gap("assessment", _("a valid assessment"))
def no_valid_assessment() -> Q:
    """No approved assessment valid today (the approval gate's assessment condition)."""
    valid = Assessment.objects.filter(services.valid_q(timezone.localdate()), vendor=OuterRef("pk"))
    return ~Exists(valid)
