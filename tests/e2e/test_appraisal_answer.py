"""Democratic appraisal by invitation code: an officer makes codes and prints slips; a service
user scans a slip's link on a phone, answers in Chinese and is thanked; the link then says
the code is used."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, expect

from evaluations.models import Response
from tests.evaluations.conftest import appraisal, appraised, questionnaire  # noqa: F401
from tests.factories import PASSWORD

from .test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
pytest_plugins = ["tests.evaluations.responding_fixtures"]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_a_service_user_answers_a_slip_on_a_phone_once(browser: Browser, live_server, cast, opened, items):
    office = browser.new_context(**DESK, bypass_csp=True)
    officer = office.new_page()
    office.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    officer.goto(f"{live_server.url}/accounts/login/")
    officer.get_by_label("Username").fill(cast.county_officer.username)
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Log in").click()
    expect(officer.get_by_test_id("current-user")).to_be_attached()

    officer.goto(f"{live_server.url}/appraisals/{opened.pk}/invitations/")
    officer.get_by_label("Unit rated").select_option(label="县教育局")
    officer.get_by_label("Who answers").select_option("service_user")
    officer.get_by_label("How many codes").fill("2")
    officer.get_by_test_id("batch-submit").click()
    expect(officer.get_by_role("status")).to_contain_text("2 new codes are ready to print.")
    bureau = officer.get_by_test_id("invitation-row").filter(has_text="县教育局")
    expect(bureau.get_by_test_id("count-service_user")).to_contain_text("0 / 2")
    assert serious_violations(officer) == []
    bureau.get_by_role("link", name="print slips").click()
    expect(officer.get_by_test_id("slip")).to_have_count(2)
    expect(officer.get_by_test_id("slip").first.locator("svg.slip-qr")).to_be_visible()
    link = officer.get_by_test_id("slip").first.locator(".slip-link").inner_text().strip()
    assert link.startswith(f"{live_server.url}/appraisal/")
    assert serious_violations(officer) == []

    # The service user's phone, in Chinese as every visitor's is by default.
    phone = browser.new_context(**PHONE, bypass_csp=True).new_page()
    opened_page = phone.goto(link)
    assert opened_page.status == 200
    expect(phone.get_by_test_id("unit-rated")).to_contain_text("县教育局")
    expect(phone.get_by_test_id("appraisal-name")).to_have_text(opened.name)
    assert serious_violations(phone) == []
    phone.get_by_test_id(f"question-{items['工作作风'].pk}").get_by_text("满意", exact=True).click()
    phone.get_by_test_id(f"question-{items['服务态度'].pk}").get_by_text("基本满意", exact=True).click()
    # Forgotten: 办事效率. The form comes back with the answers given kept.
    phone.get_by_test_id("answer-submit").click()
    expect(phone.get_by_test_id(f"error-item_{items['办事效率'].pk}")).to_have_text(zh("Please answer this question."))
    attitude = phone.get_by_test_id(f"question-{items['服务态度'].pk}")
    expect(attitude.get_by_label("基本满意", exact=True)).to_be_checked()
    phone.get_by_test_id(f"question-{items['办事效率'].pk}").get_by_text("4 · 满意").click()
    phone.get_by_label(zh("Anything you want to add (optional)")).fill("窗口人员很耐心")
    phone.get_by_test_id("answer-submit").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(zh("Thank you"))
    assert serious_violations(phone) == []
    assert str(Response.objects.get().score) == "80.50"

    # The same slip again: already used, and nothing more is taken.
    again = phone.goto(link)
    assert again.status == 409
    expect(phone.get_by_role("heading", level=1)).to_have_text(zh("This code has already been used"))
    # The page's own forms still post (a Referrer-Policy of no-referrer would fail their CSRF check).
    phone.locator("#language-select").select_option("en")
    phone.get_by_role("button", name=zh("Switch")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("This code has already been used")
    assert Response.objects.count() == 1

    officer.goto(f"{live_server.url}/appraisals/{opened.pk}/invitations/")
    expect(bureau.get_by_test_id("count-service_user")).to_contain_text("1 / 2")
