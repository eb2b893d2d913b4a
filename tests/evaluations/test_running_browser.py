"""In a browser: an officer drafts an appraisal watching the weights' total; a supervisor reports on a phone."""

import pytest
from playwright.sync_api import Page, expect

from evaluations.models import Appraisal
from tests.evaluations.running_fixtures import evaluator_make
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
pytest_plugins = ["tests.evaluations.running_fixtures"]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


def _log_in(page: Page, live_server, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_officer_sees_the_weights_total_as_they_type_and_drafts_the_appraisal(
    page: Page, live_server, cast, questionnaire
):
    _log_in(page, live_server, cast.county_officer.username)
    page.goto(f"{live_server.url}/appraisals/new/")
    total = page.locator("[data-weight-total]")
    expect(total).to_have_text("100")
    page.get_by_label("Name", exact=True).fill("2027年度民主评议")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("Questionnaire").select_option(label=questionnaire.name)
    page.get_by_label("Responses from").fill("2027-01-10T09:00")
    page.get_by_label("Responses until").fill("2027-01-31T18:00")
    page.get_by_label("Figures from").fill("2026-01-01")
    page.get_by_label("Figures until").fill("2026-12-31")
    page.get_by_label("weight: pledge assessment (%)").fill("20")
    expect(total).to_have_text("115")
    expect(total).to_have_class("text-danger")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("The parts' weights add up to 115%; they must add up to 100%.")).to_be_visible()
    assert not Appraisal.objects.exists()

    page.get_by_label("weight: pledge assessment (%)").fill("5")
    expect(total).to_have_text("100")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2027年度民主评议")
    expect(page.get_by_test_id("open-problems")).to_contain_text("Choose the units under appraisal first.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_supervisor_reports_an_observation_on_a_phone_and_follows_its_case(page: Page, live_server, cast, fees):
    supervisor = evaluator_make(cast=cast, observes=[cast.units.school])
    _log_in(page, live_server, supervisor.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("My appraisal work")
    page.get_by_role("link", name="Report an observation").click()
    page.get_by_label("Unit observed").select_option(label="县第一中学")
    page.get_by_label("Category").select_option(label="乱收费")
    page.get_by_label("Title").fill("窗口收取资料费")
    page.get_by_label("What you saw").fill("收费窗口向家长收取200元资料费，未出示收费依据。")
    page.get_by_role("button", name="File").click()
    expect(page.get_by_role("status")).to_contain_text("Your observation has been filed as case")
    page.get_by_test_id("observations").get_by_role("button", name="Follow").click()
    expect(page.get_by_text("窗口收取资料费").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
