"""The answer pages (anyone holding a code) and the officers' pages of codes and slips."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from evaluations.models import Answer, EvaluatorGroup, Invitation, Response
from evaluations.services.appraisals import appraisal_close
from evaluations.services.responding import response_submit
from jiufeng.qr import qr_svg

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.responding_fixtures"]

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def _page(response) -> str:
    return unescape(response.content.decode())


def _answer_url(code: str) -> str:
    return reverse("evaluations:appraisal-answer", kwargs={"code": code})


def _form(items, **values) -> dict:
    """The answer form's fields: 工作作风, 服务态度, 办事效率 by name, then the comment."""
    names = {"conduct": "工作作风", "attitude": "服务态度", "speed": "办事效率"}
    data = {f"item_{items[names[key]].pk}": value for key, value in values.items() if key in names}
    data["comment"] = values.get("comment", "")
    return data


def _nothing_stored() -> bool:
    return not Response.objects.exists() and not Answer.objects.exists()


# --- Answering -----------------------------------------------------------------------------


def test_the_answer_page_shows_the_appraisal_the_unit_and_each_question_in_chinese(client, code, opened, items):
    response = client.get(_answer_url(code))
    assert response.status_code == 200
    page = _page(response)
    assert opened.name in page and "县教育局" in page
    for text in ("工作作风", "服务态度", "办事效率", "满意", "基本满意", "不满意", "5 · 非常满意", "1 · 非常不满意"):
        assert text in page
    assert page.count('type="radio"') == 3 + 3 + 5


def test_the_pages_with_a_code_in_their_address_are_never_stored_nor_sent_on_as_referer(client, code):
    for url in (_answer_url(code), reverse("evaluations:appraisal-code"), reverse("evaluations:appraisal-thanks")):
        response = client.get(url)
        assert response["Referrer-Policy"] == "strict-origin", url
        assert "no-store" in response["Cache-Control"], url


def test_answering_stores_one_response_then_thanks_and_the_code_is_used(client, code, items, appraised):
    response = client.post(_answer_url(code), _form(items, conduct=3, attitude=2, speed=4, comment="办事快"))
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:appraisal-thanks")
    thanks = client.get(response["Location"])
    assert zh("Thank you") in _page(thanks)
    # No way back to the answers: the thanks page names neither the code nor the answers.
    assert code not in _page(thanks) and "办事快" not in _page(thanks)
    stored = Response.objects.get()
    assert (stored.appraised_unit_id, str(stored.score), stored.comment) == (appraised.bureau.pk, "80.50", "办事快")
    assert Invitation.objects.get(code=code).used_at is not None


def test_a_used_code_shows_already_used_with_409_and_stores_nothing_more(client, code, items, full_answers):
    response_submit(code=code, answers=full_answers, comment="")
    for response in (client.get(_answer_url(code)), client.post(_answer_url(code), _form(items, conduct=1))):
        assert response.status_code == 409
        assert zh("This code has already been used") in _page(response)
    assert Response.objects.count() == 1


def test_an_unknown_code_is_404_with_a_clear_page(client, opened):
    response = client.get(_answer_url("ABCDEFGHJK"))
    assert response.status_code == 404
    assert zh("Code not found") in _page(response)


def test_a_closed_appraisal_answers_409_and_takes_nothing(client, code, items, opened, cast):
    appraisal_close(actor=cast.county_officer, appraisal_id=opened.pk)
    response = client.post(_answer_url(code), _form(items, conduct=3, attitude=3, speed=5))
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()
    assert _nothing_stored()


@pytest.mark.parametrize(
    "values, wrong",
    [
        ({"attitude": 2, "speed": 4}, "conduct"),
        ({"conduct": 4, "attitude": 2, "speed": 4}, "conduct"),
        ({"conduct": 3, "attitude": 2, "speed": 6}, "speed"),
        ({"conduct": 3, "attitude": "<script>", "speed": 4}, "attitude"),
        ({"conduct": 3, "attitude": 2, "speed": 4, "comment": "长" * 1001}, "comment"),
    ],
)
def test_bad_answers_show_the_form_again_with_what_was_entered(client, code, items, values, wrong):
    names = {"conduct": "工作作风", "attitude": "服务态度", "speed": "办事效率"}
    response = client.post(_answer_url(code), _form(items, **values))
    # 200, not 400: Django logs every 4xx with its path, which holds a working code.
    assert response.status_code == 200
    page = response.content.decode()
    field = "comment" if wrong == "comment" else f"item_{items[names[wrong]].pk}"
    assert f'data-testid="error-{field}"' in page
    assert page.count("invalid-feedback") == 1
    # What was entered is kept.
    kept = next(key for key in ("attitude", "conduct") if key != wrong and isinstance(values.get(key), int))
    assert f'value="{values[kept]}"' in page and "checked" in page
    assert _nothing_stored()
    assert Invitation.objects.get(code=code).used_at is None


def test_a_signed_in_person_answering_a_slip_is_not_recorded_on_the_code(client, cast, code, items):
    client.force_login(cast.county_officer)
    assert client.post(_answer_url(code), _form(items, conduct=3, attitude=3, speed=5)).status_code == 302
    assert Invitation.objects.get(code=code).history.latest().history_user is None


def test_a_hostile_comment_is_stored_as_typed_and_never_shown_back_unescaped(client, code, items):
    response = client.post(_answer_url(code), _form(items, conduct=3, attitude=3, speed=5, comment=HOSTILE))
    assert response.status_code == 302
    assert Response.objects.get().comment == HOSTILE


def test_the_code_form_opens_the_questionnaire_for_a_code_typed_loosely(client, code):
    typed = f" {code[:5].lower()}-{code[5:]} "
    response = client.post(reverse("evaluations:appraisal-code"), {"code": typed})
    assert response.status_code == 302 and response["Location"] == _answer_url(code)


@pytest.mark.parametrize("typed", ["", "ABCDEFGHJK", "x" * 40, HOSTILE])
def test_the_code_form_says_what_is_wrong_with_a_wrong_code(client, opened, typed):
    response = client.post(reverse("evaluations:appraisal-code"), {"code": typed})
    assert response.status_code == 400
    assert 'data-testid="error-code"' in response.content.decode()
    assert HOSTILE not in response.content.decode()


def test_too_many_wrong_codes_are_429_yet_a_right_code_still_opens(client, code, settings, items):
    settings.JIUFENG_APPRAISAL_CODE_FAILURES_PER_IP = "5/10m"
    statuses = [
        client.get(_answer_url(f"ABCDEFGH{n:02d}".replace("0", "A").replace("1", "B"))).status_code for n in range(8)
    ]
    assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}
    refused = client.post(reverse("evaluations:appraisal-code"), {"code": "ZZZZZZZZZZ"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert zh("Too many tries") in _page(refused)
    # The holder of a right code, behind the same address, still answers.
    assert client.get(_answer_url(code)).status_code == 200
    assert client.post(_answer_url(code), _form(items, conduct=3, attitude=3, speed=5)).status_code == 302


def test_the_global_limit_stops_a_guesser_spread_over_many_addresses(code, settings):
    settings.JIUFENG_APPRAISAL_CODE_FAILURES_GLOBAL = "3/m"
    for n in range(3):
        assert Client(REMOTE_ADDR=f"203.0.113.{n}").get(_answer_url("ZZZZZZZZZZ")).status_code == 404
    refused = Client(REMOTE_ADDR="198.51.100.9").get(_answer_url("ZZZZZZZZZZ"))
    assert refused.status_code == 429
    assert zh(
        "So many wrong invitation codes are being tried on this service right now that wrong codes "
        "are refused for a while. A right code still opens its questionnaire: check yours and try again."
    ) in _page(refused)
    assert Client(REMOTE_ADDR="198.51.100.9").get(_answer_url(code)).status_code == 200


# --- Codes and slips (officers) ----------------------------------------------------------------


@pytest.fixture
def officer(client, cast):
    client.force_login(cast.county_officer)
    return client


def _list_url(appraisal) -> str:
    return reverse("evaluations:invitation-list", kwargs={"pk": appraisal.pk})


def _slips_url(appraisal) -> str:
    return reverse("evaluations:invitation-slips", kwargs={"pk": appraisal.pk})


def test_the_list_counts_codes_issued_and_used_per_unit_and_group(officer, opened, make_codes, full_answers):
    codes = make_codes(3)
    make_codes(2, unit="school", group=EvaluatorGroup.REPRESENTATIVE)
    response_submit(code=codes[0], answers=full_answers, comment="")
    page = officer.get(_list_url(opened)).content.decode()
    rows = {row.split("</th>")[0].rsplit(">", 1)[-1]: row for row in page.split('data-testid="invitation-row"')[1:]}
    assert 'data-testid="count-service_user">1 / 3' in rows["县教育局"]
    assert 'data-testid="count-representative">0 / 2' in rows["县第一中学"]
    assert 'data-testid="count-service_user">0 / 0' in rows["县卫生健康局"]


def test_the_list_costs_the_same_queries_for_more_units_and_codes(
    officer, opened, make_codes, django_assert_max_num_queries
):
    make_codes(1)
    with django_assert_max_num_queries(12) as few:
        assert officer.get(_list_url(opened)).status_code == 200
    for unit in ("bureau", "sibling", "school"):
        make_codes(40, unit=unit)
        make_codes(5, unit=unit, group=EvaluatorGroup.REPRESENTATIVE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert officer.get(_list_url(opened)).status_code == 200


def test_an_officer_makes_a_batch_from_the_list(officer, opened, appraised):
    response = officer.post(
        _list_url(opened),
        {"appraised_unit": appraised.school.pk, "group": EvaluatorGroup.REPRESENTATIVE, "count": 12},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(appraised_unit=appraised.school, group=EvaluatorGroup.REPRESENTATIVE).count() == 12
    assert zh("%(count)d new codes are ready to print.") % {"count": 12} in _page(officer.get(response["Location"]))


@pytest.mark.parametrize(
    "change, field",
    [
        ({"count": "0"}, "count"),
        ({"count": "501"}, "count"),
        ({"count": "abc"}, "count"),
        ({"count": ""}, "count"),
        ({"group": EvaluatorGroup.SUPERVISOR}, "group"),
        ({"group": HOSTILE}, "group"),
        ({"appraised_unit": "999999"}, "appraised_unit"),
    ],
)
def test_a_bad_batch_is_refused_with_a_message_and_nothing_made(officer, opened, appraised, change, field):
    data = {"appraised_unit": appraised.bureau.pk, "group": EvaluatorGroup.SERVICE_USER, "count": "10", **change}
    response = officer.post(_list_url(opened), data)
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {field}
    assert HOSTILE not in response.content.decode()
    assert not Invitation.objects.exists()


def test_staff_outside_the_organisers_scope_get_404(client, cast, opened):
    client.force_login(cast.bureau_officer)
    assert client.get(_list_url(opened)).status_code == 404
    assert client.get(_slips_url(opened)).status_code == 404
    assert client.post(_list_url(opened), {"count": "5"}).status_code == 404


def test_anyone_without_an_account_is_sent_to_log_in(client, opened):
    for url in (_list_url(opened), _slips_url(opened)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_auditor_sees_the_counts_but_neither_makes_codes_nor_prints_them(client, cast, opened, make_codes):
    make_codes(2)
    client.force_login(cast.auditor)
    page = client.get(_list_url(opened))
    assert page.status_code == 200 and 'data-testid="batch-form"' not in page.content.decode()
    assert client.get(_slips_url(opened)).status_code == 403


def test_the_slips_carry_unit_appraisal_code_link_and_qr_code_of_unused_codes_only(
    officer, opened, appraised, make_codes, full_answers
):
    codes = make_codes(3)
    other = make_codes(1, unit="school")
    response_submit(code=codes[0], answers=full_answers, comment="")
    response = officer.get(_slips_url(opened), {"unit": appraised.bureau.pk, "group": EvaluatorGroup.SERVICE_USER})
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin" and "no-store" in response["Cache-Control"]
    page = _page(response)
    assert page.count('data-testid="slip"') == 2
    assert codes[0] not in page and other[0] not in page
    for code in codes[1:]:
        assert code in page
        assert f"http://testserver{_answer_url(code)}" in page
    assert page.count('<svg class="slip-qr"') == 2 and "<path d=" in page
    assert "县教育局" in page and opened.name in page
    # No style attributes (the CSP refuses them) and no id repeated on every slip.
    assert "style=" not in page and 'id="qr-path"' not in page
    with_used = officer.get(_slips_url(opened), {"unit": appraised.bureau.pk, "used": "on"})
    assert codes[0] in _page(with_used)


def test_the_qr_code_holds_the_full_link(officer, opened, appraised, make_codes):
    [code] = make_codes(1)
    page = officer.get(_slips_url(opened), {"unit": appraised.bureau.pk}).content.decode()
    assert qr_svg(f"http://testserver{_answer_url(code)}", css_class="slip-qr") in page


def test_slips_for_a_unit_not_under_the_appraisal_are_refused(officer, opened):
    response = officer.get(_slips_url(opened), {"unit": "999999"})
    assert response.status_code == 400
    assert 'data-testid="slip"' not in response.content.decode()


def test_the_answer_page_and_the_slips_cost_a_few_queries_however_many_codes(
    officer, opened, appraised, make_codes, django_assert_max_num_queries
):
    [code] = make_codes(1)
    anonymous = Client()
    with django_assert_max_num_queries(4):
        assert anonymous.get(_answer_url(code)).status_code == 200
    with django_assert_max_num_queries(12) as few:
        assert officer.get(_slips_url(opened), {"unit": appraised.bureau.pk}).status_code == 200
    make_codes(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = officer.get(_slips_url(opened), {"unit": appraised.bureau.pk})
    assert page.content.decode().count('data-testid="slip"') == 31


def test_slips_are_printed_in_chinese_for_an_officer_reading_english(officer, opened, appraised, make_codes):
    make_codes(1)
    officer.cookies["django_language"] = "en"
    page = _page(officer.get(_slips_url(opened), {"unit": appraised.bureau.pk}))
    assert "Slips to print" in page
    assert zh("Please rate %(unit)s") % {"unit": "县教育局"} in page
