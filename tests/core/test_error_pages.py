"""Refusals and errors in the product's layout, in plain words, and within the Content Security Policy."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_refused_page_says_why_in_the_layout(viewer_client):
    response = viewer_client.get(reverse("vendors:create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html and 'class="navbar' in html


def test_a_missing_record_is_a_not_found_page_in_the_layout(viewer_client):
    response = viewer_client.get(reverse("vendors:detail", args=[999_999]))
    assert response.status_code == 404
    assert "There is no such page or record" in response.content.decode()


def test_a_form_without_its_csrf_token_is_refused_in_the_layout_without_inline_style(viewer_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer_user)
    response = client.post("/i18n/setlang/", {"language": "ja"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert "<style" not in html and "style=" not in html


def test_a_page_number_beyond_any_list_is_not_found(viewer_client):
    response = viewer_client.get(reverse("audit"), {"page": "99999999999999999999"})
    assert response.status_code == 404
