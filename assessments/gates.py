"""An approved, valid due-diligence assessment is a prerequisite of vendor approval."""

from vendors.gates import vendor_gate
from vendors.models import Vendor

from . import services

vendor_gate(Vendor.Status.APPROVED)(services.vendor_assessment_blockers)
