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
