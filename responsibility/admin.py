from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import (
    AccountabilityDocument,
    AccountabilityRecord,
    CalendarDay,
    CalendarYear,
    Campaign,
    CampaignTask,
    Deadline,
    Escalation,
    LeaderAssignment,
    OrgImport,
    Pledge,
    PledgeItem,
    PledgeSignature,
    PledgeTemplate,
    PledgeTemplateItem,
    Position,
    RectificationItem,
    Unit,
    UnitMove,
    Visit,
)
from .services.calendar import calendar_warning


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


class CalendarWarningMixin:
    """Tell administrators on these lists when the holiday calendar runs out."""

    def changelist_view(self, request, extra_context=None):
        if warning := calendar_warning():
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(Deadline)
class DeadlineAdmin(CalendarWarningMixin, SimpleHistoryAdmin):
    list_display = ("kind", "unit", "due_at", "met_at", "level", "next_escalation_at", "warned_at", "provisional")
    list_filter = ("kind", "level", "provisional")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    readonly_fields = ("opened_at",)


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "leader", "organizing_unit", "scheduled_for", "made_on")
    list_filter = ("kind",)
    list_select_related = ("leader", "organizing_unit")
    autocomplete_fields = ("leader", "units")
    raw_id_fields = ("organizing_unit", "leader_assignment")


@admin.register(RectificationItem)
class RectificationItemAdmin(SimpleHistoryAdmin):
    # The status changes only through the services (a protected FSM field).
    list_display = ("responsible_unit", "due_on", "status", "confirmed_at")
    list_filter = ("status",)
    list_select_related = ("responsible_unit",)
    raw_id_fields = ("responsible_unit", "visit", "submitted_by", "confirmed_by", "created_by")
    readonly_fields = ("status",)


@admin.register(UnitMove)
class UnitMoveAdmin(SimpleHistoryAdmin):
    """The record of moves: written by unit_move, never edited."""

    list_display = ("unit", "from_parent", "to_parent", "moved_by", "moved_at")
    list_select_related = ("unit", "from_parent", "to_parent", "moved_by")
    search_fields = ("unit__name",)
    readonly_fields = ("unit", "from_parent", "to_parent", "moved_by", "moved_at")

    def has_add_permission(self, request):
        return False


@admin.register(OrgImport)
class OrgImportAdmin(SimpleHistoryAdmin):
    """The record of imports: written by org_import_apply, never edited."""

    list_display = ("file_name", "imported_by", "imported_at", "rows", "units_created", "positions_created")
    list_select_related = ("imported_by",)
    readonly_fields = (
        "file_name",
        "imported_by",
        "imported_at",
        "rows",
        "units_created",
        "units_updated",
        "positions_created",
        "users_created",
    )

    def has_add_permission(self, request):
        return False


class PledgeTemplateItemInline(admin.TabularInline):
    model = PledgeTemplateItem
    extra = 1


@admin.register(PledgeTemplate)
class PledgeTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "year", "issuer")
    list_filter = ("year",)
    list_select_related = ("issuer",)
    search_fields = ("name", "issuer__name")
    raw_id_fields = ("issuer",)
    inlines = [PledgeTemplateItemInline]


class ReadOnlyAdminMixin:
    """History to read, nothing to change: writes go through the pledge services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PledgeItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PledgeItem
    extra = 0


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    # Pledges change only through the services (the pages and API), which check who
    # may act and keep the deadlines and signatures in step.
    list_display = ("year", "issuer", "unit", "state", "version", "signed_by", "signed_at", "total_score")
    list_filter = ("year", "state")
    list_select_related = ("issuer", "unit", "signed_by")
    search_fields = ("issuer__name", "unit__name")
    raw_id_fields = ("issuer", "unit", "template")
    inlines = [PledgeItemInline]


@admin.register(PledgeSignature)
class PledgeSignatureAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("pledge", "version", "signed_by", "signed_at")
    list_select_related = ("pledge__issuer", "pledge__unit", "signed_by")
    readonly_fields = ("pledge", "version", "signed_by", "signed_at", "text")


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


@admin.register(Escalation)
class EscalationAdmin(SimpleHistoryAdmin):
    list_display = ("deadline", "level", "unit", "created_at", "acknowledged_by", "acknowledged_at")
    list_filter = ("level",)
    list_select_related = ("deadline__unit", "unit", "acknowledged_by")
    raw_id_fields = ("deadline", "unit", "acknowledged_by")


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarWarningMixin, SimpleHistoryAdmin):
    list_display = ("year", "source", "loaded_at")


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarWarningMixin, SimpleHistoryAdmin):
    list_display = ("day", "working", "name")
    list_filter = ("working",)
    date_hierarchy = "day"
