"""API: accountability records (问责), read-only and scoped."""

import django_filters
from django.urls import reverse
from rest_framework import generics, serializers

from jiufeng.filters import FilterSet

from ..models import (
    AccountabilityDocument,
    AccountabilityMeasure,
    AccountabilityRecord,
    AccountabilityState,
    Deadline,
)
from ..services.accountability_selectors import accountability_list_for_user, accountability_with_details
from .units import UnitRefSerializer


class LinkedObligationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit = UnitRefSerializer(read_only=True)
    target_type = serializers.CharField(source="content_type.model", read_only=True)
    target_id = serializers.IntegerField(source="object_id", read_only=True)

    class Meta:
        model = Deadline
        fields = ["id", "kind", "kind_display", "unit", "target_type", "target_id", "due_at", "met_at"]


class AccountabilityDocumentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.StringRelatedField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AccountabilityDocument
        fields = ["id", "name", "content_type", "size", "uploaded_by", "uploaded_at", "download_url"]

    def get_download_url(self, document) -> str:
        return reverse("responsibility:accountability-document-download", args=[document.record_id, document.pk])


class AccountabilityRecordSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    person = serializers.StringRelatedField(source="user")
    position_kind = serializers.CharField(source="position.kind", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    measure_display = serializers.CharField(source="get_measure_display", read_only=True)
    # Null: proposed by the escalation sweep; not decided yet.
    proposed_by = serializers.StringRelatedField(allow_null=True)
    decided_by = serializers.StringRelatedField(allow_null=True)
    obligations = LinkedObligationSerializer(many=True, read_only=True)
    documents = AccountabilityDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = AccountabilityRecord
        fields = [
            "id",
            "state",
            "state_display",
            "measure",
            "measure_display",
            "unit",
            "person",
            "position_kind",
            "reason",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_on",
            "decision_note",
            "obligations",
            "documents",
        ]


class AccountabilityFilter(FilterSet):
    state = django_filters.ChoiceFilter(choices=AccountabilityState.choices)
    measure = django_filters.ChoiceFilter(choices=AccountabilityMeasure.choices)

    class Meta:
        model = AccountabilityRecord
        fields = ["state", "measure", "unit"]


class AccountabilityScopedMixin:
    serializer_class = AccountabilityRecordSerializer

    def get_queryset(self):
        return accountability_with_details(accountability_list_for_user(user=self.request.user))


class AccountabilityListView(AccountabilityScopedMixin, generics.ListAPIView):
    """Accountability records whose unit is in the user's scope, newest first."""

    filterset_class = AccountabilityFilter


class AccountabilityDetailView(AccountabilityScopedMixin, generics.RetrieveAPIView):
    """One record in scope with its linked obligations and documents; out of scope 404."""
