from django.urls import path

from .views import home, logs

app_name = "audit"

urlpatterns = [
    path("", home.audit_home, name="home"),
    # One view for every log, told which by its declaration (audit.views.logs.LOGS).
    *(path(f"logs/{log.slug}/", logs.log_page, {"log": log}, name=log.url_name) for log in logs.LOGS),
]
