from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def sweep_deadlines_task() -> dict[str, int]:
    """Beat runs this every five minutes: one escalation sweep as of now.

    Idempotent: a second run finds nothing due (the deadlines moved on), and the unique
    (deadline, level) constraint stops a concurrent one from escalating a step twice.
    """
    from .services.escalations import deadlines_sweep

    result = deadlines_sweep(at=timezone.now())
    return {
        "escalated": len(result.escalation_ids),
        "at_top": len(result.at_top_ids),
        "warned": len(result.warned_ids),
        "notifications": result.notifications,
    }
