"""The project's form renderer writes selects in Python: byte for byte what Django's templates write."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import override

from core.form_renderer import SELECT_TEMPLATE, FormRenderer
from vendors.filters import VendorFilterSet
from vendors.forms import VendorForm

HOSTILE = "<script>alert(\"x\")</script> & 'q'"


class Everything(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "---------"), ("a", "Alpha"), ("b", HOSTILE), (HOSTILE, "odd value")]
    )
    several = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", "Two"), ("3", mark_safe("<b>Three</b>"))]
    )
    grouped = forms.ChoiceField(
        choices=[
            ("Asia", [("JP", "Japan"), ("SG", "Singapore")]),
            ("Europe & more", [("DE", "Germany")]),
            ("x", "X"),
        ]
    )
    numbers = forms.TypedChoiceField(choices=[(1, 1000), (2, 2.5)], coerce=int)
    maybe = forms.NullBooleanField()
    empty = forms.ChoiceField(choices=[])


def rendered_by(renderer, form) -> dict[str, str]:
    form.renderer = renderer
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "data",
    [None, {"plain": HOSTILE, "several": ["1", "3"], "grouped": "SG", "numbers": "1", "maybe": "true"}],
    ids=["unbound", "bound"],
)
def test_every_kind_of_select_is_written_as_the_templates_write_it(language, data):
    with override(language):
        fast = rendered_by(FormRenderer(), Everything(data=data, auto_id="id_%s"))
        templated = rendered_by(TemplatesSetting(), Everything(data=data, auto_id="id_%s"))
    assert fast == templated
    assert "&lt;script&gt;" in fast["plain"] and "<script>" not in fast["plain"]


@pytest.mark.django_db
def test_the_real_filter_and_edit_forms_are_written_as_the_templates_write_them(rf):
    request = rf.get("/vendors/", {"status": "approved", "country": ["JP", "SG"], "ordering": "name"})
    filterset = VendorFilterSet(
        data=request.GET, queryset=VendorFilterSet._meta.model.objects.all(), request=request
    )
    for form in (filterset.form, VendorForm()):
        assert rendered_by(FormRenderer(), form) == rendered_by(TemplatesSetting(), form)


def test_a_widget_with_its_own_option_template_is_rendered_by_the_templates(monkeypatch):
    form = Everything()
    form.fields["plain"].widget.option_template_name = "django/forms/widgets/input_option.html"
    called = []
    original = TemplatesSetting.render

    def spy(self, template_name, context, request=None):
        called.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(TemplatesSetting, "render", spy)
    form.renderer = FormRenderer()
    str(form["plain"])
    assert SELECT_TEMPLATE in called
    called.clear()
    str(form["several"])
    assert SELECT_TEMPLATE not in called
