from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Notification, OutboxMessage, User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Contact"), {"fields": ("display_name", "phone")}),
    )
    list_display = ("username", "display_name", "phone", "is_staff", "is_active")
    search_fields = ("username", "display_name", "phone", "email")


@admin.register(Notification)
class NotificationAdmin(SimpleHistoryAdmin):
    list_display = ("recipient", "subject", "created_at", "read_at")
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    search_fields = ("subject", "recipient__username")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SimpleHistoryAdmin):
    list_display = ("notification", "subject", "channel", "address", "state", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("channel", "state")
    list_select_related = ("notification",)
    raw_id_fields = ("notification",)
