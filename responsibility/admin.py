from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import (
    AccountabilityDocument,
    AccountabilityRecord,
    Campaign,
    CampaignTask,
    Deadline,
    LeaderAssignment,
    Position,
    Unit,
)


@admin.register(Unit)
class UnitAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "kind", "supervising_unit", "remit_unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("supervising_unit", "remit_unit")


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ("user", "unit", "kind", "starts_on", "ends_on")
    list_filter = ("kind",)
    list_select_related = ("user", "unit")
    search_fields = ("user__username", "user__display_name", "unit__name")
    autocomplete_fields = ("user", "unit")


@admin.register(LeaderAssignment)
class LeaderAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("leader", "visit_frequency", "starts_on", "ends_on")
    list_select_related = ("leader",)
    autocomplete_fields = ("leader", "units")


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "unit", "due_at", "met_at", "level", "next_escalation_at")
    list_filter = ("kind", "level")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    readonly_fields = ("opened_at",)


# State fields are FSM-protected: the admin shows them, services change them.
@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(SimpleHistoryAdmin):
    list_display = ("user", "unit", "measure", "state", "proposed_at", "decided_on")
    list_filter = ("state", "measure")
    list_select_related = ("user", "unit")
    search_fields = ("user__username", "user__display_name", "unit__name")
    raw_id_fields = ("position", "user", "unit", "obligations", "proposed_by", "decided_by")
    readonly_fields = ("state",)


@admin.register(AccountabilityDocument)
class AccountabilityDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("original_name", "record", "content_type", "size", "uploaded_at", "removed_at")
    list_select_related = ("record__user", "record__unit")
    raw_id_fields = ("record", "uploaded_by", "removed_by")
    # The file is served only by the scoped download view, never by a storage URL.
    exclude = ("file",)


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "lead_unit", "starts_on", "ends_on", "state")
    list_filter = ("state",)
    list_select_related = ("lead_unit",)
    raw_id_fields = ("lead_unit", "created_by")
    readonly_fields = ("state",)


@admin.register(CampaignTask)
class CampaignTaskAdmin(SimpleHistoryAdmin):
    list_display = ("campaign", "unit", "description", "due_on", "status")
    list_filter = ("status",)
    list_select_related = ("campaign", "unit")
    raw_id_fields = ("campaign", "unit", "done_by")
