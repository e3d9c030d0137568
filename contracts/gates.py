"""What contracts mean for a vendor's approval, plugged into the vendor status gates."""

from vendors.gates import vendor_gate
from vendors.models import Vendor

from . import services

vendor_gate(Vendor.Status.APPROVED)(services.vendor_contract_blockers)
vendor_gate(Vendor.Status.APPROVED)(services.vendor_reentrustment_blockers)
