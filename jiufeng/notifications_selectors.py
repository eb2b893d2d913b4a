"""Reads for the inbox."""

from django.db.models import QuerySet

from .models import Notification


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list_for_user(*, user) -> QuerySet:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
