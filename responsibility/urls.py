from django.urls import path

from .views import pledges, units

app_name = "responsibility"

urlpatterns = [
    path("units/", units.unit_tree, name="unit-tree"),
    path("units/<int:pk>/", units.unit_detail, name="unit-detail"),
    path("units/<int:pk>/children/", units.unit_children_partial, name="unit-children"),
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
