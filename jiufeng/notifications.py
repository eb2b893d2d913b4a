# SQL here is assembled from code-defined fragments; every value travels as a parameter.
# ruff: noqa: S608
"""Notifications: the in-app inbox and the outbox that carries copies by email and SMS.

Writers call ``notify`` (a few users) or ``notify_from_sql`` (a sweep's thousands) inside
their own transaction, or ``notify_address`` for someone without an account (a
petitioner); the rows commit with the work that caused them, and delivery is enqueued
on commit. A broker outage only delays delivery: beat also drains the outbox.
"""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from .bulk import (
    db_datetime,
    execute_prepared,
    history_copy,
    history_insert,
    in_ids,
    insert_with_history,
    save_with_history,
)
from .models import Notification, OutboxChannel, OutboxMessage, OutboxState, User
from .sms import sms_backend

logger = logging.getLogger(__name__)

# Which user column gives each channel's address.
_ADDRESS_COLUMN = {OutboxChannel.EMAIL: "email", OutboxChannel.SMS: "phone"}
HISTORY_REASON = "notify"


# Set while a delivery run is queued and has not started: that run will drain whatever
# commits before it starts, so a commit that finds the key set queues nothing more. In a
# filing rush this turns one broker publish and one task run per filing (~1 ms of the
# web process each, and the worker's run) into one per delivery cycle. Should a queued
# run be lost, the key expires and the next commit queues again; beat drains each minute.
DELIVERY_QUEUED_KEY = "jiufeng:outbox-delivery-queued"
DELIVERY_QUEUED_SECONDS = 30


def outbox_delivery_wake() -> None:
    """Queue a delivery run unless one is queued and not yet started (deliver_outbox_task clears the key)."""
    from .tasks import deliver_outbox_task

    if not cache.add(DELIVERY_QUEUED_KEY, True, timeout=DELIVERY_QUEUED_SECONDS):
        return
    try:
        deliver_outbox_task.delay()
    except Exception:
        # Nothing was queued: let the next commit try again.
        cache.delete(DELIVERY_QUEUED_KEY)
        raise


def _enqueue_delivery() -> None:
    # One wake per transaction: a filing queues the petitioner's copy and the staff's.
    # A hook registered under the same savepoints commits or rolls back with this one.
    savepoints = set(connection.savepoint_ids)
    if any(func == outbox_delivery_wake and saved == savepoints for saved, func, _robust in connection.run_on_commit):
        return
    # robust: a broker outage must not fail the committed request; beat drains later.
    transaction.on_commit(outbox_delivery_wake, robust=True)


def _outbox_insert(
    notifications: str, where: str, where_params: list, now: datetime.datetime
) -> tuple[str, list] | None:
    """The INSERT queueing a copy of each notification of ``notifications`` (a table or CTE,
    aliased n) matching ``where`` on every configured channel the recipient has an address
    for, and its parameters; None when no channel is configured. One INSERT for every
    channel (a branch each): a filing rush notifies on each filing."""
    branches, params = [], []
    for channel in settings.JIUFENG_NOTIFICATION_CHANNELS:
        column = _ADDRESS_COLUMN[OutboxChannel(channel)]
        branches.append(
            f"SELECT n.id AS id, %s AS channel, u.{column} AS address "
            f"FROM {notifications} JOIN jiufeng_user u ON u.id = n.recipient_id "
            f"WHERE {where} AND u.{column} <> ''"
        )
        params += [channel, *where_params]
    if not branches:
        return None
    return (
        "INSERT INTO jiufeng_outboxmessage (notification_id, channel, address, subject, body, "
        "state, attempts, next_attempt_at, sent_at, last_error) "
        "SELECT c.id, c.channel, c.address, '', '', %s, 0, %s, NULL, '' "
        f"FROM ({' UNION ALL '.join(branches)}) c",
        [OutboxState.PENDING, db_datetime(now), *params],
    )


def _outbox_add(notification_ids: list[int]) -> int:
    """Queue a copy of each notification on every configured channel the recipient has an address for."""
    if not notification_ids:
        return 0
    now = timezone.now()
    where, where_params = in_ids("n.id", notification_ids)
    insert = _outbox_insert("jiufeng_notification n", where, where_params, now)
    ids = []
    if insert is not None:
        with connection.cursor() as cursor:
            execute_prepared(cursor, f"{insert[0]} RETURNING id", insert[1])
            ids = [row[0] for row in cursor.fetchall()]
    history_insert(OutboxMessage, ids, at=now, history_type="+", reason=HISTORY_REASON)
    _enqueue_delivery()
    return len(ids)


def _outbox_copies(now: datetime.datetime) -> tuple[str, list, str] | None:
    """insert_with_history's ``then`` for notifications: their outbox copies and the copies'
    history rows, written in the notifications' own statement; returns how many were queued."""
    insert = _outbox_insert("src n", "TRUE", [], now)
    if insert is None:
        return None
    copy, own, copied = history_copy(OutboxMessage, "queued src", at=now, history_type="+", reason=HISTORY_REASON)
    return (
        f", queued AS ({insert[0]} RETURNING {copied}), queued_copied AS ({copy})",
        insert[1] + own,
        "(SELECT count(*) FROM queued)",
    )


def notify(*, users, subject: str, body: str, link: str, why: str | dict[int, str], actor=None) -> list[Notification]:
    """Put a notification in each user's inbox and queue its email/SMS copies.

    ``users``: users or their ids. ``why``: the reason shown to every recipient, or each
    recipient's by user id. ``actor``: who caused it, for the history (None: the system).
    Runs in the caller's transaction; delivery starts only after it commits. On PostgreSQL
    the notifications, their copies and the history of both are one statement, however
    many recipients (a filing notifies on every request).
    """
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=user_id,
            subject=subject,
            body=body,
            link=link,
            why=why[user_id] if isinstance(why, dict) else why,
            created_at=now,
        )
        for user_id in (getattr(user, "pk", user) for user in users)
    ]
    if not rows:
        return rows
    history = {"at": now, "reason": HISTORY_REASON, "user_id": getattr(actor, "pk", None)}
    if connection.vendor != "postgresql":
        insert_with_history(rows, **history)
        _outbox_add([n.pk for n in rows])
    elif insert_with_history(rows, **history, then=_outbox_copies(now)):
        _enqueue_delivery()
    return rows


def notify_address(*, channel: str, address: str, subject: str, body: str) -> OutboxMessage | None:
    """Queue a message to a bare address: a phone for SMS, an email address for email.

    For people without an account. Email sends the subject and body, SMS the body alone,
    so the body must stand on its own. Runs in the caller's transaction; delivery starts
    only after it commits. A channel the deployment has switched off
    (JIUFENG_NOTIFICATION_CHANNELS) sends nothing: returns None.
    """
    channel = OutboxChannel(channel)
    if channel == OutboxChannel.INAPP:
        raise ValueError("A bare address has no in-app inbox.")
    if not (address.strip() and subject.strip() and body.strip()):
        raise ValueError("A message to an address needs the address, a subject and a body.")
    if channel not in settings.JIUFENG_NOTIFICATION_CHANNELS:
        return None
    message = OutboxMessage(channel=channel, address=address.strip(), subject=subject[:200], body=body)
    save_with_history(message, reason=HISTORY_REASON)
    _enqueue_delivery()
    return message


def notify_from_sql(select_sql: str, params: list, *, at: datetime.datetime) -> int:
    """Notify the rows of a SELECT giving (recipient_id, subject, body, link, why), in set-based SQL.

    For sweeps that notify thousands at once; runs in the caller's transaction.
    Returns how many notifications were written.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO jiufeng_notification (recipient_id, subject, body, link, why, created_at, read_at) "
            f"SELECT s.recipient_id, s.subject, s.body, s.link, s.why, %s, NULL FROM ({select_sql}) s RETURNING id",
            [db_datetime(at), *params],
        )
        ids = [row[0] for row in cursor.fetchall()]
    history_insert(Notification, ids, at=at, history_type="+", reason=HISTORY_REASON)
    _outbox_add(ids)
    return len(ids)


def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or those given); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        ids = list(unread.select_for_update().values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids).update(read_at=now)
        history_insert(Notification, ids, at=now, history_type="~", reason="read", user_id=user.pk)
    return len(ids)


def absolute_url(link: str) -> str:
    """A site path as a full address (JIUFENG_SITE_URL), for links in email and SMS."""
    return f"{settings.JIUFENG_SITE_URL.rstrip('/')}{link}" if link.startswith("/") else link


def _send(message: OutboxMessage) -> None:
    notification = message.notification
    if notification is None:
        subject, text, sms_text = message.subject, message.body, message.body
    else:
        link = absolute_url(notification.link)
        subject = notification.subject
        text = "\n\n".join(part for part in (notification.body, notification.why, link) if part)
        sms_text = f"{notification.subject} {link}"
    if message.channel == OutboxChannel.EMAIL:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [message.address])
    elif message.channel == OutboxChannel.SMS:
        sms_backend().send(phone=message.address, text=sms_text)


def outbox_claim(*, batch: int, lease: datetime.timedelta) -> list[int]:
    """Claim up to ``batch`` due pending messages by pushing their next attempt past the lease.

    A second runner skips rows locked or leased by the first, so nothing is sent twice
    unless a worker dies mid-send (then the lease expires and it is sent again).
    """
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at"
        )
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
        OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=now + lease)
    return ids


def outbox_deliver(*, batch: int = 500) -> dict[str, int]:
    """Send what is due in the outbox; safe to run twice at once. Returns counts by outcome.

    Steps: claim a batch (short transaction), send each outside any transaction, record
    each outcome; repeat until nothing is due. Failures retry with backoff up to
    JIUFENG_OUTBOX_MAX_ATTEMPTS, then the message is marked failed.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0}
    lease = datetime.timedelta(seconds=settings.JIUFENG_OUTBOX_LEASE_SECONDS)
    while ids := outbox_claim(batch=batch, lease=lease):
        for message in OutboxMessage.objects.filter(pk__in=ids).select_related("notification"):
            attempts = message.attempts + 1
            try:
                _send(message)
            except Exception as error:  # noqa: BLE001 - any delivery failure is recorded and retried
                logger.warning("outbox message %s failed: %s", message.pk, error)
                message.attempts = attempts
                message.last_error = str(error)[:500]
                if attempts >= settings.JIUFENG_OUTBOX_MAX_ATTEMPTS:
                    message.state = OutboxState.FAILED
                    counts["failed"] += 1
                else:
                    message.next_attempt_at = timezone.now() + lease * attempts
                    counts["retry"] += 1
            else:
                message.attempts = attempts
                message.state = OutboxState.SENT
                message.sent_at = timezone.now()
                counts["sent"] += 1
            fields = ["attempts", "state", "sent_at", "last_error", "next_attempt_at"]
            if message.notification_id is None and message.state != OutboxState.PENDING:
                # Done with, one way or the other: forget the text (it may hold a tracking code).
                message.body = ""
                fields.append("body")
            message._change_reason = "deliver_outbox_task"
            message.save(update_fields=fields)
    return counts
