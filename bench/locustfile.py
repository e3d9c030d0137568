"""Signed-in users browsing the workspace, for `make loadtest` (bench/loadtest.py starts the server).

Each simulated user signs in once through the real login form (GET for the CSRF token, POST), then
browses a weighted mix of pages with a think time between clicks. Procurement users outnumber
compliance users 4 to 1; only compliance users open the audit trail.

Environment:
  LOADTEST_PASSWORD    the password bench/loadtest.py gave the generated users (gen-procurement-01..20,
                       gen-compliance-01..05);
  LOADTEST_VENDOR_IDS  a JSON file with the vendor ids to open; without it, the ids on the first page of
                       the vendor list (fetched once per process);
  LOADTEST_RESULTS     where to write the final statistics as JSON when locust quits (per endpoint, all
                       requests, and the pages without the sign-in requests).

A page counts as an error unless it answers 200 (redirects are not followed: a lost session shows as
a redirect to the login page). Standalone:
  locust -f bench/locustfile.py --host http://127.0.0.1:8000
"""

import itertools
import json
import os
import random
import re
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events
from locust.stats import StatsEntry

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "loadtest-password")
LOGIN_PATH = "/accounts/login/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VENDOR_LINK = re.compile(r'href="/vendors/(\d+)/"')
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# Named variants of the vendor list: (request name in the stats, query string).
VENDOR_FILTERS = [
    ("/vendors/?status&risk_tier&ordering", "?status=approved&risk_tier=high&ordering=name"),
    ("/vendors/?q", "?q=sakura"),
    ("/vendors/?q", "?q=cloud+tokyo"),
    ("/vendors/?ordering", "?ordering=-updated_at"),
    ("/vendors/?status&ordering", "?status=under_review&ordering=risk_tier"),
]

_vendor_ids: list[int] = []
_signed_in = 0  # users past their sign-in (successful or not)
_usernames = {
    "procurement": itertools.cycle(f"gen-procurement-{i:02d}" for i in range(1, 21)),
    "compliance": itertools.cycle(f"gen-compliance-{i:02d}" for i in range(1, 6)),
}


class LoopbackSecureCookies(DefaultCookiePolicy):
    """Sends Secure cookies back to a loopback host over plain http, as browsers do for localhost.

    With DJANGO_DEBUG off, settings.py always marks the session and CSRF cookies Secure; Python's
    default cookie policy never returns them over http, and every user would stay signed out.
    """

    def return_ok_secure(self, cookie, request):
        if urlsplit(request.get_full_url()).hostname in LOOPBACK:
            return True
        return super().return_ok_secure(cookie, request)


class WorkspaceUser(FastHttpUser):
    """A signed-in user. FastHttpUser: on 2 cores shared with gunicorn and PostgreSQL, the load tool
    should take little CPU (geventhttpclient costs several times less per request than requests)."""

    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        self.client.cookiejar.set_policy(LoopbackSecureCookies())
        self.log_in(next(_usernames[self.role]))
        if not _vendor_ids:
            _vendor_ids.extend(load_vendor_ids(self))

    def log_in(self, username: str) -> None:
        form = self.client.get(LOGIN_PATH, name="login (form)")
        token = CSRF_INPUT.search(form.text)
        with self.client.post(
            LOGIN_PATH,
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token and token[1]},
            headers={"Origin": self.host.rstrip("/"), "Referer": self.host.rstrip("/") + LOGIN_PATH},
            name="login (post)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != "/":
                response.failure(f"{username} not signed in (status {response.status_code})")
        global _signed_in
        _signed_in += 1

    def page(self, path: str, name: str | None = None) -> None:
        # Redirects are not followed: every page here answers 200 to a signed-in user, and a lost
        # session shows as a redirect to the login page instead of passing as the login form's 200.
        with self.client.get(path, name=name or path, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                location = response.headers.get("Location")
                response.failure(f"status {response.status_code}" + (f" to {location}" if location else ""))

    # The pages both roles open.

    def dashboard(self):
        self.page("/", f"/ ({self.role})")  # each role has its own dashboard

    def vendor_list(self):
        self.page("/vendors/")

    def vendor_list_filtered(self):
        name, query = random.choice(VENDOR_FILTERS)
        self.page(f"/vendors/{query}", name)

    def vendor_detail(self):
        self.page(f"/vendors/{random.choice(_vendor_ids)}/", "/vendors/[id]/")

    def contracts_due(self):
        self.page("/contracts/?deadline_within=90", "/contracts/?deadline_within")

    def contracts(self):
        self.page("/contracts/")

    def assessments(self):
        self.page("/assessments/")

    def review_queue(self):
        self.page("/assessments/review/")

    def transfers(self):
        self.page("/transfers/")

    def notifications(self):
        self.page("/notifications/")


def load_vendor_ids(user: WorkspaceUser) -> list[int]:
    path = os.environ.get("LOADTEST_VENDOR_IDS")
    if path:
        with open(path) as file:
            return json.load(file)
    response = user.client.get("/vendors/", name="/vendors/")
    return sorted({int(pk) for pk in VENDOR_LINK.findall(response.text)})


class ProcurementUser(WorkspaceUser):
    """Owns vendors: mostly the register, vendor pages and contracts coming up for renewal."""

    weight = 4
    role = "procurement"
    tasks = {
        WorkspaceUser.dashboard: 5,
        WorkspaceUser.vendor_list: 3,
        WorkspaceUser.vendor_list_filtered: 4,
        WorkspaceUser.vendor_detail: 6,
        WorkspaceUser.contracts_due: 2,
        WorkspaceUser.contracts: 1,
        WorkspaceUser.assessments: 2,
        WorkspaceUser.review_queue: 1,
        WorkspaceUser.transfers: 1,
        WorkspaceUser.notifications: 1,
    }


class ComplianceUser(WorkspaceUser):
    """Reviews: the queue, the audit trail, vendors and foreign transfers."""

    weight = 1
    role = "compliance"

    def audit_trail(self):
        self.page("/audit/")

    def audit_trail_filtered(self):
        self.page("/audit/?model=vendors.vendor&reason=a", "/audit/?model&reason")

    tasks = {
        WorkspaceUser.dashboard: 4,
        WorkspaceUser.review_queue: 3,
        WorkspaceUser.vendor_detail: 3,
        WorkspaceUser.vendor_list_filtered: 2,
        WorkspaceUser.assessments: 1,
        WorkspaceUser.transfers: 2,
        WorkspaceUser.contracts_due: 1,
        WorkspaceUser.notifications: 1,
        audit_trail: 2,
        audit_trail_filtered: 1,
    }


# --- the final statistics ----------------------------------------------------------------------------------
# Written when locust quits, from its own stats: the --csv files are rewritten only once a second during the
# run, so they can miss the last requests. Besides locust's own figures, "steady" collects the pages
# requested once every user has signed in: the sign-ins at the start (password hashing, about 0.3 s of CPU
# each) hold the workers for a few seconds, and the pages queued behind them are not the steady state.

_environment = None
_steady: StatsEntry | None = None


@events.init.add_listener
def remember_environment(environment, **kwargs):
    global _environment
    _environment = environment


@events.request.add_listener
def count_steady_state(name, response_time, response_length, exception, **kwargs):
    global _steady
    if name.startswith("login") or _environment is None or _environment.runner is None:
        return
    if _steady is None:
        if _signed_in < max(_environment.runner.target_user_count, 1):
            return
        _steady = StatsEntry(_environment.stats, "Pages, all users signed in", "")
    _steady.log(response_time, response_length)
    if exception:
        _steady.log_error(exception)


def entry_summary(entry: StatsEntry, since: float | None = None) -> dict:
    stats = entry.stats
    seconds = (stats.last_request_timestamp or 0) - (since or stats.start_time)
    return {
        "method": entry.method,
        "name": entry.name,
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "seconds": round(max(seconds, 0), 1),
        "rps": round(entry.num_requests / seconds, 1) if seconds > 0 else 0.0,
        "median_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "max_ms": round(entry.max_response_time or 0),
        "avg_ms": round(entry.avg_response_time),
    }


@events.quit.add_listener
def write_results(exit_code, **kwargs):
    path = os.environ.get("LOADTEST_RESULTS")
    if not path or _environment is None or _environment.stats is None:
        return
    stats = _environment.stats
    endpoints = sorted(stats.entries.values(), key=lambda entry: (entry.name, entry.method))
    pages = StatsEntry(stats, "Pages", "")
    for entry in endpoints:
        if not entry.name.startswith("login"):
            pages.extend(entry)
    steady = _steady or StatsEntry(stats, "Pages, all users signed in", "")
    with open(path, "w") as file:
        json.dump(
            {
                "endpoints": [entry_summary(entry) for entry in endpoints],
                "pages": entry_summary(pages),
                "steady": entry_summary(steady, since=steady.start_time),
                "total": entry_summary(stats.total),
                "failures": sorted(stats.serialize_errors().values(), key=lambda error: error["name"]),
            },
            file,
            indent=2,
        )
