"""GET /api/v1/public/stats/: the transparency page's figures as JSON (complaints.public), no account."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..public import MIN_CASES_FOR_RATE, MonthRefused, month_parse, public_figures

_RATE = f"Percent, one decimal; null when fewer than {MIN_CASES_FOR_RATE} cases were counted."


class PublicMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, the month of receipt")
    received = serializers.IntegerField()
    resolved = serializers.IntegerField(help_text="Cases of the month whose petitioner has been answered.")
    on_time_rate = serializers.FloatField(allow_null=True, help_text=_RATE)
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text=_RATE)


class PublicDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    months = PublicMonthSerializer(many=True)


class PublicTotalSerializer(serializers.Serializer):
    months = PublicMonthSerializer(many=True)


class PublicStatsSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField(), help_text="The twelve months, oldest first.")
    departments = PublicDepartmentSerializer(
        many=True, help_text="Each unit one level below the root, with the units below it."
    )
    total = PublicTotalSerializer(help_text="The whole county, complaints about the county itself included.")
    counted_at = serializers.DateTimeField(help_text="When the figures were counted; they are kept ten minutes.")
    min_cases_for_rate = serializers.IntegerField()


class PublicStatsView(APIView):
    """Complaints received, resolved, on time and rated satisfactory, per department and month.

    The twelve months that end with ``month`` (this month by default). Nothing identifies
    anyone who complained; a rate over too few cases is null.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM: the last of the twelve months.")],
        responses={200: PublicStatsSerializer, 400: OpenApiResponse(description="A month not understood.")},
    )
    def get(self, request):
        today = timezone.localdate()
        month = today.replace(day=1)
        if "month" in request.query_params:
            try:
                month = month_parse(request.query_params["month"][:20], today=today)
            except MonthRefused as refusal:
                raise exceptions.ValidationError({"month": [str(refusal)]}) from None
        return Response(PublicStatsSerializer(public_figures(last_month=month)).data)
