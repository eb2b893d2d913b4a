"""English is complete where a reader picks it: category hints and inbox notifications are
rendered in the reader's language, Chinese by default."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation

from complaints.models import Category
from demo.categories import seed as seed_categories
from jiufeng.models import Notification
from jiufeng.texts import message, text_render
from responsibility.models import DeadlineKind
from tests.factories import PositionFactory
from tests.responsibility.escalation_helpers import DUE, open_deadline, sweep

pytestmark = pytest.mark.django_db


def in_english(client, page: str) -> None:
    # The language switcher in every page's header.
    response = client.post(reverse("set_language"), {"language": "en", "next": page})
    assert response.status_code == 302


def test_category_hints_follow_the_readers_language_chinese_by_default(client):
    seed_categories(io.StringIO())
    Category.objects.filter(code="other").update(hint_en="")
    page = client.get(reverse("complaints:complaint-file")).content.decode()
    assert "学校或老师收取规定以外的费用、强制订购资料" in page
    assert "A school or teacher charging fees beyond the rules" not in page

    in_english(client, "/file/")
    page = client.get(reverse("complaints:complaint-file")).content.decode()
    assert "A school or teacher charging fees beyond the rules, or forcing you to buy materials" in page
    assert "学校或老师收取规定以外的费用" not in page
    # No English hint yet: the Chinese one, rather than nothing.
    assert "以上都不是，或不确定属于哪一类" in page

    services = client.get("/open311/v2/services.json").json()
    described = {service["service_code"]: service["description"] for service in services}
    assert described["fees-medical"] == "A hospital charging twice, splitting charges, or forcing tests on you"


def test_a_case_notification_reads_in_chinese_by_default_and_in_english_when_chosen(cast, client, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    notification = Notification.objects.get(recipient=cast.county_officer)
    # Stored for email and SMS in the office's language.
    assert notification.subject == f"新投诉 #{complaint.pk}：学校强制订购教辅资料"
    client.force_login(cast.county_officer)

    page = client.get(reverse("inbox")).content.decode()
    assert f"新投诉 #{complaint.pk}：学校强制订购教辅资料" in page
    assert "县第一中学" in page

    in_english(client, "/inbox/")
    page = client.get(reverse("inbox")).content.decode()
    assert f"New complaint #{complaint.pk}: 学校强制订购教辅资料" in page
    assert "About 县第一中学. Decide by" in page
    assert "You are Officer of 测试县, which decides on intake." in page
    assert "新投诉" not in page


def test_an_escalation_digest_reads_in_the_readers_language(cast, client):
    liaison = PositionFactory(unit=cast.units.school, kind="liaison").user
    open_deadline(cast.units.school, kind=DeadlineKind.VISIT)
    sweep(DUE + datetime.timedelta(days=1))
    client.force_login(liaison)

    page = client.get(reverse("inbox")).content.decode()
    assert "催办：1项超期事项待您处理" in page and "按计划走访" in page

    in_english(client, "/inbox/")
    page = client.get(reverse("inbox")).content.decode()
    assert "Reminder: overdue deadlines (1) need your action" in page
    assert "Make a scheduled visit, 县第一中学, due 2027-01-10 17:00" in page
    assert "You are the liaison officer of 县第一中学, the unit responsible." in page
    # Stored for the email and SMS copies in the office's language.
    assert Notification.objects.get(recipient=liaison).subject == "催办：1项超期事项待您处理"


def test_a_notification_written_before_texts_were_kept_shows_its_stored_words(cast, client):
    Notification.objects.create(recipient=cast.county_officer, subject="旧通知", body="旧正文", why="旧原因")
    client.force_login(cast.county_officer)
    in_english(client, "/inbox/")
    page = client.get(reverse("inbox")).content.decode()
    assert "旧通知" in page and "旧正文" in page and "旧原因" in page


def test_a_text_keeps_typed_words_as_they_are_and_translates_labels_and_messages():
    text = message("%(what)s, %(unit)s, due %(due)s", what=DeadlineKind.VISIT.label, unit="100%(x)s", due="2027-01-10")
    assert text == {
        "msgid": "%(what)s, %(unit)s, due %(due)s",
        "params": {"what": {"msgid": "Make a scheduled visit"}, "unit": "100%(x)s", "due": "2027-01-10"},
    }
    with translation.override("en"):
        assert text_render([text, "第二行"]) == "Make a scheduled visit, 100%(x)s, due 2027-01-10\n第二行"
    with translation.override("zh-hans"):
        assert text_render(text) == "100%(x)s“按计划走访”，2027-01-10到期"
