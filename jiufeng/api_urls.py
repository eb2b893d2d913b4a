"""/api/v1/: each app's API, under one prefix and one namespace."""

from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken

app_name = "api"

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="auth-token"),
    path("", include("responsibility.api.urls")),
    path("", include("complaints.api.urls")),
    path("", include("complaints.api_public.urls")),
]
