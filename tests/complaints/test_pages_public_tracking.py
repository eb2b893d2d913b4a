"""Tracking by code and the holder's case page: messages, rating, review, files, guarding."""

import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from complaints import services, transitions
from complaints.models import Complaint, ComplaintStatus, Finding, Message, Rating

TRACK_URL = reverse("complaints:complaint-track")
HOSTILE = '<script>alert("x")</script>'


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def url(name: str, complaint: Complaint, *args) -> str:
    return reverse(f"complaints:complaint-track-{name}", args=[complaint.pk, *args])


def photo(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def filed(cast, file_complaint):
    return file_complaint(subject_unit=cast.units.school)


@pytest.fixture
def holder(client, filed):
    """A client whose session proved the code of ``filed``; returns the complaint."""
    complaint, code = filed
    response = client.post(TRACK_URL, {"code": code})
    assert response.url == url("detail", complaint)
    return complaint


def resolve(complaint: Complaint, cast) -> None:
    transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    transitions.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    transitions.complaint_submit_for_approval(
        complaint_id=complaint.pk,
        actor=cast.bureau_officer,
        finding=Finding.PARTLY_SUBSTANTIATED,
        disposition="批评教育",
        reply="经核实，部分属实，已责令学校退费。",
    )
    transitions.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)


def form_error(response) -> str:
    """The text of the first error shown on the page (field or form)."""
    html = response.content.decode()
    found = re.search(r'data-testid="error-\w+">(.*?)</div>', html, re.S) or re.search(
        r'data-testid="form-errors">.*?<div class="fw-semibold mt-1">(.*?)</div>', html, re.S
    )
    assert found, "no error shown"
    return unescape(found.group(1))


# --- Looking a code up --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "  {nodash}  ", "{spaced}"])
def test_a_code_in_any_case_with_spaces_or_dashes_opens_the_case(client, filed, typed):
    complaint, code = filed
    variants = {
        "code": code,
        "lower": code.lower(),
        "nodash": code.replace("-", ""),
        "spaced": code.replace("-", " ").lower(),
    }
    response = client.post(TRACK_URL, {"code": typed.format(**variants)})
    assert response.status_code == 302
    assert response.url == url("detail", complaint)
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'data-status="submitted"' in page.content.decode()


def test_the_code_never_appears_in_a_url(client, filed):
    complaint, code = filed
    response = client.post(TRACK_URL, {"code": code})
    symbols = code.replace("-", "")
    assert symbols not in response.url.replace("-", "").upper()
    assert code not in client.get(response.url).content.decode()


@pytest.mark.parametrize("typed", ["JF-0000-0000-0000-0000", "hello", "<script>alert(1)</script>", "JF" + "A" * 60])
def test_an_unknown_or_malformed_code_opens_nothing(client, filed, typed):
    response = client.post(TRACK_URL, {"code": typed})
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.content.decode()
    assert not client.session.get("complaints.tracked")


def test_an_empty_code_asks_for_one(client):
    response = client.post(TRACK_URL, {"code": "   "})
    assert response.status_code == 400
    assert form_error(response) == zh("Type the tracking code you were given when you filed.")


def test_too_many_wrong_codes_are_answered_429(client, filed, settings):
    settings.JIUFENG_TRACK_FAILURES_PER_IP = "3/h"
    statuses = [client.post(TRACK_URL, {"code": f"JF-0000-0000-0000-{n:04d}"}).status_code for n in range(25)]
    assert statuses[0] == 400 and 429 in statuses
    throttled = client.post(TRACK_URL, {"code": "JF-0000-0000-0000-9999"})
    assert throttled.status_code == 429
    assert 'data-testid="throttled"' in throttled.content.decode()
    assert zh("Too many tries") in throttled.content.decode()
    assert 1 <= int(throttled["Retry-After"]) <= 3600
    # The petitioner's own right code still opens the case.
    _complaint, code = filed
    assert client.post(TRACK_URL, {"code": code}).status_code == 302


# --- The case page is the holder's alone ------------------------------------------------------


def test_case_pages_need_the_code_in_this_session(client, cast, filed):
    complaint, _code = filed
    resolve(complaint, cast)
    attachment_url = url("attachment", complaint, 1)
    for response in (
        client.get(url("detail", complaint)),
        client.post(url("message", complaint), {"body": "补充"}),
        client.post(url("rating", complaint), {"rating": "satisfied"}),
        client.post(url("review", complaint), {"reason": "不满意"}),
        client.get(attachment_url),
    ):
        assert response.status_code == 302 and response.url == TRACK_URL
    assert not Message.objects.filter(author=None).exists() and not Rating.objects.exists()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED


def test_a_session_id_planted_by_someone_else_never_opens_the_case(client, filed):
    """Session fixation: an attacker gets a stored session, plants its id in the petitioner's
    browser, and waits for the code to be proven in it."""
    complaint, code = filed
    attacker = Client()
    attacker.get(TRACK_URL)
    attacker.session["seen"] = True  # anything that stores the attacker's session
    planted = attacker.session
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert client.post(TRACK_URL, {"code": code}).url == url("detail", complaint)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    assert client.get(url("detail", complaint)).status_code == 200
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert attacker.get(url("detail", complaint)).url == TRACK_URL


def test_a_made_up_session_id_is_replaced_when_the_code_is_proven(client, filed):
    complaint, code = filed
    client.cookies[settings.SESSION_COOKIE_NAME] = "madeup" * 6
    assert client.post(TRACK_URL, {"code": code}).url == url("detail", complaint)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "madeup" * 6
    assert client.get(url("detail", complaint)).status_code == 200
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = "madeup" * 6
    assert other.get(url("detail", complaint)).url == TRACK_URL


def test_one_code_opens_only_its_own_case(client, cast, holder, file_complaint):
    other, _code = file_complaint(subject_unit=cast.units.bureau, title="别人的投诉")
    response = client.get(url("detail", other))
    assert response.url == TRACK_URL
    assert "别人的投诉" not in client.get(url("detail", holder)).content.decode()


def test_the_case_page_shows_plain_status_timeline_and_messages_never_staff_names_or_notes(client, cast, holder):
    transitions.complaint_accept(complaint_id=holder.pk, actor=cast.county_officer)
    services.message_add(complaint_id=holder.pk, body="请提供收费凭证。", actor=cast.bureau_officer)
    services.internal_note_add(complaint_id=holder.pk, actor=cast.bureau_officer, body="内部意见：先约谈校长")
    html = client.get(url("detail", holder)).content.decode()
    assert 'data-status="accepted"' in html
    assert 'data-testid="question"' in html and "请提供收费凭证。" in html
    assert holder.title in html and holder.content in html
    assert "内部意见" not in html
    for person in (cast.county_officer, cast.bureau_officer):
        assert person.display_name not in html and person.username not in html


def test_a_rejected_case_gives_the_reason_and_takes_no_more_messages(client, cast, holder):
    transitions.complaint_reject(
        complaint_id=holder.pk, actor=cast.county_officer, reason="属于法院受理范围，请依法起诉。"
    )
    html = client.get(url("detail", holder)).content.decode()
    assert 'data-status="rejected"' in html and "属于法院受理范围，请依法起诉。" in html
    assert 'data-testid="message"' not in html
    response = client.post(url("message", holder), {"body": "为什么不受理？"})
    assert response.status_code == 400
    assert form_error(response)
    assert not Message.objects.exists()


def test_the_case_page_costs_the_same_queries_for_more_messages(client, cast, holder, django_assert_num_queries):
    transitions.complaint_accept(complaint_id=holder.pk, actor=cast.county_officer)
    services.message_add(complaint_id=holder.pk, body="问题1", actor=cast.bureau_officer, attachments=[photo()])
    with CaptureQueriesContext(connection) as one:
        client.get(url("detail", holder))
    # The case, transitions, files, messages, deadlines (nothing to rate yet); the session from the cache.
    assert len(one.captured_queries) == 5
    for n in range(5):
        services.message_add(complaint_id=holder.pk, body=f"回答{n}", attachments=[photo(f"p{n}.png")])
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(url("detail", holder)).content.decode()
    assert "回答4" in html and "p4.png" in html


# --- Messages -------------------------------------------------------------------------------


def test_the_holder_answers_with_a_photo_and_can_download_it(client, cast, holder):
    transitions.complaint_accept(complaint_id=holder.pk, actor=cast.county_officer)
    response = client.post(url("message", holder), {"body": "收据见照片。", "attachments": [photo("收据.png")]})
    assert response.status_code == 302 and response.url == url("detail", holder)
    message = Message.objects.get(complaint=holder, author=None)
    assert message.body == "收据见照片。"
    attachment = message.attachments.get()
    html = client.get(url("detail", holder)).content.decode()
    assert url("attachment", holder, attachment.pk) in html
    download = client.get(url("attachment", holder, attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param("  \n ", lambda: zh("Write your message first."), id="blank"),
        pytest.param("长" * 100_000, None, id="100000-chars"),
    ],
)
def test_a_blank_or_huge_message_is_refused_and_nothing_stored(client, holder, body, message):
    response = client.post(url("message", holder), {"body": body})
    assert response.status_code == 400
    error = form_error(response)
    if message is not None:
        assert error == message()
    else:
        assert re.search(r"[\u4e00-\u9fff]", error)
    assert not Message.objects.exists()


def test_a_hostile_message_is_stored_as_typed_and_shown_escaped(client, holder):
    client.post(url("message", holder), {"body": HOSTILE})
    assert Message.objects.get().body == HOSTILE
    html = client.get(url("detail", holder)).content.decode()
    assert HOSTILE not in html and "&lt;script&gt;alert" in html


# --- Rating and review --------------------------------------------------------------------------


def test_the_answer_is_shown_and_rated_once(client, cast, holder):
    resolve(holder, cast)
    html = client.get(url("detail", holder)).content.decode()
    assert "经核实，部分属实，已责令学校退费。" in html and 'data-testid="rating"' in html

    response = client.post(url("rating", holder), {"rating": "dissatisfied", "comment": "只退了一半"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.rating, rating.comment, rating.review_round) == ("dissatisfied", "只退了一半", 0)
    assert 'data-testid="rating"' not in client.get(url("detail", holder)).content.decode()

    again = client.post(url("rating", holder), {"rating": "satisfied"})
    assert again.status_code == 400
    assert form_error(again)
    assert Rating.objects.count() == 1


def test_a_rating_must_be_one_of_the_three(client, cast, holder):
    resolve(holder, cast)
    response = client.post(url("rating", holder), {"rating": "excellent", "comment": HOSTILE})
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()
    assert not Rating.objects.exists()


def test_no_rating_before_the_answer(client, holder):
    assert 'data-testid="rating"' not in client.get(url("detail", holder)).content.decode()
    response = client.post(url("rating", holder), {"rating": "satisfied"})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_a_review_is_asked_with_reasons(client, cast, holder):
    resolve(holder, cast)
    blank = client.post(url("review", holder), {"reason": "  "})
    assert blank.status_code == 400
    assert form_error(blank) == zh("Give your reasons for asking for a review.")

    response = client.post(url("review", holder), {"reason": "学校只退还了一半费用。"})
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.status == ComplaintStatus.UNDER_REVIEW and holder.review_round == 1
    html = client.get(url("detail", holder)).content.decode()
    assert 'data-status="under_review"' in html and 'data-testid="review"' not in html


def _status_line(client, complaint) -> str:
    html = client.get(url("detail", complaint)).content.decode()
    return unescape(re.search(r'data-testid="status"[^>]*>([^<]*)<', html).group(1))


def test_the_status_names_each_review_round(client, cast, holder, county_principal):
    # 复查 in round 1, 复核 in round 2; the reply shown is only ever an approved one.
    resolve(holder, cast)
    first_reply = Complaint.objects.get(pk=holder.pk).reply
    seen = []
    for round_, (decider, approver) in enumerate(
        [(cast.county_officer, cast.county_leader), (cast.county_leader, county_principal)], start=1
    ):
        assert client.post(url("review", holder), {"reason": f"第{round_}次不满意"}).status_code == 302
        seen.append(_status_line(client, holder))
        transitions.complaint_decide_review(
            complaint_id=holder.pk,
            actor=decider,
            finding=Finding.SUBSTANTIATED,
            disposition="复查处理",
            reply=f"第{round_}轮答复",
        )
        seen.append(_status_line(client, holder))
        html = client.get(url("detail", holder)).content.decode()
        # The proposal awaiting approval is not shown; the earlier reply is not either.
        assert f"第{round_}轮答复" not in html and 'data-testid="reply"' not in html
        transitions.complaint_approve(complaint_id=holder.pk, actor=approver)
        seen.append(_status_line(client, holder))
        html = client.get(url("detail", holder)).content.decode()
        assert f"第{round_}轮答复" in html
    assert first_reply not in html
    assert seen == [
        zh("Under review"),
        zh("Review decision awaiting approval"),
        zh("Review decided"),
        zh("Under re-review"),
        zh("Re-review decision awaiting approval"),
        zh("Re-review decided: final"),
    ]
    # After the 复核: closed to further review, and it says so.
    assert 'data-testid="review"' not in html
    assert "不再受理" in html
    timeline = [unescape(t) for t in re.findall(r"<li[^>]*>.*?</li>", html, re.S)]
    assert any(zh("Re-review requested") in entry for entry in timeline)
    assert any(zh("Re-review decision issued; the matter is closed") in entry for entry in timeline)


def test_no_review_after_the_window(client, cast, holder, settings):
    resolve(holder, cast)
    settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS = 0
    assert 'data-testid="review"' not in client.get(url("detail", holder)).content.decode()
    response = client.post(url("review", holder), {"reason": "太晚了也想复查"})
    assert response.status_code == 400
    assert form_error(response)
    holder.refresh_from_db()
    assert holder.status == ComplaintStatus.RESOLVED and holder.review_round == 0


# --- Merged cases and files -------------------------------------------------------------------


def test_a_merged_case_follows_the_primary_without_its_messages(client, cast, holder, file_complaint):
    primary, _code = file_complaint(subject_unit=cast.units.school, title="主件标题")
    services.message_add(complaint_id=primary.pk, body="主件投诉人的补充材料")
    transitions.complaint_merge(complaint_id=holder.pk, actor=cast.county_officer, primary_id=primary.pk)
    transitions.complaint_accept(complaint_id=primary.pk, actor=cast.county_officer)

    html = client.get(url("detail", holder)).content.decode()
    assert 'data-testid="merged"' in html
    assert 'data-status="accepted"' in html
    assert "主件投诉人的补充材料" not in html and "主件标题" not in html
    assert 'data-testid="rating"' not in html and 'data-testid="review"' not in html


def test_files_of_another_case_are_not_served(client, cast, holder, file_complaint):
    other, _code = file_complaint(subject_unit=cast.units.bureau)
    message = services.message_add(complaint_id=other.pk, body="别人的附件", attachments=[photo()])
    response = client.get(url("attachment", holder, message.attachments.get().pk))
    assert response.status_code == 404
