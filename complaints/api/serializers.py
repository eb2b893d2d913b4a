"""What the staff API shows of a complaint, and the input each of its writes takes.

Never the petitioner's identity (only the identity endpoint, which logs every read), never
the tracking code's hash.
"""

from django.db import connection
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from audit.serializers import HistoryEntrySerializer
from responsibility.api.units import UnitRefSerializer
from responsibility.models import Deadline, Unit

from .. import services, transitions
from ..models import (
    EXTENSION_MAX_DAYS,
    INTAKE_CHANNELS,
    Activity,
    ActivityKind,
    Attachment,
    Category,
    Channel,
    CheckedItem,
    Complaint,
    ComplaintStatus,
    ExtensionRequest,
    ExtensionState,
    Finding,
    InternalNote,
    Measure,
    MeasureKind,
    Message,
    Rating,
    RatingValue,
)
from .enums import named_choice_field

ComplaintStatusField = named_choice_field("ComplaintStatusEnum", ComplaintStatus.choices)
ChannelField = named_choice_field("ChannelEnum", Channel.choices)
IntakeChannelField = named_choice_field("IntakeChannelEnum", INTAKE_CHANNELS)
FindingField = named_choice_field("FindingEnum", Finding.choices)
ActivityKindField = named_choice_field("ActivityKindEnum", ActivityKind.choices)
CheckedItemField = named_choice_field("CheckedItemEnum", CheckedItem.choices)
RatingValueField = named_choice_field("RatingValueEnum", RatingValue.choices)
MeasureKindField = named_choice_field("MeasureKindEnum", MeasureKind.choices)
ExtensionStateField = named_choice_field("ExtensionStateEnum", ExtensionState.choices)

# --- What a case shows --------------------------------------------------------------


class ComplaintCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name"]
        read_only_fields = fields


class ComplaintListSerializer(serializers.ModelSerializer):
    status = ComplaintStatusField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    channel = ChannelField(read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    category = ComplaintCategorySerializer(read_only=True)
    subject_unit = UnitRefSerializer(read_only=True, allow_null=True)
    handling_unit = UnitRefSerializer(read_only=True, allow_null=True)
    # Who decides the review asked last (复查, 复核): an addition to API.md; null before any.
    reviewing_unit = UnitRefSerializer(read_only=True, allow_null=True)
    # When the running stage is due (null when nothing runs), and whether that has passed.
    due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "case_number",
            "title",
            "status",
            "status_display",
            "channel",
            "channel_display",
            "category",
            "subject_unit",
            "handling_unit",
            "anonymous",
            "received_at",
            "submitted_at",
            "review_round",
            "reviewing_unit",
            "review_by_leaders",
            "version",
            "due_at",
            "overdue",
        ]
        read_only_fields = fields


class ComplaintDeadlineSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit = UnitRefSerializer(read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Deadline
        fields = ["id", "kind", "kind_display", "unit", "opened_at", "due_at", "met_at", "level", "overdue"]
        read_only_fields = fields


class ComplaintActivitySerializer(serializers.ModelSerializer):
    kind = ActivityKindField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # A 查 activity's items checked (empty for the other kinds), and their names.
    checked = serializers.ListField(child=CheckedItemField(), read_only=True)
    checked_display = serializers.ListField(child=serializers.CharField(), source="checked_labels", read_only=True)
    recorded_by = serializers.StringRelatedField()
    # A void activity counts for nothing; it stays, with who voided it, when and why.
    voided = serializers.BooleanField(read_only=True)
    voided_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "kind_display",
            "occurred_at",
            "participants",
            "summary",
            "checked",
            "checked_display",
            "recorded_by",
            "recorded_at",
            "corrected_at",
            "correction_reason",
            "voided",
            "voided_at",
            "voided_by",
            "void_reason",
        ]
        read_only_fields = fields


class ComplaintMessageSerializer(serializers.ModelSerializer):
    # Null: the petitioner wrote it.
    author = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Message
        fields = ["id", "at", "author", "from_petitioner", "body"]
        read_only_fields = fields


class ComplaintNoteSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = InternalNote
        fields = ["id", "at", "author", "body"]
        read_only_fields = fields


class ComplaintMeasureSerializer(serializers.ModelSerializer):
    """One measure of a disposition: shown on the case, and proposed with a decision."""

    kind = MeasureKindField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    description = serializers.CharField(max_length=transitions.REASON_MAX, allow_blank=True, default="")
    # Refunds only, in yuan.
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    # The unit that carries it out, and by when: needed by a rectification, kept for any measure.
    responsible_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, default=None
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)

    class Meta:
        model = Measure
        fields = [
            "id",
            "kind",
            "kind_display",
            "description",
            "amount",
            "responsible_unit",
            "due_on",
            "review_round",
            "rectification_item",
            "created_at",
        ]
        read_only_fields = ["review_round", "rectification_item", "created_at"]


class ComplaintRatingSerializer(serializers.ModelSerializer):
    """The petitioner's rating of one reply (review_round 0 the first, 1 the 复查's, 2 the 复核's)."""

    rating = RatingValueField(read_only=True)
    rating_display = serializers.CharField(source="get_rating_display", read_only=True)

    class Meta:
        model = Rating
        fields = ["id", "review_round", "rating", "rating_display", "comment", "at"]
        read_only_fields = fields


class ComplaintExtensionSerializer(serializers.ModelSerializer):
    state = ExtensionStateField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "stage",
            "review_round",
            "days",
            "reason",
            "state",
            "state_display",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class ComplaintAttachmentSerializer(serializers.ModelSerializer):
    # Null: the petitioner uploaded it.
    uploaded_by = serializers.StringRelatedField(allow_null=True)
    # The file itself, through the API's scope check (never a storage URL).
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "message",
            "activity",
            "uploaded_by",
            "uploaded_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        return reverse(
            "api:complaint-attachment",
            kwargs={"pk": attachment.complaint_id, "attachment_id": attachment.pk},
            request=self.context.get("request"),
        )


class ComplaintDetailSerializer(ComplaintListSerializer):
    """A case as staff in scope see it; complaints.api.reads.complaint_detail fills it."""

    finding = serializers.SerializerMethodField()
    finding_display = serializers.CharField(source="get_finding_display", read_only=True)
    available_transitions = serializers.ListField(
        source="transitions_available", child=serializers.CharField(), read_only=True
    )
    deadlines = ComplaintDeadlineSerializer(source="deadline_list", many=True, read_only=True)
    activities = ComplaintActivitySerializer(source="activity_list", many=True, read_only=True)
    messages = ComplaintMessageSerializer(source="message_list", many=True, read_only=True)
    notes = ComplaintNoteSerializer(source="note_list", many=True, read_only=True)
    measures = ComplaintMeasureSerializer(source="measure_list", many=True, read_only=True)
    extension_requests = ComplaintExtensionSerializer(source="extension_list", many=True, read_only=True)
    attachments = ComplaintAttachmentSerializer(source="attachment_list", many=True, read_only=True)
    ratings = ComplaintRatingSerializer(source="rating_list", many=True, read_only=True)

    class Meta(ComplaintListSerializer.Meta):
        fields = [
            *ComplaintListSerializer.Meta.fields,
            "content",
            "occurred_on",
            "location",
            "finding",
            "finding_display",
            "disposition",
            "reply",
            "replied_at",
            "transferred_to",
            "merged_into",
            "possible_duplicate_of",
            "available_transitions",
            "deadlines",
            "activities",
            "messages",
            "notes",
            "measures",
            "extension_requests",
            "attachments",
            "ratings",
        ]
        read_only_fields = fields

    @extend_schema_field(FindingField(allow_null=True))
    def get_finding(self, complaint: Complaint) -> str | None:
        return complaint.finding or None


class ComplaintHistoryEntrySerializer(HistoryEntrySerializer):
    """One change of the case or of a record attached to it (audit.serializers)."""


class ComplaintIdentitySerializer(serializers.Serializer):
    anonymous = serializers.BooleanField()
    name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False)
    email = serializers.CharField(required=False)


# --- What the writes take -------------------------------------------------------------


def _text(**kwargs) -> serializers.CharField:
    # Blank, missing and too long are complaint_file's to judge, with its own messages.
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


class RowField(serializers.PrimaryKeyRelatedField):
    """A primary key read as PrimaryKeyRelatedField reads it (same messages), where a number past
    the key column's range is a key that does not exist rather than a database error."""

    def to_internal_value(self, data):
        model = self.get_queryset().model
        low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = self.get_queryset().filter(pk=pk).first() if low <= pk <= high else None
        if row is None:
            self.fail("does_not_exist", pk_value=data)
        return row


class ComplaintFileSerializer(serializers.Serializer):
    """A complaint as the petitioner files it (POST /api/v1/complaints/).

    complaint_file validates everything (required text, lengths, phone, ID number, dates,
    attachments): this only parses types, so its messages are never duplicated here.
    """

    category = RowField(queryset=Category.objects.all())
    subject_unit = RowField(queryset=Unit.objects.all(), required=False, allow_null=True, default=None)
    title = _text()
    content = _text()
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
    location = _text()
    anonymous = serializers.BooleanField(required=False, default=False)
    name = _text(help_text="Required unless anonymous.")
    phone = _text(help_text="Required unless anonymous: a mobile or a landline with its area code.")
    id_number = _text()
    email = _text()
    # Multipart only: photos, receipts, letters (complaints.attachments judges them).
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ComplaintIntakeSerializer(ComplaintFileSerializer):
    """A complaint received by hotline, letter, visit, mailbox, media or referral: the filing plus its channel."""

    channel = IntakeChannelField()
    # Deadlines count from receipt: a letter that arrived last week is due from last week.
    received_at = serializers.DateTimeField(allow_null=True, default=None)


class ComplaintFiledSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(help_text="Shown once: only a hash of it is kept.")
    status = ComplaintStatusField()
    submitted_at = serializers.DateTimeField()
    accept_due_at = serializers.DateTimeField(allow_null=True)
    case_number = serializers.CharField(help_text="Extension: the public case number (2026-000040).")


class ComplaintIntakeResultSerializer(ComplaintFiledSerializer):
    id = serializers.IntegerField()


class ComplaintActivityFieldsSerializer(serializers.Serializer):
    kind = ActivityKindField()
    occurred_at = serializers.DateTimeField()
    participants = serializers.CharField(max_length=services.PARTICIPANTS_MAX, allow_blank=True, default="")
    summary = serializers.CharField(max_length=services.CONTENT_MAX)
    # Needed by a 查 activity, refused with another kind (the service says so).
    checked = serializers.ListField(child=CheckedItemField(), default=list, max_length=len(CheckedItem.values))


class ComplaintActivityInputSerializer(ComplaintActivityFieldsSerializer):
    # Multipart only: photos and documents gathered (complaints.attachments judges them).
    attachments = serializers.ListField(child=serializers.FileField(), default=list)


class ComplaintActivityCorrectInputSerializer(ComplaintActivityFieldsSerializer):
    reason = serializers.CharField(max_length=transitions.REASON_MAX)


class ComplaintActivityVoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=transitions.REASON_MAX)


class ComplaintMessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MESSAGE_MAX)


class ComplaintNoteInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.CONTENT_MAX)


class ComplaintExtensionInputSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=EXTENSION_MAX_DAYS)
    reason = serializers.CharField(max_length=transitions.REASON_MAX)


# --- Transitions: the inputs their declarations name (complaints.workflow) ---------------
# Each gives the service what it takes, typed: a Unit, an int, clean text, measures.


class ComplaintTransitionSerializer(serializers.Serializer):
    # The version the caller's view of the case was made from: a case changed meanwhile is refused (409).
    version = serializers.IntegerField(min_value=0, allow_null=True, default=None)


class ComplaintTransitionNoteSerializer(ComplaintTransitionSerializer):
    note = serializers.CharField(max_length=transitions.REASON_MAX, allow_blank=True, default="")


class ComplaintTransitionReasonSerializer(ComplaintTransitionSerializer):
    reason = serializers.CharField(max_length=transitions.REASON_MAX)


class ComplaintTransitionAcceptSerializer(ComplaintTransitionNoteSerializer):
    # Left out: the unit responsible for the subject unit (谁主管谁负责).
    handling_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), allow_null=True, default=None)


class ComplaintTransitionTransferSerializer(ComplaintTransitionReasonSerializer):
    # The authority that has jurisdiction, outside the organisation tree, by name.
    to = serializers.CharField(max_length=transitions.TRANSFER_TO_MAX)


class ComplaintTransitionRefusalSerializer(ComplaintTransitionSerializer):
    # Why the extension is refused: owed to who asked.
    note = serializers.CharField(max_length=transitions.REASON_MAX)


class ComplaintTransitionMergeSerializer(ComplaintTransitionSerializer):
    # The primary case's id, as complaint_merge takes it.
    primary = serializers.IntegerField(min_value=1, max_value=2**31 - 1, source="primary_id")


class ComplaintTransitionDecisionSerializer(ComplaintTransitionSerializer):
    finding = FindingField()
    disposition = serializers.CharField(max_length=transitions.TEXT_MAX)
    reply = serializers.CharField(max_length=transitions.TEXT_MAX)
    measures = ComplaintMeasureSerializer(many=True, default=list)
