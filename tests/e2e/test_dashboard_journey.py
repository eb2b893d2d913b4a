"""A county leader on a phone lands on the dashboard, reads a chart, drills down, opens the cases behind a figure,
sees which fixes held and plans an inspection from an early warning."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from .test_content_security_policy import RECORDER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


def test_the_leader_drills_from_the_county_to_the_cases_behind_a_figure(page: Page, live_server):
    call_command("seed_demo", verbosity=0)
    # What the Content-Security-Policy blocks, as the browser reports it: ECharts must draw under it.
    page.context.add_init_script(RECORDER)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password").fill("jiufeng-demo")
    page.get_by_role("button", name="Log in").click()

    # The landing page: the county's dashboard, its charts drawn by ECharts on canvas.
    expect(page).to_have_url(re.compile(r"/dashboard/units/\d+/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    status_chart = page.locator('[data-chart="status"]')
    expect(status_chart).to_have_attribute("data-drawn", "true")
    expect(status_chart.locator("canvas")).to_have_count(1)
    assert status_chart.bounding_box()["width"] <= 390
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Its tooltip, styled by ECharts' script, is not blocked either.
    status_chart.locator("canvas").hover(position={"x": 120, "y": 40})
    assert page.evaluate("window.__blocked") == []
    # The chart's numbers are a table too.
    page.get_by_text("The numbers of this chart").first.click()
    expect(page.get_by_test_id("chart-table-status")).to_be_visible()

    # One level down: the education bureau; the breadcrumb leads back up.
    page.get_by_test_id("children").get_by_role("link", name="县教育局").click()
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("青溪县")
    expect(page.get_by_role("heading", level=1)).to_contain_text("县教育局")

    # The open cases now, as a figure, and the list behind it holds as many.
    figure = page.get_by_test_id("figure-open")
    count = int(figure.locator(".fs-3").inner_text())
    assert count > 0
    figure.click()
    expect(page).to_have_url(re.compile(r"/cases/\?.*progress=open"))
    expect(page.get_by_test_id("about-unit")).to_contain_text("县教育局")
    expect(page.get_by_test_id("case-row")).to_have_count(min(count, 50))
    assert page.evaluate("window.__blocked") == []

    # 举一反三: back at the county, which past fixes held, and an early warning the leader
    # plans an inspection from (the form comes prefilled with the unit and the warning).
    page.goto(f"{live_server.url}/dashboard/")
    fixes = page.get_by_test_id("fixes")
    expect(fixes.locator('[data-verdict="held"]')).to_have_count(1)
    expect(fixes.locator('[data-verdict="came_back"]')).to_have_count(1)
    warning = page.get_by_test_id("warning").filter(has_text="城关镇中心学校")
    expect(warning).to_be_visible()
    warning.locator('[data-action="visit"]').click()
    expect(page.get_by_label("Subject")).to_have_value(re.compile("城关镇中心学校"))
    page.get_by_role("button", name="Schedule").click()
    expect(page).to_have_url(re.compile(r"/visits/\d+/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
