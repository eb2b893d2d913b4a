from django.urls import include, path

urlpatterns = [
    path("", include("evaluations.api.appraisals")),
    path("", include("evaluations.api.responding")),
]
