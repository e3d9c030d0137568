"""Registers too large to stream during the request: queued by the export view, built by a Celery worker.

The export view (`RegisterExportMixin`) stores what was asked (the export URL's path and query string, the
user, the language) in a `RegisterExport` and sends the user to its progress page. The worker rebuilds the
same view for the same user, runs the view's own access checks again (a role may have been removed
meanwhile), then the same filter and `register()` as the synchronous download, and writes the workbook to
the media storage, reporting progress as it goes. The download is permission-checked again.

Claims and progress are compare-and-swap queryset updates: a second run of the task for an export that is
done, failed or being written by another worker does nothing. The claim's `started_at` is its token: a
worker whose claim was taken over (it was silent for EXPORT_STALE_MINUTES) can neither report progress nor
finish.
"""

import logging
import tempfile
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from .excel import write_register
from .models import RegisterExport

logger = logging.getLogger(__name__)
Status = RegisterExport.Status


class ExportRefused(Exception):
    """The export cannot be rebuilt: its URL is no export any more, or the user may no longer open it."""


def export_queue(*, user, register_name: str, path: str, query: str, language: str) -> RegisterExport:
    """A queued export, handed to a worker once the request's transaction has committed."""
    export = RegisterExport.objects.create(
        user=user, register_name=register_name, path=path, query=query, language=language
    )
    transaction.on_commit(partial(_enqueue, export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from .tasks import build_register_export  # the tasks module imports this one

    try:
        build_register_export.delay(export_id)
    except Exception as error:  # the broker is unreachable: say so on the progress page, not wait forever
        logger.exception("Register export %s could not be queued", export_id)
        RegisterExport.objects.filter(pk=export_id, status=Status.QUEUED).update(
            status=Status.FAILED, error=f"Could not be queued: {error}", finished_at=timezone.now()
        )


def export_build(*, export_id: int) -> bool:
    """Claim and build one export; False when there was nothing to do (finished, or another worker has it).

    A failure is recorded on the export (status failed, the error text), not raised: rebuilding the same
    rows would fail the same way, so the task does not retry.
    """
    purge_old_exports()
    now = timezone.now()
    stale = now - timedelta(minutes=settings.EXPORT_STALE_MINUTES)
    claimed = RegisterExport.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=stale), pk=export_id
    ).update(status=Status.RUNNING, started_at=now, heartbeat_at=now, rows_written=0, error="")
    if not claimed:
        return False
    export = RegisterExport.objects.select_related("user").get(pk=export_id)
    mine = RegisterExport.objects.filter(pk=export_id, status=Status.RUNNING, started_at=now)
    try:
        count = _write(export, mine)
    except Exception as error:
        if not isinstance(error, ExportRefused):
            logger.exception("Register export %s failed", export_id)
        _delete_file(export.file.name)
        mine.update(
            status=Status.FAILED, error=str(error) or type(error).__name__, finished_at=timezone.now()
        )
        return True
    finished = mine.update(
        status=Status.DONE,
        file=export.file.name,
        filename=export.filename,
        rows_written=count,
        rows_total=count,  # rows added or removed since the count: the bar ends full either way
        finished_at=timezone.now(),
    )
    if not finished:  # taken over meanwhile: the other worker's file is the one kept
        _delete_file(export.file.name)
    return True


def _write(export: RegisterExport, mine) -> int:
    """Write the export's workbook to the storage (export.file, export.filename); returns the row count."""
    with translation.override(export.language):
        view = export_view_for(export, export.user)
        queryset = view.export_queryset()
        mine.update(rows_total=queryset.count())
        register = view.register_file(queryset)

        def progress(rows_written: int) -> None:
            if not mine.update(rows_written=rows_written, heartbeat_at=timezone.now()):
                raise ExportRefused("Taken over by another worker.")

        with tempfile.TemporaryFile() as spool:
            count = write_register(
                spool, title=register.title, columns=register.columns, rows=register.rows, progress=progress
            )
            spool.seek(0)
            export.filename = register.filename
            export.file.save(f"{export.pk}-{register.filename}", File(spool), save=False)
    return count


def export_view_for(export: RegisterExport, user):
    """The export's view, set up with a GET request of its path and filter by `user`, once the view's own
    access checks (its dispatch(): sign-in, role) have let that user through; else ExportRefused."""
    try:
        match = resolve(export.path)
    except Resolver404:
        raise ExportRefused(f"{export.path} is no register export any more.") from None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "register_file"):
        raise ExportRefused(f"{export.path} is no register export any more.")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = export.path
    request.META.update(REQUEST_METHOD="GET", QUERY_STRING=export.query)
    request.GET = QueryDict(export.query)
    request.user = user
    request.LANGUAGE_CODE = translation.get_language()
    request.resolver_match = match
    view = view_class(**match.func.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    # dispatch() runs the view's checks, then calls the handler; this handler only says it was reached.
    reached = HttpResponse(status=204)
    view.get = lambda request, *args, **kwargs: reached
    try:
        allowed = view.dispatch(request, *match.args, **match.kwargs) is reached
    except PermissionDenied:
        allowed = False
    finally:
        del view.get
    if not allowed:
        raise ExportRefused("Permission denied: the user may no longer open this list.")
    return view


def purge_old_exports() -> int:
    """Delete the exports (and their files) requested more than EXPORT_RETENTION_DAYS ago."""
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    old = RegisterExport.objects.filter(created_at__lt=cutoff)
    for name in old.exclude(file="").values_list("file", flat=True):
        _delete_file(name)
    return old.delete()[0]


def _delete_file(name: str) -> None:
    if name:
        RegisterExport._meta.get_field("file").storage.delete(name)
