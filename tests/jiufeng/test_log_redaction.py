"""No code that opens a case or an appraisal reaches a log line: Django's and gunicorn's access log."""

import datetime
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from jiufeng.log_redaction import GunicornLogger, RedactCodes, redact

TRACKING = "JF-7K3M-Q9XD-2WPA-HT6C"
INVITATION = "ABCD2345EF"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /api/v1/track/{TRACKING}/ HTTP/1.1", "GET /api/v1/track/[code]/ HTTP/1.1"),
        (f"POST /api/v1/track/{TRACKING}/rating/", "POST /api/v1/track/[code]/rating/"),
        (f"Not Found: /appraisal/{INVITATION}/", "Not Found: /appraisal/[code]/"),
        (f"/api/v1/appraisal/{INVITATION.lower()}/?x=1", "/api/v1/appraisal/[code]/?x=1"),
        ("POST /api/v1/track/messages/ HTTP/1.1", "POST /api/v1/track/messages/ HTTP/1.1"),
        ("GET /appraisal/thanks/", "GET /appraisal/thanks/"),
        ("GET /appraisal/ HTTP/1.1", "GET /appraisal/ HTTP/1.1"),
        ("GET /cases/12/ HTTP/1.1", "GET /cases/12/ HTTP/1.1"),
    ],
)
def test_codes_in_paths_are_replaced_and_nothing_else(line, expected):
    assert redact(line) == expected


def test_djangos_log_lines_pass_the_filter_on_the_console(client, db):
    console = next(h for h in logging.getLogger().handlers if any(isinstance(f, RedactCodes) for f in h.filters))
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/appraisal/{INVITATION}/",), None
    )
    assert console.filter(record)
    assert record.getMessage() == "Not Found: /appraisal/[code]/"
    assert INVITATION not in record.getMessage()


def test_gunicorns_access_line_holds_no_code():
    logger = GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/track/{TRACKING}/",
        "PATH_INFO": f"/api/v1/track/{TRACKING}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://example.org/appraisal/{INVITATION}/",
        "REMOTE_ADDR": "203.0.113.9",
    }
    request = SimpleNamespace(headers=[("X-TRACKING-CODE", TRACKING)])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    line = logger.cfg.access_log_format % atoms
    assert TRACKING not in line and INVITATION not in line
    assert "/api/v1/track/[code]/" in line
    assert atoms["{x-tracking-code}i"] == "[code]"


def test_every_handler_of_djangos_loggers_redacts(db):
    # Django's own console (DEBUG) and mail handlers are gone from "django": its records reach
    # the root's console, which redacts; runserver's request lines pass the filter too.
    def ours(logger_name: str) -> list:
        # pytest hangs its capturing handlers on loggers too: not the site's.
        return [h for h in logging.getLogger(logger_name).handlers if not type(h).__module__.startswith("_pytest")]

    assert ours("django") == []
    server = ours("django.server")
    assert server and all(any(isinstance(f, RedactCodes) for f in handler.filters) for handler in server)
