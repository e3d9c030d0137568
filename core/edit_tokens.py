"""The edit token a user's session last opened a record's form with, for posts that do not carry one.

The edit pages put the token (core.forms.VersionField) in the form itself; that is what protects a browser
user. A client that posts the fields without it (a script, a test, a page saved before the token existed)
still gets the protection for the last form its session opened: opening remembers the token here, and a
post without one is checked against it. A post with neither is saved unchecked, like a creation.
"""

from django.db.models import Model

SESSION_KEY = "opened_versions"
REMEMBERED = 50  # forms per session; the oldest is forgotten first


def token_key(instance: Model) -> str:
    return f"{instance._meta.label_lower}:{instance.pk}"


def remember_opened(session, key: str, version: int) -> None:
    opened = _without(session.get(SESSION_KEY, {}), key)
    opened[key] = version  # the newest last: the oldest are the first forgotten
    session[SESSION_KEY] = dict(list(opened.items())[-REMEMBERED:])


def opened_version(session, key: str) -> int | None:
    return session.get(SESSION_KEY, {}).get(key)


def forget_opened(session, key: str) -> None:
    """After a save: the next post starts from what the user saw when they open the form again."""
    if key in session.get(SESSION_KEY, {}):
        session[SESSION_KEY] = _without(session[SESSION_KEY], key)


def _without(opened: dict, key: str) -> dict:
    return {name: version for name, version in opened.items() if name != key}
