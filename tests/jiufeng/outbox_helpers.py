"""An SMS gateway that records what it would send, and can be made to fail (the only mock)."""


class RecordingSms:
    sent: list[tuple[str, str]] = []
    fail = False

    def send(self, *, phone: str, text: str) -> None:
        if RecordingSms.fail:
            raise ConnectionError("gateway down")
        RecordingSms.sent.append((phone, text))


def sms_recorded(settings) -> type[RecordingSms]:
    """Route SMS to RecordingSms and email to the test outbox; for a test module's ``sms`` fixture."""
    settings.JIUFENG_SMS_BACKEND = "tests.jiufeng.outbox_helpers.RecordingSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    RecordingSms.sent, RecordingSms.fail = [], False
    return RecordingSms


def delivery_runs_queued(callbacks, monkeypatch) -> int:
    """Run captured on-commit callbacks, which must all wake delivery; how many delivery runs they queued.

    A transaction may wake delivery more than once (each write to the outbox does): one run is queued.
    """
    from django.core.cache import cache

    from jiufeng import notifications, tasks

    assert callbacks and set(callbacks) == {notifications.outbox_delivery_wake}
    queued = []
    monkeypatch.setattr(tasks.deliver_outbox_task, "delay", lambda: queued.append(True))
    cache.delete(notifications.DELIVERY_QUEUED_KEY)
    for callback in callbacks:
        callback()
    # As the run would on starting: the next commit queues again.
    cache.delete(notifications.DELIVERY_QUEUED_KEY)
    return len(queued)


def messages_to(address: str, messages=None) -> list:
    """The outbox messages to ``address``, oldest first: an encrypted column no query can match."""
    from jiufeng.models import OutboxMessage

    messages = OutboxMessage.objects.all() if messages is None else messages
    return [message for message in messages.order_by("pk") if message.address == address]
