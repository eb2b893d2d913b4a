import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


def test_the_education_bureaus_principal_signs_the_countys_pledge(page: Page, live_server):
    call_command("seed_demo", verbosity=0)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("leader-edu")
    page.get_by_label("Password").fill("jiufeng-demo")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("button", name="Responsibility system").click()
    page.get_by_role("link", name="Pledges", exact=True).click()
    row = page.get_by_test_id("pledge-list").get_by_role("row").filter(has_text="青溪县").filter(has_text="县教育局")
    expect(row).to_contain_text("Issued, awaiting signature")
    row.get_by_role("link", name="县教育局").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("pledge of 县教育局")
    page.get_by_label("I have read this pledge and sign it on behalf of my unit.").check()
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("status")).to_have_text("You signed the pledge.")
    expect(page.get_by_test_id("pledge-state")).to_have_text("Signed")
    expect(page.get_by_test_id("signature")).to_contain_text("Signed by 陈局长")
    expect(page.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
