"""What the benchmarks (bench/run.py, bench/questionnaire.py) and the load test (bench/loadtest.py) share:
the cached PostgreSQL data sets, Django set-up for one database per process, and timing.

The data sets are databases `bench_<N>` on 127.0.0.1, never the project's or the tests' database, filled
once by `manage.py generate_data --vendors N --today DATA_TODAY` and reused while they hold N vendors.
"""

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The data sets are generated relative to a fixed day, so the same size always gives the same data.
DATA_TODAY = "2026-11-29"


def database_url(vendors: int) -> str:
    return f"postgres://postgres@127.0.0.1:5432/bench_{vendors}"


def setup_django(url: str) -> None:
    """Django on the database at `url`, for this process (settings read DATABASE_URL once)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def ensure_database(vendors: int) -> None:
    """Create and fill bench_<N> unless it already holds N vendors (the cache)."""
    import psycopg

    url = database_url(vendors).replace("postgres://", "postgresql://")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [f"bench_{vendors}"]
        ).fetchone()
        if exists:
            with psycopg.connect(url) as db:
                try:
                    count = db.execute("SELECT count(*) FROM vendors_vendor").fetchone()[0]
                except psycopg.errors.UndefinedTable:
                    count = -1
            if count == vendors:
                print(f"Using the cached database bench_{vendors} (migrated to this checkout's schema).")
                _manage(vendors, "migrate", "--noinput", "-v0")
                with psycopg.connect(url) as db:
                    db.execute("ANALYZE")  # statistics for the planner (autovacuum may be off)
                return
            admin.execute(f'DROP DATABASE "bench_{vendors}"')
        admin.execute(f'CREATE DATABASE "bench_{vendors}"')
    _manage(vendors, "migrate", "--noinput", "-v0")
    _manage(vendors, "generate_data", "--vendors", str(vendors), "--today", DATA_TODAY)


def _manage(vendors: int, *arguments: str) -> None:
    """`manage.py <arguments>` on bench_<N>."""
    env = {**os.environ, "DATABASE_URL": database_url(vendors)}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *arguments], check=True, env=env, cwd=ROOT)


def timed(function: Callable[[], object], runs: int) -> tuple[list[float], object]:
    """The times of `runs` calls in ms, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def median_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return round(statistics.median(ordered), 1), round(ordered[int(0.95 * (len(ordered) - 1))], 1)
