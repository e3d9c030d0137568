"""Benchmark of the questionnaire workbook: export and import of a 300-criterion assessment.

Run from the project root:  .venv/bin/python bench/questionnaire.py

Uses its own SQLite database (/tmp/bench-questionnaire.sqlite3, recreated on every run), never the
project's. Prints a Markdown table of the median of 5 runs of each step. Not a test. Its assessment and
answered workbook are also those `make bench` times the import of, on PostgreSQL (bench/run.py, imports).
"""

import io
import statistics
import time
from pathlib import Path

from harness import setup_django, timed

DATABASE = Path("/tmp/bench-questionnaire.sqlite3")
CRITERIA = 300
RUNS = 5


def prepare():
    from django.core.management import call_command

    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    return prepare_in_current_database()


def prepare_in_current_database():
    """A published 300-criterion standard and a vendor's assessment against it, in the current database."""
    from django.utils import timezone

    from assessments.models import Category, Criterion, Standard
    from assessments.services import assessment_create
    from vendors.models import Vendor

    standard = Standard.objects.create(name=f"Benchmark standard {time.time_ns()}", version=1)
    categories = list(Category.values)
    Criterion.objects.bulk_create(
        Criterion(
            standard=standard,
            code=f"BEN-{n:03d}",
            category=categories[n % len(categories)],
            question_en=f"Question {n}: does the vendor keep the control described in section {n} in place, "
            "documented, reviewed at least once a year and evidenced by records shown on request?",
            question_ja=f"質問{n}：第{n}項に定める管理策を実施し、文書化し、少なくとも年1回見直し、"
            "求めに応じて提示できる記録により証明していますか。",
            guidance="Attach the relevant policy, procedure or record." if n % 3 == 0 else "",
            is_critical=n % 10 == 0,
            evidence_required=n % 3 == 0,
            weight=1 + n % 5,
            position=n,
        )
        for n in range(1, CRITERIA + 1)
    )
    Standard.objects.filter(pk=standard.pk).update(
        status=Standard.Status.PUBLISHED, published_on=timezone.localdate()
    )
    standard.refresh_from_db()
    vendor = Vendor.objects.create(name="Benchmark Vendor K.K.", country="JP")
    return assessment_create(vendor=vendor, user=None, standard=standard)


def answered(workbook_bytes: bytes, assessment) -> bytes:
    """The exported workbook with every question answered (English and Japanese labels) and commented."""
    import openpyxl

    critical = set(assessment.standard.criteria.filter(is_critical=True).values_list("code", flat=True))
    labels = ["Yes", "一部", "No", "該当なし", "はい", "Partially"]
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    ws = workbook["Questionnaire"]
    for row in range(2, ws.max_row + 1):
        code = ws.cell(row, 1).value
        label = labels[row % len(labels)]
        if code in critical and label == "該当なし":
            label = "いいえ"
        ws.cell(row, 8).value = label
        ws.cell(
            row, 9
        ).value = f"Comment for {code}: see the attached procedure, section {row}. 詳細は添付資料参照。"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    setup_django(f"sqlite:///{DATABASE}")
    import openpyxl

    from assessments.excel import questionnaire_workbook, read_questionnaire

    assessment = prepare()
    rows = assessment.answers.count()

    export_times, exported = timed(lambda: questionnaire_workbook(assessment), RUNS)
    filled = answered(exported, assessment)
    import_times, answers = timed(
        lambda: read_questionnaire(assessment=assessment, file=io.BytesIO(filled)), RUNS
    )
    assert len(answers) == rows and all(response for response, _comment in answers.values()), answers

    print(f"Questionnaire workbook, {rows} criteria, median of {RUNS} runs (openpyxl {openpyxl.__version__})")
    print()
    print("| Step | Median (ms) | Min (ms) | Max (ms) | Workbook |")
    print("|---|---:|---:|---:|---:|")
    for step, times, size in (
        ("Export (`questionnaire_workbook`)", export_times, len(exported)),
        ("Import (`read_questionnaire`, all answered)", import_times, len(filled)),
    ):
        print(
            f"| {step} | {statistics.median(times):.1f} | {min(times):.1f} | {max(times):.1f} "
            f"| {size / 1024:.1f} KiB |"
        )


if __name__ == "__main__":
    main()
