"""A petitioner on a phone: file anonymously with a photo, keep the code, track the case,
answer the officer, rate the answer and ask for a review. And the same filing with
JavaScript off."""

import io
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from complaints import services, transitions
from complaints.attachments import KINDS_TEXT
from complaints.models import Complaint, ComplaintStatus, Finding
from demo.categories import seed as seed_categories
from tests.jiufeng.test_database_unavailable import Outage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "en-US", "has_touch": True, "is_mobile": True}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE}


@pytest.fixture
def categories(db):
    seed_categories(io.StringIO())


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "receipt-photo.jpg"
    Image.new("RGB", (64, 48), "orange").save(path, "JPEG")
    return path


def english(page: Page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def resolve(complaint: Complaint, cast) -> None:
    """The handling side answers, through the services, as staff would."""
    transitions.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    transitions.complaint_submit_for_approval(
        complaint_id=complaint.pk,
        actor=cast.bureau_officer,
        finding=Finding.SUBSTANTIATED,
        disposition="责令退还费用",
        reply="经调查，情况属实，学校已退还所收费用。",
    )
    transitions.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)


def test_a_petitioner_files_with_a_photo_tracks_answers_rates_and_asks_for_a_review(
    page: Page, live_server, cast, categories, photo
):
    english(page, live_server)
    page.goto(live_server.url)
    page.get_by_role("link", name="File a complaint").click()

    page.get_by_text("Arbitrary fees and fines", exact=True).click()
    page.get_by_label("Arbitrary school fees").check()
    # The unit, found by the initials of its pinyin: 县第一中学 -> xdyzx.
    page.get_by_test_id("unit-search").fill("dyzx")
    page.get_by_test_id("unit-results").get_by_role("listitem").filter(has_text="县第一中学").click()
    expect(page.get_by_label("Which unit is it about?")).to_have_value(str(cast.units.school.pk))
    page.get_by_label("In one line: what is it about?").fill("学校强制订购教辅资料")
    page.get_by_label("What happened?").fill("班主任要求每人交200元购买指定资料，不交不让上课。")
    expect(page.get_by_test_id("attachment-limits")).not_to_be_empty()
    page.get_by_label("Photos or documents (optional)").set_input_files(photo)
    # Anonymous is the default: the name fields stay out of the way.
    expect(page.get_by_label("Anonymous")).to_be_checked()
    expect(page.get_by_test_id("real-name-fields")).to_be_hidden()
    page.get_by_test_id("submit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your complaint was received")
    code = page.get_by_test_id("tracking-code").get_attribute("data-code")
    assert code is not None and code.startswith("JF-") and len(code) == 22
    expect(page.get_by_test_id("tracking-code")).to_have_text(code)
    expect(page.get_by_test_id("accept-due")).not_to_be_empty()
    expect(page.get_by_test_id("copy")).to_be_visible()
    page.get_by_test_id("kept-code").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")

    complaint = Complaint.objects.get()
    assert complaint.anonymous and complaint.subject_unit == cast.units.school
    assert complaint.attachments.count() == 1

    # Another day, another session: the code alone opens the case, typed carelessly.
    page.context.clear_cookies()
    english(page, live_server)
    page.goto(live_server.url)
    page.get_by_role("link", name="Track with your code").click()
    page.get_by_label("Your tracking code").fill(code.lower().replace("-", " "))
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    assert code not in page.url and code.replace("-", "") not in page.url.upper()

    # The county office accepts the case; the bureau's officer asks a question.
    transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    services.message_add(complaint_id=complaint.pk, body="请问收费是哪一天？有收据吗？", actor=cast.bureau_officer)
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("Accepted")
    expect(page.get_by_test_id("timeline")).to_contain_text("请问收费是哪一天？")
    page.get_by_label("Your answer or more information").fill("9月1日交的，没有收据。")
    page.get_by_test_id("message-submit").click()
    expect(page.get_by_role("status")).to_contain_text("Your message was sent.")
    expect(page.get_by_test_id("timeline")).to_contain_text("9月1日交的，没有收据。")

    resolve(complaint, cast)
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("Resolved")
    expect(page.get_by_test_id("reply")).to_contain_text("学校已退还所收费用")
    page.get_by_label("Dissatisfied").check()
    page.get_by_label("Anything you want to add (optional)").fill("只退了一半。")
    page.get_by_test_id("rating-submit").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your rating.")
    expect(page.get_by_test_id("rating")).to_have_count(0)

    page.get_by_label("Why should the case be looked at again?").fill("学校只退还了100元，另外100元没有退。")
    page.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Under review")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.UNDER_REVIEW and complaint.review_round == 1
    assert complaint.ratings.get().rating == "dissatisfied"


def fill_other_about_no_known_unit(page: Page, live_server, *, title: str, text: str) -> None:
    """The filing form, in English, filled in as "Other" about a unit the petitioner does not know."""
    english(page, live_server)
    page.goto(f"{live_server.url}/file/")
    page.get_by_label("Other").check()
    page.get_by_label("Which unit is it about?").select_option("unknown")
    page.get_by_label("In one line: what is it about?").fill(title)
    page.get_by_label("What happened?").fill(text)


def test_the_receipt_warns_before_the_code_is_confirmed_kept(page: Page, live_server, cast, categories):
    fill_other_about_no_known_unit(page, live_server, title="窗口无人", text="上午十点窗口一直没人。")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("tracking-code")).to_be_visible()

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_test_id("copy").click()  # a tap: browsers ask before leaving only after one
    page.get_by_role("link", name="Jiufeng").click()
    expect(page.get_by_test_id("tracking-code")).to_be_visible()
    assert dialogs == ["beforeunload"]


def test_the_draft_survives_a_reload_without_the_name(page: Page, live_server, cast, categories):
    english(page, live_server)
    page.goto(f"{live_server.url}/file/")
    page.get_by_label("In one line: what is it about?").fill("医院重复收费")
    page.get_by_label("With my name").check()
    page.get_by_label("Your name", exact=True).fill("张三")
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(page.get_by_label("In one line: what is it about?")).to_have_value("医院重复收费")
    expect(page.get_by_label("Your name", exact=True)).to_have_value("")
    page.get_by_role("button", name="Start over").click()
    expect(page.get_by_label("In one line: what is it about?")).to_have_value("")


def test_a_file_over_the_limits_is_named_when_chosen_and_never_sent(
    page: Page, live_server, cast, categories, photo, tmp_path
):
    # In Chinese, the default; the file is 21 MB (sparse on disk): the limit is 20.
    big = tmp_path / "发票照片.jpg"
    with big.open("wb") as file:
        file.truncate(21 * 1024 * 1024)
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ" + bytes(100))
    page.goto(f"{live_server.url}/file/")
    page.get_by_role("radio", name=re.compile("^其他 ")).check()
    page.get_by_label("投诉哪个单位？").select_option("unknown")
    page.get_by_label("用一句话概括反映的问题").fill("窗口收费不开发票")
    page.get_by_label("具体情况").fill("交了300元，不给开发票。")
    files = page.get_by_label("照片或材料（可不传）")
    files.set_input_files([big, program])

    problems = page.get_by_test_id("attachment-problems")
    with translation.override("zh-hans"):
        expected = [
            gettext("“%(name)s” is %(size).1f MB; each file may be at most %(max)d MB.")
            % {"name": big.name, "size": 21.0, "max": 20},
            gettext("“%(name)s” is not one of the kinds accepted: %(kinds)s.")
            % {"name": program.name, "kinds": KINDS_TEXT},
        ]
    expect(problems.locator("div")).to_have_text(expected)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_test_id("submit").click()
    # Not sent: still the form, the files' field to change, the button ready for another try.
    expect(files).to_be_focused()
    expect(page.get_by_test_id("submit")).to_be_enabled()

    files.set_input_files(photo)
    expect(problems).to_have_count(0)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("tracking-code")).to_be_visible()
    assert posts == [f"{live_server.url}/file/"]
    assert Complaint.objects.get().attachments.count() == 1


def test_filing_and_tracking_work_with_javascript_off(browser: Browser, live_server, cast, categories):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/file/")
    expect(page.get_by_test_id("unit-search")).to_be_hidden()
    page.get_by_text("Rude or careless service", exact=True).click()
    page.get_by_label("Rude or cold treatment").check()
    page.get_by_label("Which unit is it about?").select_option(label="县教育局")
    page.get_by_label("In one line: what is it about?").fill("窗口人员态度恶劣")
    page.get_by_label("What happened?").fill("办事时被工作人员呵斥。")
    page.get_by_label("With my name").check()
    page.get_by_label("Your name", exact=True).fill("李四")
    page.get_by_label("Your phone number").fill("13800138000")
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("tracking-code")).to_be_visible()
    expect(page.get_by_test_id("copy")).to_be_hidden()
    code = page.get_by_test_id("tracking-code").inner_text()
    page.get_by_test_id("kept-code").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    complaint = Complaint.objects.get()
    assert not complaint.anonymous and complaint.identity.phone == "13800138000"

    # A new session (the code alone proves the case), still in English.
    context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("Your tracking code").fill(code)
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("content")).to_have_text("办事时被工作人员呵斥。")
    context.close()


def test_a_filing_sent_while_the_database_is_away_is_kept_on_the_phone_and_filed_after(
    page: Page, live_server, cast, categories
):
    fill_other_about_no_known_unit(page, live_server, title="窗口无人办理业务", text="上午九点到十一点窗口一直无人。")
    outage = Outage()
    try:
        page.get_by_test_id("submit").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Briefly unavailable")
        expect(page.get_by_test_id("unavailable")).to_contain_text("nothing was saved")
    finally:
        outage.end()
    assert not Complaint.objects.exists()
    # A minute later, the form again: what was typed is there, and goes through.
    page.goto(f"{live_server.url}/file/")
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(page.get_by_label("What happened?")).to_have_value("上午九点到十一点窗口一直无人。")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("tracking-code")).to_be_visible()
    assert Complaint.objects.get().title == "窗口无人办理业务"
