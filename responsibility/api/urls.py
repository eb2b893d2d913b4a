from django.urls import path

from . import accountability, campaigns, deadlines, escalations, pledges, units, visits

urlpatterns = [
    path("units/", units.UnitListView.as_view(), name="unit-list"),
    path("units/public/", units.PublicUnitListView.as_view(), name="unit-public-list"),
    path("units/<int:pk>/", units.UnitDetailView.as_view(), name="unit-detail"),
    path("deadlines/", deadlines.DeadlineListView.as_view(), name="deadline-list"),
]

urlpatterns += [
    path("leader-assignments/", visits.LeaderAssignmentListView.as_view(), name="leader-assignment-list"),
    path("visits/", visits.VisitListView.as_view(), name="visit-list"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit-detail"),
    path("rectification-items/", visits.RectificationItemListView.as_view(), name="rectification-item-list"),
    path(
        "rectification-items/<int:pk>/submit/",
        visits.RectificationItemSubmitView.as_view(),
        name="rectification-item-submit",
    ),
    path(
        "rectification-items/<int:pk>/confirm/",
        visits.RectificationItemConfirmView.as_view(),
        name="rectification-item-confirm",
    ),
    path(
        "rectification-items/<int:pk>/send-back/",
        visits.RectificationItemSendBackView.as_view(),
        name="rectification-item-send-back",
    ),
    path("pledges/", pledges.PledgeListView.as_view(), name="pledge-list"),
    path("pledges/<int:pk>/", pledges.PledgeDetailView.as_view(), name="pledge-detail"),
    path("pledges/<int:pk>/sign/", pledges.PledgeSignView.as_view(), name="pledge-sign"),
    path("accountability/", accountability.AccountabilityListView.as_view(), name="accountability-list"),
    path("accountability/<int:pk>/", accountability.AccountabilityDetailView.as_view(), name="accountability-detail"),
    # /api/v1/campaigns/ belongs to democratic-appraisal campaigns (API.md).
    path("rectification-campaigns/", campaigns.CampaignListView.as_view(), name="rectification-campaign-list"),
    path(
        "rectification-campaigns/<int:pk>/",
        campaigns.CampaignDetailView.as_view(),
        name="rectification-campaign-detail",
    ),
    path("escalations/", escalations.EscalationListView.as_view(), name="escalation-list"),
]
