"""The project's routes and one more, in a namespace, that the permission matrix has no row for."""

from django.http import HttpResponse
from django.urls import include, path

from jiufeng.urls import urlpatterns as project_urlpatterns

extra = ([path("cases/everything.xlsx", lambda request: HttpResponse(), name="case-export-everything")], "complaints")

urlpatterns = [path("", include(extra)), *project_urlpatterns]
