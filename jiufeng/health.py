"""GET /healthz: is the database reachable, is the broker reachable.

Each check answers "ok" or "error". Without the database nothing works: 503, so that a load
balancer or docker-compose stops routing to this process. Without the broker (Redis) the
site still files and tracks on PostgreSQL alone, only later: 200 with "status": "degraded",
naming the broker, so that every web process is not taken out of service at once.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _broker_ok() -> bool:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        with broker:
            broker.connect()
            return True
    except Exception:
        logger.exception("healthz: broker check failed")
        return False


@never_cache
@require_GET
def healthz(request):
    parts = {
        "database": "ok" if _database_ok() else "error",
        "broker": "ok" if _broker_ok() else "error",
    }
    if parts["database"] != "ok":
        return JsonResponse({"status": "error", **parts}, status=503)
    return JsonResponse({"status": "ok" if parts["broker"] == "ok" else "degraded", **parts})
