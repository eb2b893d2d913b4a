"""The Celery app.

Broker and transport options come from settings (Redis, or the filesystem transport
under var/ in development). Tasks are acknowledged late and re-queued when a worker
dies, so every task must be safe to run twice; tasks are enqueued from transactions
with ``delay_on_commit`` so a rolled-back write never sends anything.

Every task runs as the system (audit.actors): what it changes is recorded under the system
user, with the task's name in the history row's reason.
"""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")


class SystemTask(DjangoTask):
    """A task whose changes are the system's, named after the task (run by a worker, or called).

    DjangoTask is what Celery gives a Django project by default (``delay_on_commit``).
    """

    def __call__(self, *args, **kwargs):
        # Imported here: this module loads with the project package, before Django's apps.
        from audit.actors import system_run

        with system_run("task", self.name):
            return super().__call__(*args, **kwargs)


app = Celery("jiufeng", task_cls=SystemTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # With late acks a task cut off by a lost broker connection is delivered again:
    # cancel it rather than let it finish twice (Celery 6's default).
    worker_cancel_long_running_tasks_on_connection_loss=True,
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    timezone="Asia/Shanghai",
    broker_connection_retry_on_startup=True,
    # A worker never gives up on the broker: kombu's default (100 tries, 30 s apart at most)
    # shuts it down for good after a 50-minute Redis outage.
    broker_connection_max_retries=None,
    beat_schedule={
        "heartbeat": {"task": "jiufeng.tasks.record_heartbeat_task", "schedule": 60.0},
        "sweep-deadlines": {"task": "responsibility.tasks.sweep_deadlines_task", "schedule": 300.0},
        # Delivery is enqueued on commit; this drains what a broker outage held back.
        "deliver-outbox": {"task": "jiufeng.tasks.deliver_outbox_task", "schedule": 60.0},
        # Resolved complaints no review can reach any more are closed (complaints.tasks).
        "close-expired-cases": {"task": "complaints.tasks.close_expired_cases_task", "schedule": 3600.0},
        # The dashboard's figures of whole months are read from tallies this many seconds old at most
        # (complaints.tallies); open, overdue and due-soon cases from a count of this minute.
        "refresh-case-tallies": {"task": "complaints.tasks.refresh_case_tallies_task", "schedule": 600.0},
        "refresh-open-tallies": {"task": "complaints.tasks.refresh_open_tallies_task", "schedule": 60.0},
        # The 举一反三 blocks looked at in the last hour, counted before they leave the cache (complaints.recurring).
        "recount-recurring": {"task": "complaints.tasks.recount_recurring_task", "schedule": 300.0},
        # Identities and files of cases ended longer ago than JIUFENG_RETENTION_DAYS (complaints.retention).
        "purge-expired-cases": {
            "task": "complaints.tasks.purge_expired_cases_task",
            "schedule": crontab(hour=2, minute=30),
        },
        # Addresses of messages sent longer ago than JIUFENG_RETENTION_DAYS (jiufeng.notifications).
        "purge-outbox-addresses": {
            "task": "jiufeng.tasks.purge_outbox_addresses_task",
            "schedule": crontab(hour=2, minute=35),
        },
        # History and log rows are hash-chained by the minute (audit.chain): an edit made
        # directly in the database before its row is sealed goes unnoticed.
        "seal-history": {"task": "audit.tasks.seal_history_task", "schedule": 60.0},
        # Every chain recomputed at night, administrators alerted of a break (audit.alerts).
        "verify-history": {"task": "audit.tasks.verify_history_task", "schedule": crontab(hour=3, minute=0)},
        # Files of big ledgers (audit.export_jobs) are kept a week.
        "purge-export-files": {"task": "audit.tasks.export_jobs_purge_task", "schedule": crontab(hour=2, minute=45)},
    },
)
app.autodiscover_tasks()
