"""Pages everyone can read (WCAG 2.1 AA, 适老化): axe-core, injected into each page of the
journeys, finds no serious or critical violation; the large-text switch enlarges every
page, with or without JavaScript, and is remembered.

axe-core is a test-only asset (tests/e2e/vendor/, pinned in static/vendor/package.json):
pages never load it.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from demo.accounts import DEMO_PASSWORD
from demo.cases import DEMO_CODES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor/axe-core-4.14.1/axe.min.js"
SERIOUS = {"serious", "critical"}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESK = {"viewport": {"width": 1280, "height": 900}}
# bypass_csp: the pages' own policy must not stop the injected checker.


def serious_violations(page: Page) -> list[str]:
    """axe's serious and critical violations on the page as it stands, one line each: the
    page, the rule and the elements it fails on."""
    page.add_script_tag(path=AXE)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in violations
        if violation["impact"] in SERIOUS
    ]


def file_a_complaint(page: Page, live_server) -> None:
    """File on the public form, about no unit in particular, and wait for the receipt."""
    page.goto(f"{live_server.url}/file/")
    page.locator("input[name=category]:visible").last.check()
    page.locator("select[name=subject_unit]").select_option("unknown")
    page.locator("input[name=title]").fill("窗口无人")
    page.locator("textarea[name=content]").fill("上午十点窗口一直没人。")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("tracking-code")).to_be_visible()


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    # Attached, not visible: on a phone it sits in the closed menu.
    expect(page.get_by_test_id("current-user")).to_be_attached()


def test_the_petitioners_pages_have_no_serious_accessibility_violations(browser: Browser, live_server):
    call_command("seed_demo", verbosity=0)
    page = browser.new_context(**PHONE, bypass_csp=True).new_page()
    found = []
    for path in ("/", "/file/", "/track/", "/track/phone/", "/accounts/login/"):
        page.goto(f"{live_server.url}{path}")
        found += serious_violations(page)

    # The receipt, after filing.
    file_a_complaint(page, live_server)
    found += serious_violations(page)

    # The tracking page of a case well under way.
    page.goto(f"{live_server.url}/track/")
    page.locator("input[name=code]").fill(next(iter(DEMO_CODES.values())))
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("status")).to_be_visible()
    found += serious_violations(page)
    assert found == [], "\n".join(found)


def test_the_staff_pages_have_no_serious_accessibility_violations(browser: Browser, live_server):
    call_command("seed_demo", verbosity=0)
    found = []

    def visit(page: Page, path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        found.extend(serious_violations(page))

    officer = browser.new_context(**DESK, bypass_csp=True).new_page()
    log_in(officer, live_server, "officer")
    for path in ("/inbox/", "/cases/", "/org/units/", "/org/pledges/", "/org/visits/", "/org/escalations/"):
        visit(officer, path)
    visit(officer, "/org/accountability/")
    # The case list has overdue rows, in red: their links must stay readable.
    officer.goto(f"{live_server.url}/cases/")
    expect(officer.locator("tr.table-danger").first).to_be_visible()
    officer.locator("tr.table-danger a[href^='/cases/']").first.click()
    found += serious_violations(officer)
    officer.goto(f"{live_server.url}/org/units/")
    officer.locator("main a[href^='/org/units/']").nth(1).click()
    found += serious_violations(officer)
    officer.goto(f"{live_server.url}/api/docs/")
    # Swagger UI draws the operations once the schema, generated on request, has arrived.
    expect(officer.locator(".opblock").first).to_be_visible(timeout=60_000)
    found += serious_violations(officer)

    leader = browser.new_context(**DESK, bypass_csp=True).new_page()
    log_in(leader, live_server, "leader")
    for path in ("/dashboard/", "/cases/approvals/", "/inbox/", "/org/escalations/"):
        visit(leader, path)

    # A bureau's officer on a phone: unread warnings in the inbox.
    bureau = browser.new_context(**PHONE, bypass_csp=True).new_page()
    log_in(bureau, live_server, "officer-edu")
    for path in ("/inbox/", "/cases/", "/org/pledges/", "/org/visits/"):
        visit(bureau, path)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_the_large_text_switch_enlarges_every_page_and_is_remembered(browser: Browser, live_server, javascript):
    page = browser.new_context(**PHONE, java_script_enabled=javascript, locale="en-US").new_page()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/track/")
    html = page.locator("html")
    switch = page.get_by_role("button", name="Large text")
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(html).to_have_css("font-size", "16px")

    switch.click()
    expect(html).to_have_css("font-size", "20px")
    expect(page).to_have_url(f"{live_server.url}/track/")
    expect(page.get_by_role("button", name="Large text")).to_have_attribute("aria-pressed", "true")
    # Another page, another visit: still large, and the hints with it.
    page.goto(f"{live_server.url}/file/")
    expect(html).to_have_css("font-size", "20px")
    expect(page.locator(".form-text").first).to_have_css("font-size", "21.25px")

    page.get_by_role("button", name="Large text").click()
    expect(html).to_have_css("font-size", "16px")
    expect(page).to_have_url(f"{live_server.url}/file/")
