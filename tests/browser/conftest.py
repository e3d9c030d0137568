"""Real-browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

The browser is the system's (`apt-get install chromium`, as .ci/run does; CHROMIUM_PATH names another):
Playwright never downloads one. The journeys run on PostgreSQL; the SQLite pass skips them. Without Chromium
or the playwright package they are skipped too, unless REQUIRE_SERVICES=1, where they fail. Each step's
screenshot is kept under var/test-artifacts/browser/<test>/ (git-ignored); the summary prints the folder.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "browser"
_FOLDERS: list[tuple[Path, "Screenshots"]] = []


def browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = browser_missing()
    if missing:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop on this thread while it is open, which Django takes for
    # an async context and refuses ORM calls in (the test's own queries, and the database flush after it).
    # They are plain synchronous code; the loop closes with the module, before any other test runs.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Uploaded contracts, consents and evidence go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


class Screenshots:
    """Numbered full-page screenshots of each step: <nn>-<step>.png."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def __call__(self, page, step: str) -> None:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        page.screenshot(path=self.folder / f"{self.count:02d}-{slug}.png", full_page=True)


@pytest.fixture
def screenshot(request):
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shots = Screenshots(folder)
    _FOLDERS.append((folder, shots))
    return shots


@pytest.fixture
def person(browser, live_server):
    """person(user, password) -> a page in their own browser context, signed in through the login form."""
    contexts = []

    def sign_in(user, password: str):
        context = browser.new_context(
            base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name=user.get_full_name()).wait_for()
        return page

    yield sign_in
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter):
    for folder, shots in _FOLDERS:
        if shots.count:
            terminalreporter.write_line(f"browser screenshots ({shots.count}): {folder}")
