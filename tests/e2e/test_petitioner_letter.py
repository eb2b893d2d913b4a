"""A petitioner on a phone keeps the answer: the time promised, the reply letter read, downloaded
and (inside WeChat) saved as a picture, and the rating they gave with what follows."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from complaints import transitions
from complaints.models import Category
from tests.factories import complaint_filed

from .test_petitioner_journey import PHONE, browser_context_args, categories, english, resolve  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
    "Mobile Safari/537.36 MicroMessenger/8.0.50.2701(0x28003237) NetType/WIFI Language/zh_CN"
)


def track(page: Page, live_server, code: str) -> None:
    english(page, live_server)
    page.goto(live_server.url + "/track/")
    page.get_by_label("Your tracking code").fill(code)
    page.get_by_test_id("track-submit").click()


@pytest.mark.usefixtures("categories")
def test_a_petitioner_reads_downloads_and_rates_the_reply_letter(page: Page, browser: Browser, live_server, cast):
    complaint, code = complaint_filed(
        category=Category.objects.get(code="fees-education"), subject_unit=cast.units.school
    )
    track(page, live_server, code)
    # The category decides on acceptance within 7 days: the page says so.
    expect(page.get_by_test_id("due")).to_contain_text("within 7 days of receipt")
    expect(page.get_by_test_id("case-number")).to_contain_text(complaint.case_number)

    transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    resolve(complaint, cast)
    page.reload()
    letter = page.get_by_test_id("reply-letter")
    expect(letter).to_be_visible()
    expect(letter.get_by_test_id("letter-number")).to_have_text(f"Case No. {complaint.case_number}")
    expect(letter.get_by_test_id("letter-addressee")).to_have_text("To the anonymous petitioner:")
    expect(letter.get_by_test_id("letter-reply")).to_contain_text("学校已退还所收费用")
    expect(page.get_by_test_id("letter-print")).to_be_visible()
    # Nothing on the phone's screen runs wider than it.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # "Print the letter" prints the letter alone (static/js/letter.js sets the class, then prints).
    page.evaluate("document.body.classList.add('printing-letter')")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("timeline")).to_be_hidden()
    expect(page.get_by_test_id("letter-download")).to_be_hidden()
    expect(letter).to_be_visible()
    page.emulate_media(media="screen")
    page.evaluate("document.body.classList.remove('printing-letter')")

    with page.expect_download() as download:
        page.get_by_test_id("letter-download").click()
    assert download.value.suggested_filename == f"reply-letter-{complaint.case_number}.html"
    assert "学校已退还所收费用" in download.value.path().read_text(encoding="utf-8")

    page.get_by_label("Basically satisfied").check()
    page.get_by_label("Anything you want to add (optional)").fill("退了钱，但态度一般。")
    page.get_by_test_id("rating-submit").click()
    given = page.get_by_test_id("rating-given")
    expect(given.get_by_test_id("rating-value")).to_have_text("Basically satisfied")
    expect(given.get_by_test_id("rating-comment")).to_have_text("退了钱，但态度一般。")
    expect(given.get_by_test_id("after-rating")).to_contain_text("closed the complaint")
    expect(page.get_by_test_id("status")).to_have_text("Closed")
    # The letter stays with the closed case.
    expect(page.get_by_test_id("reply-letter")).to_be_visible()

    # Inside WeChat nothing downloads: the letter comes as a picture to long-press.
    wechat = browser.new_context(**PHONE, user_agent=WECHAT)
    try:
        phone = wechat.new_page()
        track(phone, live_server, code)
        expect(phone.get_by_test_id("wechat-hint")).to_be_visible()
        expect(phone.get_by_test_id("letter-download")).to_have_count(0)
        picture = phone.get_by_test_id("letter-picture")
        expect(picture).to_be_visible(timeout=15_000)
        assert picture.get_attribute("src").startswith("data:image/png")
        assert phone.evaluate("document.querySelector('[data-testid=letter-picture]').naturalWidth") > 300
        # The picture stands in for the letter on screen: not shown twice.
        expect(phone.get_by_test_id("reply-letter")).to_have_class(re.compile(r"\bvisually-hidden\b"))
        expect(phone.get_by_test_id("letter-print")).to_have_count(0)
    finally:
        wechat.close()
