"""`make bench`: every figure beside its reference, measured in one run on this machine.

Data sets are PostgreSQL databases `bench_<N>` on 127.0.0.1, built once with `manage.py generate_data
--vendors N` and reused while they hold N vendors (bench/harness.py: ensure_database). Each part runs in
its own process (Django is set up for one database per process, and an export's peak memory is then its
own). Writes bench/results.json (one object per measurement: name, value, unit, reference_name,
reference_value, ratio) and bench/RESULTS.md, and prints the table. `--parts` runs some parts only and keeps
the other figures of bench/results.json.

Parts, on the 10,000-vendor set unless said:
  pages     list pages (50 rows, two filters, sorted), audit trail, dashboard: median and p95 server time
            over RUNS requests and queries per request, beside the Django admin changelist of the same model
            with the same filters and order, and beside the floor (one ORM query for the same 50 rows, a bare
            template);
  reminders a full reminder run (every kind) with about 1% of the contracts due, beside counting the
            contracts due for a notice reminder with contracts.services.due_notice_reminders' own query per
            threshold; on the 10,000 and the 30,000-vendor sets (30,000 and 90,000 contracts);
  export    the vendor register at 10,000 and 50,000 rows: time (median of 3) and peak RSS, beside a bare
            openpyxl write-only dump of the same cells already in memory;
  imports   a 300-criterion questionnaire workbook and a 5,000-row vendor import (inside a rolled-back
            transaction).
"""

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from harness import DATA_TODAY, ROOT, database_url, ensure_database, median_p95, setup_django, timed

RUNS = 30
EXPORT_RUNS = 3
SMALL, MEDIUM, LARGE = 10_000, 30_000, 50_000
BENCH_USER = "bench-admin"
PAGE_ROWS = 50  # the list pages' and the audit trail's paginate_by


# --- measurements (run in a child process with Django set up for one data set) -----------------------------


def bench_user():
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


class QueryCounter:
    """Counts the statements sent to the database (no 9,000-query log limit, no SQL kept)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def time_calls(call) -> dict:
    """Median and p95 of RUNS calls after a warm-up (as a running server has its caches), in ms, and the
    most statements one call sent."""
    call()
    counts = []
    with QueryCounter() as counter:

        def counted():
            before = counter.count
            call()
            counts.append(counter.count - before)

        times, _result = timed(counted, RUNS)
    median, p95 = median_p95(times)
    return {"median": median, "p95": p95, "queries": max(counts)}


def time_request(client, path: str) -> dict:
    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return time_calls(get)


BARE = (
    "<table>{% for row in rows %}<tr>{% for value in row %}<td>{{ value }}</td>{% endfor %}</tr>"
    "{% endfor %}</table>"
)


def floor(queryset, fields: list[str], *, page: int = 1):
    """One hand-written query for the page's 50 rows, rendered in a bare template."""
    from django.template import Context, Template

    template = Template(BARE)
    rows = queryset[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]

    def render():
        values = [[getattr(obj, f) for f in fields] for obj in rows.all()]
        return template.render(Context({"rows": values}))

    return render


def part_pages(vendors: int) -> list[dict]:
    from django.test import Client

    from assessments.models import Assessment
    from contracts.models import ProtectionContract
    from vendors.models import Vendor

    client = Client()
    client.force_login(bench_user())
    pages = [
        (
            "Vendor list (approved, high risk, by name)",
            "/vendors/?status=approved&risk_tier=high&ordering=name",
            "/admin/vendors/vendor/?status__exact=approved&risk_tier__exact=high&o=1",
            floor(
                Vendor.objects.filter(status="approved", risk_tier="high")
                .select_related("owner")
                .order_by("name", "pk"),
                ["name", "kind", "status", "risk_tier", "country", "owner"],
            ),
        ),
        (
            "Contract list (active entrustment, by notice deadline)",
            "/contracts/?status=active&kind=entrustment&ordering=deadline",
            "/admin/contracts/protectioncontract/?status__exact=active&kind__exact=entrustment&o=8",
            floor(
                ProtectionContract.objects.filter(status="active", kind="entrustment")
                .select_related("vendor", "owner")
                .order_by("decision_on", "pk"),
                ["reference", "title", "vendor", "kind", "status", "ends_on", "decision_on", "owner"],
            ),
        ),
        (
            "Assessment list (approved, pass, by validity)",
            "/assessments/?status=approved&result=pass&ordering=valid_until",
            "/admin/assessments/assessment/?status__exact=approved&result__exact=pass&o=9",
            floor(
                Assessment.objects.filter(status="approved", result="pass")
                .select_related("vendor", "standard")
                .order_by("valid_until", "pk"),
                ["vendor", "standard", "kind", "status", "result", "score", "valid_until"],
            ),
        ),
    ]
    results = []
    for name, path, admin_path, render in pages:
        ours, admin, bare = time_request(client, path), time_request(client, admin_path), time_calls(render)
        results += [
            measurement(f"{name}: median", ours["median"], "ms", "Django admin changelist", admin["median"]),
            measurement(
                f"{name}: median vs floor",
                ours["median"],
                "ms",
                "one ORM query + bare template",
                bare["median"],
            ),
            measurement(f"{name}: p95", ours["p95"], "ms", "Django admin changelist p95", admin["p95"]),
            measurement(
                f"{name}: queries", ours["queries"], "queries", "Django admin changelist", admin["queries"]
            ),
        ]
    from core.audit import audited_models

    history = (
        audited_models()["vendors.vendor"]
        .history.model.objects.select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    columns = ["history_date", "history_user", "history_type", "name", "history_change_reason"]
    one_table = "one history table, one query + bare template"
    for name, path, reference_name, reference in [
        ("Audit trail, first page", "/audit/", one_table, time_calls(floor(history, columns))),
        # The floor of a deep page reads as deep (OFFSET 9,950), as the page itself must.
        (
            "Audit trail, page 200",
            "/audit/?page=200",
            one_table,
            time_calls(floor(history, columns, page=200)),
        ),
        ("Dashboard (procurement and compliance panels)", "/", None, None),
    ]:
        ours = time_request(client, path)
        results += [
            measurement(
                f"{name}: median", ours["median"], "ms", reference_name, reference and reference["median"]
            ),
            measurement(f"{name}: p95", ours["p95"], "ms", None, None),
            measurement(f"{name}: queries", ours["queries"], "queries", None, None),
        ]
    return results


def part_reminders(vendors: int) -> list[dict]:
    """A reminder run a day after the previous one (that one is replayed first, inside the transaction)."""
    from django.conf import settings
    from django.core import mail
    from django.db import transaction
    from django.db.models import OuterRef, Q
    from django.test.utils import override_settings

    from contracts.models import ProtectionContract
    from contracts.services import NOTICE_REMINDER
    from core.reminders import not_fully_sent, reminder_sources, run_reminders

    today = date.fromisoformat(DATA_TODAY)  # the day the data set was generated for
    # The contracts due_notice_reminders yields, counted with its own query per threshold: the contracts
    # whose decision date is in the threshold's window and whose reminder at that threshold has not gone
    # out. (OR-ed into one query they took 2 s on 30,000 contracts: PostgreSQL scans the whole reminder log
    # per threshold.)
    thresholds = sorted(set(settings.CONTRACT_REMINDER_DAYS), reverse=True)
    due = []
    for index, threshold in enumerate(thresholds):
        window = Q(decision_on__lte=today + timedelta(days=threshold))
        if index + 1 < len(thresholds):
            window &= Q(decision_on__gt=today + timedelta(days=thresholds[index + 1]))
        unsent = not_fully_sent(NOTICE_REMINDER, ProtectionContract, threshold, OuterRef("decision_on"))
        due.append(ProtectionContract.objects.filter(window, unsent, status=ProtectionContract.Status.ACTIVE))
    contracts = ProtectionContract.objects.count()
    sources = reminder_sources().values()
    times, queries, emails = [], 0, 0
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        transaction.atomic(),
    ):
        run_reminders(today=today - timedelta(days=1))  # yesterday's run: what was due then is sent
        for _ in range(5):
            savepoint = transaction.savepoint()
            mail.outbox = []
            with QueryCounter() as counter:
                start = time.perf_counter()
                results = run_reminders(today=today)
                times.append((time.perf_counter() - start) * 1000)
            queries, emails = counter.count, len(mail.outbox)
            transaction.savepoint_rollback(savepoint)
        # The state the run began in: what is due, counted (the floor) and found by every source (the part
        # of the run that reads the register; the rest is per email: render, claim, send, mark sent).
        floor_times, due_count = timed(lambda: sum(q.count() for q in due), 5)
        with QueryCounter() as finding_counter:
            finding_times, _found = timed(lambda: [list(source(today)) for source in sources], 5)
        transaction.set_rollback(True)
    run_ms, floor_ms = statistics.median(times), statistics.median(floor_times)
    finding_ms = statistics.median(finding_times)
    label = f"Reminder run, {contracts:,} contracts ({due_count:,} due, {emails:,} emails)"
    floor_name = f"counting the due contracts ({len(due)} queries, one per threshold)"
    return [
        measurement(f"{label}: time", round(run_ms, 1), "ms", floor_name, round(floor_ms, 1)),
        measurement(f"{label}: queries", queries, "queries", None, None),
        measurement(
            f"{label}: finding what is due (every kind, nothing sent)",
            round(finding_ms, 1),
            "ms",
            floor_name,
            round(floor_ms, 1),
        ),
        measurement(
            f"{label}: finding what is due, queries", finding_counter.count // 5, "queries", None, None
        ),
        {"name": f"_sent {vendors}", "value": sum(r.sent for r in results.values()), "unit": "emails"},
    ]


def part_export(vendors: int) -> list[dict]:
    """Runs in its own process: peak RSS is this process's, and the baseline is measured before."""
    from openpyxl import Workbook

    from core.excel import write_register
    from vendors.registers import vendor_register
    from vendors.views import VendorListView

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    view = VendorListView()

    def export() -> int:
        columns, rows = vendor_register(view.get_queryset())  # part of the export: its parent chains' query
        with tempfile.TemporaryFile() as file:
            return write_register(file, title="vendors", columns=columns, rows=rows)

    # Medians of EXPORT_RUNS (this machine's timings vary by a third from one run to the next). Every export
    # runs before the floor holds its cells in memory, so the peak RSS is the exports' own.
    export_times, count = timed(export, EXPORT_RUNS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The floor for the format: the same cells, already in memory, dumped by openpyxl write-only.
    columns, rows = vendor_register(view.get_queryset())
    values = [[_plain(c.value(row)) for c in columns] for row in rows]

    def dump() -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in values:
            sheet.append(row)
        with tempfile.TemporaryFile() as file:
            workbook.save(file)

    dump_times, _nothing = timed(dump, EXPORT_RUNS)
    export_s, dump_s = statistics.median(export_times) / 1000, statistics.median(dump_times) / 1000
    label = f"Vendor register export, {count:,} rows x {len(columns)} columns"
    return [
        measurement(
            f"{label}: time",
            round(export_s, 2),
            "s",
            "bare openpyxl write-only dump of the same cells",
            round(dump_s, 2),
        ),
        measurement(
            f"{label}: peak RSS", round(peak, 1), "MB", "process before the export", round(baseline, 1)
        ),
    ]


def _plain(value):
    """A cell value as openpyxl takes it (what core.excel writes, minus its formatting)."""
    from datetime import datetime

    from django.utils import timezone
    from django.utils.encoding import force_str

    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, int | float | date):
        return value
    return force_str(value)


def part_imports(vendors: int) -> list[dict]:
    from django.db import transaction
    from openpyxl import load_workbook
    from questionnaire import answered, prepare_in_current_database

    from assessments.excel import questionnaire_workbook, read_questionnaire
    from vendors.importing import COLUMN_BY_KEY, import_template_workbook, vendor_import
    from vendors.validators import corporate_number_check_digit

    results = []
    with transaction.atomic():
        assessment = prepare_in_current_database()
        filled = answered(questionnaire_workbook(assessment), assessment)
        times, _answers = timed(lambda: read_questionnaire(assessment=assessment, file=io.BytesIO(filled)), 5)
        results.append(
            measurement(
                "Questionnaire import, 300 criteria: time",
                round(statistics.median(times), 1),
                "ms",
                None,
                None,
            )
        )

        workbook = load_workbook(io.BytesIO(import_template_workbook()))
        sheet = workbook["Vendors"]
        position = {cell.value: cell.column for cell in sheet[1]}
        header = {key: column.header for key, column in COLUMN_BY_KEY.items()}
        for n in range(5_000):
            base = f"{800_000_000_000 + n:012d}"
            number = str(corporate_number_check_digit(base)) + base
            row = {"name": f"Bench Import {n:05d} K.K.", "corporate_number": number, "country": "JP"}
            for key, value in row.items():
                sheet.cell(n + 2, position[header[key]], value)
        buffer = io.BytesIO()
        workbook.save(buffer)
        buffer.name = "bench-vendors.xlsx"
        start = time.perf_counter()
        result = vendor_import(file=buffer, user=bench_user(), dry_run=False)
        seconds = time.perf_counter() - start
        assert len(result.created) == 5_000
        results.append(measurement("Vendor import, 5,000 rows: time", round(seconds, 2), "s", None, None))
        transaction.set_rollback(True)
    return results


def measurement(name, value, unit, reference_name, reference_value) -> dict:
    ratio = round(value / reference_value, 2) if reference_value else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "reference_name": reference_name,
        "reference_value": reference_value,
        "ratio": ratio,
    }


ALL_PARTS = "pages,reminders,export,imports"
PARTS = {"pages": part_pages, "reminders": part_reminders, "export": part_export, "imports": part_imports}


def child(part: str, vendors: int) -> None:
    setup_django(database_url(vendors))
    print(json.dumps(PARTS[part](vendors)))


# --- orchestration --------------------------------------------------------------------------------------


def run_part(part: str, vendors: int) -> list[dict]:
    """One part in its own process; a part that fails is reported and left out, the others still run."""
    print(f"… {part} on {vendors:,} vendors", flush=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", part, "--vendors", str(vendors)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        print(f"!! {part} on {vendors:,} vendors failed:\n{done.stderr[-2000:]}", flush=True)
        return []
    return [m for m in json.loads(done.stdout.strip().splitlines()[-1]) if not m["name"].startswith("_")]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB, {system}"


def markdown(results: list[dict]) -> str:
    lines = ["| Measurement | Value | Reference | Reference value | Ratio |", "|---|---:|---|---:|---:|"]
    for r in results:
        reference = r["reference_name"] or "—"
        reference_value = f"{r['reference_value']} {r['unit']}" if r["reference_value"] is not None else "—"
        ratio = f"{r['ratio']}×" if r["ratio"] is not None else "—"
        lines.append(
            f"| {r['name']} | {r['value']} {r['unit']} | {reference} | {reference_value} | {ratio} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", choices=sorted(PARTS))
    parser.add_argument("--vendors", type=int, default=SMALL)
    parser.add_argument("--parts", default=ALL_PARTS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.vendors)
        return
    parts = args.parts.split(",")
    plan = [
        ("pages", SMALL),
        ("reminders", SMALL),
        ("reminders", MEDIUM),
        ("export", SMALL),
        ("export", LARGE),
        ("imports", SMALL),
    ]
    plan = [(part, size) for part, size in plan if part in parts]
    for size in sorted({size for _part, size in plan}):
        ensure_database(size)
    results = [m for part, size in plan for m in run_part(part, size)]
    if args.parts != ALL_PARTS:  # a partial run updates its own figures and keeps the others
        previous = ROOT / "bench" / "results.json"
        kept = json.loads(previous.read_text()) if previous.exists() else []
        names = {m["name"] for m in results}
        results = [m for m in kept if m["name"] not in names] + results
    table = markdown(results)
    header = f"Measured {date.today().isoformat()} on {machine()}; PostgreSQL on loopback; "
    header += f"{RUNS} requests per page."
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (ROOT / "bench" / "RESULTS.md").write_text(f"# Benchmark results\n\n{header}\n\n{table}\n")
    print(f"\n{header}\n\n{table}")


if __name__ == "__main__":
    main()
