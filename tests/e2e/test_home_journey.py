import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from .navigation import menu_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # A phone, set to English: the site still opens in Chinese until asked otherwise.
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


def test_a_visitor_reads_chinese_switches_to_english_and_logs_in_as_officer(page: Page, live_server):
    call_command("seed_demo", verbosity=0)

    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("举报公共服务中的不正之风")
    expect(page.get_by_role("link", name="我要投诉")).to_be_visible()

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report unhealthy practices in public services")

    # On a phone the menu is collapsed behind the toggler.
    menu_open(page)
    page.get_by_role("link", name="Staff login").click()
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("jiufeng-demo")
    page.get_by_role("button", name="Log in").click()

    # An officer lands where their work is: the cases waiting for them.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    expect(page).to_have_url(f"{live_server.url}/cases/")
    expect(page.get_by_role("link", name="Waiting for me")).to_have_attribute("aria-current", "page")
    menu_open(page)
    expect(page.get_by_test_id("current-user")).to_contain_text("王纠风")
    expect(page.get_by_test_id("current-user")).to_contain_text("Discipline officer")
    expect(page.get_by_role("link", name="API documentation")).to_be_visible()
