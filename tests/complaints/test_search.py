"""The lists' search (complaints.search): Chinese words of two characters and more, best first,
the same on the case list, the inbox, the API list and the case ledger; scoped; hostile words refused clearly."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from complaints.models import Complaint

from .test_api_staff import api
from .test_pages_staff_helpers import as_user, outsider, school_officer

pytestmark = pytest.mark.django_db

CASES = "/cases/"
LIST = "/api/v1/complaints/"


@pytest.fixture
def texts(cast, file_complaint):
    """Cases about the school and the sibling bureau, filed through the service, oldest first."""

    def filed(title, content, unit=None):
        complaint, _code = file_complaint(subject_unit=unit or cast.units.school, title=title, content=content)
        return complaint

    cases = {"uniform_title": filed("校服质量差", "衣服穿一周就起球。")}
    cases["fees_title"] = filed("学校乱收费", "每人交200元资料费。")
    cases["uniform_text"] = filed("学校强制购买", "要求学生统一购买校服，每套380元。")
    cases["shirk_title"] = filed("道路坑洼多部门推诿", "找交通局说归公路中心管。", unit=cast.units.sibling)
    # 收 and 费 both, never side by side; 乱收 and 收费 apart.
    cases["apart"] = filed("食堂饭菜问题", "食堂乱收取押金，另外收费标准也不公示，费用收了不退。")
    cases["unrelated"] = filed("窗口无人", "午休时间窗口一个人都没有。")
    return cases


def api_ids(user, words: str) -> list[int]:
    response = api(user).get(LIST, {"q": words})
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def page_ids(client, user, words: str, tab: str = "all") -> list[int]:
    page = as_user(client, user).get(CASES, {"tab": tab, "q": words})
    assert page.status_code == 200
    return [case.pk for case in page.context["page"].object_list]


def ledger_numbers(client, user, words: str) -> list[str]:
    response = as_user(client, user).get(CASES, {"tab": "all", "q": words, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


def test_two_character_words_find_their_cases_and_no_others(cast, texts):
    officer = cast.county_officer
    assert set(api_ids(officer, "收费")) == {texts["fees_title"].pk, texts["apart"].pk}
    assert set(api_ids(officer, "校服")) == {texts["uniform_text"].pk, texts["uniform_title"].pk}
    assert api_ids(officer, "推诿") == [texts["shirk_title"].pk]
    assert api_ids(officer, "彩票") == []


def test_a_longer_word_is_found_only_with_its_characters_side_by_side(cast, texts):
    officer = cast.county_officer
    # "apart" holds 乱收 and 收费, not 乱收费.
    assert api_ids(officer, "乱收费") == [texts["fees_title"].pk]
    assert api_ids(officer, "统一购买校服") == [texts["uniform_text"].pk]


def test_every_word_of_a_search_must_be_found(cast, texts):
    officer = cast.county_officer
    assert api_ids(officer, "校服 380元") == [texts["uniform_text"].pk]
    assert api_ids(officer, "校服，起球") == [texts["uniform_title"].pk]
    assert api_ids(officer, "校服 推诿") == []


def test_one_character_finds_the_cases_holding_it_last_in_a_word_too(cast, texts):
    # 诿 ends 推诿, and 推诿 ends a run of the title.
    assert api_ids(cast.county_officer, "诿") == [texts["shirk_title"].pk]


def test_latin_letters_are_found_whatever_their_case(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, title="学校WiFi收费", content="每月交50元。")
    assert api_ids(cast.county_officer, "wifi") == [complaint.pk]
    assert api_ids(cast.county_officer, "WIFI收费") == [complaint.pk]


def test_title_hits_come_before_text_hits_and_the_list_order_breaks_ties(client, cast, texts, file_complaint):
    officer = cast.county_officer
    # The uniform in a title is older than the one in a text, and still comes first.
    expected = [texts["uniform_title"].pk, texts["uniform_text"].pk]
    assert api_ids(officer, "校服") == expected
    assert page_ids(client, officer, "校服") == expected
    # Without words, newest first.
    assert page_ids(client, officer, "")[:2] == [texts["unrelated"].pk, texts["apart"].pk]
    # Two title hits: newest first between them.
    newer, _code = file_complaint(subject_unit=cast.units.school, title="校服太贵", content="每套380元。")
    assert api_ids(officer, "校服") == [newer.pk, *expected]


def test_a_case_number_a_tracking_code_or_an_id_finds_its_case_first(cast, texts, file_complaint):
    officer = cast.county_officer
    complaint, code = file_complaint(subject_unit=cast.units.school, title="另一件", content="无关的内容。")
    assert api_ids(officer, complaint.case_number) == [complaint.pk]
    assert api_ids(officer, code) == [complaint.pk]
    assert api_ids(officer, f"#{complaint.pk}") == [complaint.pk]


def test_the_page_the_inbox_the_api_and_the_ledger_find_the_same_cases_in_the_same_order(client, cast, texts):
    officer = cast.county_officer
    for words in ("收费", "校服", "推诿", "学校"):
        found = api_ids(officer, words)
        assert found, words
        assert page_ids(client, officer, words) == found, words
        numbers = dict(Complaint.objects.values_list("pk", "case_number"))
        assert ledger_numbers(client, officer, words) == [numbers[pk] for pk in found], words
        # The inbox holds them all (every case waits for acceptance); its own order (due first) breaks ties.
        assert sorted(page_ids(client, officer, words, tab="waiting")) == sorted(found), words
    assert page_ids(client, officer, "校服", tab="waiting") == api_ids(officer, "校服")


def test_a_search_never_widens_the_scope(client, cast, texts):
    # The education bureau's officer: the school's cases, not the sibling bureau's.
    assert api_ids(cast.bureau_officer, "校服") == [texts["uniform_title"].pk, texts["uniform_text"].pk]
    assert api_ids(cast.bureau_officer, "推诿") == []
    # The sibling bureau's officer: nothing of the school, nor the case about their own bureau.
    sibling = outsider(cast)
    assert api_ids(sibling, "校服") == []
    assert api_ids(sibling, "推诿") == []
    assert page_ids(client, sibling, "收费") == []
    # Staff of the school complained about find none of its cases (被投诉单位不得自查).
    insider = school_officer(cast)
    assert api_ids(insider, "校服") == []
    assert api_ids(insider, f"#{texts['uniform_text'].pk}") == []
    assert page_ids(client, insider, "校服") == []


def test_a_case_filed_through_the_public_api_is_found_at_once(cast, category):
    filing = {
        "category": category.pk,
        "subject_unit": cast.units.school.pk,
        "title": "食堂强制订餐",
        "content": "学校要求每名学生统一订购校服和午餐。",
        "anonymous": True,
    }
    assert APIClient().post(LIST, filing, format="json").status_code == 201
    assert [Complaint.objects.get(title="食堂强制订餐").pk] == api_ids(cast.county_officer, "订购校服")


def test_the_document_follows_the_text_whenever_it_is_written(cast, texts):
    # No service changes a case's text after filing; the database recomputes the document on
    # any write of it all the same (a generated column), saves through the ORM included.
    complaint = texts["unrelated"]
    assert api_ids(cast.county_officer, "推诿") == [texts["shirk_title"].pk]
    complaint.content = "几个部门互相推诿。"
    complaint.save(update_fields=["content"])
    assert set(api_ids(cast.county_officer, "推诿")) == {texts["shirk_title"].pk, complaint.pk}
    assert api_ids(cast.county_officer, "窗口一个人") == []


def test_the_petitioners_identity_is_never_searched(cast, file_complaint):
    file_complaint(subject_unit=cast.units.school, anonymous=False, name="王秘密", phone="13800000001")
    assert api_ids(cast.county_officer, "王秘密") == []
    assert api_ids(cast.county_officer, "13800000001") == []


HOSTILE = [
    "字" * 10_000,
    "！？。，…——“”",
    "收费\x00校服",
    "收费 & !推诿 | (校服:*) <-> '教辅'",
    "'; DROP TABLE complaints_complaint; --",
    "\\' OR 1=1 --",
    "ab'cd",
]


@pytest.mark.parametrize("words", HOSTILE)
def test_hostile_words_give_results_or_a_clear_message_never_an_error(client, cast, texts, words):
    response = api(cast.county_officer).get(LIST, {"q": words})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert list(response.json()) == ["q"] and response.json()["q"][0]
    page = as_user(client, cast.county_officer).get(CASES, {"tab": "all", "q": words})
    assert page.status_code == 200
    ledger = as_user(client, cast.county_officer).get(CASES, {"tab": "all", "q": words, "format": "csv"})
    assert ledger.status_code in (200, 400)
    assert Complaint.objects.count() == len(texts)


def test_the_refusals_say_what_is_wrong(client, cast, texts):
    officer = cast.county_officer

    def refusal(words: str) -> str:
        response = api(officer).get(LIST, {"q": words}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        [message] = response.json()["q"]
        return message

    assert refusal("！？。") == "Search with at least one letter, digit or Chinese character."
    assert "at most 200 characters" in refusal("字" * 10_000)
    assert refusal("收费\x00") == "Null characters are not allowed."
    page = as_user(client, officer).get(CASES, {"tab": "all", "q": "！？。"}).content.decode()
    assert 'data-testid="search-error">Search with at least one letter, digit or Chinese character.<' in page
    # Operators and quotes are only separators: the words between them are searched.
    assert api_ids(officer, "校服&!|:*()'380") == [texts["uniform_text"].pk]


def test_a_search_answers_in_one_query_more_than_the_list(client, cast, texts):
    # The one more: the window of matches, read once (complaints.search.complaint_search).
    def api_queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(cast.county_officer).get(LIST, params).status_code == 200
        return len(captured)

    def page_queries(**params) -> int:
        as_user(client, cast.county_officer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CASES, {"tab": "all", **params}).status_code == 200
        return len(captured)

    assert api_queries(q="收费") == api_queries() + 1
    assert page_queries(q="收费") == page_queries() + 1


def test_the_ledger_holds_every_match_where_the_page_ranks_a_window(client, cast, texts, monkeypatch):
    from complaints import search

    officer = cast.county_officer
    found = api_ids(officer, "收费")
    assert len(found) == 2
    # A window of one: the page ranks and lists the newest match only, the ledger both, best first.
    monkeypatch.setattr(search, "RANKED", 1)
    assert len(page_ids(client, officer, "收费")) == 1
    numbers = dict(Complaint.objects.values_list("pk", "case_number"))
    assert ledger_numbers(client, officer, "收费") == [numbers[pk] for pk in found]
