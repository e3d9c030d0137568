"""Edit forms as a browser submits them: with the hidden `version` token the page was opened with."""

from django.db.models.fields.files import FieldFile

from assessments.selectors import answers_version
from core.history import latest_version


def edit_token(obj) -> dict:
    """The hidden field an edit page of `obj` carries now (its latest version), as POST data."""
    return {"version": latest_version(obj.history.all())}


def answers_token(assessment) -> dict:
    """The hidden field the questionnaire page of `assessment` carries now, as POST data."""
    return {"version": answers_version(assessment)}


def page_form_data(response, **changes) -> dict:
    """The form of a GET edit page as the browser submits it (token included), with `changes` (None: unset).

    Files already stored are not sent (a browser cannot); unchecked boxes are left out.
    """
    data = {}
    for field in response.context["form"]:
        value = field.value()
        if isinstance(value, FieldFile):
            continue
        if isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
            continue
        data[field.html_name] = "" if value is None else value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}  # None: leave it out
