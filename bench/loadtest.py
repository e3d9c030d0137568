"""Load test of the workspace as deployed: gunicorn, production settings, signed-in users (`make loadtest`).

Run from the project root:  .venv/bin/python bench/loadtest.py

1. Uses the cached PostgreSQL database bench_<N> (10,000 vendors; built once by bench/harness.py's
   ensure_database, as for `make bench`), migrates it, gives the generated users gen-procurement-01..20 and
   gen-compliance-01..05 a known password, so the load tool signs in through the real login form, and
   runs ANALYZE (planner statistics, as autovacuum keeps them in production).
2. Collects the static files into a temporary STATIC_ROOT and starts gunicorn on a free loopback port,
   with DJANGO_DEBUG=False and a throwaway secret key (HTTPS redirect off: plain http on loopback).
3. Runs bench/locustfile.py headless: LOADTEST_USERS users (default 20, procurement and compliance 4 to 1)
   for LOADTEST_SECONDS (default 60), then stops gunicorn whatever happened (also on Ctrl-C).
4. Prints requests per second, median / p95 / p99 latency and the errors (total and per endpoint) as a
   Markdown table, and writes bench/loadtest-results.json and bench/LOADTEST.md. Errors do not change
   the exit status: they are reported as "FAILED: N errors".

Environment: LOADTEST_SECONDS, LOADTEST_USERS, LOADTEST_WORKERS (gunicorn sync workers, default 4),
LOADTEST_VENDORS (default 10000). Server log, locust's statistics and html report: var/loadtest/.
Not a test.
"""

import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

from harness import ROOT, database_url, ensure_database

OUT = ROOT / "var" / "loadtest"
RESULTS_JSON = ROOT / "bench" / "loadtest-results.json"
RESULTS_MD = ROOT / "bench" / "LOADTEST.md"

VENDORS = int(os.environ.get("LOADTEST_VENDORS", 10_000))
SECONDS = int(os.environ.get("LOADTEST_SECONDS", 60))
USERS = int(os.environ.get("LOADTEST_USERS", 20))
WORKERS = int(os.environ.get("LOADTEST_WORKERS", 4))
SPAWN_RATE = 5
PASSWORD = "loadtest-password"
TARGET_P95_MS = 250

# One hash for all the generated users: Django's PBKDF2 costs about 0.3 s per call, 25 calls add up.
SET_PASSWORDS = """
import os
from django.contrib.auth import get_user_model
users = get_user_model().objects.filter(username__regex=r"^gen-(procurement|compliance)-[0-9]+$")
first = users.order_by("pk").first()
if first is None:
    raise SystemExit("No generated users (gen-procurement-NN) in this database.")
first.set_password(os.environ["LOADTEST_PASSWORD"])
count = users.update(password=first.password, is_active=True)
print(f"Password set for {count} generated users.")
"""


class Stopped(Exception):
    """Ctrl-C or SIGTERM: stop the server and the load tool, report nothing."""


def on_signal(signum, frame):
    raise Stopped(signum)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(static_root: str, port: int) -> dict:
    """Production settings (config/settings.py), adjusted only for plain http on loopback.

    With DJANGO_DEBUG off, settings.py forces Secure session and CSRF cookies and has no switch for them:
    the load tool sends them back to the loopback host, as browsers do for localhost (bench/locustfile.py).
    HSTS headers are only sent over https, so they need no switch either.
    """
    return {
        **os.environ,
        "DATABASE_URL": database_url(VENDORS),
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


def analyze() -> None:
    """Planner statistics, as autovacuum keeps them in production. generate_data loads in bulk and
    PostgreSQL may run without autovacuum (it does on the development and CI machines): unanalyzed, the
    planner misestimates joins (the contract list's clause prefetch took 210 ms instead of 20)."""
    import psycopg

    with psycopg.connect(postgresql_url(), autocommit=True) as db:
        db.execute("ANALYZE")


def postgresql_url() -> str:
    return database_url(VENDORS).replace("postgres://", "postgresql://")


def write_vendor_ids(path: Path) -> str:
    import psycopg

    with psycopg.connect(postgresql_url()) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM vendors_vendor ORDER BY id")]
        server_version = db.execute("SHOW server_version").fetchone()[0]
    path.write_text(json.dumps(ids))
    return server_version


def wait_until_up(server: subprocess.Popen, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url + "/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer on {url} within {timeout:.0f} s; see {log}")


def warm_up(host: str) -> None:
    """A few sign-in pages in parallel, so that every worker has loaded the URLconf and the views before
    the measurement (Django imports them on a worker's first request)."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(_):
        with urllib.request.urlopen(host + "/accounts/login/", timeout=30) as response:
            response.read()

    with ThreadPoolExecutor(WORKERS * 2) as pool:
        list(pool.map(fetch, range(WORKERS * 6)))


def stop(process: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM (gunicorn: graceful shutdown; locust: quit), then SIGKILL if it hangs."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def read_stats(path: Path) -> dict:
    """The statistics bench/locustfile.py writes when locust quits."""
    stats = json.loads(path.read_text())
    stats["failures"] = [
        {key: f[key] for key in ("method", "name", "error", "occurrences")} for f in stats["failures"]
    ]
    return stats


def markdown(stats: dict) -> str:
    def p95(row: dict) -> str:
        return f"**{row['p95_ms']}**" if row["p95_ms"] >= TARGET_P95_MS else str(row["p95_ms"])

    def line(row: dict, name: str) -> str:
        if not row["requests"]:
            return f"| {name} | 0 | {row['errors']} | | | | | |"
        return (
            f"| {name} | {row['requests']} | {row['errors']} | {row['rps']} | {row['median_ms']} "
            f"| {p95(row)} | {row['p99_ms']} | {row['max_ms']} |"
        )

    return "\n".join(
        [
            "| Endpoint | Requests | Errors | req/s | Median ms | p95 ms | p99 ms | Max ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *(line(row, f"{row['method']} `{row['name']}`") for row in stats["endpoints"]),
            line(stats["pages"], "**Pages** (all but sign-in)"),
            line(stats["steady"], f"**Pages, all users signed in** (last {stats['steady']['seconds']:g} s)"),
            line(stats["total"], "**All requests**"),
        ]
    )


def summary(stats: dict) -> str:
    total, pages, steady = stats["total"], stats["pages"], stats["steady"]
    return (
        f"{total['rps']} requests/s; pages: median {pages['median_ms']} ms, p95 {pages['p95_ms']} ms, "
        f"p99 {pages['p99_ms']} ms (once all users signed in: p95 {steady['p95_ms']} ms); "
        f"{total['errors']} errors of {total['requests']} requests."
    )


def verdict(stats: dict) -> list[str]:
    """The target is on the pages: signing in is slow by design (password hashing) and done once."""
    total, pages = stats["total"], stats["pages"]
    slow = [row["name"] for row in stats["endpoints"] if row["p95_ms"] >= TARGET_P95_MS]
    lines = []
    if total["errors"]:
        lines.append(f"FAILED: {total['errors']} errors (of {total['requests']} requests).")
    met = not total["errors"] and pages["requests"] and pages["p95_ms"] < TARGET_P95_MS
    lines.append(
        f"Target (0 errors, p95 of the pages < {TARGET_P95_MS} ms at {USERS} users): "
        + ("met." if met else "missed.")
    )
    if slow:
        lines.append(f"Endpoints with p95 >= {TARGET_P95_MS} ms: " + ", ".join(f"`{name}`" for name in slow))
    return lines


def write_report(report: dict, table: str, verdict_lines: list[str]) -> None:
    RESULTS_JSON.write_text(json.dumps(report, indent=2) + "\n")
    machine, settings = report["machine"], report["settings"]
    failures = [
        f"- {f['occurrences']} × {f['method']} `{f['name']}`: {f['error']}" for f in report["failures"]
    ]
    RESULTS_MD.write_text(
        "\n".join(
            [
                "# Load test",
                "",
                "Written by `make loadtest` (bench/loadtest.py); run it again to refresh.",
                "",
                f"- Date: {report['date']}",
                f"- Machine: {machine['arch']}, {machine['cpus']} CPUs ({machine['platform']}); "
                "server, database and load tool on the same machine; load average "
                f"{machine['load_before']} before the run, {machine['load_after']} after (1 min)",
                f"- Data: PostgreSQL {settings['postgresql']}, database bench_{settings['vendors']} "
                f"({settings['vendors']:,} vendors, `manage.py generate_data`)",
                f"- Server: gunicorn {settings['gunicorn']}, {settings['workers']} sync workers, "
                f"Django {settings['django']}; {settings['django_settings']}",
                f"- Load: locust {settings['locust']}, {settings['users']} users "
                f"({settings['user_mix']}), spawn rate {settings['spawn_rate']}/s, {settings['seconds']} s, "
                f"think time {settings['think_time_s']} s between pages; each user signs in once through "
                "the login form",
                "",
                f"**{summary(report)}**",
                "",
                *(f"**{line}**" if line.startswith("FAILED") else line for line in verdict_lines),
                "",
                table,
                "",
                *(["Errors:", "", *failures, ""] if failures else []),
                "p95 values at or above the target are in bold. Latencies are locust's (client side, "
                "rounded as locust buckets them: to 10 ms above 100 ms, to 100 ms above 1 s). The sign-in "
                "rows include Django's password hashing (PBKDF2) and are left out of the Pages rows; the "
                "second Pages row counts only the pages requested once every user had signed in.",
                "",
            ]
        )
    )


def main() -> int:
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    OUT.mkdir(parents=True, exist_ok=True)
    server_log = OUT / "server.log"
    stats_file = OUT / "locust-stats.json"
    stats_file.unlink(missing_ok=True)
    server = locust = None
    try:
        with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
            ensure_database(VENDORS)
            port = free_port()
            host = f"http://127.0.0.1:{port}"
            env = server_env(str(Path(tmp) / "static"), port)
            print(f"bench_{VENDORS}: migrate, password of the generated users, ANALYZE.", flush=True)
            manage(env, "migrate", "--noinput", "-v0")
            manage({**env, "LOADTEST_PASSWORD": PASSWORD}, "shell", "-c", SET_PASSWORDS)
            analyze()
            manage(env, "collectstatic", "--noinput", "-v0")
            vendor_ids = Path(tmp) / "vendor-ids.json"
            postgresql = write_vendor_ids(vendor_ids)

            print(f"Starting gunicorn ({WORKERS} workers) on {host}; log: {server_log}", flush=True)
            with open(server_log, "w") as log:
                server = subprocess.Popen(
                    [
                        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                        *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)),
                        *("--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "10"),
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            wait_until_up(server, host, server_log)
            warm_up(host)

            load_before = round(os.getloadavg()[0], 2)
            if load_before > os.cpu_count():
                print(f"Warning: load average {load_before} on {os.cpu_count()} CPUs; figures will suffer.")
            print(f"locust: {USERS} users for {SECONDS} s", flush=True)
            locust = subprocess.Popen(
                [
                    *(sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")),
                    *("--headless", "--only-summary", "--host", host),
                    *("-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{SECONDS}s", "--stop-timeout", "10"),
                    *("--html", str(OUT / "locust-report.html")),
                    *("--exit-code-on-error", "0"),
                ],
                env={
                    **os.environ,
                    "LOADTEST_PASSWORD": PASSWORD,
                    "LOADTEST_VENDOR_IDS": str(vendor_ids),
                    "LOADTEST_RESULTS": str(stats_file),
                },
                cwd=ROOT,
            )
            try:
                code = locust.wait(timeout=SECONDS + 120)
            except subprocess.TimeoutExpired:
                raise RuntimeError("locust did not stop by itself") from None
            load_after = round(os.getloadavg()[0], 2)
            if code != 0 or not stats_file.exists():
                raise RuntimeError(f"locust exited with {code}")
    except Stopped as stopped:
        signum = stopped.args[0]
        print(f"\nStopped ({signal.Signals(signum).name}): no report written.", file=sys.stderr)
        return 128 + signum
    finally:
        # A second Ctrl-C must not cut the shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(locust)
        stop(server)
        if server is not None:
            print(f"gunicorn stopped (exit {server.returncode}).", flush=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    stats = read_stats(stats_file)
    table = markdown(stats)
    verdict_lines = verdict(stats)
    report = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "arch": platform.machine(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(terse=True),
            "load_before": load_before,
            "load_after": load_after,
        },
        "settings": {
            "vendors": VENDORS,
            "users": USERS,
            "user_mix": "procurement 4 : compliance 1",
            "spawn_rate": SPAWN_RATE,
            "seconds": SECONDS,
            "think_time_s": "1-3",
            "workers": WORKERS,
            "gunicorn": version("gunicorn"),
            "locust": version("locust"),
            "django": version("django"),
            "postgresql": postgresql,
            "django_settings": "DJANGO_DEBUG=False, DJANGO_SECURE_SSL_REDIRECT=False, WhiteNoise "
            "(collectstatic, manifest storage), ATOMIC_REQUESTS, no persistent DB connections",
        },
        "target": {"errors": 0, "p95_ms_below": TARGET_P95_MS},
        **stats,
    }
    write_report(report, table, verdict_lines)

    print(f"\n{table}\n")
    if stats["failures"]:
        print("Errors:")
        for f in stats["failures"]:
            print(f"  {f['occurrences']} × {f['method']} {f['name']}: {f['error']}")
        print(f"Server log (tracebacks of 5xx): {server_log}\n")
    print(summary(stats))
    for line in verdict_lines:
        print(f"\n{'=' * 60}\n{line}\n{'=' * 60}" if line.startswith("FAILED") else line)
    print(f"Written: {RESULTS_JSON.relative_to(ROOT)}, {RESULTS_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
