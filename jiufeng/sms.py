"""SMS adapters. settings.JIUFENG_SMS_BACKEND names the class; a gateway adapter
implements the same ``send`` and raises on failure so the outbox retries."""

import logging

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Development and demo: writes the message to the log (its own file under `make run`) instead of sending it."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def sms_backend():
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.JIUFENG_SMS_BACKEND)()
