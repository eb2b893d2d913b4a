"""Importing the tree and positions: upload, preview, confirm, result; and the template file.

The uploaded bytes wait in the user's session between preview and confirm (2 MB at
most, one pending import per session) under a random token the confirm form posts
back, so a stale tab cannot apply another file; confirm checks everything again.
"""

import base64
import csv
import io
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms.imports import OrgImportUploadForm
from ..models import OrgImport
from ..permissions import can_import_units
from ..services.imports import CHINESE_HEADERS, ImportRejected, org_import_apply, org_import_preview

SESSION_KEY = "org_import"
TEMPLATE_ROWS = [
    ["示例镇人民政府", "青溪县", "乡镇", "王建国", "刘芳", "13912345678"],
    ["示例镇便民服务中心", "示例镇人民政府", "事业单位", "张伟", "", "0571-88888888"],
]


def _require_importer(user) -> None:
    if not can_import_units(user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def org_import(request):
    _require_importer(request.user)
    form = OrgImportUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        preview = org_import_preview(user=request.user, file=ContentFile(data, name=upload.name))
        context["preview"] = preview
        if preview.is_valid:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token,
                "name": upload.name,
                "data": base64.b64encode(data).decode("ascii"),
            }
            context["token"] = token
        else:
            request.session.pop(SESSION_KEY, None)
    return render(request, "responsibility/imports/org_import.html", context, status=200)


@require_POST
@login_required
def org_import_confirm(request):
    _require_importer(request.user)
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(pending["token"], request.POST.get("token", "")):
        messages.error(request, _("This preview has expired: upload the file again."))
        return redirect("responsibility:org-import")
    del request.session[SESSION_KEY]
    file = ContentFile(base64.b64decode(pending["data"]), name=pending["name"])
    try:
        record = org_import_apply(user=request.user, file=file)
    except ImportRejected as rejected:
        # Someone changed the tree between preview and confirm: show what is wrong now.
        context = {"form": OrgImportUploadForm(), "preview": rejected.preview}
        return render(request, "responsibility/imports/org_import.html", context, status=409)
    messages.success(request, _("The file was imported."))
    return redirect("responsibility:org-import-result", pk=record.pk)


@require_GET
@login_required
def org_import_result(request, pk: int):
    imports = (
        OrgImport.objects.all() if request.user.is_superuser else OrgImport.objects.filter(imported_by=request.user)
    )
    record = get_object_or_404(imports, pk=pk)
    return render(request, "responsibility/imports/org_import_result.html", {"record": record})


@require_GET
@login_required
def org_import_template(request, fmt: str):
    header = list(CHINESE_HEADERS)
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "单位"
        for values in [header, *TEMPLATE_ROWS]:
            sheet.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *TEMPLATE_ROWS])
        # The BOM makes Excel open UTF-8 as UTF-8 rather than the local code page.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="org-import-template.{fmt}"'
    return response
