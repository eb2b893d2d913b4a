"""Notifications: the in-app inbox and the outbox that carries copies by email and SMS.

Writers call ``notify`` (the same text to a few users) or ``notifications_add`` (texts of
their own, e.g. a sweep's digests) inside their own transaction, or ``notify_address`` for
someone without an account (a petitioner); the rows commit with the work that caused them,
and delivery is enqueued on commit. A broker outage only delays delivery: beat also drains
the outbox.

What a notification says is stored as texts (jiufeng.texts) and rendered in the reader's
language in the inbox; its email and SMS copies carry it in the office's language.
"""

import datetime
import functools
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, override

from audit.actors import system_user
from audit.models import AuditEvent, AuditEventKind

from .encrypted import Purged, tokens_purge
from .history import bulk_create_recorded, history_record
from .models import TEXT_FIELDS, Notification, OutboxChannel, OutboxMessage, OutboxState, User
from .sms import sms_backend
from .texts import Text, text_render

logger = logging.getLogger(__name__)

# Which user field gives each channel's address.
_ADDRESS_FIELD = {OutboxChannel.EMAIL: "email", OutboxChannel.SMS: "phone"}
HISTORY_REASON = "notify"
PURGE_BATCH = 1000


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
    # robust: a broker outage must not fail the committed request; beat drains later. A
    # transaction that queues several messages wakes delivery once: the queued key stops
    # the others.
    transaction.on_commit(outbox_delivery_wake, robust=True)


def _outbox_add(notifications: list[Notification], *, now: datetime.datetime, user=None, addresses=None) -> int:
    """Queue a copy of each notification on every configured channel the recipient has an address for.

    ``addresses``: each recipient's {"email", "phone"} by user id, when the caller has read them.
    """
    channels = [OutboxChannel(channel) for channel in settings.JIUFENG_NOTIFICATION_CHANNELS]
    if not channels or not notifications:
        return 0
    if addresses is None:
        addresses = {
            row["pk"]: row
            for row in User.objects.filter(pk__in={n.recipient_id for n in notifications}).values(
                "pk", *_ADDRESS_FIELD.values()
            )
        }
    copies = [
        OutboxMessage(
            notification=notification,
            channel=channel,
            address=address,
            state=OutboxState.PENDING,
            next_attempt_at=now,
        )
        for notification in notifications
        for channel in channels
        if (address := addresses[notification.recipient_id][_ADDRESS_FIELD[channel]])
    ]
    if copies:
        bulk_create_recorded(copies, reason=HISTORY_REASON, user=user, at=now)
        _enqueue_delivery()
    return len(copies)


def _columns_fill(rows: list[Notification]) -> None:
    """Render each row's texts into its subject, body and why columns in the office's language
    (settings.LANGUAGE_CODE): what the email and SMS copies carry, sent when no reader's
    language is known. The inbox renders the texts again in its reader's."""
    with override(settings.LANGUAGE_CODE):
        # A sweep's digests hold thousands of lines made of a few msgids: each translated once.
        translate = functools.cache(gettext)
        for row in rows:
            for field, text in row.texts.items():
                rendered, length = text_render(text, translate), TEXT_FIELDS[field]
                setattr(row, field, rendered[:length] if length else rendered)


def notifications_add(rows: list[Notification], *, actor=None, addresses=None) -> list[Notification]:
    """Write ``rows`` (new notifications, with their texts, jiufeng.texts) with their history,
    and queue their email/SMS copies. Runs in the caller's transaction; delivery starts only
    after it commits. ``actor``: who caused them, for the history (None: the request's user or
    the system). ``addresses``: as _outbox_add takes them.
    """
    if not rows:
        return rows
    now = timezone.now()
    _columns_fill(rows)
    for row in rows:
        row.created_at = now
    bulk_create_recorded(rows, reason=HISTORY_REASON, user=actor, at=now)
    _outbox_add(rows, now=now, user=actor, addresses=addresses)
    return rows


def notify(
    *, users, subject: Text, body: Text, link: str, why: Text | dict[int, Text], actor=None, addresses=None
) -> list[Notification]:
    """Put a notification in each user's inbox and queue its email/SMS copies.

    ``users``: users or their ids. ``subject``, ``body``, ``why``: texts (jiufeng.texts), shown
    in each reader's language; ``why`` is the reason shown to every recipient, or each
    recipient's by user id. ``actor``: who caused it, for the history (None: the system).
    ``addresses``: each recipient's {"email", "phone"} by user id, when the caller has read them.
    """
    # A message is a dict too: a dict of reasons is told apart by having no msgid.
    by_user = isinstance(why, dict) and "msgid" not in why
    rows = [
        Notification(
            recipient_id=user_id,
            link=link,
            texts={"subject": subject, "body": body, "why": why[user_id] if by_user else why},
        )
        for user_id in (getattr(user, "pk", user) for user in users)
    ]
    return notifications_add(rows, actor=actor, addresses=addresses)


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
    message._change_reason = HISTORY_REASON
    message.save()
    _enqueue_delivery()
    return message


def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or those given); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        rows = list(unread.select_for_update())
        for row in rows:
            row.read_at = now
        Notification.objects.bulk_update(rows, ["read_at"])
        history_record(Notification, [row.pk for row in rows], update=True, reason="read", user=user, at=now)
    return len(rows)


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
    if any(counts.values()):
        # One line a run, whatever the number of messages: their texts are in the outbox.
        logger.info("outbox: %(sent)d sent, %(retry)d to retry, %(failed)d failed", counts)
    return counts


def outbox_purge(*, now: datetime.datetime | None = None) -> int:
    """Empty the address of every message done with (sent or given up) longer ago than the
    retention period (``JIUFENG_RETENTION_DAYS``; 0: never), its history rows' too; returns
    messages purged.

    The address, a petitioner's phone or email, with the time it was written to, ties a person
    to a filing: kept no longer than the identity it was taken from (complaints.retention).
    Each address keeps its commitment, so sealed history links still verify. One transaction
    per ``PURGE_BATCH`` messages, one AuditEvent (kind ``purge``) a run that purged any; a
    second run finds nothing.
    """
    days = settings.JIUFENG_RETENTION_DAYS
    if not days:
        return 0
    now = now or timezone.now()
    system = system_user()
    done = OutboxMessage.objects.filter(
        purged_at=None,
        state__in=(OutboxState.SENT, OutboxState.FAILED),
        next_attempt_at__lt=now - datetime.timedelta(days=days),
    )
    purged = history_rows = 0
    while True:
        with transaction.atomic():
            rows = list(done.select_for_update(skip_locked=True).order_by("pk")[:PURGE_BATCH])
            if not rows:
                break
            for row in rows:
                row.address, row.purged_at = Purged(row.address.chain_form), now
            # The rows written before keep the address: purged in place, then the purge recorded.
            history_rows += tokens_purge(OutboxMessage.history.filter(id__in=[row.pk for row in rows]), ("address",))
            OutboxMessage.objects.bulk_update(rows, ["address", "purged_at"])
            history_record(
                OutboxMessage, [row.pk for row in rows], update=True, reason="retention period", user=system, at=now
            )
        purged += len(rows)
    if purged:
        AuditEvent.objects.create(
            kind=AuditEventKind.PURGE,
            at=now,
            user=system,
            username=system.get_username(),
            detail={
                "outbox_addresses": purged,
                "outbox_history_rows": history_rows,
                "retention_days": days,
            },
        )
    return purged
