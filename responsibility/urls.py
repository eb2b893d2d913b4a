from django.urls import path

from .views import accountability, campaigns, units

app_name = "responsibility"

urlpatterns = [
    path("units/", units.unit_tree, name="unit-tree"),
    path("units/<int:pk>/", units.unit_detail, name="unit-detail"),
    path("units/<int:pk>/children/", units.unit_children_partial, name="unit-children"),
]

urlpatterns += [
    path("accountability/", accountability.accountability_list, name="accountability-list"),
    path("accountability/<int:pk>/", accountability.accountability_detail, name="accountability-detail"),
    path(
        "units/<int:unit_pk>/accountability/propose/",
        accountability.accountability_propose,
        name="accountability-propose",
    ),
    path("accountability/<int:pk>/decide/", accountability.accountability_decide, name="accountability-decide"),
    path("accountability/<int:pk>/dismiss/", accountability.accountability_dismiss, name="accountability-dismiss"),
    path(
        "accountability/<int:pk>/documents/",
        accountability.accountability_document_add,
        name="accountability-document-add",
    ),
    path(
        "accountability/<int:pk>/documents/<int:document_pk>/",
        accountability.accountability_document_download,
        name="accountability-document-download",
    ),
    path(
        "accountability/<int:pk>/documents/<int:document_pk>/remove/",
        accountability.accountability_document_remove,
        name="accountability-document-remove",
    ),
    path("campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/start/", campaigns.campaign_start, name="campaign-start"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close, name="campaign-close"),
    path("campaigns/<int:pk>/tasks/", campaigns.campaign_task_add, name="campaign-task-add"),
    path(
        "campaigns/<int:pk>/tasks/<int:task_pk>/complete/",
        campaigns.campaign_task_complete,
        name="campaign-task-complete",
    ),
]
