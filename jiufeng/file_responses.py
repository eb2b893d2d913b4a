"""Serving a file from private storage: every download of a case's, a record's or an export's file.

Callers have checked scope. The file is opened and, if encrypted (jiufeng.filecrypt), every chunk
is checked before a header is sent: a file changed or cut short on disk is refused with a message
and logged, never sent cut off or answered by the server-error page.
"""

import logging

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import API_PREFIX
from .filecrypt import FileDamaged, opened_for_response

logger = logging.getLogger(__name__)


def stored_file_response(
    request: HttpRequest, field_file, *, filename: str, content_type: str, as_attachment: bool
) -> HttpResponse:
    """Stream ``field_file`` under ``filename``; 404 if it is gone, a message if it is damaged."""
    try:
        handle = opened_for_response(field_file)
    except FileNotFoundError:
        raise Http404 from None
    except FileDamaged as error:
        return file_damaged_response(request, error)
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_damaged_response(request: HttpRequest, error: FileDamaged) -> HttpResponse:
    """500 with a message a user can act on, in the caller's format; the damage logged for the
    administrator (which file, what failed, who asked). A server fault, so a 5xx status: the file
    is what the server stored, not what the client sent."""
    logger.error(
        "Stored file damaged, not sent: %s (request %s, user %s)",
        error,
        request.path,
        getattr(request.user, "pk", None),
    )
    message = _(
        "This file is damaged in storage (changed or cut short) and cannot be opened. "
        "The fault has been logged; an administrator can restore the file from a backup."
    )
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=500, json_dumps_params={"ensure_ascii": False})
    return render(request, "file_damaged.html", {"message": message}, status=500)
