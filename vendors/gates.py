"""Prerequisites a vendor must meet before entering a status.

A gate is a function `(vendor) -> list[str]` returning one plain sentence per unmet
prerequisite. Other apps register their own (contracts, assessments, transfers) with
`@vendor_gate(Vendor.Status.APPROVED)` in their AppConfig.ready(), so the status
service never grows an if-chain.
"""

from collections import defaultdict
from collections.abc import Callable

from django.utils.translation import gettext as _

from .models import Vendor

Gate = Callable[[Vendor], list[str]]
_GATES: dict[str, list[Gate]] = defaultdict(list)


def vendor_gate(status: str):
    def register(gate: Gate) -> Gate:
        if gate not in _GATES[status]:
            _GATES[status].append(gate)
        return gate

    return register


def gate_messages(vendor: Vendor, status: str) -> list[str]:
    return [message for gate in _GATES[status] for message in gate(vendor)]


@vendor_gate(Vendor.Status.APPROVED)
def parent_must_be_approved(vendor: Vendor) -> list[str]:
    if vendor.kind != Vendor.Kind.SUBCONTRACTOR or vendor.parent is None:
        return []
    if vendor.parent.status == Vendor.Status.APPROVED:
        return []
    return [
        _("The re-entrusting vendor “%(name)s” is not approved (it is %(status)s); approve it first.")
        % {"name": vendor.parent.name, "status": vendor.parent.get_status_display().lower()}
    ]


@vendor_gate(Vendor.Status.TERMINATED)
def no_approved_subcontractors(vendor: Vendor) -> list[str]:
    names = list(
        vendor.subcontractors.filter(status=Vendor.Status.APPROVED)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if not names:
        return []
    return [
        _("Suspend or terminate the subcontractors still approved first: %(names)s.")
        % {"names": ", ".join(names)}
    ]
