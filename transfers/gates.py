"""A vendor receiving data abroad needs an active foreign transfer; a joint user a published arrangement."""

from vendors.gates import vendor_gate
from vendors.models import Vendor

from . import services

vendor_gate(Vendor.Status.APPROVED)(services.vendor_transfer_blockers)
