import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def seal_history_task() -> dict[str, int]:
    """Beat runs this every minute: link the rows written since into their tables' hash chains.

    Idempotent: a second run finds nothing unsealed; two at once take turns on each table's
    head lock and never give out a number twice.
    """
    from .chain import seal

    return seal()


@shared_task(acks_late=True)
def verify_history_task() -> dict[str, int]:
    """Beat runs this nightly: verify every chain from its first row, alert administrators of breaks.

    Idempotent: verification only reads (and records how far it got); each break is alerted
    once (audit.alerts). Logs each chain's head, so the log kept off this database anchors
    the chains: a chain rewritten wholesale from its start no longer ends where the log says.
    """
    from .alerts import chain_breaks_alert
    from .models import ChainHead
    from .verify import history_verify

    # One table after another (jobs=1): the night has hours, and a worker's pool process
    # must not start processes of its own.
    reports = list(history_verify())
    for head in ChainHead.objects.filter(seq__gt=0).order_by("table"):
        logger.info("History chain %s ends at #%s %s", head.table, head.seq, head.hash)
    alerted = chain_breaks_alert(reports)
    return {
        "verified": sum(report.verified for report in reports),
        "broken": sum(report.broken is not None for report in reports),
        "alerted": len(alerted),
    }


@shared_task(acks_late=True)
def export_job_run_task(job_id: int) -> None:
    """Write a ledger too big for its page (audit.export_jobs); a job already written is left alone."""
    from .export_jobs import export_job_run

    export_job_run(job_id)


@shared_task(acks_late=True)
def export_jobs_purge_task() -> int:
    """Beat runs this daily: written files are deleted after export_jobs.KEEP_DAYS."""
    from .export_jobs import export_jobs_purge

    return export_jobs_purge()
