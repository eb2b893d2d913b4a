"""The shapes of GeoReport v2 documents (JSON; render.py maps them to XML), field by field as the spec names them."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..api_public.categories import localised
from ..models import ComplaintStatus

# GeoReport v2 knows two statuses. A resolved case counts as closed ("it has been resolved")
# even though a review may reopen it; it is open again while under review.
OPEN_STATUSES = [
    ComplaintStatus.SUBMITTED,
    ComplaintStatus.ACCEPTED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.PENDING_APPROVAL,
    ComplaintStatus.UNDER_REVIEW,
]


class W3DateTimeField(serializers.DateTimeField):
    """ISO 8601 to the second with the offset (the spec's w3 format), in the deployment's time zone."""

    def to_representation(self, value):
        return super().to_representation(value.replace(microsecond=0) if value else value)


@extend_schema_field({"type": "string", "nullable": True})
class NotPublished(serializers.Field):
    """A field of the spec this server never fills: always null (an empty element in XML)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return None

    def to_representation(self, value):
        return None


class ServiceSerializer(serializers.Serializer):
    """A complaint category as a service (see the package docstring for type "batch")."""

    service_code = serializers.CharField(source="code")
    service_name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    group = serializers.SerializerMethodField()

    def get_service_name(self, category) -> str:
        return localised(category.name, category.name_en)

    def get_description(self, category) -> str:
        return localised(category.hint, category.hint_en)

    def get_metadata(self, category) -> bool:
        return False

    def get_type(self, category) -> str:
        return "batch"

    def get_keywords(self, category) -> str:
        # Synonyms: both languages' names and the code.
        return ", ".join(dict.fromkeys(word for word in (category.name, category.name_en, category.code) if word))

    def get_group(self, category) -> str:
        # The parent category; a top-level category is a group of its own.
        if category.parent_id is None:
            return localised(category.name, category.name_en)
        return localised(category.parent_name, category.parent_name_en)


class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    attributes = serializers.SerializerMethodField()

    def get_attributes(self, category) -> list[dict]:
        # No category asks for more than the description: no attributes.
        return []


class ServiceRequestSerializer(serializers.Serializer):
    """A complaint as the public may see it: never its text, place, petitioner or files."""

    service_request_id = serializers.IntegerField(source="pk")
    status = serializers.SerializerMethodField()
    status_notes = serializers.CharField(source="get_status_display")
    service_name = serializers.SerializerMethodField()
    service_code = serializers.CharField(source="category.code")
    description = NotPublished()
    agency_responsible = serializers.CharField(source="handling_unit.name", allow_null=True)
    service_notice = NotPublished()
    requested_datetime = W3DateTimeField(source="received_at")
    updated_datetime = W3DateTimeField(source="updated_at")
    expected_datetime = W3DateTimeField(source="expected_at", allow_null=True)
    address = NotPublished()
    address_id = NotPublished()
    zipcode = NotPublished()
    lat = NotPublished()
    long = NotPublished()
    media_url = NotPublished()

    def get_status(self, complaint) -> str:
        return "open" if complaint.status in OPEN_STATUSES else "closed"

    def get_service_name(self, complaint) -> str:
        return localised(complaint.category.name, complaint.category.name_en)


class TokenSerializer(serializers.Serializer):
    service_request_id = serializers.IntegerField()
    token = serializers.CharField()


class ServiceRequestCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The tracking code (查询码): the filer's only key to the case.")
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True, default=None)


def _degrees(limit: int) -> serializers.DecimalField:
    # Decimal, not float: "nan" and "inf" are refused rather than slipping past the range check.
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        min_value=Decimal(-limit),
        max_value=Decimal(limit),
        required=False,
        allow_null=True,
        default=None,
    )


class ServiceRequestCreateSerializer(serializers.Serializer):
    """POST requests: the spec's form fields. Text is complaint_file's to judge."""

    api_key = serializers.CharField(required=False, allow_blank=True, default="")
    jurisdiction_id = serializers.CharField(required=False, allow_blank=True, default="")
    service_code = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    address_string = serializers.CharField(required=False, allow_blank=True, default="")
    lat = _degrees(90)
    long = _degrees(180)
    email = serializers.CharField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    media_url = serializers.CharField(required=False, allow_blank=True, default="", help_text="Ignored.")

    def validate(self, data):
        if (data["lat"] is None) != (data["long"] is None):
            raise serializers.ValidationError({"lat": _("Send lat and long together, or neither.")})
        return data


class EndpointSerializer(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField()
    type = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())


class DiscoverySerializer(serializers.Serializer):
    changeset = serializers.CharField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = EndpointSerializer(many=True)
