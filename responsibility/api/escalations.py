from rest_framework import generics, serializers

from ..services.escalations_selectors import escalation_list_for_user
from .deadlines import DeadlineSerializer
from .units import UnitRefSerializer


class EscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    level = serializers.IntegerField(read_only=True)
    deadline = DeadlineSerializer(read_only=True)
    notified_unit = UnitRefSerializer(source="unit", read_only=True)
    notified_position = serializers.CharField(source="notified_kind", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    # Null until someone acknowledges it.
    acknowledged_by = serializers.StringRelatedField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(read_only=True)


class EscalationListView(generics.ListAPIView):
    """Escalations in the user's scope, newest first."""

    serializer_class = EscalationSerializer

    def get_queryset(self):
        return escalation_list_for_user(user=self.request.user)
