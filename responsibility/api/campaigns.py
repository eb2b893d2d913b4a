"""API: rectification campaigns (专项治理), read-only and scoped, with progress per unit."""

import django_filters
from django.http import Http404
from django.utils import timezone
from rest_framework import generics, serializers

from jiufeng.filters import FilterSet

from ..models import Campaign, CampaignState, CampaignTask, CampaignTaskStatus
from ..services.campaigns_selectors import campaign_get_for_user, campaign_list_for_user, campaign_progress_attach
from .units import UnitRefSerializer


class UnitProgressSerializer(serializers.Serializer):
    unit = serializers.SerializerMethodField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()

    def get_unit(self, row) -> dict:
        return {"id": row.unit_id, "name": row.unit_name}


class CampaignTaskSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CampaignTask
        fields = ["id", "unit", "description", "due_on", "status", "done_at", "progress_note", "overdue"]

    def get_overdue(self, task) -> bool:
        return task.status == CampaignTaskStatus.OPEN and task.due_on < self.context["today"]


class CampaignSerializer(serializers.ModelSerializer):
    lead_unit = UnitRefSerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    progress = UnitProgressSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "problem", "starts_on", "ends_on", "lead_unit", "state", "state_display", "progress"]


class CampaignDetailSerializer(CampaignSerializer):
    tasks = CampaignTaskSerializer(source="visible_tasks", many=True, read_only=True)

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "tasks"]


class CampaignFilter(FilterSet):
    state = django_filters.ChoiceFilter(choices=CampaignState.choices)

    class Meta:
        model = Campaign
        fields = ["state", "lead_unit"]


class CampaignListView(generics.ListAPIView):
    """Rectification campaigns (专项治理) in scope, each with its progress per responsible unit."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter

    def get_queryset(self):
        return campaign_list_for_user(user=self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # One grouped query for the whole page's progress.
        return campaign_progress_attach(campaigns=list(page), user=self.request.user)


class CampaignDetailView(generics.RetrieveAPIView):
    """A campaign in scope with the tasks the user may see and progress per unit; out of scope 404."""

    serializer_class = CampaignDetailSerializer

    def get_object(self):
        try:
            return campaign_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        except Campaign.DoesNotExist:
            raise Http404 from None

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
