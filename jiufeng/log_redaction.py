"""Codes that open a case or an appraisal are kept out of the logs.

A tracking code (查询码) or an invitation code (邀请码) is all it takes to read a case or to
answer an appraisal, so an address holding one must not land in a log as it is: the
deprecated tracking API paths (/api/v1/track/<code>/...), the answer page and API
(/appraisal/<code>/, /api/v1/appraisal/<code>/). Django's own log lines (e.g. "Not Found:
<path>") pass ``RedactCodes``; gunicorn's access log, ``GunicornLogger``.
"""

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "[code]"
# The segment after /track/ or /appraisal/, unless it is one of the fixed words of those paths.
_CODE_IN_PATH = re.compile(r"(/track/|/appraisal/)(?!(?:messages|rating|review|thanks)(?:/|\b))([^/\s?#\"']+)")


def redact(text: str) -> str:
    return _CODE_IN_PATH.sub(rf"\1{REDACTED}", text)


class RedactCodes(logging.Filter):
    """A log handler's filter: the record's message with every code in a path replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger (``logger_class`` in deploy/gunicorn.conf.py), its access lines redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        # A format naming the header itself would print the code: never.
        if "{x-tracking-code}i" in atoms:
            atoms["{x-tracking-code}i"] = REDACTED
        return atoms
