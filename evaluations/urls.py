"""The appraisal pages; each area's module under views/ ends with its own urlpatterns."""

from django.urls import include, path

app_name = "evaluations"

urlpatterns = [
    # Officers prepare, open, close and score appraisals; questionnaires; appointed evaluators.
    path("appraisals/", include("evaluations.views.running")),
    # Results: ranking, per-unit report, export, publication; the public page of published results.
    path("", include("evaluations.views.results")),
    # Answering with an invitation code (anyone holding one), and the slips that carry codes.
    path("", include("evaluations.views.responding")),
    # An appointed evaluator's own page: their codes, their observations.
    path("evaluator/", include("evaluations.views.evaluators")),
]
