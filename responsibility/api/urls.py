from django.urls import path

from . import deadlines, pledges, units

urlpatterns = [
    path("units/", units.UnitListView.as_view(), name="unit-list"),
    path("units/public/", units.PublicUnitListView.as_view(), name="unit-public-list"),
    path("units/<int:pk>/", units.UnitDetailView.as_view(), name="unit-detail"),
    path("deadlines/", deadlines.DeadlineListView.as_view(), name="deadline-list"),
]

urlpatterns += [
    path("pledges/", pledges.PledgeListView.as_view(), name="pledge-list"),
    path("pledges/<int:pk>/", pledges.PledgeDetailView.as_view(), name="pledge-detail"),
    path("pledges/<int:pk>/sign/", pledges.PledgeSignView.as_view(), name="pledge-sign"),
]
