from django.urls import path

from . import accountability, campaigns, deadlines, units

urlpatterns = [
    path("units/", units.UnitListView.as_view(), name="unit-list"),
    path("units/public/", units.PublicUnitListView.as_view(), name="unit-public-list"),
    path("units/<int:pk>/", units.UnitDetailView.as_view(), name="unit-detail"),
    path("deadlines/", deadlines.DeadlineListView.as_view(), name="deadline-list"),
]

urlpatterns += [
    path("accountability/", accountability.AccountabilityListView.as_view(), name="accountability-list"),
    path("accountability/<int:pk>/", accountability.AccountabilityDetailView.as_view(), name="accountability-detail"),
    # /api/v1/campaigns/ belongs to democratic-appraisal campaigns (API.md).
    path("rectification-campaigns/", campaigns.CampaignListView.as_view(), name="rectification-campaign-list"),
    path(
        "rectification-campaigns/<int:pk>/",
        campaigns.CampaignDetailView.as_view(),
        name="rectification-campaign-detail",
    ),
]
