from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def column(obj, name):
    """A reference-data cell: display label for choices, yes/no for flags, the value otherwise."""
    value = getattr(obj, name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    display = getattr(obj, f"get_{name}_display", None)
    return display() if display else value
