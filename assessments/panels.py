"""The vendor page's assessments: the latest one, its result and validity, and open findings."""

from core.roles import PROCUREMENT, has_role
from vendors.panels import vendor_panel

from .models import Finding


@vendor_panel("assessments/vendor_panel.html", order=20)
def assessments_panel(vendor, user) -> dict:
    assessments = list(vendor.assessments.select_related("standard").order_by("-created_at")[:5])
    return {
        "assessments": assessments,
        "latest": assessments[0] if assessments else None,
        "open_findings": Finding.objects.filter(assessment__vendor=vendor, status=Finding.Status.OPEN)
        .select_related("owner")
        .order_by("due_on"),
        "can_prepare": has_role(user, PROCUREMENT),
    }
