import io
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from core.roles import COMPLIANCE, PROCUREMENT, VIEWER
from vendors import gates

from .factories import UserFactory

ROLE_NAMES = ("anonymous", "viewer", "procurement", "compliance", "superuser")


def pytest_sessionstart(session):
    """Tests read the Japanese catalogue compiled from the committed .po, as `make install` builds it."""
    call_command("compile_translations", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users get a cheap password hash: PBKDF2's million rounds would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a rolled-back test's rows (and, on SQLite, their reused ids) must
    not answer for the next test's."""
    cache.clear()


@pytest.fixture
def procurement_user(db):
    return UserFactory(username="procurement", roles=[PROCUREMENT])


@pytest.fixture
def compliance_user(db):
    return UserFactory(username="compliance", roles=[COMPLIANCE])


@pytest.fixture
def viewer_user(db):
    return UserFactory(username="viewer", roles=[VIEWER])


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def roleless_user(db):
    return UserFactory(username="nobody")


@pytest.fixture
def users(procurement_user, compliance_user, viewer_user, superuser):
    return {
        "anonymous": None,
        "procurement": procurement_user,
        "compliance": compliance_user,
        "viewer": viewer_user,
        "superuser": superuser,
    }


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def client_as(users):
    """client_as("compliance") -> a fresh test client signed in with that role ("anonymous": signed out)."""

    def make(role: str) -> Client:
        return client_for(Client(), users[role])

    return make


@pytest.fixture
def procurement_client(client, procurement_user):
    return client_for(client, procurement_user)


@pytest.fixture
def compliance_client(client, compliance_user):
    return client_for(client, compliance_user)


@pytest.fixture
def viewer_client(client, viewer_user):
    return client_for(client, viewer_user)


@pytest.fixture
def superuser_client(client, superuser):
    return client_for(client, superuser)


def keep_only_gates_of(monkeypatch, *apps: str) -> None:
    """Limit the vendor status gates to those registered by `apps`: each app tests its own rules."""
    kept = defaultdict(list)
    for status, registered in gates._GATES.items():
        kept[status] = [gate for gate in registered if gate.__module__.split(".")[0] in apps]
    monkeypatch.setattr(gates, "_GATES", kept)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data set, loaded once per test module (it takes seconds) and rolled back after it.

    Each test still runs in its own savepoint inside this transaction, so what a test changes is undone.
    """
    media = tmp_path_factory.mktemp("demo-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)
