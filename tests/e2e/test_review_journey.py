"""复查 then 复核, on phones: a petitioner unhappy with the answer asks for a review, the unit
above the handling bureau (the county) decides it and its leader approves; unhappy again,
the petitioner asks for a re-review, which the county's leadership decides (nothing is above
it), and reads the final answer, with no further review offered."""

import pytest
from playwright.sync_api import Browser, Page, expect

from complaints import transitions
from complaints.models import Category, Complaint, ComplaintStatus, Finding
from jiufeng.roles import Role
from responsibility.models import PositionKind
from tests.factories import PositionFactory, UserFactory, complaint_filed

from .test_case_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "en-US", "has_touch": True, "is_mobile": True}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE}


@pytest.fixture
def answered(cast):
    """A complaint about the school, handled by its bureau and answered; with its tracking code."""
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    complaint, code = complaint_filed(category=category, subject_unit=cast.units.school)
    transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    transitions.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    transitions.complaint_submit_for_approval(
        complaint_id=complaint.pk,
        actor=cast.bureau_officer,
        finding=Finding.UNSUBSTANTIATED,
        disposition="未发现强制收费",
        reply="经调查，资料为自愿订购，未发现强制收费。",
    )
    transitions.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)
    return complaint, code


def staff_page(browser: Browser, live_server, username: str, complaint: Complaint) -> Page:
    """A staff member on their own phone, on the case page."""
    page = browser.new_context(**PHONE).new_page()
    log_in(page, live_server, username)
    page.goto(f"{live_server.url}/cases/{complaint.pk}/")
    return page


def decide(page: Page, heading: str, button: str, reply: str) -> None:
    page.get_by_role("link", name="Go to actions").click()
    form = page.get_by_test_id("action-decide_review")
    expect(form).to_contain_text(heading)
    form.get_by_label("Finding").select_option("partly_substantiated")
    form.get_by_label("Disposition (what was done)").fill("复查：责令退还部分费用")
    form.get_by_label("Reply to the petitioner").fill(reply)
    form.get_by_role("button", name=button).click()
    expect(page.get_by_test_id("status")).to_have_text(
        "Review decision awaiting approval" if "re-review" not in button else "Re-review decision awaiting approval"
    )


def approve(page: Page, expected: str) -> None:
    page.reload()
    page.get_by_role("link", name="Go to actions").click()
    page.get_by_test_id("action-approve").get_by_role("button", name="Approve and send the reply").click()
    expect(page.get_by_test_id("status")).to_have_text(expected)


def test_a_petitioner_asks_for_a_review_then_a_re_review_and_reads_the_final_answer(
    page: Page, browser: Browser, live_server, cast, answered
):
    complaint, code = answered
    principal = UserFactory(username="county-principal", roles=[Role.LEADER])
    PositionFactory(user=principal, unit=cast.units.county, kind=PositionKind.PRINCIPAL)

    # The petitioner reads the answer and is not satisfied: 复查.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("Your tracking code").fill(code)
    page.get_by_test_id("track-submit").click()
    status = page.get_by_test_id("status")
    expect(status).to_have_text("Resolved")
    expect(page.get_by_test_id("reply")).to_contain_text("未发现强制收费")
    page.get_by_label("Why should the case be looked at again?").fill("我有收费收据，是强制收取的。")
    page.get_by_test_id("review-submit").click()
    expect(status).to_have_text("Under review")

    # The bureau's officer, whose unit's answer is reviewed, is not offered the decision.
    bureau = staff_page(browser, live_server, cast.bureau_officer.username, complaint)
    expect(bureau.get_by_test_id("case-title")).to_be_visible()
    expect(bureau.get_by_test_id("action-decide_review")).to_have_count(0)
    bureau.context.close()

    # The county above decides, seeing the petitioner's reasons; its leader approves.
    officer = staff_page(browser, live_server, cast.county_officer.username, complaint)
    expect(officer.get_by_test_id("reviewing-unit")).to_contain_text("测试县")
    expect(officer.get_by_test_id("review-reason")).to_have_text("我有收费收据，是强制收取的。")
    decide(
        officer,
        "Decide the review (复查)",
        "Submit the review decision for approval",
        "经复查，部分属实，已责令退还100元。",
    )
    officer.context.close()
    leader = staff_page(browser, live_server, cast.county_leader.username, complaint)
    approve(leader, "Review decided")

    # The petitioner sees the review's answer, offered a 复核, and asks for it.
    page.reload()
    expect(status).to_have_text("Review decided")
    expect(page.get_by_test_id("reply")).to_contain_text("已责令退还100元")
    expect(page.get_by_role("heading", name="Not satisfied with the review? Ask for a re-review")).to_be_visible()
    page.get_by_label("Why should the case be looked at again?").fill("还差100元没有退。")
    page.get_by_test_id("review-submit").click()
    expect(status).to_have_text("Under re-review")

    # Nothing is above the county: its leadership decides, another of its leaders approves.
    leader.reload()
    decide(leader, "Decide the re-review (复核)", "Submit the re-review decision for approval", "经复核，已全额退还。")
    leader.context.close()
    approver = staff_page(browser, live_server, principal.username, complaint)
    approve(approver, "Re-review decided: final")
    approver.context.close()

    # The final answer, and no further review.
    page.reload()
    expect(status).to_have_text("Re-review decided: final")
    expect(page.get_by_test_id("reply")).to_contain_text("经复核，已全额退还。")
    expect(page.get_by_test_id("review")).to_have_count(0)
    expect(page.get_by_test_id("timeline")).to_contain_text("Re-review decision issued; the matter is closed")
    # Readable on the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.review_round, complaint.reviewing_unit) == (
        ComplaintStatus.RESOLVED,
        2,
        cast.units.county,
    )
    assert [log.actor for log in complaint.transition_logs.filter(name="approve").order_by("at")] == [
        cast.bureau_leader,
        cast.county_leader,
        principal,
    ]
