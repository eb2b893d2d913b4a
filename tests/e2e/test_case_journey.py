"""A case through the staff pages: the county officer accepts and investigates it, records a
visit, submits the finding; the bureau's principal approves it on a phone."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from complaints.models import Activity, Category, Complaint, ComplaintStatus, Measure
from tests.factories import PASSWORD, complaint_filed

from .navigation import menu_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # Officers work at a desk.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture
def complaint(cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    filed, _code = complaint_filed(category=category, subject_unit=cast.units.school)
    return filed


def log_in(page: Page, live_server, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_officer_investigates_a_case_and_a_leader_approves_it(
    page: Page, browser: Browser, live_server, cast, complaint, tmp_path
):
    log_in(page, live_server, cast.county_officer.username)
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name=complaint.title).click()
    status = page.get_by_test_id("status")
    expect(status).to_have_text("Submitted")

    # Accept, with the handling unit routing proposes (the school's bureau).
    accept = page.get_by_test_id("action-accept")
    expect(accept.get_by_label("Handling unit")).to_have_value(str(cast.units.bureau.pk))
    accept.get_by_role("button", name="Accept the case").click()
    expect(page.get_by_role("status").first).to_contain_text("The case is accepted.")
    expect(status).to_have_text("Accepted")
    expect(page.get_by_test_id("handling-unit")).to_have_text(cast.units.bureau.name)

    page.get_by_test_id("action-start_investigation").get_by_role("button", name="Start the investigation").click()
    expect(status).to_have_text("Under investigation")

    # Record a visit: posted by htmx, the timeline grows without a reload.
    page.get_by_text("Record an investigation activity").click()
    activity = page.get_by_test_id("record-activity")
    activity.get_by_label("Kind").select_option("visit")
    # The time is now unless changed: a week of visits is recorded without typing a date.
    expect(activity.get_by_label("When")).to_have_value(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    activity.get_by_label("Participants").fill("校长、两名家长")
    activity.get_by_label("Summary").fill("走访学校，核实收费名目与票据")
    # A scan over the size limit is named when chosen, and htmx does not send the form.
    scan = tmp_path / "scan.pdf"
    with scan.open("wb") as file:
        file.truncate(21 * 1024 * 1024)
    activity.get_by_label("Attachments").set_input_files(scan)
    problems = activity.get_by_test_id("attachment-problems")
    expect(problems).to_have_text("“scan.pdf” is 21.0 MB; each file may be at most 20 MB.")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    activity.get_by_role("button", name="Record the activity").click()
    expect(problems).to_be_visible()
    activity.get_by_label("Attachments").set_input_files([])
    expect(problems).to_have_count(0)
    page.evaluate("window.notReloaded = true")
    activity.get_by_role("button", name="Record the activity").click()
    expect(page.get_by_test_id("record-activity").get_by_role("status")).to_have_text("The activity is recorded.")
    assert len(posts) == 1, posts
    expect(page.get_by_test_id("timeline")).to_contain_text("走访学校，核实收费名目与票据")
    assert page.evaluate("window.notReloaded") is True

    # Submit the finding, with a refund among the measures.
    # The first action open, ready to fill in.
    submit = page.get_by_test_id("action-submit_for_approval")
    expect(submit).to_have_attribute("open", "")
    submit.get_by_label("Finding").select_option("substantiated")
    submit.get_by_label("Disposition (what was done)").fill("责令学校退还资料费")
    submit.get_by_label("Reply to the petitioner").fill("经查属实，已责令学校退还所收费用。")
    first_measure = submit.get_by_test_id("measure-row").first
    first_measure.get_by_label("Kind of measure").select_option("refund")
    first_measure.get_by_label("Amount (yuan)").fill("200")
    submit.get_by_role("button", name="Submit for approval").click()
    expect(status).to_have_text("Awaiting approval")
    expect(page.get_by_test_id("finding")).to_have_text("Substantiated")

    # The bureau's principal approves it, on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    leader = phone.new_page()
    log_in(leader, live_server, cast.bureau_leader.username)
    menu_open(leader)
    leader.get_by_role("link", name="Approvals").click()
    leader.get_by_role("link", name=f"#{complaint.pk} {complaint.title}").click()
    expect(leader.get_by_test_id("reply")).to_contain_text("经查属实")
    leader.get_by_role("link", name="Go to actions").click()
    approve = leader.get_by_test_id("action-approve")
    approve.get_by_label("Note").fill("同意")
    approve.get_by_role("button", name="Approve and send the reply").click()
    expect(leader.get_by_test_id("status")).to_have_text("Resolved")
    expect(leader.get_by_test_id("actions")).to_have_count(0)
    phone.close()

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.handling_unit == cast.units.bureau
    assert complaint.transition_logs.get(name="approve").actor == cast.bureau_leader
    assert complaint.transition_logs.get(name="submit_for_approval").actor == cast.county_officer
    assert Activity.objects.get(complaint=complaint).kind == "visit"
    assert Measure.objects.get(complaint=complaint).amount == 200
