from core.models import UserProfile


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
