"""Server-rendered bar charts (SVG geometry computed here, drawn by templates/dashboard/chart.html)."""

import calendar
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from contracts.models import ProtectionContract
from vendors.models import Vendor

# Layout of a horizontal chart (label column, bar area) and of a column chart, in SVG user units.
ROW_HEIGHT, BAR_HEIGHT, LABEL_WIDTH, BAR_AREA = 26, 16, 96, 120
COLUMN_WIDTH, COLUMN_GAP, COLUMN_AREA, COLUMN_LABELS = 34, 10, 150, 34


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str
    x: float
    y: float
    width: float
    height: float
    sublabel: str = ""

    @property
    def end_x(self) -> float:
        return round(self.x + self.width, 1)

    @property
    def center_x(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    width: int
    height: int
    horizontal: bool

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def _list_url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params, doseq=True)}"


def horizontal_chart(key: str, title, items: list[tuple[str, int, str]]) -> Chart:
    top = max((value for _label, value, _url in items), default=0) or 1
    bars = [
        Bar(
            label,
            value,
            url,
            LABEL_WIDTH,
            i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            BAR_AREA * value / top,
            BAR_HEIGHT,
        )
        for i, (label, value, url) in enumerate(items)
    ]
    return Chart(key, title, bars, LABEL_WIDTH + BAR_AREA + 40, ROW_HEIGHT * len(items), horizontal=True)


def column_chart(key: str, title, items: list[tuple[str, str, int, str]]) -> Chart:
    top = max((value for _label, _sublabel, value, _url in items), default=0) or 1
    bars = []
    for i, (label, sublabel, value, url) in enumerate(items):
        height = COLUMN_AREA * value / top
        x = i * (COLUMN_WIDTH + COLUMN_GAP)
        bars.append(Bar(label, value, url, x, 20 + COLUMN_AREA - height, COLUMN_WIDTH, height, sublabel))
    width = len(items) * (COLUMN_WIDTH + COLUMN_GAP)
    return Chart(key, title, bars, width, 20 + COLUMN_AREA + COLUMN_LABELS, horizontal=False)


def vendors_by_status() -> Chart:
    counts = dict(Vendor.objects.order_by().values_list("status").annotate(n=Count("pk")))
    items = [
        (str(label), counts.get(value, 0), _list_url("vendors:list", {"status": value}))
        for value, label in Vendor.Status.choices
    ]
    return horizontal_chart("status", _("Vendors by status"), items)


def vendors_by_risk_tier() -> Chart:
    active = Vendor.objects.exclude(status=Vendor.Status.TERMINATED).order_by()
    counts = dict(active.values_list("risk_tier").annotate(n=Count("pk")))
    statuses = [value for value in Vendor.Status.values if value != Vendor.Status.TERMINATED]
    items = [
        (
            str(label),
            counts.get(value, 0),
            _list_url("vendors:list", {"risk_tier": value, "status": statuses}),
        )
        for value, label in Vendor.RiskTier.choices
    ]
    return horizontal_chart("risk", _("Vendors in use by risk tier"), items)


def notice_deadlines_by_month(today: date) -> Chart:
    """Active contracts whose notice deadline (or review date) falls in each of the next 12 months."""
    first = today.replace(day=1)
    end = first + relativedelta(months=12)
    counts = dict(  # {first day of the month (a date: decision_on is a DateField): contracts}
        ProtectionContract.objects.filter(
            status=ProtectionContract.Status.ACTIVE, decision_on__gte=first, decision_on__lt=end
        )
        .annotate(month=TruncMonth("decision_on"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    items = []
    for offset in range(12):
        month = first + relativedelta(months=offset)
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        params = {
            "status": "active",
            "deadline_after": month.isoformat(),
            "deadline_before": last.isoformat(),
        }
        year = str(month.year) if offset == 0 or month.month == 1 else ""
        label = formats.date_format(month, "M")
        items.append((label, year, counts.get(month, 0), _list_url("contracts:list", params)))
    return column_chart("deadlines", _("Notice deadlines per month, next 12 months"), items)


def charts(today: date) -> list[Chart]:
    return [vendors_by_status(), vendors_by_risk_tier(), notice_deadlines_by_month(today)]
