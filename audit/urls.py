from django.urls import path, re_path

from .views import exports, history, home, logs

app_name = "audit"

urlpatterns = [
    path("", home.audit_home, name="home"),
    path("history/", history.history_search, name="history-search"),
    # A big ledger's file, written by a worker, for whoever asked for it (any staff, not only auditors).
    path("exports/<int:pk>/", exports.export_download, name="export-download"),
    path("history/fields/", history.history_fields, name="history-fields"),
    # An object by its model's label ("complaints.complaint") and id; the dot keeps it apart from other pages.
    re_path(
        r"^(?P<label>[a-z_]+\.[a-z_]+)/(?P<object_id>[0-9]{1,19})/$",
        history.object_timeline_page,
        name="object-timeline",
    ),
    # One view for every log, told which by its declaration (audit.views.logs.LOGS).
    *(path(f"logs/{log.slug}/", logs.log_page, {"log": log}, name=log.url_name) for log in logs.LOGS),
]
