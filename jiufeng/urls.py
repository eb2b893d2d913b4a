from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .health import healthz

# Language follows the switcher (a cookie), not the URL, so
# links and tracking codes read aloud stay the same in both languages.
urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("text-size/", views.text_size_set, name="text-size"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", include("jiufeng.twofactor.urls")),
    path("start/", views.landing, name="landing"),
    path("admin/", admin.site.urls),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox-read"),
    path("api/v1/", include("jiufeng.api_urls")),
    path("open311/v2/", include("complaints.open311.urls")),
    path("org/", include("responsibility.urls")),
    path("audit/", include("audit.urls")),
    path("", include("evaluations.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="jiufeng/api_docs.html"),
        name="api-docs",
    ),
    path("", include("complaints.urls")),
]

# Under /api/ an error is JSON {"detail"} (jiufeng.errors); elsewhere Django's pages.
handler400 = "jiufeng.errors.bad_request"
handler403 = "jiufeng.errors.permission_denied"
handler404 = "jiufeng.errors.page_not_found"
handler500 = "jiufeng.errors.server_error"
