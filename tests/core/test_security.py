"""Authentication hardening and the headers every page carries.

Sign-in throttling (django-axes), password rules, cookie flags in production, the Content Security Policy, and
a sweep over every page of the product asserting that none carries inline script, an event handler or a style
attribute, which the policy would block in the browser.
"""

import re
import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import RegisterExport

from ..factories import UserFactory

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
LOCKED_OUT = "Too many failed sign-in attempts"
PASSWORD = "pw"  # UserFactory's

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int):
    """Sign in with a wrong password `times` times (at least once); the last response."""
    for _ in range(times):
        response = sign_in(client, username, "wrong password")
        assert not signed_in(client)
    return response


# --- sign-in throttling -----------------------------------------------------------------------------------


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


def test_failures_below_the_limit_show_the_ordinary_sign_in_error(client, alice):
    response = fail(client, "alice", django_settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert LOCKED_OUT not in response.content.decode()


def test_the_failure_that_reaches_the_limit_shows_the_lock_out_page(client, alice):
    response = fail(client, "alice", django_settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED_OUT in page
    minutes = int(django_settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes." in page
    assert reverse("login") in page


def test_after_the_limit_even_the_right_password_is_refused_with_the_lock_out_message(client, alice):
    fail(client, "alice", django_settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert not signed_in(client)


def test_a_locked_out_user_is_also_refused_by_the_admin_sign_in(client, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    fail(client, "alice", django_settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("admin:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)


def test_another_user_at_the_same_address_is_unaffected(client, alice, bob):
    fail(client, "alice", django_settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, "bob", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_same_user_from_another_address_is_unaffected(client, alice):
    # The user name and the address are locked together, so a stranger cannot lock a colleague out.
    fail(client, "alice", django_settings.AXES_FAILURE_LIMIT)
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert sign_in(elsewhere, "alice", PASSWORD).status_code == 302
    assert signed_in(elsewhere)


def test_a_successful_sign_in_before_the_limit_resets_the_count(client, alice):
    fail(client, "alice", django_settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "alice", django_settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_out_ends_after_the_cool_off(client, alice):
    fail(client, "alice", django_settings.AXES_FAILURE_LIMIT)
    expired = F("attempt_time") - django_settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=expired)
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_sign_in_throttling_is_configured_as_documented():
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "core.auth_backends.AxesLockoutBackend"
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AXES_RESET_ON_SUCCESS is True


# --- passwords ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Zq7#vB2!", "password_too_short"),  # random, but 8 characters
        ("password1234", "password_too_common"),
        ("482917365027", "password_entirely_numeric"),
    ],
)
def test_the_password_rules_reject_short_common_and_numeric_passwords(password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert code in {error.code for error in refused.value.error_list}


def test_the_password_rules_reject_a_password_like_the_user_name(db):
    user = UserFactory.build(username="yamada.taro", email="yamada.taro@example.com")
    with pytest.raises(ValidationError) as refused:
        validate_password("yamada.taro1", user=user)
    assert "password_too_similar" in {error.code for error in refused.value.error_list}


def test_the_password_rules_accept_a_long_passphrase():
    validate_password("lantern-harbour-quietly-47")


# --- cookies and sessions ----------------------------------------------------------------------------------


def production_settings(monkeypatch, **extra) -> dict:
    """config/settings.py evaluated as production would: DEBUG off and the required variables set."""
    monkeypatch.setenv("DJANGO_DEBUG", "False")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "a-test-only-secret-key-that-is-long-enough-for-the-check-1234")
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "vendors.example.com")
    for key, value in extra.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(SETTINGS_FILE))


COOKIE_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
)


def test_production_settings_make_both_cookies_secure_http_only_and_same_site(monkeypatch):
    production = production_settings(monkeypatch)
    assert {name: production[name] for name in COOKIE_SETTINGS} == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
    }
    assert production["SECURE_HSTS_SECONDS"] > 0


def test_the_cookies_sent_with_debug_off_carry_the_flags(monkeypatch, client, alice):
    production = production_settings(monkeypatch)
    with override_settings(DEBUG=False, **{name: production[name] for name in COOKIE_SETTINGS}):
        client.get(reverse("login"), secure=True)
        csrf = client.cookies[django_settings.CSRF_COOKIE_NAME]
        response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
    assert session["max-age"] == ""  # a browser-session cookie: gone when the browser closes


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_appended(monkeypatch, rf):
    production = production_settings(monkeypatch, DJANGO_BEHIND_TLS_PROXY="True")
    client_ip = production["AXES_CLIENT_IP_CALLABLE"]
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(spoofed) == "198.51.100.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    assert "AXES_CLIENT_IP_CALLABLE" not in production_settings(monkeypatch, DJANGO_BEHIND_TLS_PROXY="False")


# --- headers and the Content Security Policy ---------------------------------------------------------------


def csp_of(response) -> dict[str, set[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: set(sources) for name, *sources in directives}


def assert_secure_headers(response) -> None:
    assert csp_of(response) == EXPECTED_CSP
    for header, value in SECURITY_HEADERS.items():
        assert response[header] == value, header


def test_the_sign_in_page_carries_the_policy_and_the_security_headers(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_secure_headers(response)


def test_the_lock_out_page_carries_the_policy_and_the_security_headers(client, alice):
    response = fail(client, "alice", django_settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert_secure_headers(response)


# --- every page: no inline script, event handler or style ---------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
SVG = re.compile(r"<svg\b.*?</svg>", re.IGNORECASE | re.DOTALL)


def inline_code_in(html: str) -> list[str]:
    """What the policy would block: inline script, handlers, javascript: URLs, style outside SVG."""
    found = [match.group(0) for match in INLINE_SCRIPT.finditer(html)]
    found += [match.group(0) for match in EVENT_HANDLER.finditer(html)]
    found += [match.group(0) for match in JAVASCRIPT_URL.finditer(html)]
    outside_svg = SVG.sub("", html)
    found += [match.group(0) for match in STYLE_ATTRIBUTE.finditer(outside_svg)]
    found += [match.group(0) for match in STYLE_ELEMENT.finditer(outside_svg)]
    return found


def test_the_inline_code_check_finds_what_the_policy_blocks():
    assert inline_code_in('<script src="/static/app.js"></script><svg><rect style="fill:red"/></svg>') == []
    for html in (
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        '<button onclick="x()">',
        '<body\nonload="x()">',
        '<div class="a" style="width: 3%">',
        "<style>p {}</style>",
        '<a href="javascript:x()">',
    ):
        assert inline_code_in(html), html


def _pages():
    """Every named page of the product (the admin aside), with the view behind it."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    return dict(walk(get_resolver().url_patterns))


NOT_PAGES = {"logout", "set_language", "export_download"}  # POST-only, or a file


def _model_of(pattern):
    view = pattern.callback
    if not hasattr(view, "view_class"):
        return None
    model = view.view_initkwargs.get("model") or getattr(view.view_class, "model", None)
    queryset = getattr(view.view_class, "queryset", None)
    return model or (queryset.model if queryset is not None else None)


def page_urls(admin) -> dict[str, str]:
    """One URL per page: pages of an object get the first object of the view's model."""
    export = RegisterExport.objects.create(
        user=admin, register_name="vendors", path="/vendors/export.xlsx", query="", language="en"
    )
    urls = {"export_status": reverse("export_status", args=[export.pk])}
    for name, pattern in _pages().items():
        route = str(pattern.pattern)
        view_class = getattr(pattern.callback, "view_class", None)
        download = route.endswith(".xlsx") or hasattr(view_class, "file_field")
        if name in urls or name in NOT_PAGES or download:
            continue
        if "<int:pk>" in route:
            model = _model_of(pattern)
            obj = model._default_manager.order_by("pk").first() if model else None
            if obj is None:
                continue
            urls[name] = reverse(name, args=[obj.pk])
        else:
            urls[name] = reverse(name)
    return urls


# Each of these must answer 200 and be checked; other pages are checked whenever they answer 200 for the
# demo data's first object (an action page may refuse a state, e.g. renewing a draft contract).
MUST_RENDER = (
    "home",
    "audit",
    "notifications",
    "profile",
    "export_status",
    "vendors:list",
    "vendors:detail",
    "vendors:history",
    "vendors:datacategory_list",
    "vendors:purpose_list",
    "contracts:list",
    "contracts:detail",
    "contracts:consent_detail",
    "contracts:clause_list",
    "assessments:list",
    "assessments:detail",
    "assessments:review_queue",
    "assessments:finding_list",
    "assessments:standard_list",
    "assessments:standard_detail",
    "transfers:list",
    "transfers:detail",
    "transfers:joint_use_list",
    "transfers:joint_use_detail",
    "transfers:record_list",
    "transfers:record_detail",
    "transfers:country_list",
    "transfers:country_detail",
)
CSP_PAGES = ("home", "vendors:list", "vendors:detail", "export_status")


@pytest.fixture(scope="module")
def rendered_pages(demo_loaded, django_db_blocker):
    """Every page rendered once for the demo superuser: name -> response (for the demo data set's objects)."""
    with django_db_blocker.unblock():
        admin = get_user_model().objects.get(username="admin")
        client = Client()
        client.force_login(admin)
        return {name: client.get(url) for name, url in page_urls(admin).items()}


@pytest.mark.django_db
def test_the_pages_that_must_render_do(rendered_pages):
    failing = {name: rendered_pages[name].status_code for name in MUST_RENDER if name in rendered_pages}
    assert {name: status for name, status in failing.items() if status != 200} == {}
    assert set(MUST_RENDER) - set(rendered_pages) == set(), "pages without a URL in the sweep"


@pytest.mark.django_db
def test_no_page_has_inline_script_event_handlers_or_style_attributes(rendered_pages, client):
    html_pages = {
        name: response.content.decode()
        for name, response in rendered_pages.items()
        if response.status_code == 200 and response["Content-Type"].startswith("text/html")
    }
    html_pages["login"] = client.get(reverse("login")).content.decode()
    html_pages["lockout"] = fail(client, "viewer", django_settings.AXES_FAILURE_LIMIT).content.decode()
    assert LOCKED_OUT in html_pages["lockout"]
    assert len(html_pages) >= 60, sorted(html_pages)  # the sweep really reached the pages
    offending = {name: found for name, html in html_pages.items() if (found := inline_code_in(html))}
    assert offending == {}


@pytest.mark.django_db
@pytest.mark.parametrize("name", CSP_PAGES)
def test_pages_carry_the_policy_and_the_security_headers(rendered_pages, name):
    assert rendered_pages[name].status_code == 200
    assert_secure_headers(rendered_pages[name])


@pytest.mark.django_db
def test_no_rendered_page_lacks_the_policy(rendered_pages):
    # Pages that answered (a sweep URL whose object the demo lacks answers 404 with DEBUG's page, exempt).
    without = [
        name
        for name, response in rendered_pages.items()
        if response.status_code == 200 and "Content-Security-Policy" not in response
    ]
    assert without == []


def test_the_test_clients_login_signs_in_without_a_request_to_throttle(client, procurement_user):
    procurement_user.set_password("a long enough passphrase")
    procurement_user.save()
    assert client.login(username=procurement_user.username, password="a long enough passphrase")
    assert not client.login(username=procurement_user.username, password="wrong")
    assert client.get("/vendors/").status_code == 200
