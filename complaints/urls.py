from django.urls import path

from .views import public

app_name = "complaints"

urlpatterns = [
    # The petitioner's side: no account, the tracking code proves the case (views/public.py).
    path("file/", public.complaint_file_page, name="complaint-file"),
    path("file/receipt/", public.complaint_receipt, name="complaint-receipt"),
    path("file/receipt/download/", public.complaint_receipt_download, name="complaint-receipt-download"),
    path("track/", public.complaint_track, name="complaint-track"),
    path("track/<int:pk>/", public.complaint_track_detail, name="complaint-track-detail"),
    path("track/<int:pk>/message/", public.complaint_track_message, name="complaint-track-message"),
    path("track/<int:pk>/rating/", public.complaint_track_rating, name="complaint-track-rating"),
    path("track/<int:pk>/review/", public.complaint_track_review, name="complaint-track-review"),
    path(
        "track/<int:pk>/attachments/<int:attachment_pk>/",
        public.complaint_track_attachment,
        name="complaint-track-attachment",
    ),
]
