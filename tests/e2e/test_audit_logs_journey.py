import pytest
from playwright.sync_api import Page, expect

from complaints import transitions
from complaints.models import Category, IdentityAccess
from complaints.services import identity_read
from tests.factories import PASSWORD, complaint_filed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


def test_an_auditor_finds_who_read_a_petitioners_identity_and_exports_it(page: Page, live_server, cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    read, _code = complaint_filed(category=category, subject_unit=cast.units.school, anonymous=False)
    other, _code = complaint_filed(category=category, subject_unit=cast.units.school, anonymous=False)
    for complaint in (read, other):
        transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    identity_read(complaint_id=read.pk, actor=cast.county_leader, via=IdentityAccess.Via.PAGE)
    identity_read(complaint_id=other.pk, actor=cast.county_officer, via=IdentityAccess.Via.API)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.get_by_label("Username").fill("auditor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The auditor lands on the audit's home.
    expect(page).to_have_url(f"{live_server.url}/audit/")
    expect(page.get_by_role("link", name="Audit", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Identity access log").click()
    expect(page.get_by_test_id("log-row")).to_have_count(2)

    page.get_by_label("Case").fill(read.case_number)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("log-row")).to_have_count(1)
    row = page.get_by_test_id("log-row")
    expect(row).to_contain_text(read.case_number)
    expect(row).to_contain_text("county-leader")
    expect(row).to_contain_text("Case page")
    # Who the petitioner is stays on the case page, behind its own logged read.
    expect(page.locator("main")).not_to_contain_text("张三")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    content = download.value.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert read.case_number.encode() in content and other.case_number.encode() not in content

    page.goto(f"{live_server.url}/audit/logs/exports/")
    expect(page.get_by_test_id("log-row")).to_have_count(1)
    expect(page.get_by_test_id("log-row")).to_contain_text(f"Case: {read.case_number}")
