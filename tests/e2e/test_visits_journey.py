import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from responsibility.models import RectificationItem, RectificationStatus

from .navigation import menu_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


def test_the_county_leader_confirms_a_rectification_item_done_by_a_township(page: Page, live_server):
    call_command("seed_demo", verbosity=0)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password").fill("jiufeng-demo")
    page.get_by_role("button", name="Log in").click()

    menu_open(page)
    page.get_by_role("button", name="Responsibility system").click()
    page.get_by_role("link", name="Rectification items").click()
    page.get_by_label("Status").select_option("submitted")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="全面核对并更新便民服务中心办事指南").click()

    expect(page.get_by_test_id("evidence")).to_contain_text("更新11项")
    page.get_by_role("button", name="Confirm rectified").click()
    expect(page.get_by_role("status")).to_contain_text("Confirmed as rectified.")
    expect(page.get_by_role("button", name="Confirm rectified")).to_have_count(0)
    item = RectificationItem.objects.get(description__startswith="全面核对并更新")
    assert item.status == RectificationStatus.CONFIRMED
    assert item.confirmed_by.username == "leader"
