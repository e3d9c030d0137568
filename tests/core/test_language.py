import pytest
from django.utils import translation

from contracts.models import Clause
from core.models import UserProfile
from transfers.models import Country
from vendors.models import DataCategory


def test_choosing_a_language_remembers_it_for_the_users_emails(procurement_client, procurement_user):
    response = procurement_client.post("/i18n/setlang/", {"language": "ja", "next": "/vendors/"})
    assert response.status_code == 302
    procurement_user.refresh_from_db()
    assert procurement_user.profile.language == "ja"


def test_an_unknown_language_is_not_stored(procurement_client, procurement_user):
    procurement_client.post("/i18n/setlang/", {"language": "xx", "next": "/vendors/"})
    assert UserProfile.objects.get(user=procurement_user).language == "en"


def test_the_login_page_can_switch_language_before_signing_in(client, db):
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/accounts/login/"}, follow=True)
    assert "ログイン" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "text", "english"),
    [(DataCategory, "name", "name_en"), (Clause, "title", "title_en"), (Country, "name", "name_en")],
)
def test_a_bilingual_text_set_by_its_plain_name_is_its_english_text_in_every_language(model, text, english):
    instance = model(**{text: "Set in one language"})
    assert getattr(instance, english) == "Set in one language"
    with translation.override("ja"):
        assert getattr(instance, text) == "Set in one language"
