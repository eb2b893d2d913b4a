from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "jiufeng:worker-heartbeat"


@shared_task
def record_heartbeat_task() -> str:
    """Beat sends this every minute; /healthz reports how long ago a worker last ran it.

    Idempotent: it only overwrites one cache key with the current time.
    """
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now


@shared_task
def deliver_outbox_task() -> dict[str, int]:
    """Send pending notification copies; enqueued on commit and every minute by beat.

    Idempotent: rows are claimed before sending, so a second run finds nothing to do.
    Clears the queued mark first: whatever commits from now on queues a run of its own.
    """
    from .notifications import DELIVERY_QUEUED_KEY, outbox_deliver

    cache.delete(DELIVERY_QUEUED_KEY)
    return outbox_deliver()


@shared_task
def purge_outbox_addresses_task() -> int:
    """Empty the addresses of messages done with longer ago than the retention period
    (jiufeng.notifications.outbox_purge); returns messages purged. Safe to run twice."""
    from .notifications import outbox_purge

    return outbox_purge()
