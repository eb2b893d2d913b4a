"""/api/v1/: each app's API, under one prefix and one namespace."""

from django.urls import include, path, re_path

from .auth_token import TokenLogoutAllView, TokenLogoutView, TokenObtainView
from .errors import api_not_found

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("auth/logout/", TokenLogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", TokenLogoutAllView.as_view(), name="auth-logout-all"),
    path("", include("responsibility.api.urls")),
    path("", include("complaints.api.urls")),
    path("", include("complaints.api_public.urls")),
    path("", include("audit.api_urls")),
    path("", include("evaluations.api.urls")),
    # Last: whatever no API view takes. Only paths ending in a slash, so that a known path
    # typed without one is still redirected to it (APPEND_SLASH).
    re_path(r"^(?P<path>.*/)$", api_not_found),
]
