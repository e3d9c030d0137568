"""Prerequisites a vendor must meet before entering a status.

A gate is a function `(vendor) -> list[str]` returning one plain sentence per unmet
prerequisite. Other apps register their own (contracts, assessments, transfers) with
`@vendor_gate(Vendor.Status.APPROVED)` in their AppConfig.ready(), so the status
service never grows an if-chain.
"""

from collections import defaultdict
from collections.abc import Callable

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# --- coverage gaps: what an approved vendor lacks, as queryset conditions --------------------------
# Other apps register a condition (a Q over Vendor) naming a gap, e.g. "no covering contract", so the
# vendor list can filter by it and the dashboard can count it, without this app importing theirs.

CoverageGap = Callable[[], Q]
_GAPS: dict[str, tuple[str, CoverageGap]] = {}


def coverage_gap(name: str, label: str):
    def register(condition: CoverageGap) -> CoverageGap:
        _GAPS[name] = (label, condition)
        return condition

    return register


ANY_GAP = "any"


def coverage_gap_choices() -> list[tuple[str, str]]:
    gaps = [(name, label) for name, (label, _condition) in _GAPS.items()]
    return [(ANY_GAP, gettext_lazy("anything required")), *gaps]


def coverage_gap_condition(name: str = ANY_GAP) -> Q:
    """Approved vendors with the named gap, or with any registered gap for ANY_GAP."""
    conditions = [condition() for key, (_label, condition) in _GAPS.items() if name in (ANY_GAP, key)]
    any_gap = Q(pk__in=[])
    for condition in conditions:
        any_gap |= condition
    return Q(status=Vendor.Status.APPROVED) & any_gap
