from django import forms, template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
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


@register.simple_tag
def filter_field(field):
    """One field of a list page's filter form, in the markup django-bootstrap5's `bootstrap_field` writes
    (small, no help text) without building its renderer objects for each field of every list page. A filter
    holding a value shows no green "valid" state, as there is nothing to confirm; one that refuses its value
    shows the reason under it."""
    widget = field.field.widget
    is_select = isinstance(widget, forms.Select)
    css = "form-select form-select-sm" if is_select else "form-control form-control-sm"
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    if not is_select:
        attrs["placeholder"] = field.label
    label_for = field.id_for_label
    label = (
        format_html('<label class="form-label" for="{}">{}</label>', label_for, field.label)
        if label_for
        else format_html('<label class="form-label">{}</label>', field.label)
    )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="w-100">{}</div>',
            field.auto_id,
            format_html_join(
                "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)
            ),
        )
    return format_html('<div class="mb-3">{}{}{}</div>', label, field.as_widget(attrs=attrs), errors)
