"""The petitioner's filing form and receipt, posted as a plain form (as with JavaScript off)."""

import io
import json
import re
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from complaints.attachments import attachment_limits_text, attachments_check
from complaints.filing_limit import FILING_THROTTLED
from complaints.models import Category, Complaint, PetitionerIdentity
from tests.factories import unit_add

FILE_URL = reverse("complaints:complaint-file")
RECEIPT_URL = reverse("complaints:complaint-receipt")
DOWNLOAD_URL = reverse("complaints:complaint-receipt-download")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def fees(category):
    return Category.objects.add_child(
        category, {"code": "fees-school", "name": "教育乱收费", "hint": "学校收取规定以外的费用"}
    )


@pytest.fixture
def form_data(units, fees):
    def data(**overrides):
        return {
            "category": fees.pk,
            "subject_unit": units.school.pk,
            "title": "学校强制订购教辅资料",
            "content": "班主任要求每人交200元购买指定资料。",
            "occurred_on": "",
            "location": "",
            "identity": "anonymous",
        } | overrides

    return data


def zh(message: str) -> str:
    """A message as the page shows it by default: in Simplified Chinese."""
    with translation.override("zh-hans"):
        return gettext(message)


def field_error(response, field: str) -> str:
    found = re.search(rf'data-testid="error-{field}">(.*?)</div>', response.content.decode(), re.S)
    assert found, f"no error shown on {field}"
    return unescape(found.group(1))


def test_the_filing_page_is_one_tap_from_home_and_in_chinese(client, units, fees):
    home = client.get("/").content.decode()
    assert f'href="{FILE_URL}"' in home

    response = client.get(FILE_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in html
    assert "教育乱收费" in html and "学校收取规定以外的费用" in html
    # The unit list carries the pinyin initials filing.js searches: 县教育局 -> xjyj.
    assert f'value="{units.bureau.pk}" data-initials="xjyj" data-parent="测试县" data-pinyin="xianjiaoyuju"' in html
    assert 'value="unknown"' in html
    assert '<optgroup label="县教育局">' in html
    assert 'data-testid="attachment-limits"' in html


def test_the_public_unit_list_matches_the_api(client, units, fees):
    units.sibling.is_active = False
    units.sibling.save(update_fields=["is_active"])
    api = {unit["id"] for unit in client.get(reverse("api:unit-public-list")).json()}
    html = client.get(FILE_URL).content.decode()
    shown = {int(pk) for pk in re.findall(r'<option value="(\d+)"', html)}
    assert shown == api
    assert units.sibling.pk not in shown


def test_a_unit_renamed_or_closed_leaves_the_form_at_once(client, units, fees, form_data):
    # The options are built once per unit list and language: a change must still show at once.
    assert "县教育局" in client.get(FILE_URL).content.decode()
    units.bureau.name = "县教育和体育局"
    units.bureau.save(update_fields=["name"])
    units.sibling.is_active = False
    units.sibling.save(update_fields=["is_active"])
    html = client.get(FILE_URL).content.decode()
    assert '<optgroup label="县教育和体育局">' in html and '<optgroup label="县教育局">' not in html
    assert f'value="{units.sibling.pk}"' not in html
    response = client.post(FILE_URL, form_data(subject_unit=units.sibling.pk))
    assert response.status_code == 400 and not Complaint.objects.exists()
    client.cookies["django_language"] = "en"
    english = client.get(FILE_URL).content.decode()
    assert "I don&#x27;t know which unit</option>" in english and "不清楚是哪个单位" not in english


def test_the_filing_page_costs_the_same_queries_for_a_bigger_tree(client, units, fees, django_assert_num_queries):
    with CaptureQueriesContext(connection) as small:
        client.get(FILE_URL)
    for n in range(30):
        unit_add(parent=units.bureau, name=f"第{n}小学")
        Category.objects.add_child(fees, {"code": f"fees-{n}", "name": f"收费{n}"})
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(FILE_URL)
    assert "第29小学" in response.content.decode()


def test_a_plain_form_files_an_anonymous_complaint_and_shows_the_receipt_once(client, units, fees, form_data):
    response = client.post(FILE_URL, form_data(name="不该保存", phone="13800138000"))
    assert response.status_code == 302 and response.url == RECEIPT_URL

    complaint = Complaint.objects.get()
    assert complaint.anonymous and complaint.channel == "web"
    assert complaint.subject_unit == units.school and complaint.category == fees
    assert not PetitionerIdentity.objects.exists()

    receipt = client.get(RECEIPT_URL)
    html = receipt.content.decode()
    code = re.search(r'data-code="(JF-[0-9A-Z-]+)"', html).group(1)
    assert re.fullmatch(r"JF(-[0-9A-HJKMNP-TV-Z]{4}){4}", code)
    assert "".join(f'<span class="code-group">{g}</span>' for g in code.split("-")[1:2]) in html
    due = timezone.localtime(complaint.received_at + timezone.timedelta(days=15)).strftime("%Y-%m-%d")
    assert due in html
    assert receipt["Cache-Control"].startswith("max-age=0")
    # The plain code is nowhere in the database: only its hash and this session's receipt.
    assert code not in str(list(Complaint.objects.values()))

    download = client.get(DOWNLOAD_URL)
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"].startswith("attachment;")
    text = download.content.decode()
    assert code in text and complaint.title in text and due in text

    # The receipt's session is stored where the check below looks...
    assert any(code in str(session.get_decoded()) for session in Session.objects.all())
    kept = client.post(RECEIPT_URL)
    assert kept.url == reverse("complaints:complaint-track-detail", args=[complaint.pk])
    # ...and keeps the code no longer.
    assert all(code not in str(session.get_decoded()) for session in Session.objects.all())
    # Shown once: afterwards the receipt sends the petitioner to the code form.
    assert client.get(RECEIPT_URL).url == reverse("complaints:complaint-track")
    assert client.get(DOWNLOAD_URL).url == reverse("complaints:complaint-track")
    # The filer may read their case in this session without typing the code.
    assert client.get(kept.url).status_code == 200


def test_a_real_name_filing_keeps_the_identity_apart_and_off_the_receipt(client, form_data):
    data = form_data(identity="real_name", name="张三", phone="138 0013 8000", email="zhang@example.com")
    assert client.post(FILE_URL, data).status_code == 302
    identity = PetitionerIdentity.objects.get()
    assert (identity.name, identity.phone, identity.email) == ("张三", "13800138000", "zhang@example.com")
    assert not Complaint.objects.get().anonymous
    for page in (client.get(RECEIPT_URL), client.get(DOWNLOAD_URL)):
        body = page.content.decode()
        assert "张三" not in body and "13800138000" not in body


def test_no_receipt_without_a_filing(client):
    assert client.get(RECEIPT_URL).url == reverse("complaints:complaint-track")
    assert client.post(RECEIPT_URL).url == reverse("complaints:complaint-track")


BAD_INPUT = [
    pytest.param({"title": "   "}, "title", lambda: zh("This field is required."), id="blank-title"),
    pytest.param({"content": " \n\t "}, "content", lambda: zh("This field is required."), id="blank-content"),
    pytest.param({"content": "长" * 100_000}, "content", None, id="content-100000-chars"),
    pytest.param({"title": "长" * 201}, "title", None, id="title-too-long"),
    pytest.param(
        {"category": ""}, "category", lambda: zh("Choose what kind of problem it is; if none fits, choose “Other”.")
    ),
    pytest.param(
        {"category": "999999"},
        "category",
        lambda: zh("This kind of problem cannot be chosen; choose one from the list."),
        id="unknown-category",
    ),
    pytest.param({"subject_unit": ""}, "subject_unit", lambda: zh("Choose the unit, or “I don't know which unit”.")),
    pytest.param(
        {"subject_unit": "999999"},
        "subject_unit",
        lambda: zh("This unit cannot be chosen; choose one from the list, or “I don't know which unit”."),
        id="unknown-unit",
    ),
    pytest.param(
        {"identity": "real_name", "name": "张三", "phone": ""},
        "phone",
        lambda: zh("Give a phone number we can call, or choose to stay anonymous."),
        id="real-name-without-phone",
    ),
    pytest.param(
        {"identity": "real_name", "name": " ", "phone": "13800138000"},
        "name",
        lambda: zh("Give your name, or choose to stay anonymous."),
        id="real-name-without-name",
    ),
    pytest.param(
        {"identity": "real_name", "name": "张三", "phone": "12345"},
        "phone",
        lambda: zh("Enter a mobile number (11 digits) or a landline with its area code."),
        id="malformed-phone",
    ),
    pytest.param(
        {"identity": "real_name", "name": "张三", "phone": "13800138000", "id_number": "110101199003071234"},
        "id_number",
        lambda: zh("Enter a valid 18-character ID number."),
        id="bad-id-number",
    ),
    pytest.param(
        {"identity": "real_name", "name": "张三", "phone": "13800138000", "email": "not-an-email"},
        "email",
        lambda: zh("Enter a valid email address."),
        id="bad-email",
    ),
    pytest.param(
        {"occurred_on": (timezone.localdate() + timezone.timedelta(days=1)).isoformat()},
        "occurred_on",
        lambda: zh("The day it happened cannot be in the future."),
        id="future-date",
    ),
    pytest.param({"occurred_on": "2026-13-45"}, "occurred_on", lambda: zh("Enter a valid date."), id="bad-date"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(client, form_data, overrides, field, message):
    response = client.post(FILE_URL, form_data(**overrides))
    assert response.status_code == 400
    error = field_error(response, field)
    if message is not None:
        assert error == message()
    else:
        assert re.search(r"[\u4e00-\u9fff]", error) and re.search(r"\d{3,}", error)
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Complaint.objects.exists() and not PetitionerIdentity.objects.exists()


def test_an_inactive_category_or_unit_cannot_be_chosen(client, units, fees, form_data):
    Category.objects.filter(pk=fees.pk).update(is_active=False)
    units.school.is_active = False
    units.school.save(update_fields=["is_active"])
    response = client.post(FILE_URL, form_data())
    assert response.status_code == 400
    assert field_error(response, "category") == zh("This kind of problem cannot be chosen; choose one from the list.")
    assert field_error(response, "subject_unit") == zh(
        "This unit cannot be chosen; choose one from the list, or “I don't know which unit”."
    )
    assert "教育乱收费" not in response.content.decode()
    assert not Complaint.objects.exists()


def test_hostile_input_is_escaped_on_every_page(client, form_data):
    # Refused first (no category): the form comes back with what was typed, escaped.
    data = form_data(title=HOSTILE, content=HOSTILE, location=HOSTILE, subject_unit=HOSTILE, category=HOSTILE)
    refused = client.post(FILE_URL, data).content.decode()
    assert "<script>alert" not in refused and "<img src=x" not in refused
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in refused

    client.post(FILE_URL, form_data(title=HOSTILE, content=HOSTILE, location=HOSTILE))
    complaint = Complaint.objects.get()
    assert complaint.title == HOSTILE
    for page in (
        client.get(RECEIPT_URL),
        client.get(reverse("complaints:complaint-track-detail", args=[complaint.pk])),
    ):
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


def test_a_similar_recent_complaint_asks_first_and_reveals_nothing_of_it(client, file_complaint, units, form_data):
    other, other_code = file_complaint(
        subject_unit=units.school, title="别人的投诉标题", content="班主任要求每人交200元购买指定资料。"
    )

    response = client.post(FILE_URL, form_data(title="我的标题"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="similar-notice"' in html
    assert f'href="{reverse("complaints:complaint-track")}"' in html
    assert 'name="file_anyway"' in html
    assert "别人的投诉标题" not in html and other_code not in html and f"/track/{other.pk}/" not in html
    assert Complaint.objects.count() == 1

    filed = client.post(FILE_URL, form_data(title="我的标题", file_anyway="on"))
    assert filed.status_code == 302
    assert Complaint.objects.count() == 2


def test_an_unconfirmed_receipt_is_dropped_after_an_hour(client, form_data):
    client.post(FILE_URL, form_data())
    session = client.session
    code = session["complaints.receipt"]["code"]
    session["complaints.receipt"]["until"] = (timezone.now() - timezone.timedelta(seconds=1)).timestamp()
    session.save()
    # Stored where the last check looks, until the receipt is dropped.
    assert any(code in str(row.get_decoded()) for row in Session.objects.all())
    assert client.get(RECEIPT_URL).url == reverse("complaints:complaint-track")
    assert "complaints.receipt" not in client.session
    assert all(code not in str(row.get_decoded()) for row in Session.objects.all())


def test_a_refused_form_keeps_every_answer_but_the_files(client, units, fees, form_data):
    response = client.post(FILE_URL, form_data(title="", location="县一中", occurred_on="2026-09-01"))
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'<option value="{units.school.pk}"[^>]* selected>', html)
    assert re.search(rf'value="{fees.pk}" id="category-{fees.pk}"\s+checked', html)
    assert 'value="县一中"' in html and 'value="2026-09-01"' in html
    assert "班主任要求每人交200元购买指定资料。</textarea>" in html


def _photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_photos_are_filed_with_the_complaint_and_limits_shown_before(client, form_data, settings):
    settings.JIUFENG_ATTACHMENT_MAX_FILES = 3
    page = client.get(FILE_URL).content.decode()
    assert attachment_limits_text() in unescape(page)
    response = client.post(FILE_URL, form_data(attachments=[_photo("a.jpg"), _photo("b.jpg")]))
    assert response.status_code == 302
    assert sorted(Complaint.objects.get().attachments.values_list("original_name", flat=True)) == ["a.jpg", "b.jpg"]


def test_the_file_input_offers_the_kinds_accepted_and_hands_the_limits_to_the_browser(client, units, fees, settings):
    settings.JIUFENG_ATTACHMENT_MAX_FILES = 4
    settings.JIUFENG_ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    page = client.get(FILE_URL).content.decode()
    field = re.search(r'<input type="file" name="attachments"[^>]*>', page).group(0)
    accept = unescape(re.search(r'accept="([^"]*)"', field).group(1)).split(",")
    assert {".jpg", ".pdf", ".docx", "image/jpeg", "application/pdf"} <= set(accept)
    assert not any("heic" in kind for kind in accept)
    limits = json.loads(unescape(re.search(r'data-attachment-limits="([^"]*)"', field).group(1)))
    assert (limits["files"], limits["bytes"]) == (4, 3 * 1024 * 1024)
    # What static/js/attachments.js says, in the page's language, in the server's words.
    assert limits["messages"]["size"] == zh("“{name}” is {size} MB; each file may be at most %(max)d MB.") % {"max": 3}
    assert limits["messages"]["kind"].startswith("“{name}”不属于可接收的文件类型")


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            lambda: [SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")], id="not-a-photo"
        ),
        pytest.param(lambda: [_photo("a.jpg"), _photo("b.jpg")], id="too-many"),
    ],
)
def test_refused_files_are_named_and_nothing_is_stored(client, form_data, settings, files):
    settings.JIUFENG_ATTACHMENT_MAX_FILES = 1
    response = client.post(FILE_URL, form_data(attachments=files()))
    assert response.status_code == 400
    # The message complaints.attachments gives, in the page's language.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        attachments_check(files())
    assert field_error(response, "attachments") == refused.value.message_dict["attachments"][0]
    assert not Complaint.objects.exists()


def test_an_empty_file_is_refused(client, form_data):
    response = client.post(FILE_URL, form_data(attachments=[SimpleUploadedFile("empty.pdf", b"")]))
    assert response.status_code == 400
    assert field_error(response, "attachments") == zh("The submitted file is empty.")
    assert not Complaint.objects.exists()


def test_an_address_that_filed_its_share_gets_its_form_back_with_429(client, form_data, settings):
    settings.JIUFENG_FILINGS_PER_IP = "1/h"
    assert client.post(FILE_URL, form_data()).status_code == 302
    refused = client.post(FILE_URL, form_data(title="乡卫生院乱收费", content="住院押金不退。"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    html = unescape(refused.content.decode())
    with translation.override("zh-hans"):
        assert str(FILING_THROTTLED) in html
    # Nothing typed is lost: the form comes back as it was sent.
    assert "住院押金不退。" in html and "乡卫生院乱收费" in html
    assert Complaint.objects.count() == 1


def test_filed_anyway_the_case_carries_the_duplicate_hint_for_triage(client, file_complaint, units, form_data):
    other, _code = file_complaint(subject_unit=units.school, content="班主任要求每人交200元购买指定资料。")
    client.post(FILE_URL, form_data(title="我的标题", file_anyway="on"))
    assert Complaint.objects.get(title="我的标题").possible_duplicate_of == other
    # Asked first and found different: filed without a hint, the text screened once.
    client.post(FILE_URL, form_data(title="另一件事", content="食堂饭菜价格一个月内上涨了一倍。"))
    assert Complaint.objects.get(title="另一件事").possible_duplicate_of is None
