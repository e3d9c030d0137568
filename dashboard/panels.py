"""The dashboard's panels: each is a list page's own filter, counted and previewed.

A panel names a list view and the query string that filters it; its count and first rows come from
that view's queryset and FilterSet, so the number on the dashboard is exactly what the link shows.
"""

from copy import copy
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Window
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.views import AssessmentListView, FindingListView, ReviewQueueView
from contracts.views import ContractListView
from core.roles import COMPLIANCE, PROCUREMENT, has_role
from core.views import filtered_queryset
from transfers.models import ForeignTransfer
from transfers.views import JointUseListView, TransferListView
from vendors.views import VendorListView

PREVIEW_ROWS = 5
NOTICE_DEADLINE_DAYS = 90
EXPIRY_DAYS = 60


@dataclass(frozen=True)
class PanelSpec:
    key: str
    title: str
    help: str
    view: type
    url_name: str
    params: dict
    rows: str  # template rendering the preview rows


@dataclass
class Panel:
    spec: PanelSpec
    url: str
    count: int
    items: list


def _filtered(request, view_class, params: dict):
    """The rows the list view shows for the query string `params`, by the view's own filtering."""
    data = QueryDict(mutable=True)
    for name, value in params.items():
        data.setlist(name, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    panel_request = copy(request)  # the same user, the panel's query string
    panel_request.GET = data
    view = view_class()
    view.setup(panel_request)
    return filtered_queryset(view)


def build_panel(request, spec: PanelSpec) -> Panel:
    rows = _filtered(request, spec.view, spec.params)
    url = reverse(spec.url_name) + (f"?{urlencode(spec.params, doseq=True)}" if spec.params else "")
    # The count rides along with the previewed rows (a window over the whole filtered set, computed before
    # the limit): one evaluation of the panel's conditions, some of which scan every approved vendor.
    items = list(rows.annotate(panel_total=Window(Count("pk")))[:PREVIEW_ROWS])
    return Panel(spec, url, items[0].panel_total if items else 0, items)


def procurement_panels(user) -> list[PanelSpec]:
    return [
        PanelSpec(
            "my_draft_vendors",
            _("My vendors in draft"),
            _("New vendors, and vendors sent back to draft: complete them and submit for review."),
            VendorListView,
            "vendors:list",
            {"owner": user.pk, "status": "draft"},
            "dashboard/rows/vendors.html",
        ),
        PanelSpec(
            "notice_deadlines",
            _("Notice deadlines within 90 days"),
            _("Active contracts whose last day to give notice of non-renewal is near, soonest first."),
            ContractListView,
            "contracts:list",
            {"deadline_within": NOTICE_DEADLINE_DAYS, "ordering": "deadline"},
            "dashboard/rows/contracts.html",
        ),
        PanelSpec(
            "assessments_to_prepare",
            _("Assessments to prepare or returned"),
            _("Assessments in draft or returned by the reviewer, for my vendors or prepared by me."),
            AssessmentListView,
            "assessments:list",
            {"responsible": user.pk, "status": ["draft", "returned"]},
            "dashboard/rows/assessments.html",
        ),
        PanelSpec(
            "approved_with_gaps",
            _("Approved vendors lacking cover"),
            _("Approved vendors without a covering contract or a valid assessment today."),
            VendorListView,
            "vendors:list",
            {"gap": "any"},
            "dashboard/rows/vendors.html",
        ),
    ]


def compliance_panels(user) -> list[PanelSpec]:
    open_statuses = [
        ForeignTransfer.Status.PLANNED,
        ForeignTransfer.Status.ACTIVE,
        ForeignTransfer.Status.SUSPENDED,
    ]
    return [
        PanelSpec(
            "review_queue",
            _("Review queue"),
            _("Submitted assessments waiting for a decision, oldest first."),
            ReviewQueueView,
            "assessments:review_queue",
            {},
            "dashboard/rows/assessments.html",
        ),
        PanelSpec(
            "approved_without_contract",
            _("Approved without a contract"),
            _("Approved vendors whose covering contract has expired or been terminated, or never existed."),
            VendorListView,
            "vendors:list",
            {"gap": "contract"},
            "dashboard/rows/vendors.html",
        ),
        PanelSpec(
            "expiring_assessments",
            _("Assessments expiring within 60 days"),
            _("Approved assessments whose validity ends soon: re-assessment should be under way."),
            AssessmentListView,
            "assessments:list",
            {"expiring_within": EXPIRY_DAYS, "ordering": "valid_until"},
            "dashboard/rows/assessments.html",
        ),
        PanelSpec(
            "transfers_unmet",
            _("Transfers with unmet prerequisites"),
            _("Foreign transfers whose legal route still lacks something: no provision until it is met."),
            TransferListView,
            "transfers:list",
            {"unmet": "true", "status": open_statuses},
            "dashboard/rows/transfers.html",
        ),
        PanelSpec(
            "checks_overdue",
            _("Periodic checks overdue"),
            _("Active transfers to standard-conforming recipients not checked in the last 12 months."),
            TransferListView,
            "transfers:list",
            {"check_overdue": "true"},
            "dashboard/rows/transfers.html",
        ),
        PanelSpec(
            "findings_past_due",
            _("Open findings past due"),
            _("Corrections demanded from vendors that are late."),
            FindingListView,
            "assessments:finding_list",
            {"past_due": "true"},
            "dashboard/rows/findings.html",
        ),
        PanelSpec(
            "joint_use_notice",
            _("Joint-use changes needing notice"),
            _("Revised joint-use particulars the principals must hear about, in advance or without delay."),
            JointUseListView,
            "transfers:joint_use_list",
            {"needs_notice": "true"},
            "dashboard/rows/joint_use.html",
        ),
    ]


def panels_for(request) -> dict[str, list[Panel]]:
    """{"procurement": [...], "compliance": [...]} for the roles the user holds (superusers: both)."""
    user = request.user
    sections = {}
    if has_role(user, PROCUREMENT):
        sections["procurement"] = [build_panel(request, spec) for spec in procurement_panels(user)]
    if has_role(user, COMPLIANCE):
        sections["compliance"] = [build_panel(request, spec) for spec in compliance_panels(user)]
    return sections
