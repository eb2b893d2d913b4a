"""A ledger written by a worker (audit.export_jobs): its download, for the user who asked only."""

import os

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from jiufeng.file_responses import stored_file_response

from ..export_jobs import KEEP_DAYS
from ..exports import XLSX
from ..models import ExportJob, ExportJobState

_CONTENT_TYPES = {XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@require_GET
@login_required
def export_download(request, pk: int):
    # Someone else's file is not found, as any object out of scope.
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if job.state != ExportJobState.DONE or not job.file:
        return render(request, "audit/export_pending.html", {"job": job, "keep_days": KEEP_DAYS}, status=409)
    return stored_file_response(
        request,
        job.file,
        filename=os.path.basename(job.file.name),
        content_type=_CONTENT_TYPES.get(job.file_format, "text/csv; charset=utf-8"),
        as_attachment=True,
    )
