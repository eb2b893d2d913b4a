from django.urls import path

from . import actions, dashboard, views

urlpatterns = [
    path("units/<int:pk>/dashboard/", dashboard.UnitDashboardView.as_view(), name="unit-dashboard"),
    # GET: the staff list; POST: the public filing (anyone), one path in API.md.
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/intake/", views.ComplaintIntakeView.as_view(), name="complaint-intake"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path(
        "complaints/<int:pk>/transitions/<str:name>/",
        actions.ComplaintTransitionView.as_view(),
        name="complaint-transition",
    ),
    path("complaints/<int:pk>/activities/", actions.ComplaintActivityView.as_view(), name="complaint-activity-add"),
    path(
        "complaints/<int:pk>/activities/<int:activity_id>/correct/",
        actions.ComplaintActivityCorrectView.as_view(),
        name="complaint-activity-correct",
    ),
    path(
        "complaints/<int:pk>/activities/<int:activity_id>/void/",
        actions.ComplaintActivityVoidView.as_view(),
        name="complaint-activity-void",
    ),
    path("complaints/<int:pk>/messages/", actions.ComplaintMessageView.as_view(), name="complaint-message-add"),
    path("complaints/<int:pk>/notes/", actions.ComplaintNoteView.as_view(), name="complaint-note-add"),
    path("complaints/<int:pk>/extension/", actions.ComplaintExtensionView.as_view(), name="complaint-extension-add"),
    path("complaints/<int:pk>/identity/", views.ComplaintIdentityView.as_view(), name="complaint-identity"),
    path("complaints/<int:pk>/history/", views.ComplaintHistoryView.as_view(), name="complaint-history"),
    path(
        "complaints/<int:pk>/attachments/<int:attachment_id>/",
        views.ComplaintAttachmentView.as_view(),
        name="complaint-attachment",
    ),
]
