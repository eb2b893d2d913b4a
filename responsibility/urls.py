from django.urls import path

from .views import units

app_name = "responsibility"

urlpatterns = [
    path("units/", units.unit_tree, name="unit-tree"),
    path("units/<int:pk>/", units.unit_detail, name="unit-detail"),
    path("units/<int:pk>/children/", units.unit_children_partial, name="unit-children"),
]

from .views import escalations  # noqa: E402

urlpatterns += [
    path("escalations/", escalations.escalation_list, name="escalation-list"),
    path("escalations/<int:pk>/", escalations.escalation_detail, name="escalation-detail"),
    path(
        "escalations/<int:pk>/acknowledge/",
        escalations.escalation_acknowledge_view,
        name="escalation-acknowledge",
    ),
    path("units/<int:pk>/overdue/", escalations.unit_overdue, name="unit-overdue"),
]
