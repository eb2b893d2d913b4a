"""What the petitioner is promised and keeps: one time limit everywhere, their rating and what
follows it, the reply letter on the tracking page (read, printed, downloaded, saved in WeChat),
and the public case number on it."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from complaints import services, transitions
from complaints.models import CaseNumberCounter, Category, Complaint, Finding
from jiufeng.models import OutboxMessage
from responsibility.models import DeadlineKind
from tests.concurrency import at_once
from tests.jiufeng.outbox_helpers import messages_to

TRACK_URL = reverse("complaints:complaint-track")
HOSTILE = '<script>alert("x")</script>'
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN"
)


def zh(message: str, **values) -> str:
    with translation.override("zh-hans"):
        return gettext(message) % values if values else gettext(message)


def url(name: str, complaint: Complaint) -> str:
    return reverse(f"complaints:complaint-track-{name}", args=[complaint.pk])


def chinese(client) -> None:
    client.cookies["django_language"] = "zh-hans"


def held(client, filed) -> Complaint:
    complaint, code = filed
    assert client.post(TRACK_URL, {"code": code}).status_code == 302
    return complaint


def resolve(complaint: Complaint, cast, *, approve: bool = True) -> None:
    transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    transitions.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    transitions.complaint_submit_for_approval(
        complaint_id=complaint.pk,
        actor=cast.bureau_officer,
        finding=Finding.PARTLY_SUBSTANTIATED,
        disposition="责令学校退还多收费用",
        reply="经核实，部分属实，已责令学校退费。",
    )
    if approve:
        transitions.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)


@pytest.fixture
def seven_days(category):
    """A sub-category that decides on acceptance within 7 days (its parent keeps the default)."""
    return Category.objects.add_child(category, {"code": "fees-education", "name": "教育乱收费", "accept_days": 7})


# --- One time promise ----------------------------------------------------------------------


def test_a_seven_day_category_says_seven_on_the_receipt_the_sms_and_the_tracking_page(
    client, cast, seven_days, settings
):
    chinese(client)
    fields = {"category": seven_days.pk, "subject_unit": cast.units.school.pk, "title": "学校收费"}
    fields |= {"content": "班主任要求每人交200元。", "identity": "real_name", "name": "张三", "phone": "13800138000"}
    response = client.post(reverse("complaints:complaint-file"), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get()
    day = timezone.localtime(complaint.due_at).strftime("%Y-%m-%d")
    promise = zh("Decision on acceptance within %(limit)s of receipt, by %(day)s.", limit="7 日", day=day)

    receipt = client.get(reverse("complaints:complaint-receipt")).content.decode()
    assert promise in receipt
    download = client.get(reverse("complaints:complaint-receipt-download")).content.decode()
    assert promise in download
    [sms] = messages_to("13800138000", OutboxMessage.objects.filter(channel="sms"))
    assert promise in sms.body
    tracking = client.get(url("detail", complaint)).content.decode()
    assert promise in tracking
    # The date is the ledger's: seven days after receipt.
    assert (complaint.due_at - complaint.received_at) == datetime.timedelta(days=7)


def test_the_acceptance_sms_states_the_categorys_limit_to_answer(cast, file_complaint, category):
    category.resolve_days = 30
    category.save()
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    complaint.refresh_from_db()
    body = OutboxMessage.objects.filter(channel="sms").order_by("pk").last().body
    with translation.override("zh-hans"):
        assert (
            gettext("Answer within %(limit)s of acceptance, by %(day)s.")
            % {
                "limit": "30 日",
                "day": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d"),
            }
            in body
        )


def test_the_home_page_promises_the_longest_limit_in_use(client, category, seven_days, settings):
    chinese(client)
    page = client.get("/").content.decode()
    assert "最长 15 日" in page and "最长 60 日" in page
    # A category given longer says so on the home page at once, and its sub-categories inherit it;
    # one no longer in use does not count.
    seven_days.accept_days = 20
    seven_days.save()
    Category.objects.filter(pk=category.pk).update(resolve_days=90)
    Category.objects.add_root({"code": "old", "name": "旧类别", "accept_days": 40, "is_active": False})
    page = client.get("/").content.decode()
    assert "最长 20 日" in page and "最长 90 日" in page
    # Working days are called so.
    settings.JIUFENG_WORKING_DAY_KINDS = {DeadlineKind.COMPLAINT_ACCEPT}
    assert "最长 20 个工作日" in client.get("/").content.decode()


def test_the_home_page_promise_in_english(client, category):
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert "Within at most 15 days of receipt" in page


# --- The rating and what follows ---------------------------------------------------------------


def test_basically_satisfied_is_shown_as_such_with_the_comment_and_the_case_closed(client, cast, file_complaint):
    complaint = held(client, file_complaint(subject_unit=cast.units.school))
    resolve(complaint, cast)
    chinese(client)
    assert (
        client.post(url("rating", complaint), {"rating": "basically_satisfied", "comment": HOSTILE}).status_code == 302
    )
    page = client.get(url("detail", complaint)).content.decode()
    given = page.split('data-testid="rating-given"')[1]
    assert re.search(r'data-rating="basically_satisfied">基本满意<', given)
    assert "&lt;script&gt;alert" in given and HOSTILE not in page
    assert zh("Your rating closed the complaint. Thank you for telling us.") in given
    assert 'data-testid="review"' not in page


def test_after_dissatisfied_the_page_says_until_when_a_review_may_be_asked(client, cast, file_complaint, settings):
    complaint = held(client, file_complaint(subject_unit=cast.units.school))
    resolve(complaint, cast)
    chinese(client)
    client.post(url("rating", complaint), {"rating": "dissatisfied", "comment": "只退了一半"})
    complaint.refresh_from_db()
    until = timezone.localtime(complaint.replied_at) + datetime.timedelta(days=30)
    page = client.get(url("detail", complaint)).content.decode()
    given = page.split('data-testid="rating-given"')[1]
    assert "不满意" in given and "只退了一半" in given
    assert "30 日内" in given and until.strftime("%Y-%m-%d") in given and "复查" in given
    assert 'data-testid="review"' in page

    settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS = 0
    page = client.get(url("detail", complaint)).content.decode()
    assert zh("The time to ask for a review has passed: the answer stands and the case will be closed.") in page


# --- The reply letter on the tracking page --------------------------------------------------------


def test_no_letter_before_approval_then_the_letter_with_the_public_number(client, cast, file_complaint):
    complaint = held(client, file_complaint(subject_unit=cast.units.school, title=HOSTILE))
    resolve(complaint, cast, approve=False)
    page = client.get(url("detail", complaint)).content.decode()
    assert 'data-testid="reply-letter"' not in page and "已责令学校退费" not in page
    assert client.get(url("letter", complaint)).status_code == 404

    transitions.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)
    chinese(client)
    page = client.get(url("detail", complaint)).content.decode()
    letter = page.split('data-testid="reply-letter"')[1].split("</article>")[0]
    complaint.refresh_from_db()
    assert re.fullmatch(r"\d{4}-\d{6}", complaint.case_number)
    assert complaint.case_number in letter and f"编号：{complaint.pk}<" not in letter
    assert "部分属实" in letter and "已责令学校退费" in letter and "责令学校退还多收费用" in letter
    assert cast.units.bureau.name in letter
    assert "&lt;script&gt;" in letter and HOSTILE not in page
    assert 'data-testid="letter-download"' in page and 'data-testid="wechat-hint"' not in page
    assert "html-to-image" not in page


def test_the_download_is_the_letter_as_a_file_named_by_the_public_number(client, cast, file_complaint):
    complaint = held(client, file_complaint(subject_unit=cast.units.school))
    resolve(complaint, cast)
    complaint.refresh_from_db()
    chinese(client)
    response = client.get(url("letter", complaint))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="reply-letter-{complaint.case_number}.html"'
    html = response.content.decode()
    assert html.startswith("<!doctype html>") and "<style>" in html and "@media print" in html
    assert "已责令学校退费" in html and complaint.case_number in html
    # Readable offline: nothing loaded from the site.
    assert "/static/" not in html and "<script" not in html


def test_an_anonymous_letter_says_anonymous_and_a_real_name_letter_names_nobody(client, cast, file_complaint):
    anonymous = held(client, file_complaint(subject_unit=cast.units.school))
    named = held(client, file_complaint(subject_unit=cast.units.school, anonymous=False, title="另一件事"))
    resolve(anonymous, cast)
    resolve(named, cast)
    chinese(client)
    assert "匿名投诉人" in client.get(url("letter", anonymous)).content.decode()
    for shown in (client.get(url("detail", named)), client.get(url("letter", named))):
        html = shown.content.decode()
        assert "张三" not in html and "13800138000" not in html and "匿名投诉人" not in html
        assert zh("To the petitioner:") in html


def test_the_letter_needs_the_code_in_this_session(client, cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    resolve(complaint, cast)
    response = client.get(url("letter", complaint))
    # As every case page: back to the code form, nothing of the case.
    assert response.status_code == 302 and response.url == TRACK_URL
    other = held(client, file_complaint(subject_unit=cast.units.school))
    assert client.get(url("letter", complaint)).url == TRACK_URL
    assert client.get(reverse("complaints:complaint-track-letter", args=[10**12])).url == TRACK_URL
    # Oversized and hostile paths: the code form or not found, never an error.
    assert client.get(reverse("complaints:complaint-track-letter", args=[10**30])).url == TRACK_URL
    assert client.get("/track/1%3Cscript%3E/letter/").status_code == 404
    assert client.get(url("letter", other)).status_code == 404
    assert client.post(url("letter", other)).status_code == 405


def test_in_wechat_the_letter_is_offered_as_a_picture_not_a_download(client, cast, file_complaint):
    complaint = held(client, file_complaint(subject_unit=cast.units.school))
    resolve(complaint, cast)
    page = client.get(url("detail", complaint), HTTP_USER_AGENT=WECHAT).content.decode()
    assert 'data-testid="wechat-hint"' in page and 'data-testid="letter-image"' in page
    assert 'data-testid="letter-download"' not in page
    assert "vendor/html-to-image-1.11.13/html-to-image.js" in page


def test_the_staff_letter_and_the_petitioners_are_one_template(client, cast, file_complaint):
    complaint = held(client, file_complaint(subject_unit=cast.units.school))
    resolve(complaint, cast)
    complaint.refresh_from_db()
    petitioners = client.get(url("letter", complaint)).content.decode()
    client.force_login(cast.auditor)
    staff = client.get(reverse("complaints:case-reply-letter", args=[complaint.pk])).content.decode()

    def letter(html):
        return re.sub(r'aria-level="\d"', "", html.split("<article")[1].split("</article>")[0])

    assert letter(staff) == letter(petitioners)
    assert complaint.case_number in client.get(reverse("complaints:case-detail", args=[complaint.pk])).content.decode()


def test_the_case_page_costs_no_more_queries_with_the_letter_and_the_rating(client, cast, file_complaint):
    complaint = held(client, file_complaint(subject_unit=cast.units.school))
    with CaptureQueriesContext(connection) as submitted:
        client.get(url("detail", complaint))
    resolve(complaint, cast)
    with CaptureQueriesContext(connection) as resolved:
        client.get(url("detail", complaint))
    services.rating_add(complaint_id=complaint.pk, rating="dissatisfied", comment="不满意")
    with CaptureQueriesContext(connection) as rated:
        html = client.get(url("detail", complaint)).content.decode()
    assert 'data-testid="reply-letter"' in html and 'data-testid="rating-given"' in html
    # As before the letter and the rating were shown: the case, transitions, files, messages,
    # deadlines, and once a reply is out the ratings; the session from the cache.
    counts = [len(captured.captured_queries) for captured in (submitted, resolved, rated)]
    assert counts == [5, 6, 6]


# --- The public case number ------------------------------------------------------------------------


def test_case_numbers_count_per_year_of_receipt(cast, file_complaint):
    first, _ = file_complaint(subject_unit=cast.units.school)
    second, _ = file_complaint(subject_unit=cast.units.school)
    year = timezone.localtime(first.received_at).year
    assert (first.case_number, second.case_number) == (f"{year}-000001", f"{year}-000002")
    letter, _ = file_complaint(
        subject_unit=cast.units.school, received_at=timezone.now().replace(year=year - 1), channel="letter"
    )
    assert letter.case_number == f"{year - 1}-000001"
    assert dict(CaseNumberCounter.objects.values_list("year", "last")) == {year: 2, year - 1: 1}


def test_a_failed_filing_gives_its_number_back(cast, file_complaint):
    with pytest.raises(RuntimeError), transaction.atomic():
        file_complaint(subject_unit=cast.units.school)
        raise RuntimeError("the filing fails after its number was given")
    complaint, _ = file_complaint(subject_unit=cast.units.school)
    assert complaint.case_number.endswith("-000001")


def test_the_migration_numbers_existing_cases_in_order_of_receipt(cast, file_complaint):
    now = timezone.now()
    late, _ = file_complaint(subject_unit=cast.units.school, received_at=now - datetime.timedelta(hours=1))
    early, _ = file_complaint(subject_unit=cast.units.school, received_at=now - datetime.timedelta(hours=2))
    older, _ = file_complaint(subject_unit=cast.units.school, received_at=now.replace(year=now.year - 2))
    # As before the migration: no counters, no numbers (here unique placeholders: the column is unique by now).
    CaseNumberCounter.objects.all().delete()
    Complaint.objects.update(case_number=Concat(Value("x"), Cast("id", CharField())))
    migration = importlib.import_module("complaints.migrations.0012_complaint_case_number")
    migration._number_existing(apps, None)
    numbers = dict(Complaint.objects.values_list("pk", "case_number"))
    year = timezone.localtime(now).year
    assert numbers[early.pk] == f"{year}-000001" and numbers[late.pk] == f"{year}-000002"
    assert numbers[older.pk] == f"{year - 2}-000001"
    assert dict(CaseNumberCounter.objects.values_list("year", "last")) == {year: 2, year - 2: 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_get_consecutive_numbers(cast, file_complaint):
    numbers = at_once(lambda: file_complaint(subject_unit=cast.units.school)[0].case_number, 4)
    year = timezone.localtime(timezone.now()).year
    assert sorted(numbers) == [f"{year}-{n:06d}" for n in range(1, 5)]


def test_after_a_review_is_asked_and_decided_the_page_says_what_the_rating_was_of(client, cast, file_complaint):
    complaint = held(client, file_complaint(subject_unit=cast.units.school))
    resolve(complaint, cast)
    client.post(url("rating", complaint), {"rating": "dissatisfied", "comment": "只退了一半"})
    client.post(url("review", complaint), {"reason": "学校只退还了一半费用。"})
    chinese(client)
    page = client.get(url("detail", complaint)).content.decode()
    assert zh("You asked for the case to be looked at again; the decision will be shown on this page.") in page
    # The county, one level above the bureau that answered, decides; a county leader approves.
    transitions.complaint_decide_review(
        complaint_id=complaint.pk,
        actor=cast.county_officer,
        finding=Finding.SUBSTANTIATED,
        disposition="责令全额退费",
        reply="复查认为属实，已责令全额退费。",
    )
    page = client.get(url("detail", complaint)).content.decode()
    assert "已责令全额退费" not in page
    transitions.complaint_approve(complaint_id=complaint.pk, actor=cast.county_leader)
    page = client.get(url("detail", complaint)).content.decode()
    assert zh("That rating was of the earlier answer. The new decision is above: you may rate it too.") in page
    assert "已责令全额退费" in page.split('data-testid="reply-letter"')[1]
    assert 'data-testid="rating"' in page


def test_the_api_gives_the_case_number_to_staff_and_to_the_holder(cast, file_complaint):
    complaint, code = file_complaint(subject_unit=cast.units.school)
    staff = APIClient()
    staff.force_authenticate(cast.county_officer)
    detail = staff.get(reverse("api:complaint-detail", args=[complaint.pk])).json()
    listed = staff.get(reverse("api:complaint-list")).json()["results"]
    tracked = APIClient().get(reverse("api:track", args=[code])).json()
    assert detail["case_number"] == complaint.case_number == listed[0]["case_number"] == tracked["case_number"]
    assert detail["id"] == complaint.pk and "id" not in tracked


def test_a_number_taken_meanwhile_by_another_filing_is_not_given_twice(cast, file_complaint):
    file_complaint(subject_unit=cast.units.school)
    taken = []

    def another_filing_first(execute, sql, params, many, context):
        # Between this filing's read of the counter and its claim, another filing takes the number.
        if sql.startswith('UPDATE "complaints_casenumbercounter"') and not taken:
            taken.append(True)
            CaseNumberCounter.objects.update(last=F("last") + 1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(another_filing_first):
        complaint, _ = file_complaint(subject_unit=cast.units.school)
    year = timezone.localtime(complaint.received_at).year
    assert taken and complaint.case_number == f"{year}-000003"
    assert CaseNumberCounter.objects.get(year=year).last == 3
