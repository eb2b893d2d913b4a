"""Every page works under the Content-Security-Policy: no inline script or style, nothing from
another host. The browser reports each thing the policy blocks; none may be reported on the
petitioner's and the staff's pages, the reply letter drawn as a picture and Swagger UI included."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect

from complaints.models import Complaint
from demo.cases import DEMO_CODES

from .test_accessibility import DESK, PHONE, file_a_complaint, log_in
from .test_petitioner_letter import WECHAT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Kept in the page's window: what the policy blocked, as the browser reports it.
RECORDER = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__blocked.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def watched(context: BrowserContext) -> Page:
    context.add_init_script(RECORDER)
    return context.new_page()


def blocked(page: Page) -> list[str]:
    return [f"{page.url}: {line}" for line in page.evaluate("window.__blocked")]


def test_the_petitioners_pages_run_under_the_policy(browser: Browser, live_server):
    call_command("seed_demo", verbosity=0)
    page = watched(browser.new_context(**PHONE))
    found = []
    for path in ("/", "/file/", "/track/", "/track/phone/", "/accounts/login/"):
        page.goto(f"{live_server.url}{path}")
        found += blocked(page)

    file_a_complaint(page, live_server)
    found += blocked(page)

    # Inside WeChat the reply letter is drawn as a picture (html-to-image) on the page.
    wechat = watched(browser.new_context(**PHONE, user_agent=WECHAT))
    for code in DEMO_CODES.values():
        wechat.goto(f"{live_server.url}/track/")
        wechat.locator("input[name=code]").fill(code)
        wechat.get_by_test_id("track-submit").click()
        expect(wechat.get_by_test_id("status")).to_be_visible()
        picture = wechat.get_by_test_id("letter-picture")
        if picture.count():
            expect(picture).to_have_attribute("src", re.compile(r"^data:image/png"), timeout=15_000)
        found += blocked(wechat)
    assert found == [], "\n".join(found)


def test_the_staff_pages_run_under_the_policy(browser: Browser, live_server):
    call_command("seed_demo", verbosity=0)
    officer = watched(browser.new_context(**DESK))
    log_in(officer, live_server, "officer")
    found = []
    for path in ("/start/", "/inbox/", "/cases/", "/org/units/", "/org/pledges/", "/org/visits/", "/org/escalations/"):
        officer.goto(f"{live_server.url}{path}")
        found += blocked(officer)
    # A case page, and the printable reply letter with its own stylesheet.
    replied = Complaint.objects.exclude(reply="").first()
    officer.goto(f"{live_server.url}/cases/{replied.pk}/")
    expect(officer.get_by_test_id("status").first).to_be_visible()
    found += blocked(officer)
    officer.goto(f"{live_server.url}/cases/{replied.pk}/reply-letter/")
    expect(officer.get_by_test_id("reply-letter")).to_be_visible()
    found += blocked(officer)

    officer.goto(f"{live_server.url}/api/docs/")
    expect(officer.locator(".opblock").first).to_be_visible(timeout=60_000)
    found += blocked(officer)

    # The leader's dashboard draws its charts with ECharts (canvas, styles set from script).
    leader = watched(browser.new_context(**DESK))
    log_in(leader, live_server, "leader")
    leader.goto(f"{live_server.url}/dashboard/")
    expect(leader.locator("[data-chart] canvas").first).to_be_visible(timeout=15_000)
    leader.locator("[data-chart] canvas").first.hover()
    found += blocked(leader)
    for path in ("/public/",):
        leader.goto(f"{live_server.url}{path}")
        found += blocked(leader)

    # The auditors' pages, the field options htmx swaps in after the object type is chosen.
    auditor = watched(browser.new_context(**DESK))
    log_in(auditor, live_server, "auditor")
    for path in ("/audit/", "/audit/logs/logins/", f"/audit/complaints.complaint/{replied.pk}/"):
        auditor.goto(f"{live_server.url}{path}")
        found += blocked(auditor)
    auditor.goto(f"{live_server.url}/audit/history/")
    auditor.locator("select[name=type]").select_option("complaints.complaint")
    expect(auditor.locator("select[name=field] option").nth(2)).to_be_attached()
    found += blocked(auditor)
    assert found == [], "\n".join(found)
