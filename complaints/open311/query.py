"""GET requests: which complaints the public list shows, and its filters as the spec defines them.

service_request_id (comma list) overrides every other filter. Otherwise the list covers a
span of requested_datetime of at most 90 days (the last 90 days when no date is given;
90 days from start_date or up to end_date when only one is), narrowed by service_code and
status (comma lists), newest first, at most 1000 requests.
"""

import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Complaint, TransitionLog
from .serializers import OPEN_STATUSES

SPAN = datetime.timedelta(days=90)
LIMIT = 1000


def service_request_list() -> QuerySet[Complaint]:
    """Every complaint with what a public request shows, in one query whatever the number of rows."""
    last_change = TransitionLog.objects.filter(complaint=OuterRef("pk")).order_by("-at").values("at")[:1]
    # Unscoped by design: the public list, which shows status and category, never the text.
    return Complaint.objects.select_related("category", "handling_unit").annotate(
        updated_at=Coalesce(Subquery(last_change), F("submitted_at")),
        # The running stage's deadline (accept, resolve or review); none once the case is decided.
        expected_at=F("due_at"),
    )


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# GeoReport clients send an empty date for "no date": the schema says so, beside the format.
@extend_schema_field({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]})
class OptionalDateTimeField(serializers.DateTimeField):
    pass


class ServiceRequestQuerySerializer(serializers.Serializer):
    jurisdiction_id = serializers.CharField(required=False, allow_blank=True)
    service_request_id = serializers.CharField(required=False, allow_blank=True, help_text="comma list")
    service_code = serializers.CharField(required=False, allow_blank=True, help_text="comma list")
    start_date = OptionalDateTimeField(required=False, allow_null=True, default=None)
    end_date = OptionalDateTimeField(required=False, allow_null=True, default=None)
    status = serializers.CharField(required=False, allow_blank=True, help_text="comma list of open, closed")

    def validate_service_request_id(self, value: str) -> list[int]:
        ids = _comma_list(value)
        if len(ids) > LIMIT or not all(item.isascii() and item.isdigit() and len(item) < 19 for item in ids):
            raise serializers.ValidationError(_("Give up to 1000 service request ids, separated by commas."))
        return [int(item) for item in ids]

    def validate_service_code(self, value: str) -> list[str]:
        return _comma_list(value)

    def validate_status(self, value: str) -> list[str]:
        statuses = _comma_list(value)
        if not set(statuses) <= {"open", "closed"}:
            raise serializers.ValidationError(_("A status is open or closed."))
        return statuses

    def validate(self, data):
        start, end = data["start_date"], data["end_date"]
        if start is None and end is None:
            end = timezone.now()
        start = start if start is not None else end - SPAN
        end = end if end is not None else start + SPAN
        if end < start:
            raise serializers.ValidationError({"end_date": _("end_date is before start_date.")})
        if end - start > SPAN:
            raise serializers.ValidationError({"end_date": _("The dates may span at most 90 days.")})
        return {**data, "start_date": start, "end_date": end}


def service_requests_filtered(*, query: dict) -> QuerySet[Complaint]:
    """The public list for validated query parameters (ServiceRequestQuerySerializer)."""
    requests = service_request_list().order_by("-received_at", "-pk")
    if query.get("service_request_id"):
        return requests.filter(pk__in=query["service_request_id"])[:LIMIT]
    requests = requests.filter(received_at__gte=query["start_date"], received_at__lte=query["end_date"])
    if query.get("service_code"):
        requests = requests.filter(category__code__in=query["service_code"])
    statuses = set(query.get("status") or [])
    if statuses == {"open"}:
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        requests = requests.exclude(status__in=OPEN_STATUSES)
    return requests[:LIMIT]
