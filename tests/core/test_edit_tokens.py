"""The edit tokens a session remembers for posts that come without one (core.edit_tokens)."""

from core.edit_tokens import REMEMBERED, forget_opened, opened_version, remember_opened


def test_a_session_remembers_the_last_opened_version_of_each_form():
    session = {}
    remember_opened(session, "vendors.vendor:1", 10)
    remember_opened(session, "vendors.vendor:1", 12)
    remember_opened(session, "vendors.vendor:2", 11)
    assert (opened_version(session, "vendors.vendor:1"), opened_version(session, "vendors.vendor:2")) == (
        12,
        11,
    )
    assert opened_version(session, "vendors.vendor:3") is None


def test_only_the_most_recently_opened_forms_are_remembered():
    session = {}
    for pk in range(REMEMBERED + 1):
        remember_opened(session, f"vendors.vendor:{pk}", pk)
    assert opened_version(session, "vendors.vendor:0") is None
    assert opened_version(session, f"vendors.vendor:{REMEMBERED}") == REMEMBERED
    # Opening an old form again makes it the newest: it outlives the forms opened before it.
    remember_opened(session, "vendors.vendor:1", 1)
    remember_opened(session, "contracts.protectioncontract:1", 7)
    assert opened_version(session, "vendors.vendor:1") == 1
    assert opened_version(session, "vendors.vendor:2") is None


def test_a_saved_form_is_forgotten_and_the_others_kept():
    session = {}
    remember_opened(session, "vendors.vendor:1", 10)
    remember_opened(session, "vendors.vendor:2", 11)
    forget_opened(session, "vendors.vendor:1")
    forget_opened(session, "vendors.vendor:9")  # never opened: nothing happens
    assert opened_version(session, "vendors.vendor:1") is None
    assert opened_version(session, "vendors.vendor:2") == 11
