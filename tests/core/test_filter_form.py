"""A list page's filter form: each field labelled, a refused value explained under it, no green ticks."""

import re

import pytest
from django.urls import reverse

from ..factories import ProtectionContractFactory

pytestmark = pytest.mark.django_db


def field_markup(response, name: str) -> str:
    """The filter form's block for the field `name` (its label, widget and any error)."""
    html = response.content.decode()
    form = re.search(r'<form method="get".*?</form>', html, re.S).group(0)
    blocks = re.findall(r'<div class="mb-3">.*?</div></div>', form, re.S)
    return next(block for block in blocks if f'name="{name}' in block)


def test_every_filter_is_labelled_and_styled_by_its_kind(viewer_client):
    response = viewer_client.get(reverse("contracts:list"))
    status = field_markup(response, "status")
    assert '<label class="form-label" for="id_status">Status</label>' in status
    assert 'class="form-select form-select-sm"' in status
    search = field_markup(response, "q")
    assert 'class="form-control form-control-sm" placeholder="Search"' in search
    deadline = field_markup(response, "deadline_after")  # two inputs under one label
    assert '<label class="form-label">Notice deadline (from – to)</label>' in deadline
    assert deadline.count('class="form-control form-control-sm"') == 2


def test_a_refused_filter_value_is_explained_under_its_field(viewer_client):
    response = viewer_client.get(reverse("contracts:list"), {"deadline_within": "soon"})
    assert response.status_code == 200
    block = field_markup(response, "deadline_within")
    assert 'class="form-control form-control-sm is-invalid"' in block
    assert 'aria-describedby="id_deadline_within_error"' in block
    assert '<div id="id_deadline_within_error" class="w-100">' in block
    assert '<div class="invalid-feedback d-block">Enter a number.</div>' in block


REFUSED = (
    "A filter below has a value that cannot be used, so nothing is listed (or exported) until it is corrected"
)


def test_a_refused_filter_value_says_why_the_list_is_empty(viewer_client):
    ProtectionContractFactory()
    response = viewer_client.get(reverse("contracts:list"), {"deadline_within": "soon"})
    assert list(response.context["object_list"]) == []
    assert REFUSED in response.content.decode()
    assert (
        REFUSED
        not in viewer_client.get(reverse("contracts:list"), {"deadline_within": "30"}).content.decode()
    )


def test_an_accepted_filter_value_is_shown_without_a_valid_mark(viewer_client):
    response = viewer_client.get(reverse("contracts:list"), {"status": "active", "q": "<b>x</b>"})
    assert "is-valid" not in response.content.decode()
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in field_markup(response, "q")
    assert '<option value="active" selected>' in field_markup(response, "status")


def test_a_day_count_too_large_for_a_date_is_refused_not_a_server_error(viewer_client):
    response = viewer_client.get(reverse("contracts:list"), {"deadline_within": "3000000"})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
