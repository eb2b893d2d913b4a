from django.urls import path

from . import deadlines, units

urlpatterns = [
    path("units/", units.UnitListView.as_view(), name="unit-list"),
    path("units/public/", units.PublicUnitListView.as_view(), name="unit-public-list"),
    path("units/<int:pk>/", units.UnitDetailView.as_view(), name="unit-detail"),
    path("deadlines/", deadlines.DeadlineListView.as_view(), name="deadline-list"),
]

from . import escalations  # noqa: E402

urlpatterns += [
    path("escalations/", escalations.EscalationListView.as_view(), name="escalation-list"),
]
