"""The API's shape of a history row (audit.timeline.TimelineRow.as_api): the complaint history
(API.md) and the auditors' search give the same entries."""

from rest_framework import serializers


class HistoryRecordSerializer(serializers.Serializer):
    # The model's label ("complaints.activity"), or "transition" / "identity_read" for a case's logs.
    type = serializers.CharField()
    name = serializers.CharField()
    id = serializers.IntegerField()


class HistoryFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    # Readable: names instead of ids, labels instead of codes, local times; "" when empty.
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)
    # Personal data that changed: its values are not given.
    masked = serializers.BooleanField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    # The account that made the change; null for the petitioner and the system.
    user = serializers.CharField(allow_null=True)
    # The transition's name, "file", another change reason, or +/~/- for a change without one.
    action = serializers.CharField()
    # As stored: ids and codes; personal data null.
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(allow_null=True), min_length=2, max_length=2)
    )
    # Additions to API.md: which record, who and why in words, the readable fields, a note.
    record = HistoryRecordSerializer()
    actor = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    fields = HistoryFieldSerializer(many=True)
    note = serializers.CharField(allow_blank=True)


class HistoryPageSerializer(serializers.Serializer):
    # The older page's address, null on the last page: no count over all history.
    next = serializers.URLField(allow_null=True)
    results = HistoryEntrySerializer(many=True)
