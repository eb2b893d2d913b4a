"""The chain heads, for administrators: where each chain ends and how far verification got.

Read-only, like every history and log row: the sealer and verify_history write these.
"""

from django.contrib import admin

from .models import ChainHead


@admin.register(ChainHead)
class ChainHeadAdmin(admin.ModelAdmin):
    list_display = ("table", "seq", "verified_seq", "verified_at", "alerted")
    search_fields = ("table",)
    ordering = ("table",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
