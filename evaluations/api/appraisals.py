"""API: appraisals in scope, and an appraisal's results (staff in scope; anyone once published)."""

import django_filters
from django.db.models import Q
from django.http import Http404
from django.urls import path
from rest_framework import generics, permissions, serializers

from jiufeng.filters import FilterSet
from responsibility.api.units import UnitRefSerializer

from ..models import Appraisal, AppraisalState, AppraisedUnit
from ..services.results_selectors import appraisal_list_for_user, results_rows


class AppraisalSerializer(serializers.ModelSerializer):
    organiser = UnitRefSerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "name",
            "year",
            "organiser",
            "state",
            "state_display",
            "opens_at",
            "closes_at",
            "period_start",
            "period_end",
            "scored_at",
            "published_at",
        ]


class AppraisalFilter(FilterSet):
    state = django_filters.ChoiceFilter(choices=AppraisalState.choices)
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)

    class Meta:
        model = Appraisal
        fields = ["state", "year"]


class AppraisalListView(generics.ListAPIView):
    """Democratic appraisals organised by units in the user's scope, newest year first."""

    serializer_class = AppraisalSerializer
    filterset_class = AppraisalFilter

    def get_queryset(self):
        return appraisal_list_for_user(user=self.request.user)


class AppraisalResultSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    parts = serializers.JSONField(
        read_only=True,
        help_text=(
            "Per part (supervisor, representative, service_user, petitioner, on_time, substantiated, pledge): "
            '{"score": decimal string or null (no data), "weight": percent, "effective_weight": the weight it '
            'counted with once parts without data were left out, "contribution": points added to the score, '
            '"counted": bool, "figures": the counts behind it}. See evaluations/scoring.py.'
        ),
    )

    class Meta:
        model = AppraisedUnit
        fields = ["unit", "ranking_group", "score", "rank", "grade", "to_rectify", "parts"]


class AppraisalResultsView(generics.ListAPIView):
    """The units of an appraisal with their score, rank, grade and the parts that explain the score.

    Staff see the appraisals in their scope in any state (scores are null until it is scored);
    anyone, without an account, sees published ones. Any other appraisal: 404.
    """

    serializer_class = AppraisalResultSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    # The results have no filters; the default backend would add the list's to the schema.
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        readable = Q(state=AppraisalState.PUBLISHED)
        if user.is_authenticated:
            readable |= Q(pk__in=Appraisal.objects.visible_to(user).values("pk"))
        appraisal = Appraisal.objects.filter(readable, pk=self.kwargs["pk"]).first()
        if appraisal is None:
            raise Http404
        return results_rows(appraisal)


urlpatterns = [
    path("appraisals/", AppraisalListView.as_view(), name="appraisal-list"),
    path("appraisals/<int:pk>/results/", AppraisalResultsView.as_view(), name="appraisal-results"),
]
