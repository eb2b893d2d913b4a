import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from .navigation import menu_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


def test_a_principal_reads_the_digest_in_the_inbox_and_acknowledges_an_escalation(page: Page, live_server):
    call_command("seed_demo", verbosity=0)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("leader-edu")
    page.get_by_label("Password").fill("jiufeng-demo")
    page.get_by_role("button", name="Log in").click()

    menu_open(page)
    inbox = page.get_by_test_id("inbox-link")
    expect(inbox).to_contain_text("unread")
    inbox.click()
    notifications = page.get_by_test_id("notifications")
    expect(notifications).to_contain_text("县教育局")
    expect(notifications).to_contain_text("Why you received this")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("Unread", exact=True)).to_have_count(0)

    page.goto(f"{live_server.url}/org/escalations/")
    escalations = page.get_by_test_id("escalations")
    expect(escalations).to_contain_text("Level 2")
    escalations.get_by_role("button", name="Acknowledge").first.click()
    expect(page.get_by_role("status")).to_contain_text("stays open until it is met")
    expect(page.get_by_test_id("escalations")).to_contain_text("Acknowledged by")
