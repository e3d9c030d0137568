"""What the per-app permission matrices share: expected answers and the check that a table is complete."""

from django.urls import URLPattern, URLResolver, get_resolver

LOGIN_URL = "/accounts/login/"

# Expected GET status per role; anonymous users are always sent to the login page (302).
READ = {"anonymous": 302, "viewer": 200, "procurement": 200, "compliance": 200, "superuser": 200}
COMPLIANCE_ONLY = {"anonymous": 302, "viewer": 403, "procurement": 403, "compliance": 200, "superuser": 200}


def url_names() -> set[str]:
    """Every named URL of the project, with its namespace."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def assert_table_covers(table, *, prefix: str, extra: tuple[str, ...] = ()) -> None:
    """A new URL without an entry in the permission table fails; so does an entry for a URL that is gone."""
    names = url_names()
    wanted = {name for name in names if name.startswith(prefix) or name in extra}
    assert wanted, f"the walk found no {prefix} URL at all"
    assert wanted - set(table) == set(), "URLs without an entry in the permission table"
    assert set(table) - names == set(), "table entries for URLs that no longer exist"


def assert_write_refused(response, role: str, name: str) -> None:
    """Anonymous users are sent to sign in; a signed-in role without the right gets 403."""
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(LOGIN_URL)
    else:
        assert response.status_code == 403, f"{role} POST {name}"
