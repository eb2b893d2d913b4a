"""System checks for a deployment's settings that Django's own do not cover."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def proxy_addresses_known(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Behind a proxy with none trusted, every petitioner would be the proxy's one address."""
    if settings.JIUFENG_BEHIND_PROXY and not settings.JIUFENG_TRUSTED_PROXIES:
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is on but TRUSTED_PROXIES names no proxy: X-Forwarded-For is ignored, "
                "so every client counts as the proxy's address in per-address limits.",
                hint="Set TRUSTED_PROXIES to the proxy's address or network (e.g. 172.28.0.0/24).",
                id="jiufeng.W001",
            )
        ]
    return []
