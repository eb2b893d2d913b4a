"""The staff case list on a 390 px phone: each case readable at a glance, no squeezed columns."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import Category, Channel
from complaints.transitions import complaint_accept
from tests.factories import PASSWORD, complaint_filed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Narrower than this a column holds two or three characters a line.
READABLE_PX = 64


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


@pytest.fixture
def cases(cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    filed = []
    for title, unit in [
        ("县第一中学以资料费名义强制收取每名学生两百元且不开具任何票据", cast.units.school),
        ("窗口工作人员态度生硬", cast.units.sibling),
    ]:
        complaint, _code = complaint_filed(
            channel=Channel.HOTLINE, category=category, subject_unit=unit, title=title, content="内容"
        )
        filed.append(complaint)
    complaint_accept(complaint_id=filed[0].pk, actor=cast.county_officer)
    return filed


def test_an_officer_reads_the_case_list_on_a_phone(page: Page, live_server, cast, cases):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(cast.county_officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="All in my scope").click()

    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(2)
    # Nothing wider than the screen: no sideways scrolling to read a case.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for complaint, row in zip(sorted(cases, key=lambda c: -c.pk), rows.all(), strict=True):
        card = row.bounding_box()
        assert card["width"] >= 340
        expect(row.get_by_test_id("case-number")).to_have_text(f"#{complaint.pk}")
        expect(row.get_by_test_id("status")).to_be_visible()
        complaint.refresh_from_db()
        # The label is drawn by the style sheet: read as the cell's name, as a screen reader hears it.
        due = f"Due {timezone.localtime(complaint.due_at):%Y-%m-%d}"
        expect(row.get_by_test_id("case-due")).to_have_accessible_name(due)
        title = row.get_by_role("link", name=complaint.title)
        expect(title).to_be_visible()
        # The title has the card's width, not a sliver of it.
        assert title.bounding_box()["width"] >= READABLE_PX
        # Every cell shown lies inside its card.
        for cell in row.locator("td").filter(visible=True).all():
            box = cell.bounding_box()
            assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"] + 1
        expect(row.get_by_text("Hotline", exact=True)).to_be_hidden()
    expect(rows.first.get_by_test_id("status")).to_have_text("Submitted")
    expect(rows.last.get_by_test_id("status")).to_have_text("Accepted")

    # At a desk the same list is a table with every column, none squeezed.
    page.set_viewport_size({"width": 1280, "height": 900})
    headers = page.get_by_test_id("case-list").locator("thead th")
    expect(headers).to_have_count(10)
    for header in headers.all():
        expect(header).to_be_visible()
        assert header.bounding_box()["width"] >= READABLE_PX / 2
    title_cell = rows.first.locator("td.case-title")
    assert title_cell.bounding_box()["width"] >= 2 * READABLE_PX
