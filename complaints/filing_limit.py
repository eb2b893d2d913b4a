"""How many complaints one address may file (the web form, the API and Open311)."""

from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext_lazy as _

FILING_THROTTLED = _(
    "Many complaints have been filed from your connection in the last hour. Please try again later, "
    "or call the hotline."
)


class FilingThrottled(Exception):
    """This address has filed its share for now: answer 429, keep what was typed."""


@contextmanager
def filing_limited(request):
    """Refuse the filing when the address has used up JIUFENG_FILINGS_PER_IP; count it once filed.

    Only complaints actually filed count: a petitioner correcting a form is never slowed.
    A mobile network puts many people behind one address, so the limit is generous; it
    stops a script flooding the office, not a family filing three complaints.
    """
    from django_ratelimit.core import get_usage

    limit = {"group": "file-ip", "key": "ip", "rate": settings.JIUFENG_FILINGS_PER_IP}
    usage = get_usage(request, increment=False, **limit)
    if usage["count"] >= usage["limit"]:
        raise FilingThrottled
    yield
    get_usage(request, increment=True, **limit)
