"""The reply letter (答复意见书): one template for the staff page, the petitioner's page and the download.

The letter names no petitioner: an anonymous one is addressed as such, a real-name one as
"the petitioner" (the tracking page is read by whoever holds the code, and promises never
to show a name). Its number is the public case number, never the internal id.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from .models import Complaint

# The letter's own stylesheet: linked by the tracking page, written into the staff page and
# into the downloaded file (which must read well opened from a phone's files, offline).
LETTER_CSS = "css/letter.css"


def letter_is_final(complaint: Complaint) -> bool:
    """The reply is approved and out: the petitioner may read it; staff print it without DRAFT."""
    return bool(complaint.reply) and complaint.decision_released


@functools.cache
def letter_css() -> str:
    return Path(finders.find(LETTER_CSS)).read_text(encoding="utf-8")


def letter_filename(complaint: Complaint) -> str:
    return f"reply-letter-{complaint.case_number}.html"


def letter_context(*, case: Complaint, decision: Complaint) -> dict:
    """What the letter template reads.

    ``case``: the petitioner's own case (its number, title, day of receipt, anonymity);
    ``decision``: the case whose answer it carries, the same one except for a case merged
    into a primary, whose petitioner gets the primary's answer under their own number.
    """
    return {
        "letter_case": case,
        "decision": decision,
        "draft": not letter_is_final(decision),
        "review_window_days": settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS,
    }
