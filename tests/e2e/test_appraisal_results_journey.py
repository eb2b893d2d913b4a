"""An officer scores a closed appraisal on a phone, a leader publishes it, the public reads the ranking."""

import pytest
from playwright.sync_api import Browser, Page, expect

from evaluations.models import EvaluatorGroup

# The appraisal's fixtures, where this browser test sits outside tests/evaluations.
from tests.evaluations.conftest import *  # noqa: F403
from tests.evaluations.scoring_fixtures import *  # noqa: F403
from tests.evaluations.scoring_fixtures import responses_add
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "locale": "en-US"}
# What the Content-Security-Policy blocked on the page, as the browser reports it.
RECORDER = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__blocked.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def phone(browser: Browser, live_server) -> Page:
    context = browser.new_context(**PHONE)
    context.add_init_script(RECORDER)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return context.new_page()


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_officer_scores_a_leader_publishes_and_the_public_reads_the_ranking(
    browser: Browser, live_server, cast, appraised, around_now, closed_for_scoring
):
    responses_add(appraised.bureau, EvaluatorGroup.SERVICE_USER, [92, 88])
    responses_add(appraised.sibling, EvaluatorGroup.SERVICE_USER, [64])
    closed_for_scoring(around_now)
    results = f"{live_server.url}/appraisals/{around_now.pk}/results/"

    officer = phone(browser, live_server)
    log_in(officer, live_server, cast.county_officer.username)
    officer.goto(results)
    officer.get_by_role("button", name="Score the appraisal").click()
    expect(officer.get_by_role("status")).to_contain_text("The appraisal has been scored.")
    expect(officer.get_by_test_id("appraisal-state")).to_have_text("Scored")
    bureau = officer.get_by_test_id("ranking-row").filter(has_text="县教育局")
    expect(bureau).to_contain_text("90.00")
    expect(officer.get_by_test_id("ranking-row").filter(has_text="县卫生健康局")).to_contain_text("Must rectify")
    # The chart is drawn (a canvas), and nothing was blocked by the policy to draw it.
    expect(officer.locator("[data-appraisal-chart] canvas").first).to_be_visible()
    assert officer.evaluate("window.__blocked") == []
    bureau.get_by_role("link", name="县教育局").click()
    expect(officer.get_by_test_id("score-parts")).to_contain_text("Responses: 2.")
    expect(officer.get_by_test_id("score-parts")).to_contain_text("Score 90.00 · weight 25%, counted as 100.00%")

    leader = phone(browser, live_server)
    log_in(leader, live_server, cast.county_leader.username)
    leader.goto(results)
    leader.get_by_role("button", name="Approve and publish the results").click()
    expect(leader.get_by_role("status")).to_contain_text("The results are published.")
    expect(leader.get_by_test_id("appraisal-state")).to_have_text("Published")

    public = phone(browser, live_server)
    public.goto(f"{live_server.url}/public/appraisals/")
    public.get_by_role("link", name=around_now.name).click()
    expect(public.get_by_test_id("ranking-row").first).to_contain_text("县教育局")
    expect(public.get_by_test_id("ranking-row").filter(has_text="县教育局")).to_contain_text("90.00")
    expect(public.locator("[data-appraisal-chart] canvas").first).to_be_visible()
    assert public.evaluate("window.__blocked") == []
