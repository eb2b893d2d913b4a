"""Questionnaire pages and services: drafted, edited by their author until frozen, copied to change."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Questionnaire, Scale
from evaluations.services.appraisals import appraisal_open
from evaluations.services.questionnaires import (
    ItemDraft,
    QuestionnaireFrozen,
    questionnaire_copy,
    questionnaire_create,
    questionnaire_items_save,
)

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.running_fixtures"]

LIST = reverse("evaluations:questionnaire-list")


def _detail(questionnaire) -> str:
    return reverse("evaluations:questionnaire-detail", args=[questionnaire.pk])


def _post(rows, *, name="问卷", introduction="", initial=0):
    """The edit form's POST: the header and one formset row per (text, weight, scale, required, order)."""
    data = {
        "name": name,
        "introduction": introduction,
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    for index, (text, weight, scale, required, order) in enumerate(rows):
        data |= {
            f"items-{index}-text": text,
            f"items-{index}-weight": str(weight),
            f"items-{index}-scale": scale,
            f"items-{index}-ORDER": str(order),
        }
        if required:
            data[f"items-{index}-required"] = "on"
    return data


def _questions(questionnaire) -> list[tuple]:
    return list(questionnaire.items.order_by("position").values_list("position", "text", "weight", "scale", "required"))


def test_the_list_shows_every_questionnaire_with_its_total_in_a_fixed_number_of_queries(
    cast, questionnaire, as_user, django_assert_max_num_queries
):
    for _copy in range(5):
        questionnaire_copy(actor=cast.bureau_officer, questionnaire_id=questionnaire.pk)
    questionnaire_create(actor=cast.bureau_officer, name="空问卷")
    client = as_user(cast.bureau_officer)
    with django_assert_max_num_queries(7):
        page = client.get(LIST)
    text = page.content.decode()
    assert page.status_code == 200 and text.count("政风行风评议问卷（副本）") == 5 and "空问卷" in text
    assert text.count("100%") >= 6 and ">0%<" in text


def test_who_does_not_handle_cases_cannot_open_questionnaires(cast, supervisor, as_user):
    assert as_user(cast.auditor).get(LIST).status_code == 403
    assert as_user(supervisor.user).get(LIST).status_code == 403


def test_an_officer_creates_a_questionnaire_and_writes_its_questions_in_order(cast, as_user):
    client = as_user(cast.bureau_officer)
    response = client.post(
        reverse("evaluations:questionnaire-create"), {"name": "窗口服务问卷", "introduction": "请如实评价"}
    )
    questionnaire = Questionnaire.objects.get(name="窗口服务问卷")
    assert response.status_code == 302 and response["Location"] == _detail(questionnaire)
    assert questionnaire.created_by == cast.bureau_officer
    rows = [
        ("办事效率", 50, Scale.FIVE_POINT, True, 2),
        ("服务态度", 50, Scale.THREE_LEVEL, False, 1),
        # A blank row as the browser sends it: left out.
        ("", "", Scale.THREE_LEVEL, True, ""),
    ]
    assert client.post(_detail(questionnaire), _post(rows, name="窗口服务问卷")).status_code == 302
    assert _questions(questionnaire) == [
        (1, "服务态度", 50, Scale.THREE_LEVEL, False),
        (2, "办事效率", 50, Scale.FIVE_POINT, True),
    ]


def test_weights_off_100_are_kept_as_a_draft_and_the_page_says_so(cast, as_user):
    questionnaire = questionnaire_create(actor=cast.county_officer, name="草稿问卷")
    client = as_user(cast.county_officer)
    client.post(_detail(questionnaire), _post([("工作作风", 40, Scale.THREE_LEVEL, True, 1)], name="草稿问卷"))
    assert questionnaire.items.count() == 1
    assert "各题权重合计 40%，应为 100%。" in client.get(_detail(questionnaire)).content.decode()


@pytest.mark.parametrize(
    "row",
    [
        ("", 50, Scale.THREE_LEVEL, True, 1),
        ("问" * 301, 50, Scale.THREE_LEVEL, True, 1),
        ("工作作风", 101, Scale.THREE_LEVEL, True, 1),
        ("工作作风", -1, Scale.THREE_LEVEL, True, 1),
        ("工作作风", "很多", Scale.THREE_LEVEL, True, 1),
        ("工作作风", 50, "ten_point", True, 1),
    ],
)
def test_bad_questions_are_refused_and_nothing_changes(cast, questionnaire, as_user, row):
    before = _questions(questionnaire)
    response = as_user(cast.county_officer).post(
        _detail(questionnaire), _post([row, ("服务态度", 50, "three_level", True, 2)])
    )
    assert response.status_code == 400
    assert _questions(questionnaire) == before


def test_a_missing_or_oversized_name_and_too_many_rows_are_refused(cast, questionnaire, as_user):
    client = as_user(cast.county_officer)
    before = _questions(questionnaire)
    assert client.post(_detail(questionnaire), _post([], name="")).status_code == 400
    assert client.post(_detail(questionnaire), _post([], name="名" * 129)).status_code == 400
    too_many = _post([("题", 2, Scale.THREE_LEVEL, True, n) for n in range(51)])
    assert client.post(_detail(questionnaire), too_many).status_code == 400
    assert client.post(reverse("evaluations:questionnaire-create"), {"name": ""}).status_code == 400
    assert _questions(questionnaire) == before and Questionnaire.objects.count() == 1


def test_hostile_question_text_is_stored_as_typed_and_shown_escaped(cast, questionnaire, as_user):
    client = as_user(cast.county_officer)
    hostile = "<img src=x onerror=alert(1)>"
    client.post(_detail(questionnaire), _post([(hostile, 100, Scale.THREE_LEVEL, True, 1)], name="问卷"))
    questionnaire_copy(actor=cast.bureau_officer, questionnaire_id=questionnaire.pk)
    copy = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    text = as_user(cast.bureau_officer).get(_detail(copy)).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and hostile not in text


def test_only_its_author_edits_a_questionnaire_others_are_told_to_copy(cast, questionnaire, as_user):
    client = as_user(cast.bureau_officer)
    page = client.get(_detail(questionnaire))
    assert page.context["formset"] is None and "复制" in page.content.decode()
    refused = client.post(_detail(questionnaire), _post([("改", 100, Scale.THREE_LEVEL, True, 1)]))
    assert refused.status_code == 403
    assert len(_questions(questionnaire)) == 3


def test_a_frozen_questionnaire_is_read_only_and_a_change_is_refused_with_a_clear_message(
    cast, questionnaire, appraisal, as_user
):
    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    before = _questions(questionnaire)
    client = as_user(cast.county_officer)
    page = client.get(_detail(questionnaire))
    assert page.context["formset"] is None and 'data-testid="frozen-note"' in page.content.decode()
    refused = client.post(_detail(questionnaire), _post([("改题", 100, Scale.THREE_LEVEL, True, 1)]))
    assert refused.status_code == 409
    assert "问卷已被已开始的评议使用" in refused.content.decode()
    with pytest.raises(QuestionnaireFrozen):
        questionnaire_items_save(
            actor=cast.county_officer,
            questionnaire_id=questionnaire.pk,
            name="改名",
            introduction="",
            items=[ItemDraft(text="改题", weight=100, scale=Scale.THREE_LEVEL)],
        )
    questionnaire.refresh_from_db()
    assert _questions(questionnaire) == before and questionnaire.name == "政风行风评议问卷"


def test_copy_to_edit_makes_an_unfrozen_copy_the_copier_owns(cast, questionnaire, appraisal, as_user):
    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    client = as_user(cast.bureau_officer)
    response = client.post(reverse("evaluations:questionnaire-copy", args=[questionnaire.pk]))
    copy = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    assert response["Location"] == _detail(copy)
    assert copy.frozen_at is None and copy.created_by == cast.bureau_officer
    assert [row[1:] for row in _questions(copy)] == [row[1:] for row in _questions(questionnaire)]
    assert client.get(_detail(copy)).context["formset"] is not None
    questionnaire.refresh_from_db()
    assert questionnaire.frozen_at is not None and questionnaire.frozen_at <= timezone.now()


def test_a_copy_of_a_long_name_still_fits(cast):
    long = questionnaire_create(actor=cast.county_officer, name="问" * 128)
    copy = questionnaire_copy(actor=cast.county_officer, questionnaire_id=long.pk)
    assert len(copy.name) == 128 and copy.name.endswith("（副本）")


def test_who_does_not_handle_cases_writes_no_questionnaire(cast, questionnaire):
    with pytest.raises(PermissionDenied):
        questionnaire_create(actor=cast.auditor, name="x")
    with pytest.raises(PermissionDenied):
        questionnaire_copy(actor=cast.auditor, questionnaire_id=questionnaire.pk)
