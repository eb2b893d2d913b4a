from django.urls import path

from .views import case, dashboard, phone, public, staff, transparency, typical_cases

app_name = "complaints"

urlpatterns = [
    # The petitioner's side: no account, the tracking code proves the case (views/public.py).
    path("file/", public.complaint_file_page, name="complaint-file"),
    path("file/receipt/", public.complaint_receipt, name="complaint-receipt"),
    path("file/receipt/download/", public.complaint_receipt_download, name="complaint-receipt-download"),
    path("track/", public.complaint_track, name="complaint-track"),
    path("track/phone/", phone.phone_login_page, name="phone-login"),
    path("track/phone/cases/", phone.phone_cases, name="phone-cases"),
    path("track/phone/cases/<int:pk>/", phone.phone_case_open, name="phone-case-open"),
    path("track/phone/forget/", phone.phone_logout, name="phone-logout"),
    path("track/<int:pk>/", public.complaint_track_detail, name="complaint-track-detail"),
    path("track/<int:pk>/message/", public.complaint_track_message, name="complaint-track-message"),
    path("track/<int:pk>/rating/", public.complaint_track_rating, name="complaint-track-rating"),
    path("track/<int:pk>/review/", public.complaint_track_review, name="complaint-track-review"),
    path("track/<int:pk>/letter/", public.complaint_track_letter, name="complaint-track-letter"),
    path(
        "track/<int:pk>/attachments/<int:attachment_pk>/",
        public.complaint_track_attachment,
        name="complaint-track-attachment",
    ),
    # The transparency page: figures, typical cases, rules adopted (views/transparency.py).
    path("public/", transparency.public_page, name="public"),
    path("public/cases/", transparency.public_typical_case_list, name="public-typical-case-list"),
    path("public/cases/<int:pk>/", transparency.public_typical_case, name="public-typical-case"),
]

# The staff side: the inbox, the approval queue, intake and the case page with its actions.
urlpatterns += [
    path("dashboard/", dashboard.dashboard_home, name="dashboard"),
    path("dashboard/units/<int:pk>/", dashboard.unit_dashboard, name="unit-dashboard"),
    path("cases/", staff.case_list, name="case-list"),
    path("cases/approvals/", staff.case_approvals, name="case-approvals"),
    path("cases/new/", staff.case_create, name="case-create"),
    path("cases/<int:pk>/", case.case_detail, name="case-detail"),
    path("cases/<int:pk>/transitions/<slug:name>/", case.case_transition, name="case-transition"),
    path("cases/<int:pk>/activities/", case.case_activity_add, name="case-activity-add"),
    path(
        "cases/<int:pk>/activities/<int:activity_pk>/",
        case.case_activity_edit,
        name="case-activity-edit",
    ),
    path(
        "cases/<int:pk>/activities/<int:activity_pk>/correct/",
        case.case_activity_correct,
        name="case-activity-correct",
    ),
    path(
        "cases/<int:pk>/activities/<int:activity_pk>/void/",
        case.case_activity_void,
        name="case-activity-void",
    ),
    path("cases/<int:pk>/messages/", case.case_message_add, name="case-message-add"),
    path("cases/<int:pk>/notes/", case.case_note_add, name="case-note-add"),
    path("cases/<int:pk>/extension/", case.case_extension_request, name="case-extension-request"),
    path("cases/<int:pk>/identity/", case.case_identity, name="case-identity"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", case.case_attachment, name="case-attachment"),
    path("cases/<int:pk>/reply-letter/", case.case_reply_letter, name="case-reply-letter"),
    path("cases/<int:pk>/typical-case/", typical_cases.case_typical_case, name="case-typical-case"),
    path("typical-cases/<int:pk>/", typical_cases.typical_case_detail, name="typical-case-detail"),
    path("typical-cases/<int:pk>/<slug:action>/", typical_cases.typical_case_decide, name="typical-case-decide"),
    path("units/<int:pk>/report/<str:month>/", transparency.unit_monthly_report, name="unit-report"),
]
