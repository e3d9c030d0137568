"""What contracts mean for a vendor's approval, plugged into the vendor status gates."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vendors.gates import coverage_gap, vendor_gate
from vendors.models import Vendor

from . import services
from .models import ContractKind, ProtectionContract

vendor_gate(Vendor.Status.APPROVED)(services.vendor_contract_blockers)
vendor_gate(Vendor.Status.APPROVED)(services.vendor_reentrustment_blockers)


@coverage_gap("contract", _("a covering contract"))
def no_covering_contract() -> Q:
    """No contract of the vendor's kind in force today (the approval gate's first condition)."""
    in_force = ProtectionContract.objects.filter(
        services.in_force_q(timezone.localdate()), vendor=OuterRef("pk")
    )
    joint_use = Q(kind=Vendor.Kind.JOINT_USER) & ~Exists(in_force.filter(kind=ContractKind.JOINT_USE))
    entrusted = ~Q(kind=Vendor.Kind.JOINT_USER) & ~Exists(
        in_force.filter(kind__in=services.ENTRUSTMENT_KINDS)
    )
    return joint_use | entrusted
