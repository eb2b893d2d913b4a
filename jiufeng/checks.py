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


@checks.register(checks.Tags.security, deploy=True)
def identity_keys_set(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Identities and files encrypted with keys derived from SECRET_KEY are lost if SECRET_KEY is ever rotated."""
    if settings.JIUFENG_IDENTITY_KEYS_DERIVED:
        return [
            checks.Warning(
                "JIUFENG_IDENTITY_KEYS or JIUFENG_IDENTITY_INDEX_KEY is not set: petitioners' identities and "
                "stored files are encrypted with keys derived from SECRET_KEY, and rotating SECRET_KEY would "
                "make them unreadable.",
                hint="Set both before the first identity is stored, and keep SECRET_KEY as it is until then "
                "(README, Identities at rest).",
                id="jiufeng.W002",
            )
        ]
    return []
