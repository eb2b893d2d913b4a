"""Ledgers too big to stream from a page: a worker writes the file and tells the user in the inbox.

A page's export answers at most ``exports.LIMITS`` rows (a request must end inside the server's
timeout). A registered ledger (``exports.register_ledger``) past that, up to ``JOB_LIMIT`` rows,
becomes an ExportJob instead: the worker rebuilds the rows from the user and the page's query,
so the file holds what the user's scope allows when it is written, writes it with the same
writers into the private file storage, logs the export as the page would, and leaves a link in
the inbox. Files are deleted after ``KEEP_DAYS``.
"""

import logging
import tempfile
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext, gettext_noop

from jiufeng.client_address import client_address
from jiufeng.notifications import notify
from jiufeng.texts import message

from . import exports
from .models import ExportJob, ExportJobState

logger = logging.getLogger(__name__)

# The most rows a worker writes into one file: Excel opens at most 1,048,576 rows, and a
# million rows of a ledger take a few minutes of one worker (docs/progress/ledgers.md).
JOB_LIMIT = 1_000_000
# Days a written file stays for its download.
KEEP_DAYS = 7
# Jobs still waiting or being written: asking again for the same file joins them.
_PENDING = (ExportJobState.QUEUED, ExportJobState.RUNNING)


def ledger_file(request, builder: Callable[[HttpRequest], exports.Ledger]) -> tuple[HttpResponse | None, str | None]:
    """A list page's file: (the answer, None) when ``request`` asks for one and may have it, (None, the
    refusal for the user) when not, (None, None) when it asks for the page. ``builder``: the ledger's."""
    if not exports.export_requested(request):
        return None, None
    try:
        return ledger_export(request, builder(request)), None
    except exports.ExportRefused as refusal:
        return None, str(refusal)


def ledger_export(request, ledger: exports.Ledger) -> HttpResponse:
    """The ledger as the file ``request`` asks for: streamed when the page may answer it, else
    (a registered ledger up to JOB_LIMIT rows) written by a worker while the page says so.

    ExportRefused (its message for the user) for an unknown format or more than JOB_LIMIT rows.
    """
    try:
        return exports.export_response(
            request,
            name=ledger.name,
            title=ledger.title,
            columns=ledger.columns,
            rows=ledger.rows,
            filters=ledger.filters,
        )
    except exports.TooManyRows:
        if ledger.name not in exports.LEDGERS or ledger.rows[: JOB_LIMIT + 1].count() > JOB_LIMIT:
            raise exports.ExportRefused(too_many()) from None
    export_job_queue(request, ledger.name)
    messages.info(
        request,
        gettext(
            "Too many rows to download at once: the file is being written. It will be in your inbox in a few "
            "minutes, for %(days)s days."
        )
        % {"days": KEEP_DAYS},
    )
    query = exports.unpaged_query(request)
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


def export_job_queue(request, ledger: str) -> ExportJob:
    """Queue the file ``request`` asks for of the registered ``ledger``; the same file still pending is reused."""
    from .tasks import export_job_run_task

    query = request.GET.urlencode()
    pending = ExportJob.objects.filter(user=request.user, ledger=ledger, query=query, state__in=_PENDING).first()
    if pending is not None:
        return pending
    job = ExportJob.objects.create(
        user=request.user,
        ledger=ledger,
        query=query,
        file_format=request.GET["format"],
        address=client_address(request),
        path=request.path[:500],
        language=translation.get_language() or "",
    )
    export_job_run_task.delay_on_commit(job.pk)
    return job


def _replayed_request(job: ExportJob) -> HttpRequest:
    """The page's request as the ledger's builder reads it: the user and the query."""
    request = HttpRequest()
    request.method = "GET"
    request.path = job.path
    request.user = job.user
    request.GET = QueryDict(job.query)
    return request


def export_job_run(job_id: int) -> ExportJob | None:
    """Write the job's file; done jobs are left as they are (a task delivered twice writes once)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("user").filter(pk=job_id).first()
        if job is None or job.state not in _PENDING:
            return job
        job.state = ExportJobState.RUNNING
        job.save(update_fields=["state"])
    try:
        with translation.override(job.language or None):
            _write(job)
    except exports.ExportRefused:
        _finish(job, ExportJobState.FAILED)
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        _finish(job, ExportJobState.FAILED)
    return job


def _write(job: ExportJob) -> None:
    request = _replayed_request(job)
    # Each app's ledgers module registers its builders when imported; a worker imports them
    # here, as the admin finds admin modules (the apps' start-up stays free of forms and views).
    autodiscover_modules("ledgers")
    ledger = exports.LEDGERS[job.ledger](request)
    rows, size = exports.rows_counted(ledger.rows, JOB_LIMIT)
    if size > JOB_LIMIT:
        raise exports.ExportRefused(too_many())
    filters = [(str(label), value) for label, value in ledger.filters]
    event = exports.export_event(
        user=job.user,
        address=job.address,
        method="GET",
        path=f"{job.path}?{job.query}",
        detail={"name": ledger.name, "title": str(ledger.title), "format": job.file_format, "filters": dict(filters)},
    )
    stream = exports.logged_stream(
        job.file_format,
        rows=rows,
        event=event,
        language=translation.get_language(),
        zone=timezone.get_current_timezone(),
        title=str(ledger.title),
        columns=ledger.columns,
        filters=filters,
    )
    with tempfile.TemporaryFile() as file:
        for piece in stream:
            file.write(piece.encode() if isinstance(piece, str) else piece)
        file.seek(0)
        job.file.save(exports.file_name(ledger.title, job.file_format), File(file), save=False)
    job.rows = size
    _finish(job, ExportJobState.DONE, title=str(ledger.title))


def _finish(job: ExportJob, state: str, *, title: str = "") -> None:
    job.state, job.finished_at = state, timezone.now()
    with transaction.atomic():
        job.save(update_fields=["state", "finished_at", "rows", "file"])
        if state == ExportJobState.DONE:
            notify(
                users=[job.user],
                subject=message(gettext_noop("Your file is ready: %(title)s"), title=title),
                body=message(
                    gettext_noop("%(rows)s rows. The file is kept for %(days)s days."), rows=job.rows, days=KEEP_DAYS
                ),
                link=reverse("audit:export-download", args=[job.pk]),
                why=message(gettext_noop("You asked for this file.")),
            )
        else:
            notify(
                users=[job.user],
                subject=message(gettext_noop("Your file could not be written")),
                body=message(gettext_noop("Narrow the filters and export again, or ask an administrator.")),
                link=job.path,
                why=message(gettext_noop("You asked for this file.")),
            )


def too_many() -> str:
    return gettext("More than %(limit)s rows match: narrow the filters (a shorter date range).") % {
        "limit": f"{JOB_LIMIT:,}"
    }


def export_jobs_purge(now=None) -> int:
    """Delete the files (and jobs) older than KEEP_DAYS. Returns how many jobs went."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
