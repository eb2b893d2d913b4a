from django.urls import re_path

from . import views

app_name = "open311"

# Every resource in both formats, chosen by its extension (GeoReport v2).
_FORMAT = r"\.(?P<response_format>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + _FORMAT, views.DiscoveryView.as_view(), name="discovery"),
    re_path(r"^services" + _FORMAT, views.ServiceListView.as_view(), name="services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + _FORMAT, views.ServiceDefinitionView.as_view(), name="service"),
    re_path(r"^requests" + _FORMAT, views.ServiceRequestListView.as_view(), name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + _FORMAT, views.ServiceRequestDetailView.as_view(), name="request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + _FORMAT, views.TokenView.as_view(), name="token"),
    re_path(r"^.*?(?:\.(?P<response_format>json|xml))?$", views.NotFoundView.as_view(), name="not-found"),
]
