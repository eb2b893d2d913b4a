from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

app_name = "complaints"

# Until online filing opens (the petitioner-side issue), these pages tell a petitioner
# how to complain today instead of leaving a dead link.
_not_open = "complaints/not_open.html"

urlpatterns = [
    path(
        "file/",
        TemplateView.as_view(template_name=_not_open, extra_context={"heading": _("File a complaint")}),
        name="complaint-file",
    ),
    path(
        "track/",
        TemplateView.as_view(template_name=_not_open, extra_context={"heading": _("Track a complaint")}),
        name="complaint-track",
    ),
]
