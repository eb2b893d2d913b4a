import django_filters
from django.utils import timezone
from rest_framework import generics, serializers

from jiufeng.filters import FilterSet

from ..models import Deadline
from .units import UnitRefSerializer


class DeadlineSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit = UnitRefSerializer(read_only=True)
    target_type = serializers.CharField(source="content_type.model", read_only=True)
    target_id = serializers.IntegerField(source="object_id", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Deadline
        fields = [
            "id",
            "kind",
            "kind_display",
            "unit",
            "target_type",
            "target_id",
            "opened_at",
            "due_at",
            "level",
            "overdue",
            "provisional",
        ]


class DeadlineFilter(FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="overdue")

    class Meta:
        model = Deadline
        fields = ["kind", "unit"]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(due_at__lt=now) if value else queryset.filter(due_at__gte=now)


class DeadlineListView(generics.ListAPIView):
    """Open deadlines in the user's scope, soonest first."""

    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilter

    def get_queryset(self):
        return (
            Deadline.objects.visible_to(self.request.user)
            .open()
            .select_related("unit", "content_type")
            .order_by("due_at", "pk")
        )
