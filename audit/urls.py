from django.urls import path  # noqa: F401 (the auditors' pages add their routes here)

app_name = "audit"

urlpatterns: list = []
