from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

BADGE_COLOURS = {
    "draft": "secondary",
    "under_review": "info",
    "approved": "success",
    "suspended": "warning",
    "terminated": "dark",
    "active": "success",
    "expired": "danger",
    "superseded": "secondary",
    "submitted": "info",
    "returned": "warning",
    "rejected": "danger",
    "published": "success",
    "retired": "secondary",
    "pass": "success",
    "conditional": "warning",
    "fail": "danger",
    "open": "warning",
    "resolved": "success",
    "accepted_risk": "secondary",
    "ok": "success",
    "impeded": "warning",
    "difficult": "danger",
    "planned": "secondary",
    "ended": "dark",
    "yes": "success",
    "partial": "warning",
    "no": "danger",
    "na": "secondary",
    "high": "danger",
    "medium": "warning",
    "low": "success",
}


@register.simple_tag
def badge(value, label):
    """A coloured badge for a status or risk tier value, labelled with its display text."""
    return format_html('<span class="badge text-bg-{}">{}</span>', BADGE_COLOURS.get(value, "light"), label)


@register.filter
def user_label(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def basename(path) -> str:
    """The file name of a stored file's path, without its folders."""
    return str(path).rsplit("/", 1)[-1]


@register.simple_tag(takes_context=True)
def export_link(context):
    """'Export to Excel' for the list view's register, carrying the current filter (not the page)."""
    name = getattr(context.get("view"), "export_url_name", None)
    if not name:
        return ""
    query = context["request"].GET.copy()
    query.pop("page", None)
    url = reverse(name) + (f"?{query.urlencode()}" if query else "")
    return format_html(
        '<a class="btn btn-sm btn-outline-success" href="{}" download>{}</a>', url, _("Export to Excel")
    )
