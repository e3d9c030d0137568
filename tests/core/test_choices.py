"""get_FOO_display() from the cached label tables: Django's own strings, in the active language."""

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils.translation import override

from core.choices import CachedChoiceLabels
from vendors.models import Vendor


def django_display(obj, field) -> object:
    return Model._get_FIELD_display(obj, field)


def fields_with_choices():
    for model in apps.get_models():
        if issubclass(model, CachedChoiceLabels):
            for field in model._meta.concrete_fields:
                if field.choices and not field.many_to_one:
                    yield model, field


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_choice_of_every_model_reads_as_django_would_show_it(language):
    checked = 0
    with override(language):
        for model, field in fields_with_choices():
            for value, _label in field.flatchoices:
                obj = model(**{field.attname: value})
                assert getattr(obj, f"get_{field.name}_display")() == django_display(obj, field)
                checked += 1
            unknown = model(**{field.attname: "not-a-choice"})
            assert getattr(unknown, f"get_{field.name}_display")() == "not-a-choice"
    assert checked > 300  # every status, kind, route, ... and the countries


def test_the_label_follows_the_language_of_the_moment():
    vendor = Vendor(status=Vendor.Status.UNDER_REVIEW, country="JP")
    with override("en"):
        assert (vendor.get_status_display(), vendor.get_country_display()) == ("Under review", "Japan")
    with override("ja"):
        assert (vendor.get_status_display(), vendor.get_country_display()) == ("審査中", "日本")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_country_choices_are_django_countries_own_in_the_active_language(language):
    from django_countries import countries

    from core.choices import country_choices

    with override(language):
        assert list(country_choices()) == [(code, str(name)) for code, name in countries]
        assert len(country_choices()) > 240
