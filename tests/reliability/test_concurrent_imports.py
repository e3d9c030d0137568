"""Two uploads of a workbook at the same moment: vendors are created by exactly one import, and an
assessment's answers come from exactly one questionnaire, never a mix of both files.
"""

import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from assessments import services as assessment_services
from assessments.models import Answer
from assessments.services import assessment_create, assessment_import_questionnaire
from core.roles import PROCUREMENT
from vendors import importing
from vendors import services as vendor_services
from vendors.importing import VendorImportInvalid, vendor_import
from vendors.models import Vendor

from ..assessments.test_excel import as_upload, codes_of, download, fill
from ..factories import UserFactory, VendorFactory
from ..vendors.test_import import upload, vendor_row
from .together import current_job, run_together

pytestmark = [
    pytest.mark.postgresql("SQLite has one writer at a time: two imports cannot overlap"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

JOBS = ("first", "second")


@pytest.fixture
def importers():
    return {name: UserFactory(username=f"importer-{name}", roles=[PROCUREMENT]) for name in JOBS}


# --- the vendor workbook ------------------------------------------------------------------------------------

ROWS = [
    vendor_row(1),
    vendor_row(2),
    vendor_row(3, kind="subcontractor", parent="Import Vendor 2 K.K."),  # re-entrusted by the vendor on row 3
]


def hold_the_first_import_open_until_the_second_saves(monkeypatch):
    """The first import has saved its first vendor, uncommitted, when the second one saves the same
    corporate number: the second one's check sees nothing, its insert waits for the first to commit."""
    second_saving = threading.Event()
    save = vendor_services.vendor_save
    held = []

    def vendor_save(**kwargs):
        if current_job() == "second":
            second_saving.set()
            return save(**kwargs)
        saved = save(**kwargs)
        if not held:
            held.append(second_saving.wait(timeout=60))
            time.sleep(1)  # the second import's insert is now waiting on the unique index
        return saved

    monkeypatch.setattr(vendor_services, "vendor_save", vendor_save)


def let_the_second_import_save_only_after_the_first_committed(monkeypatch, first_done: threading.Event):
    """The second import read the file (nothing in the register yet), then the first committed."""
    read = importing.read_vendor_workbook

    def read_vendor_workbook(**kwargs):
        planned = read(**kwargs)
        if current_job() == "second":
            assert first_done.wait(timeout=60)
        return planned

    monkeypatch.setattr(importing, "read_vendor_workbook", read_vendor_workbook)


TIMINGS = pytest.mark.parametrize(
    "timing",
    ["released-together", "second-inserts-while-first-uncommitted", "second-saves-after-first-committed"],
)


def import_together(importers, monkeypatch, timing) -> dict:
    first_done = threading.Event()
    if timing == "second-inserts-while-first-uncommitted":
        hold_the_first_import_open_until_the_second_saves(monkeypatch)
    elif timing == "second-saves-after-first-committed":
        let_the_second_import_save_only_after_the_first_committed(monkeypatch, first_done)

    def job(name):
        try:
            return vendor_import(file=upload(ROWS, name=f"{name}.xlsx"), user=importers[name])
        finally:
            if name == "first":
                first_done.set()

    return run_together({name: (lambda name=name: job(name)) for name in JOBS})


@TIMINGS
def test_two_imports_of_one_workbook_at_once_create_the_vendors_exactly_once(importers, monkeypatch, timing):
    outcomes = import_together(importers, monkeypatch, timing)

    assert sorted(outcome.ok for outcome in outcomes.values()) == [False, True], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome.ok)
    assert outcomes[winner].value.count == len(ROWS)
    assert Vendor.objects.count() == len(ROWS)
    assert Counter(Vendor.objects.values_list("corporate_number", flat=True)) == Counter(
        row["corporate_number"] for row in ROWS
    )
    assert set(Vendor.objects.values_list("owner__username", flat=True)) == {f"importer-{winner}"}
    history_users = Vendor.history.values_list("history_user__username", flat=True)
    assert set(history_users) == {f"importer-{winner}"}  # the refused import left no version behind
    subcontractor = Vendor.objects.get(kind=Vendor.Kind.SUBCONTRACTOR)
    assert subcontractor.parent.name == "Import Vendor 2 K.K."


@TIMINGS
def test_the_refused_import_says_the_corporate_numbers_are_already_registered(importers, monkeypatch, timing):
    outcomes = import_together(importers, monkeypatch, timing)

    [refused] = [outcome.error for outcome in outcomes.values() if not outcome.ok]
    assert isinstance(refused, VendorImportInvalid), repr(refused)
    assert refused.problems
    for problem in refused.problems:
        assert problem.row in (2, 3, 4)
        assert "corporate number" in problem.reason, refused.messages
    if timing != "second-saves-after-first-committed" and not any(
        "in the register already has" in problem.reason for problem in refused.problems
    ):
        # Refused while saving: the first vendor it could not save is named, and nothing else is tried.
        assert [(p.row, p.reason) for p in refused.problems] == [
            (2, "Another vendor already has this corporate number.")
        ]


# --- the questionnaire --------------------------------------------------------------------------------------


@pytest.fixture
def assessment(importers):
    return assessment_create(vendor=VendorFactory(name="Kumo Data K.K."), user=importers["first"])


def questionnaire(assessment, response: str, comment: str, name: str):
    """The downloaded questionnaire with every row answered `response` / `comment`."""
    workbook = fill(download(assessment), dict.fromkeys(codes_of(assessment), (response, comment)))
    return as_upload(workbook, name=name)


FILES = {"first": ("Yes", "As in file A.", "a.xlsx"), "second": ("No", "As in file B.", "b.xlsx")}
STORED = {"first": ("yes", "As in file A."), "second": ("no", "As in file B.")}


def hold_the_lock_of_whoever_saves_first(monkeypatch):
    save = assessment_services.save_with_history
    held = []

    def save_with_history(instance, **kwargs):
        if not held:
            held.append(current_job())
            time.sleep(1)  # the assessment row is locked: the other upload waits for the commit
        return save(instance, **kwargs)

    monkeypatch.setattr(assessment_services, "save_with_history", save_with_history)


@pytest.mark.parametrize("hold", [False, True], ids=["released-together", "second-waits-for-the-lock"])
def test_two_questionnaires_uploaded_at_once_leave_the_answers_of_exactly_one_file(
    assessment, importers, monkeypatch, hold
):
    if hold:
        hold_the_lock_of_whoever_saves_first(monkeypatch)
    uploads = {name: questionnaire(assessment, *FILES[name]) for name in JOBS}
    outcomes = run_together(
        {
            name: (
                lambda name=name: assessment_import_questionnaire(
                    assessment=assessment, user=importers[name], file=uploads[name]
                )
            )
            for name in JOBS
        }
    )

    # Both workbooks were downloaded before either import: the one that takes the lock first is imported,
    # the other then finds answers changed by someone else since its download and is refused as a whole.
    [imported] = [name for name, outcome in outcomes.items() if outcome.ok]
    [refused] = [name for name in JOBS if name != imported]
    assert isinstance(outcomes[refused].error, ValidationError)
    assert f"changed by {importers[imported].username} at" in outcomes[refused].error.messages[0]
    answers = list(Answer.objects.filter(assessment=assessment))
    assert {(answer.response, answer.comment) for answer in answers} == {STORED[imported]}
    assert (outcomes[imported].value.new, outcomes[imported].value.changed) == (len(answers), 0)
    for answer in answers:
        latest = answer.history.order_by("-history_id").first()
        assert latest.history_change_reason == f"Imported from {FILES[imported][2]}."
        assert latest.history_user == importers[imported]
