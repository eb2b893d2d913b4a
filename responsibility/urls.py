from django.urls import path

from .views import units

app_name = "responsibility"

urlpatterns = [
    path("units/", units.unit_tree, name="unit-tree"),
    path("units/<int:pk>/", units.unit_detail, name="unit-detail"),
    path("units/<int:pk>/children/", units.unit_children_partial, name="unit-children"),
]
