"""The project's form renderer: widget templates come from TEMPLATES, except Django's own select.

Django renders a select by including one template per option; a country select (250 options) took 18 ms that
way, and every list page's filter form carries several selects. This renderer writes Django's select and
select-option markup in Python instead, byte for byte as the templates would (tests/core/test_form_renderer.py
compares the two); a project template overriding either, or a widget naming other templates, is rendered as
usual.
"""

import html

from django.forms.renderers import TemplatesSetting
from django.template import TemplateDoesNotExist
from django.utils.formats import localize
from django.utils.functional import Promise

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _escape(value) -> str:
    """django.utils.html.conditional_escape without its per-call lazy-argument checks (thousands of calls
    for a long select)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _text(value) -> str:
    """A value as `{{ value }}` shows it: localised, then escaped unless already safe."""
    return _escape(localize(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name alone."""
    return "".join(
        ""
        if value is False
        else f" {_escape(name)}"
        if value is True
        else f' {_escape(name)}="{_escape(str(value))}"'
        for name, value in attrs.items()
    )


def render_select(widget: dict) -> str:
    parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            value = _escape(str(option["value"]))
            parts.append(
                f'\n  <option value="{value}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT_TEMPLATE else None
        if widget and self._django_templates_in_use() and _options_use(widget, OPTION_TEMPLATE):
            return render_select(widget)
        return super().render(template_name, context, request=request)

    def _django_templates_in_use(self) -> bool:
        """Whether select.html and select_option.html resolve to Django's own (no project override)."""
        if not hasattr(self, "_django_selects"):
            try:
                origins = {self.get_template(name).origin.name for name in (SELECT_TEMPLATE, OPTION_TEMPLATE)}
            except TemplateDoesNotExist:
                origins = set()
            self._django_selects = bool(origins) and all(
                "/django/forms/templates/" in origin.replace("\\", "/") for origin in origins
            )
        return self._django_selects


def _options_use(widget: dict, template_name: str) -> bool:
    return all(
        option["template_name"] == template_name
        for _name, options, _index in widget["optgroups"]
        for option in options
    )
