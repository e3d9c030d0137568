"""A database error in the middle of an import: nothing of the file is saved, and the same file imports
cleanly once the database is back.

The error comes on the k-th vendor (vendor_import) or the k-th answer (the questionnaire import): raised by
the service as the driver would (OperationalError), and on PostgreSQL also a real one, a statement
cancelled by statement_timeout, after which the transaction can do nothing but roll back.
"""

import pytest
from django.db import OperationalError, connection

from assessments import services as assessment_services
from assessments.models import Answer, Assessment
from assessments.services import answer_save, assessment_create, assessment_import_questionnaire
from core.roles import PROCUREMENT
from vendors import services as vendor_services
from vendors.importing import vendor_import
from vendors.models import Vendor

from ..assessments.test_excel import as_upload, codes_of, download, fill
from ..factories import DataCategoryFactory, UserFactory, VendorFactory
from ..vendors.test_import import upload, vendor_row

pytestmark = pytest.mark.django_db

HOW = pytest.mark.parametrize(
    "how",
    [
        "raised",
        pytest.param(
            "statement-timeout",
            marks=pytest.mark.postgresql("statement_timeout is a PostgreSQL setting"),
        ),
    ],
)


def database_error(how: str):
    if how == "raised":
        raise OperationalError("server closed the connection unexpectedly")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(5)")  # cancelled by the server: QueryCanceled, an OperationalError
    raise AssertionError("the statement was not cancelled")


def failing_on(monkeypatch, module, name: str, k: int, how: str, counts=lambda *args, **kwargs: True):
    """`module.name` fails on its k-th call among those `counts` accepts."""
    original = getattr(module, name)
    calls = []

    def failing(*args, **kwargs):
        if counts(*args, **kwargs):
            calls.append(1)
            if len(calls) == k:
                database_error(how)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)
    return lambda: monkeypatch.setattr(module, name, original)


@pytest.fixture
def importer():
    return UserFactory(username="importer", roles=[PROCUREMENT])


# --- vendors ------------------------------------------------------------------------------------------------


@pytest.fixture
def rows():
    DataCategoryFactory(code="payroll")
    return [
        vendor_row(1, data_categories="payroll"),
        vendor_row(2),
        vendor_row(3, kind="subcontractor", parent="Import Vendor 2 K.K."),
        vendor_row(4),
    ]


@HOW
@pytest.mark.parametrize("k", [1, 3, 4], ids=["first-row", "subcontractor-row", "last-row"])
def test_a_database_error_on_a_vendor_row_saves_no_vendor_of_the_file(importer, rows, monkeypatch, how, k):
    before = Vendor.objects.count(), Vendor.history.count(), Vendor.data_categories.through.objects.count()
    database_back = failing_on(monkeypatch, vendor_services, "vendor_save", k, how)

    with pytest.raises(OperationalError):
        vendor_import(file=upload(rows), user=importer)

    after = Vendor.objects.count(), Vendor.history.count(), Vendor.data_categories.through.objects.count()
    assert after == before
    database_back()
    assert vendor_import(file=upload(rows), user=importer).count == len(rows)
    assert Vendor.objects.count() == before[0] + len(rows)


# --- the questionnaire --------------------------------------------------------------------------------------


@pytest.fixture
def assessment(importer):
    """A draft whose first answer is already given (by hand, before the upload)."""
    assessment = assessment_create(vendor=VendorFactory(), user=importer)
    first = assessment.answers.select_related("criterion").order_by("criterion__position").first()
    first.response, first.comment = Answer.Response.PARTIAL, "Typed in by hand."
    answer_save(answer=first, user=importer)
    return Assessment.objects.get(pk=assessment.pk)


def answers_of(assessment) -> dict:
    return {
        answer.criterion.code: (answer.response, answer.comment)
        for answer in assessment.answers.select_related("criterion")
    }


@HOW
@pytest.mark.parametrize("k", [1, 2, "last"])
def test_a_database_error_on_an_answer_saves_no_answer_of_the_file(assessment, importer, monkeypatch, how, k):
    codes = codes_of(assessment)
    filled = dict.fromkeys(codes, ("No", "From the vendor's file."))

    def questionnaire():
        return as_upload(fill(download(assessment), filled), name="vendor-answers.xlsx")

    before = answers_of(assessment), Answer.history.filter(assessment_id=assessment.pk).count()
    k = len(codes) if k == "last" else k
    database_back = failing_on(
        monkeypatch,
        assessment_services,
        "save_with_history",
        k,
        how,
        counts=lambda instance, **kwargs: isinstance(instance, Answer),
    )

    with pytest.raises(OperationalError):
        assessment_import_questionnaire(assessment=assessment, user=importer, file=questionnaire())

    assert (answers_of(assessment), Answer.history.filter(assessment_id=assessment.pk).count()) == before
    database_back()
    result = assessment_import_questionnaire(assessment=assessment, user=importer, file=questionnaire())
    assert (result.new, result.changed) == (len(codes) - 1, 1)
    assert set(answers_of(assessment).values()) == {("no", "From the vendor's file.")}
