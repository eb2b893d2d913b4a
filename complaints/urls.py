from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .views import case, staff

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

# The staff side: the inbox, the approval queue, intake and the case page with its actions.
urlpatterns += [
    path("cases/", staff.case_list, name="case-list"),
    path("cases/approvals/", staff.case_approvals, name="case-approvals"),
    path("cases/new/", staff.case_create, name="case-create"),
    path("cases/<int:pk>/", case.case_detail, name="case-detail"),
    path("cases/<int:pk>/transitions/<slug:name>/", case.case_transition, name="case-transition"),
    path("cases/<int:pk>/activities/", case.case_activity_add, name="case-activity-add"),
    path("cases/<int:pk>/messages/", case.case_message_add, name="case-message-add"),
    path("cases/<int:pk>/notes/", case.case_note_add, name="case-note-add"),
    path("cases/<int:pk>/extension/", case.case_extension_request, name="case-extension-request"),
    path("cases/<int:pk>/identity/", case.case_identity, name="case-identity"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", case.case_attachment, name="case-attachment"),
    path("cases/<int:pk>/reply-letter/", case.case_reply_letter, name="case-reply-letter"),
]
