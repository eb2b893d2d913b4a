from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import (
    Deadline,
    LeaderAssignment,
    Pledge,
    PledgeItem,
    PledgeSignature,
    PledgeTemplate,
    PledgeTemplateItem,
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
