from django.urls import path, re_path

from .views import accountability, campaigns, imports, pledges, unit_management, units, visits

app_name = "responsibility"

urlpatterns = [
    path("units/", units.unit_tree, name="unit-tree"),
    path("units/<int:pk>/", units.unit_detail, name="unit-detail"),
    path("units/<int:pk>/children/", units.unit_children_partial, name="unit-children"),
    path("units/import/", imports.org_import, name="org-import"),
    path("units/import/confirm/", imports.org_import_confirm, name="org-import-confirm"),
    path("units/import/<int:pk>/", imports.org_import_result, name="org-import-result"),
    re_path(r"^units/import/template\.(?P<fmt>csv|xlsx)$", imports.org_import_template, name="org-import-template"),
    path("units/<int:pk>/add/", unit_management.unit_create, name="unit-create"),
    path("units/<int:pk>/rename/", unit_management.unit_rename, name="unit-rename"),
    path("units/<int:pk>/move/", unit_management.unit_move, name="unit-move"),
    path("units/<int:pk>/supervision/", unit_management.unit_supervise, name="unit-supervise"),
    path("units/<int:pk>/deactivate/", unit_management.unit_deactivate, name="unit-deactivate"),
    path("units/<int:pk>/reactivate/", unit_management.unit_reactivate, name="unit-reactivate"),
    path("units/<int:pk>/positions/add/", unit_management.position_assign, name="position-assign"),
    path("positions/<int:pk>/end/", unit_management.position_end, name="position-end"),
]

urlpatterns += [
    path("assignments/", visits.leader_assignment_list, name="leader-assignment-list"),
    path("assignments/new/", visits.leader_assignment_create, name="leader-assignment-create"),
    path("assignments/<int:pk>/end/", visits.leader_assignment_end, name="leader-assignment-end"),
    path("visits/", visits.visit_list, name="visit-list"),
    path("visits/schedule/", visits.visit_schedule, name="visit-schedule"),
    path("visits/new/", visits.visit_add, name="visit-add"),
    path("visits/<int:pk>/", visits.visit_detail_page, name="visit-detail"),
    path("visits/<int:pk>/record/", visits.visit_record, name="visit-record"),
    path("visits/<int:pk>/items/new/", visits.rectification_item_add, name="rectification-item-add"),
    path("rectification-items/", visits.rectification_item_list, name="rectification-item-list"),
    path("rectification-items/new/", visits.rectification_item_create, name="rectification-item-create"),
    path("rectification-items/<int:pk>/", visits.rectification_item_detail, name="rectification-item-detail"),
    path("rectification-items/<int:pk>/submit/", visits.rectification_item_submit, name="rectification-item-submit"),
    path("rectification-items/<int:pk>/confirm/", visits.rectification_item_confirm, name="rectification-item-confirm"),
    path(
        "rectification-items/<int:pk>/send-back/",
        visits.rectification_item_send_back,
        name="rectification-item-send-back",
    ),
]

urlpatterns += [
    path("pledges/", pledges.pledge_list, name="pledge-list"),
    path("pledges/from-template/", pledges.pledge_issue_from_template, name="pledge-issue-from-template"),
    path("pledges/coverage/", pledges.pledge_coverage_page, name="pledge-coverage"),
    path("pledges/<int:pk>/", pledges.pledge_detail, name="pledge-detail"),
    path("pledges/<int:pk>/items/", pledges.pledge_item_add, name="pledge-item-add"),
    path("pledges/<int:pk>/items/<int:item_pk>/", pledges.pledge_item_edit, name="pledge-item-edit"),
    path("pledges/<int:pk>/items/<int:item_pk>/remove/", pledges.pledge_item_remove, name="pledge-item-remove"),
    path("pledges/<int:pk>/items/<int:item_pk>/complete/", pledges.pledge_item_complete, name="pledge-item-complete"),
    path("pledges/<int:pk>/issue/", pledges.pledge_issue, name="pledge-issue"),
    path("pledges/<int:pk>/sign/", pledges.pledge_sign, name="pledge-sign"),
    path("pledges/<int:pk>/amend/", pledges.pledge_amend, name="pledge-amend"),
    path("pledges/<int:pk>/assess/", pledges.pledge_assess, name="pledge-assess"),
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
