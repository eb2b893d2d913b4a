"""Reads for the inbox."""

from django.db.models import QuerySet

from .models import Notification


# The navigation's badge counts unread notifications up to here and shows more as "99+". The
# 纠风办's officers hear of every filing in the county: counting tens of thousands of unread
# rows cost milliseconds of every page they open.
UNREAD_SHOWN = 99


def unread_count(user) -> int:
    """Unread notifications, counted up to UNREAD_SHOWN + 1 (more than UNREAD_SHOWN)."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    # A LIMITed subquery: the database stops reading at the cap.
    return unread.values("pk")[: UNREAD_SHOWN + 1].count()


def notification_list_for_user(*, user) -> QuerySet:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
