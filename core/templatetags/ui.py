from django import template
from django.utils.html import format_html

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
