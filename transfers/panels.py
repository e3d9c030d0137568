"""The vendor page's foreign transfers and joint-use arrangements."""

from vendors.panels import vendor_panel

from .models import JointUseArrangement


@vendor_panel("transfers/vendor_panel.html", order=30)
def transfers_panel(vendor, user) -> dict:
    return {
        "transfers": vendor.foreign_transfers.select_related("country").order_by("-pk"),
        "arrangements": vendor.joint_use_arrangements.exclude(status=JointUseArrangement.Status.RETIRED),
        "shows": vendor.kind == vendor.Kind.JOINT_USER
        or vendor.country != "JP"
        or vendor.handles_data_abroad
        or vendor.foreign_transfers.exists(),
    }
