from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Position, Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "kind", "supervising_unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ("user", "unit", "kind", "starts_on", "ends_on")
    list_filter = ("kind",)
    list_select_related = ("user", "unit")
    search_fields = ("user__username", "user__display_name", "unit__name")
    autocomplete_fields = ("user", "unit")
