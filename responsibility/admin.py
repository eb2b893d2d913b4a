from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import CalendarDay, CalendarYear, Deadline, Escalation, LeaderAssignment, Position, Unit
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
