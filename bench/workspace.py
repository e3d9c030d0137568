"""Benchmark of the workspace at scale: dashboard, audit trail and the vendor-register export.

Run from the project root:  .venv/bin/python bench/workspace.py [--vendors 10000]

Builds (once, cached by size) a PostgreSQL database `bench_<N>` on 127.0.0.1 with
`manage.py generate_data --vendors N`, never the project's or the tests' database. Then measures, in
the same run:
  - the dashboard (as procurement and as compliance) and the audit trail (first page, a filtered page,
    a deep page): median and p95 server time over RUNS requests, and SQL queries per request;
  - the vendor-register Excel export of every vendor: time and peak memory (RSS) of a fresh process,
    beside the floor: the same rows fetched with one query and written as plain csv.
Writes bench/results-workspace.json and prints a Markdown table. Not a test.
"""

import argparse
import csv
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 30
# The data sets are generated relative to a fixed day, so the same size always gives the same data.
DATA_TODAY = "2026-11-29"
sys.path.insert(0, str(ROOT))


def database_url(vendors: int) -> str:
    return f"postgres://postgres@127.0.0.1:5432/bench_{vendors}"


def setup_django(vendors: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database_url(vendors)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def ensure_database(vendors: int) -> None:
    """Create and fill bench_<N> unless it already holds N vendors (the cache)."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [f"bench_{vendors}"]
        ).fetchone()
        if exists:
            with psycopg.connect(database_url(vendors).replace("postgres://", "postgresql://")) as db:
                try:
                    count = db.execute("SELECT count(*) FROM vendors_vendor").fetchone()[0]
                except psycopg.errors.UndefinedTable:
                    count = -1
            if count == vendors:
                print(f"Using the cached database bench_{vendors}.")
                with psycopg.connect(database_url(vendors).replace("postgres://", "postgresql://")) as db:
                    db.execute("ANALYZE")  # statistics for the planner (autovacuum may be off)
                return
            admin.execute(f'DROP DATABASE "bench_{vendors}"')
        admin.execute(f'CREATE DATABASE "bench_{vendors}"')
    env = {**os.environ, "DATABASE_URL": database_url(vendors)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
    generate = [*manage, "generate_data", "--vendors", str(vendors), "--today", DATA_TODAY]
    subprocess.run(generate, check=True, env=env, cwd=ROOT)


def timed_requests(client, path: str, runs: int = RUNS) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches (templates, content types), as a running server has them
    times, queries = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(len(captured))
    times.sort()
    return {
        "path": path,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "queries": max(queries),
    }


def pages(vendors: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from core.audit import audited_models
    from core.roles import COMPLIANCE, PROCUREMENT

    users = get_user_model().objects
    procurement = users.filter(groups__name=PROCUREMENT, owned_vendors__isnull=False).distinct().first()
    compliance = users.filter(groups__name=COMPLIANCE).first()
    results = []
    for label, user, path in [
        ("Dashboard (procurement)", procurement, "/"),
        ("Dashboard (compliance)", compliance, "/"),
        ("Audit trail, first page", compliance, "/audit/"),
        ("Audit trail, vendors changed with a reason", compliance, "/audit/?model=vendors.vendor&reason=a"),
        ("Audit trail, page 200", compliance, "/audit/?page=200"),
    ]:
        client = Client()
        client.force_login(user)
        results.append({"name": label, **timed_requests(client, path)})
    history_rows = sum(model.history.model.objects.count() for model in audited_models().values())
    for result in results:
        result["history_rows"] = history_rows
        result["vendors"] = vendors
    return results


def export_child(kind: str) -> None:
    """Runs in a fresh process so that its peak RSS is the export's own (plus Django's baseline)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if kind == "xlsx":
        client = Client()
        client.force_login(
            get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.first()
        )
        response = client.get("/vendors/export.xlsx")
        size = sum(len(chunk) for chunk in response.streaming_content)
        rows = None
    elif kind == "register-csv":
        from vendors.models import Vendor
        from vendors.registers import vendor_register
        from vendors.views import VendorListView

        view = VendorListView()
        columns, rows_iter = vendor_register(view.get_queryset())
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(c.header) for c in columns])
        rows = 0
        for rows, row in enumerate(rows_iter, start=1):  # noqa: B007  (the count is reported)
            writer.writerow([c.value(row) for c in columns])
        size = len(buffer.getvalue().encode())
    else:
        from vendors.models import Vendor

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        rows = 0
        columns = (
            "name",
            "name_kana",
            "corporate_number",
            "country",
            "kind",
            "parent__name",
            "status",
            "risk_tier",
        )
        for row in Vendor.objects.order_by("name", "pk").values_list(*columns).iterator(chunk_size=2000):
            writer.writerow(row)
            rows += 1
        size = len(buffer.getvalue().encode())
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak, 1),
                "baseline_rss_mb": round(baseline, 1),
                "bytes": size,
                "rows": rows,
            }
        )
    )


def exports(vendors: int) -> list[dict]:
    results = []
    for kind, label in [
        ("xlsx", "Vendor register .xlsx (streamed)"),
        ("register-csv", "The same register as csv (same queries and columns)"),
        ("csv", "Floor: the vendor rows, one query, 8 columns, csv"),
    ]:
        output = subprocess.run(
            [sys.executable, __file__, "--vendors", str(vendors), "--export-child", kind],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        results.append({"name": label, "vendors": vendors, **json.loads(output.strip().splitlines()[-1])})
    return results


def markdown(page_results: list[dict], export_results: list[dict]) -> str:
    lines = [
        "| Page | Median ms | p95 ms | Queries |",
        "|---|---:|---:|---:|",
        *(f"| {r['name']} | {r['median_ms']} | {r['p95_ms']} | {r['queries']} |" for r in page_results),
        "",
        "| Export | Seconds | Peak RSS MB (baseline) | Size |",
        "|---|---:|---:|---:|",
        *(
            f"| {r['name']} | {r['seconds']} | {r['peak_rss_mb']} ({r['baseline_rss_mb']}) "
            f"| {r['bytes'] / 1e6:.1f} MB |"
            for r in export_results
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--export-child", choices=["xlsx", "register-csv", "csv"])
    args = parser.parse_args()
    if args.export_child:
        setup_django(args.vendors)
        export_child(args.export_child)
        return
    ensure_database(args.vendors)
    setup_django(args.vendors)
    page_results = pages(args.vendors)
    export_results = exports(args.vendors)
    history_rows = page_results[0]["history_rows"]
    table = markdown(page_results, export_results)
    print(f"\n{args.vendors:,} vendors, {history_rows:,} history rows (PostgreSQL)\n\n{table}")
    out = ROOT / "bench" / "results-workspace.json"
    out.write_text(
        json.dumps(
            {
                "vendors": args.vendors,
                "history_rows": history_rows,
                "pages": page_results,
                "exports": export_results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
