"""The address a request comes from, for per-address limits (django-ratelimit's "ip" key)."""

import ipaddress

from django.conf import settings
from ipware import get_client_ip


def client_address(request) -> str:
    """From one of our proxies (TRUSTED_PROXIES), the address it appended last to
    X-Forwarded-For; else the socket's.

    Only the proxy's own entry can be trusted, and only when the request came from the proxy:
    a client may put anything before it, or reach the app without the proxy and write the
    header itself, so a guesser cannot pose as many petitioners, nor make every petitioner
    share the proxy's address and one limit. Read once per request: each limit checked asks again.
    """
    address = request.META.get(_KEY)
    if address is None:
        address = request.META[_KEY] = _address(request)
    return address


# Whoever reaches us with no socket address (a request built in-process; a server on a Unix
# socket sets REMOTE_ADDR empty) is counted under this one: django-ratelimit masks the address
# into a network, and an empty one made every per-address limit answer 500.
NO_ADDRESS = "0.0.0.0"  # noqa: S104 (an address to count under, never one to bind)


def rate_limit_address(request) -> str:
    """client_address, or NO_ADDRESS where there is none: django-ratelimit's "ip" key (RATELIMIT_IP_META_KEY)."""
    return client_address(request) or NO_ADDRESS


# In the request's META, where Django's request copies (DRF's Request) share it.
_KEY = "jiufeng.client_address"


def _address(request) -> str:
    # A request built in-process (the test client's force_login) has no socket address.
    remote = request.META.get("REMOTE_ADDR", "")
    if _from_proxy(remote):
        address, _routable = get_client_ip(
            request, proxy_order="right-most", request_header_order=["HTTP_X_FORWARDED_FOR"]
        )
        if address:
            return address
    return remote


def _from_proxy(remote: str) -> bool:
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in network for network in settings.JIUFENG_TRUSTED_PROXIES)
