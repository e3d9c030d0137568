"""The vendor page's contracts and re-entrustment consents, and its lapsed-contract warning."""

from core.roles import COMPLIANCE, PROCUREMENT, has_role
from vendors.panels import vendor_panel, vendor_warning

from . import services
from .models import ReentrustmentConsent


@vendor_panel("contracts/vendor_panel.html", order=10)
def contracts_panel(vendor, user) -> dict:
    consents = ReentrustmentConsent.objects.select_related("parent", "subcontractor")
    return {
        "contracts": vendor.contracts.order_by("-starts_on", "reference"),
        "consents_given": consents.filter(parent=vendor),
        "consents_received": consents.filter(subcontractor=vendor),
        "can_edit_contracts": has_role(user, PROCUREMENT, COMPLIANCE),
    }


vendor_warning(services.vendor_contract_warnings)
