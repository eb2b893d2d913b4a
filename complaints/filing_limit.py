"""How many complaints one address may file (the web form, the API and Open311)."""

from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext_lazy as _

FILING_THROTTLED = _(
    "Many complaints have been filed from your connection in the last hour. Please try again later, "
    "or call the hotline."
)


class FilingThrottled(Exception):
    """This address has filed its share for now: answer 429, keep what was typed.

    ``retry_after``: seconds until the address may file again.
    """

    def __init__(self, *, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


def _limit() -> dict:
    return {"group": "file-ip", "key": "ip", "rate": settings.JIUFENG_FILINGS_PER_IP}


@contextmanager
def filing_limited(request):
    """Refuse the filing when the address has used up JIUFENG_FILINGS_PER_IP; only filings made count.

    Only complaints actually filed count: a petitioner correcting a form is never slowed.
    A mobile network puts many people behind one address, so the limit is generous; it
    stops a script flooding the office, not a family filing three complaints.
    The filing is counted before it is made and given back if it fails: one Redis round
    trip for an address new in the window, where asking first and counting after took three.
    """
    from django_ratelimit.core import get_usage

    from jiufeng.ratelimits import give_back, retry_after

    usage = get_usage(request, increment=True, **_limit())
    # None: the counter could not be reached (Redis away); the filing goes on (RATELIMIT_FAIL_OPEN).
    if usage is not None and usage["count"] > usage["limit"]:
        raise FilingThrottled(retry_after=retry_after(request, **_limit()))
    try:
        yield
    except BaseException:
        give_back(request, **_limit())
        raise
