"""Who may open which page: the full matrix of URLs and roles, and refused writes that change nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from vendors.models import Contact, DataCategory, Purpose, Vendor

from ..conftest import ROLE_NAMES
from ..factories import ContactFactory, DataCategoryFactory, PurposeFactory, UserFactory, VendorFactory
from ..permissions import COMPLIANCE_ONLY, LOGIN_URL, READ, assert_table_covers

PROCUREMENT_ONLY = {"anonymous": 302, "viewer": 403, "procurement": 200, "compliance": 403, "superuser": 200}
STATUS = {"anonymous": 302, "viewer": 403, "procurement": 200, "compliance": 200, "superuser": 200}
AUDITORS = {"anonymous": 302, "viewer": 200, "procurement": 403, "compliance": 200, "superuser": 200}

# URL name -> (which object's pk it takes, expected GET status per role)
URLS = {
    "home": (None, READ),
    "audit": (None, AUDITORS),
    "audit_export": (None, AUDITORS),
    "notifications": (None, READ),
    "profile": (None, READ),
    "vendors:list": (None, READ),
    "vendors:export": (None, READ),
    "vendors:import": (None, PROCUREMENT_ONLY),
    "vendors:import_template": (None, PROCUREMENT_ONLY),
    "vendors:create": (None, PROCUREMENT_ONLY),
    "vendors:detail": ("vendor", READ),
    "vendors:edit": ("vendor", PROCUREMENT_ONLY),
    "vendors:status": ("vendor", STATUS),
    "vendors:delete": ("vendor", PROCUREMENT_ONLY),
    "vendors:history": ("vendor", READ),
    "vendors:contact_create": ("vendor", PROCUREMENT_ONLY),
    "vendors:contact_edit": ("contact", PROCUREMENT_ONLY),
    "vendors:contact_delete": ("contact", PROCUREMENT_ONLY),
    "vendors:contact_history": ("contact", READ),
    "vendors:datacategory_list": (None, READ),
    "vendors:datacategory_export": (None, READ),
    "vendors:datacategory_create": (None, COMPLIANCE_ONLY),
    "vendors:datacategory_detail": ("category", READ),
    "vendors:datacategory_edit": ("category", COMPLIANCE_ONLY),
    "vendors:datacategory_history": ("category", READ),
    "vendors:purpose_list": (None, READ),
    "vendors:purpose_export": (None, READ),
    "vendors:purpose_create": (None, COMPLIANCE_ONLY),
    "vendors:purpose_detail": ("purpose", READ),
    "vendors:purpose_edit": ("purpose", COMPLIANCE_ONLY),
    "vendors:purpose_history": ("purpose", READ),
}


@pytest.fixture
def objects(db):
    vendor = VendorFactory(name="Permission K.K.")
    return {
        "vendor": vendor,
        "contact": ContactFactory(vendor=vendor, name="Permission Contact"),
        "category": DataCategoryFactory(name_en="Permission Category"),
        "purpose": PurposeFactory(name_en="Permission Purpose"),
    }


def url_of(name: str, objects) -> str:
    target, _expected = URLS[name]
    return reverse(name, args=[objects[target].pk] if target else [])


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("name", URLS)
def test_each_role_gets_the_expected_answer_on_each_page(client_as, objects, name, role):
    expected = URLS[name][1][role]
    response = client_as(role).get(url_of(name, objects))
    assert response.status_code == expected, f"{role} GET {name}"
    if role == "anonymous":
        assert response.url.startswith(LOGIN_URL)


def test_every_vendor_url_home_and_workspace_page_is_in_the_permission_table():
    assert_table_covers(
        URLS, prefix="vendors:", extra=("home", "audit", "audit_export", "notifications", "profile")
    )


# --- refused writes change nothing --------------------------------------------------------------------------


def post_data(name: str, objects) -> dict:
    vendor = objects["vendor"]
    vendor_form = {
        "name": "Changed K.K.",
        "corporate_number": "4011001098993",
        "country": "JP",
        "kind": "contractor",
        "principal_count": "0",
    }
    reference_form = {"code": "changed", "name_en": "Changed", "name_ja": "変更", "is_active": "on"}
    return {
        "vendors:create": vendor_form,
        "vendors:edit": vendor_form | {"corporate_number": vendor.corporate_number},
        "vendors:status": {"status": "under_review", "reason": "Changed."},
        "vendors:delete": {"reason": "Changed."},
        "vendors:contact_create": {"name": "Changed", "is_primary": "on"},
        "vendors:contact_edit": {"name": "Changed", "is_primary": "on"},
        "vendors:contact_delete": {"reason": "Changed."},
        "vendors:datacategory_create": reference_form,
        "vendors:datacategory_edit": reference_form,
        "vendors:purpose_create": reference_form,
        "vendors:purpose_edit": reference_form,
        "vendors:import": {"dry_run": ""},
    }[name]


WRITE_URLS = [
    "vendors:create",
    "vendors:edit",
    "vendors:status",
    "vendors:delete",
    "vendors:contact_create",
    "vendors:contact_edit",
    "vendors:contact_delete",
    "vendors:datacategory_create",
    "vendors:datacategory_edit",
    "vendors:purpose_create",
    "vendors:purpose_edit",
    "vendors:import",
]
# Restricted pages that only read: refused to some roles, but nothing to write.
RESTRICTED_READS = {"audit", "audit_export", "vendors:import_template"}
REFUSED_WRITES = [
    (name, role) for name in WRITE_URLS for role in ROLE_NAMES if URLS[name][1][role] == 403
] + [(name, "no role") for name in WRITE_URLS]


def snapshot():
    """Everything a write could touch, as plain values."""
    return {
        model.__name__: (
            sorted(model.objects.values_list(*fields)),
            model.history.count(),
        )
        for model, fields in [
            (Vendor, ("pk", "name", "status", "risk_tier", "updated_at")),
            (Contact, ("pk", "name", "is_primary")),
            (DataCategory, ("pk", "code", "name_en", "is_active")),
            (Purpose, ("pk", "code", "name_en", "is_active")),
        ]
    }


def test_every_write_url_is_covered_by_the_refused_write_test():
    table_writes = {name for name, (_target, expected) in URLS.items() if 403 in expected.values()}
    assert table_writes - RESTRICTED_READS == set(WRITE_URLS)


@pytest.mark.parametrize(("name", "role"), REFUSED_WRITES)
def test_a_write_by_a_role_without_the_right_is_refused_and_changes_nothing(client_as, objects, name, role):
    client = Client() if role == "no role" else client_as(role)
    if role == "no role":
        client.force_login(UserFactory(username="nobody"))
    ContactFactory(vendor=objects["vendor"], name="Primary", is_primary=True)
    before = snapshot()
    response = client.post(url_of(name, objects), post_data(name, objects))
    assert response.status_code == 403, f"{role} POST {name}"
    assert snapshot() == before


@pytest.mark.parametrize("name", WRITE_URLS)
def test_an_anonymous_write_is_sent_to_the_login_page_and_changes_nothing(client, objects, name):
    before = snapshot()
    response = client.post(url_of(name, objects), post_data(name, objects))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    assert snapshot() == before


@pytest.mark.parametrize("name", WRITE_URLS)
def test_a_write_by_an_inactive_superuser_is_refused(client, objects, name):
    user = UserFactory(username="gone", is_superuser=True, is_active=False)
    client.force_login(user)
    before = snapshot()
    response = client.post(url_of(name, objects), post_data(name, objects))
    assert response.status_code in (302, 403)
    assert snapshot() == before


# --- signed-in users without a role, and the login page -----------------------------------------------------


def test_a_user_without_a_role_gets_403_on_the_vendor_list(client, roleless_user):
    client.force_login(roleless_user)
    assert client.get(reverse("vendors:list")).status_code == 403


@pytest.mark.parametrize("name", [n for n, (_t, expected) in URLS.items() if n != "home"])
def test_a_user_without_a_role_gets_403_everywhere(client, objects, roleless_user, name):
    client.force_login(roleless_user)
    assert client.get(url_of(name, objects)).status_code == 403


def test_the_login_page_is_open_to_anonymous_users(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "form" in response.context


def test_signing_in_with_a_password_works(client, db):
    get_user_model().objects.create_user("signin", password="a-long-enough-password")
    response = client.post(LOGIN_URL, {"username": "signin", "password": "a-long-enough-password"})
    assert response.status_code == 302
    assert response.url == "/"
