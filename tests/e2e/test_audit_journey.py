"""An auditor finds who changed a case's finding: the history search by object type and field
changed names the officer and the old and new finding, and the case's timeline shows the same
change among everything attached to the case; at a desk, then on a phone."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.audit.history_cases import case_worked
from tests.factories import PASSWORD

from .test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # Auditors read at a desk, in Chinese (the default).
    # bypass_csp: the pages' own policy must not stop the injected accessibility checker.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "bypass_csp": True}


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_an_auditor_finds_who_changed_a_cases_finding(page: Page, browser: Browser, live_server, cast):
    complaint = case_worked(cast)
    officer = str(cast.bureau_officer)
    log_in(page, live_server, cast.auditor.username)
    page.goto(f"{live_server.url}/audit/history/")

    # Choosing the type brings its fields; the finding is among them by its name.
    page.get_by_label("对象类型").select_option(label="投诉")
    field = page.get_by_label("修改的字段")
    expect(field.locator("option", has_text="核查结论")).to_have_count(1)
    field.select_option(label="核查结论")
    page.get_by_role("button", name="搜索").click()

    rows = page.get_by_test_id("history-row")
    expect(rows).to_have_count(2)
    assert serious_violations(page) == []
    latest = rows.first
    expect(latest.get_by_test_id("history-actor")).to_have_text(officer)
    change = latest.get_by_test_id("change-finding")
    expect(change.get_by_test_id("change-old")).to_have_text("属实")
    expect(change.get_by_test_id("change-new")).to_have_text("部分属实")

    # The case's timeline: the same change, by the same officer, with the case's other records.
    latest.get_by_role("link", name=f"投诉 #{complaint.pk}").click()
    expect(page.get_by_test_id("timeline-title")).to_contain_text(complaint.title)
    changed = page.get_by_test_id("history-row").filter(has=page.get_by_test_id("change-finding"))
    expect(changed.first.get_by_test_id("history-actor")).to_have_text(officer)
    expect(changed.first.get_by_test_id("change-finding")).to_contain_text("属实 → 部分属实")
    expect(page.get_by_test_id("history-rows")).to_contain_text("满意度评价")
    expect(page.get_by_test_id("history-rows")).to_contain_text("已更改（不显示）")
    expect(page.get_by_test_id("history-rows")).not_to_contain_text("13800138000")
    assert serious_violations(page) == []

    # The same search on a phone: readable without sideways scrolling.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, bypass_csp=True)
    small = phone.new_page()
    log_in(small, live_server, cast.auditor.username)
    small.goto(f"{live_server.url}/audit/history/?type=complaints.complaint&field=finding")
    finding = small.get_by_test_id("history-row").first.get_by_test_id("change-finding")
    expect(finding.get_by_test_id("change-new")).to_have_text("部分属实")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
