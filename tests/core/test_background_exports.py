"""Large Excel registers: above EXPORT_INLINE_MAX_ROWS the export is queued, a worker writes exactly the
workbook the synchronous download would have been, the user follows its progress and downloads it; the
worker and the download check the user's access again, and a second run of the task does nothing."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from config import celery_app
from core import excel, exports
from core.excel import write_register
from core.models import RegisterExport
from core.roles import COMPLIANCE, VIEWER
from core.tasks import build_register_export
from vendors.models import Vendor
from vendors.views import VendorListView

from ..factories import UserFactory, VendorFactory
from .test_registers import XLSX, export, headers, rows

URL = "/vendors/export.xlsx"
Status = RegisterExport.Status


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def three_rows_at_most_inline(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3


@pytest.fixture
def vendors(db):
    """Five approved vendors (over the limit) and two drafts the filter leaves out."""
    approved = [VendorFactory(status=Vendor.Status.APPROVED) for _ in range(5)]
    VendorFactory.create_batch(2, status=Vendor.Status.DRAFT)
    return approved


def queue(client, params=None, **extra) -> RegisterExport:
    """Ask for an export too large to stream: the answer is a redirect to its progress page."""
    response = client.get(URL, {"status": "approved"} if params is None else params, **extra)
    assert response.status_code == 302, response.status_code
    export = RegisterExport.objects.latest("pk")
    assert response["Location"] == f"/exports/{export.pk}/"
    return export


def sheet_of(export: RegisterExport):
    with export.file.open("rb") as file:
        workbook = load_workbook(BytesIO(file.read()))
    assert len(workbook.worksheets) == 1
    return workbook.active


def test_an_export_over_the_limit_is_queued_after_the_commit_and_the_user_sent_to_its_progress_page(
    viewer_client, viewer_user, vendors, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(build_register_export, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        export = queue(viewer_client, {"status": "approved", "ordering": "-name"})

    assert queued == [export.pk]
    assert (export.user, export.register_name, export.path) == (viewer_user, "vendors", URL)
    assert export.query == "status=approved&ordering=-name"
    assert (export.status, export.rows_written, export.file.name) == (Status.QUEUED, 0, "")
    page = viewer_client.get(f"/exports/{export.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in text
    assert "status = approved" in text and "ordering = -name" in text
    assert not re.findall(r"<script(?![^>]*\bsrc=)", text)  # no inline script: the CSP forbids it
    assert "/download/" not in text


def test_an_export_that_cannot_be_queued_says_so_on_its_progress_page(
    viewer_client, vendors, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(export_id):
        raise OSError("Connection refused")

    monkeypatch.setattr(build_register_export, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        exported = queue(viewer_client)

    exported.refresh_from_db()
    assert (exported.status, exported.error) == (Status.FAILED, "Could not be queued: Connection refused")


def test_a_small_export_still_streams_in_the_response(viewer_client, vendors):
    ws = export(viewer_client, URL, {"status": "draft"})

    assert len(rows(ws)) == 2
    assert not RegisterExport.objects.exists()


def test_the_worker_writes_exactly_the_rows_and_columns_of_the_synchronous_export(
    viewer_client, vendors, settings
):
    exported = queue(viewer_client, {"status": "approved", "ordering": "-name"})

    assert build_register_export(exported.pk) is True

    exported.refresh_from_db()
    assert exported.status == Status.DONE
    assert (exported.rows_total, exported.rows_written, exported.percent) == (5, 5, 100)
    assert exported.filename == f"vendors-{timezone.localdate().isoformat()}.xlsx"
    background = sheet_of(exported)
    settings.EXPORT_INLINE_MAX_ROWS = 1000
    synchronous = export(viewer_client, URL, {"status": "approved", "ordering": "-name"})
    assert background.title == synchronous.title == "vendors"
    assert headers(background) == headers(synchronous)
    assert rows(background) == rows(synchronous)
    assert [row[0] for row in rows(background)] == sorted((v.name for v in vendors), reverse=True)
    assert background.auto_filter.ref == synchronous.auto_filter.ref


def test_a_reference_register_is_rebuilt_with_its_view_arguments(viewer_client, settings):
    response = viewer_client.get("/transfers/countries/export.xlsx", {"ordering": "code"})
    assert response.status_code == 302
    exported = RegisterExport.objects.get()
    assert exported.register_name == "countries"

    build_register_export(exported.pk)

    exported.refresh_from_db()
    assert exported.status == Status.DONE, exported.error
    settings.EXPORT_INLINE_MAX_ROWS = 10_000
    synchronous = export(viewer_client, "/transfers/countries/export.xlsx", {"ordering": "code"})
    background = sheet_of(exported)
    assert background.title == "countries"
    assert (headers(background), rows(background)) == (headers(synchronous), rows(synchronous))
    assert len(rows(background)) > 3


def test_the_worker_writes_in_the_language_of_the_request(viewer_client, vendors):
    exported = queue(viewer_client, HTTP_ACCEPT_LANGUAGE="ja")

    build_register_export(exported.pk)

    exported.refresh_from_db()
    assert exported.language == "ja"
    assert headers(sheet_of(exported))[0] == "名称"


def test_progress_is_visible_while_the_rows_are_written(viewer_client, vendors, monkeypatch):
    exported = queue(viewer_client)
    monkeypatch.setattr(excel, "PROGRESS_EVERY", 2)
    seen = []

    def spy(*args, progress, **kwargs):
        def recording(rows_written):
            progress(rows_written)
            seen.append(RegisterExport.objects.values_list("status", "rows_written", "rows_total").get())

        return write_register(*args, progress=recording, **kwargs)

    monkeypatch.setattr(exports, "write_register", spy)

    build_register_export(exported.pk)

    assert seen == [(Status.RUNNING, 2, 5), (Status.RUNNING, 4, 5)]
    assert RegisterExport.objects.values_list("status", "rows_written", "rows_total").get() == (
        Status.DONE,
        5,
        5,
    )


def test_write_register_reports_progress_every_500_rows():
    reports = []
    count = write_register(
        BytesIO(), title="t", columns=[excel.Column("n", str)], rows=range(1200), progress=reports.append
    )
    assert count == 1200
    assert reports == [500, 1000]


def test_the_finished_export_shows_a_download_link_and_no_longer_refreshes(viewer_client, vendors):
    exported = queue(viewer_client)
    build_register_export(exported.pk)

    text = viewer_client.get(f"/exports/{exported.pk}/").content.decode()

    assert f'href="/exports/{exported.pk}/download/"' in text
    assert "http-equiv" not in text
    assert re.search(r'<progress [^>]*value="100"', text)
    assert "5 of 5 rows written" in text
    assert 'href="/vendors/?status=approved"' in text  # back to the list, with the same filter


def test_the_owner_downloads_the_workbook_as_an_attachment(viewer_client, vendors):
    exported = queue(viewer_client)
    build_register_export(exported.pk)
    exported.refresh_from_db()

    response = viewer_client.get(f"/exports/{exported.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{exported.filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert len(rows(ws)) == 5


def test_another_user_finds_neither_the_progress_page_nor_the_download_but_a_superuser_does(
    viewer_client, vendors, client_as
):
    exported = queue(viewer_client)
    build_register_export(exported.pk)

    other = client_as("compliance")
    assert other.get(f"/exports/{exported.pk}/").status_code == 404
    assert other.get(f"/exports/{exported.pk}/download/").status_code == 404
    admin = client_as("superuser")
    assert admin.get(f"/exports/{exported.pk}/").status_code == 200
    assert admin.get(f"/exports/{exported.pk}/download/").status_code == 200


def test_an_unfinished_export_has_no_download(viewer_client, vendors):
    exported = queue(viewer_client)
    assert viewer_client.get(f"/exports/{exported.pk}/download/").status_code == 404


def test_the_worker_checks_access_again_and_fails_the_export_of_a_user_whose_role_was_removed(
    client, vendors
):
    user = UserFactory(username="leaver", roles=[VIEWER])
    client.force_login(user)
    exported = queue(client)
    user.groups.clear()

    assert build_register_export(exported.pk) is True

    exported.refresh_from_db()
    assert exported.status == Status.FAILED
    assert "Permission denied" in exported.error
    assert exported.file.name == "" and exported.finished_at is not None
    assert not (exported.file.storage.exists("exports") and exported.file.storage.listdir("exports")[1])


def test_the_download_checks_access_again(client, vendors):
    user = UserFactory(username="leaver", roles=[VIEWER])
    client.force_login(user)
    exported = queue(client)
    build_register_export(exported.pk)
    user.groups.clear()

    assert client.get(f"/exports/{exported.pk}/download/").status_code == 403


def test_the_download_is_refused_once_the_list_is_closed_to_the_user_though_the_progress_page_is_not(
    viewer_client, vendors, monkeypatch
):
    exported = queue(viewer_client)
    build_register_export(exported.pk)
    monkeypatch.setattr(VendorListView, "roles", (COMPLIANCE,))  # the list is no longer open to viewers

    assert viewer_client.get(f"/exports/{exported.pk}/").status_code == 200
    assert viewer_client.get(f"/exports/{exported.pk}/download/").status_code == 403


def test_an_error_while_writing_fails_the_export_with_its_text(viewer_client, vendors, monkeypatch):
    exported = queue(viewer_client)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "write_register", broken)
    build_register_export(exported.pk)

    exported.refresh_from_db()
    assert (exported.status, exported.error) == (Status.FAILED, "disk full")
    text = viewer_client.get(f"/exports/{exported.pk}/").content.decode()
    assert "The export failed." in text and "disk full" in text and "http-equiv" not in text


def test_running_the_task_twice_does_nothing_the_second_time(viewer_client, vendors):
    exported = queue(viewer_client)
    assert build_register_export(exported.pk) is True
    first = RegisterExport.objects.get()

    assert build_register_export(exported.pk) is False

    again = RegisterExport.objects.get()
    assert (again.status, again.file.name, again.finished_at) == (
        Status.DONE,
        first.file.name,
        first.finished_at,
    )
    assert first.file.storage.listdir("exports")[1] == [first.file.name.split("/")[-1]]


def test_an_export_another_worker_is_writing_is_skipped_unless_that_worker_went_silent(
    viewer_client, vendors, settings
):
    exported = queue(viewer_client)
    now = timezone.now()
    RegisterExport.objects.update(status=Status.RUNNING, started_at=now, heartbeat_at=now)

    assert build_register_export(exported.pk) is False
    assert RegisterExport.objects.get().status == Status.RUNNING

    silent = now - timedelta(minutes=settings.EXPORT_STALE_MINUTES + 1)
    RegisterExport.objects.update(started_at=silent, heartbeat_at=silent)
    assert build_register_export(exported.pk) is True
    assert RegisterExport.objects.get().status == Status.DONE


def test_exports_older_than_the_retention_are_deleted_with_their_files(viewer_client, vendors, settings):
    old = queue(viewer_client)
    build_register_export(old.pk)
    old.refresh_from_db()
    RegisterExport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS + 1)
    )
    recent = queue(viewer_client)

    build_register_export(recent.pk)  # each run first purges the old ones

    assert list(RegisterExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not old.file.storage.exists(old.file.name)


def test_with_eager_celery_the_export_is_written_before_the_redirect(
    viewer_client, vendors, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)

    with django_capture_on_commit_callbacks(execute=True):
        exported = queue(viewer_client)

    exported.refresh_from_db()
    assert (exported.status, exported.rows_written) == (Status.DONE, 5)
    assert (
        f"/exports/{exported.pk}/download/" in viewer_client.get(f"/exports/{exported.pk}/").content.decode()
    )
