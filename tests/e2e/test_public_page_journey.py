"""A petitioner on a phone reads the transparency page and a typical case; a leader prints the monthly
report. Nothing is blocked by the Content-Security-Policy on the way."""

import pytest
from playwright.sync_api import Browser, expect

from complaints.models import Category
from tests.complaints.public_cases import decided, published
from tests.factories import PASSWORD, complaint_filed

from .test_accessibility import DESK, PHONE, serious_violations
from .test_content_security_policy import blocked, watched

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_reads_the_page_and_a_leader_prints_the_report(browser: Browser, live_server, cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school, anonymous=False)
    typical_case = published(cast, decided(cast, complaint, rule="收费项目和标准在校门口公示"))

    phone = watched(browser.new_context(**PHONE))
    phone.goto(f"{live_server.url}/")
    phone.get_by_test_id("transparency-link").click()
    expect(phone.get_by_test_id("departments")).to_contain_text("县教育局")
    expect(phone.get_by_test_id("rules")).to_contain_text("收费项目和标准在校门口公示")
    # The county's months drawn (ECharts, under the page's policy); a month's point opens that month.
    expect(phone.get_by_test_id("public-trend-chart")).to_have_attribute("data-drawn", "true")
    phone.get_by_role("link", name=typical_case.title).click()
    expect(phone.get_by_test_id("account")).to_contain_text(typical_case.account)
    found = blocked(phone)

    desk = watched(browser.new_context(**DESK))
    desk.goto(f"{live_server.url}/accounts/login/")
    desk.locator("input[name=username]").fill(cast.county_leader.username)
    desk.locator("input[name=password]").fill(PASSWORD)
    desk.locator("main button[type=submit]").click()
    desk.goto(f"{live_server.url}/dashboard/units/{cast.units.county.pk}/")
    desk.get_by_test_id("report-link").click()
    expect(desk.get_by_test_id("report")).to_contain_text(typical_case.title)
    # Printed: the site's header and the links around the report are left off the paper.
    desk.emulate_media(media="print")
    expect(desk.locator("body > header")).to_be_hidden()
    expect(desk.get_by_test_id("report")).to_be_visible()
    found += blocked(desk)
    assert found == [], "\n".join(found)

    # axe finds nothing serious on the public pages (its own context: the page's
    # policy must not stop the injected checker).
    checker = browser.new_context(**PHONE, bypass_csp=True).new_page()
    violations = []
    for path in ("/public/", "/public/cases/", f"/public/cases/{typical_case.pk}/"):
        checker.goto(f"{live_server.url}{path}")
        violations += serious_violations(checker)
    assert violations == [], "\n".join(violations)
