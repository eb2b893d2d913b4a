"""The officers' appraisal pages: list, create, detail, settings, units, transitions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Appraisal, AppraisalState, Invitation
from evaluations.services.appraisals import appraisal_create, appraisal_open, appraisal_units_add
from tests.factories import unit_add

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.running_fixtures"]

NOW = timezone.now()
LIST = reverse("evaluations:appraisal-list")
CREATE = reverse("evaluations:appraisal-create")


def _detail(appraisal):
    return reverse("evaluations:appraisal-detail", args=[appraisal.pk])


def _form(cast, questionnaire, /, **overrides):
    data = {
        "organiser": cast.units.county.pk,
        "name": "2027年度民主评议",
        "year": 2027,
        "questionnaire": questionnaire.pk,
        "opens_at": (NOW + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (NOW + datetime.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M"),
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "weight_supervisor": 20,
        "weight_representative": 15,
        "weight_service_user": 25,
        "weight_petitioner": 15,
        "weight_on_time": 10,
        "weight_substantiated": 10,
        "weight_pledge": 5,
        "substantiated_penalty": "10",
        "grade_satisfied_from": "85",
        "grade_basic_from": "70",
        "rectify_bottom": 1,
        "rectify_within_days": 90,
    }
    return data | overrides


def _appraisal(cast, questionnaire, *, organiser, year=2026, name="评议"):
    return appraisal_create(
        actor=cast.county_officer,
        organiser=organiser,
        questionnaire=questionnaire,
        name=name,
        year=year,
        opens_at=NOW,
        closes_at=NOW + datetime.timedelta(days=10),
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
    )


def test_the_list_shows_only_appraisals_in_scope_in_a_fixed_number_of_queries(
    cast, questionnaire, as_user, django_assert_max_num_queries
):
    _appraisal(cast, questionnaire, organiser=cast.units.county, name="全县评议")
    for year in (2024, 2025, 2026):
        _appraisal(cast, questionnaire, organiser=cast.units.bureau, year=year, name=f"教育系统评议{year}")
    client = as_user(cast.bureau_officer)
    with django_assert_max_num_queries(9):
        page = client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "教育系统评议2024" in text and "教育系统评议2026" in text
    assert "全县评议" not in text


def test_the_list_filters_by_year_and_state_and_says_what_is_wrong_with_a_bad_filter(cast, questionnaire, as_user):
    _appraisal(cast, questionnaire, organiser=cast.units.county, year=2025, name="二〇二五评议")
    _appraisal(cast, questionnaire, organiser=cast.units.county, year=2026, name="二〇二六评议")
    client = as_user(cast.county_officer)
    text = client.get(LIST, {"year": 2025, "state": "draft"}).content.decode()
    assert "二〇二五评议" in text and "二〇二六评议" not in text
    assert "二〇二五评议" not in client.get(LIST, {"state": "open"}).content.decode()
    bad = client.get(LIST, {"year": "<script>", "state": "nonsense"})
    assert bad.status_code == 400
    assert "<script>" not in bad.content.decode()


def test_evaluators_and_anonymous_visitors_do_not_reach_the_officers_pages(client, cast, supervisor, as_user):
    assert client.get(LIST).status_code == 302
    as_user(supervisor.user)
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_an_officer_drafts_an_appraisal_for_a_unit_they_handle_in(cast, questionnaire, as_user):
    client = as_user(cast.county_officer)
    page = client.get(CREATE)
    assert page.status_code == 200 and "js/appraisal_weights.js" in page.content.decode()
    response = client.post(CREATE, _form(cast, questionnaire))
    appraisal = Appraisal.objects.get(name="2027年度民主评议")
    assert response.status_code == 302 and response["Location"] == _detail(appraisal)
    assert appraisal.state == AppraisalState.DRAFT and appraisal.created_by == cast.county_officer


def test_weights_that_do_not_add_up_are_refused_with_their_sum_and_nothing_is_stored(cast, questionnaire, as_user):
    client = as_user(cast.county_officer)
    response = client.post(CREATE, _form(cast, questionnaire, weight_pledge=30))
    assert response.status_code == 400
    assert "各部分权重合计 125%，应为 100%。" in response.content.decode()
    assert not Appraisal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "评" * 129),
        ("year", "1999"),
        ("weight_on_time", "-5"),
        ("weight_on_time", "abc"),
        ("opens_at", "not a time"),
        ("questionnaire", "999999"),
        ("rectify_within_days", "0"),
    ],
)
def test_missing_oversized_and_wrong_settings_are_refused_on_their_field(cast, questionnaire, as_user, field, value):
    client = as_user(cast.county_officer)
    response = client.post(CREATE, _form(cast, questionnaire, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Appraisal.objects.exists()


def test_dates_out_of_order_come_back_from_the_service_on_their_fields(cast, questionnaire, as_user):
    client = as_user(cast.county_officer)
    response = client.post(CREATE, _form(cast, questionnaire, period_end="2026-01-01", grade_basic_from="90"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"period_end", "grade_basic_from"}


def test_an_officer_cannot_organise_for_a_unit_outside_their_scope(cast, questionnaire, as_user):
    client = as_user(cast.bureau_officer)
    response = client.post(CREATE, _form(cast, questionnaire, organiser=cast.units.county.pk))
    assert response.status_code == 400
    assert "organiser" in response.context["form"].errors
    assert not Appraisal.objects.exists()


def test_hostile_text_is_stored_as_typed_and_shown_escaped(cast, questionnaire, as_user):
    client = as_user(cast.county_officer)
    client.post(CREATE, _form(cast, questionnaire, name='<script>alert("x")</script>'))
    appraisal = Appraisal.objects.get()
    text = client.get(_detail(appraisal)).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert '<script>alert("x")' not in text


def test_the_detail_is_not_found_outside_scope(cast, appraisal, as_user):
    assert as_user(cast.bureau_officer).get(_detail(appraisal)).status_code == 404


def test_the_detail_groups_units_and_says_why_it_cannot_open_yet(
    cast, appraisal, questionnaire, as_user, django_assert_max_num_queries
):
    questionnaire.items.filter(position=1).update(weight=10)
    for number in range(5):
        window = unit_add(parent=cast.units.school, name=f"窗口{number}")
        appraisal_units_add(actor=cast.county_officer, appraisal_id=appraisal.pk, units=[window], ranking_group="窗口")
    client = as_user(cast.county_officer)
    # Eight units: one query for the units and one grouped count each of responses and codes.
    with django_assert_max_num_queries(13):
        page = client.get(_detail(appraisal))
    text = page.content.decode()
    assert "部门" in text and "窗口" in text and "县第一中学" in text
    assert "各题权重合计 70%，应为 100%。" in text
    assert 'data-testid="transition-open"' in text


def test_an_officer_opens_then_closes_the_appraisal_with_the_buttons(cast, appraisal, supervisor, as_user):
    client = as_user(cast.county_officer)
    opened = client.post(reverse("evaluations:appraisal-transition", args=[appraisal.pk, "open"]))
    assert opened.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.OPEN
    assert Invitation.objects.filter(issued_to=supervisor.user).count() == 2
    page = client.get(_detail(appraisal))
    school = page.context["groups"]["窗口"][0]
    assert school.counts[0] == {"group": "行风监督员", "responses": 0, "used": 0, "issued": 1}
    page = page.content.decode()
    assert 'data-testid="transition-close"' in page and 'data-testid="transition-open"' not in page
    client.post(reverse("evaluations:appraisal-transition", args=[appraisal.pk, "close"]))
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.CLOSED


def test_a_transition_the_state_does_not_allow_is_a_409_with_a_clear_message(cast, appraisal, as_user):
    client = as_user(cast.county_officer)
    response = client.post(reverse("evaluations:appraisal-transition", args=[appraisal.pk, "close"]))
    assert response.status_code == 409
    assert "现在不能这样操作" in response.content.decode()
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.DRAFT


def test_opening_with_problems_is_a_409_naming_them(cast, appraisal, questionnaire, as_user):
    questionnaire.items.filter(position=1).delete()
    response = as_user(cast.county_officer).post(
        reverse("evaluations:appraisal-transition", args=[appraisal.pk, "open"])
    )
    assert response.status_code == 409
    assert "60%" in response.content.decode()
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.DRAFT


def test_who_may_not_make_a_transition_gets_403_and_outsiders_404(cast, appraisal, as_user):
    # Publishing is a leader's approval: an officer of the organiser may not.
    client = as_user(cast.county_officer)
    assert client.post(reverse("evaluations:appraisal-transition", args=[appraisal.pk, "publish"])).status_code == 403
    client = as_user(cast.bureau_officer)
    assert client.post(reverse("evaluations:appraisal-transition", args=[appraisal.pk, "open"])).status_code == 404
    assert client.get(f"/appraisals/{appraisal.pk}/explode/").status_code == 404
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.DRAFT


def test_a_draft_is_edited_and_an_open_one_is_refused_unchanged(cast, appraisal, questionnaire, as_user):
    client = as_user(cast.county_officer)
    url = reverse("evaluations:appraisal-update", args=[appraisal.pk])
    data = _form(cast, questionnaire, name="改名后的评议")
    del data["organiser"]
    assert client.post(url, data).status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.name == "改名后的评议"
    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    assert client.get(url)["Location"] == _detail(appraisal)
    refused = client.post(url, data | {"name": "再改"})
    assert refused.status_code == 400
    assert "只有草稿状态的评议可以修改" in refused.content.decode()
    appraisal.refresh_from_db()
    assert appraisal.name == "改名后的评议"


def test_units_are_added_with_their_subunits_and_removed(cast, appraisal, appraised, as_user):
    window = unit_add(parent=cast.units.sibling, name="卫健局办事窗口")
    client = as_user(cast.county_officer)
    client.post(
        reverse("evaluations:appraisal-unit-remove", args=[appraisal.pk, appraised.sibling.pk]),
    )
    assert not appraisal.appraised_units.filter(unit=cast.units.sibling).exists()
    response = client.post(
        reverse("evaluations:appraisal-units-add", args=[appraisal.pk]),
        {"unit": cast.units.sibling.pk, "with_subunits": "on", "ranking_group": "窗口"},
    )
    assert response.status_code == 302
    added = dict(appraisal.appraised_units.values_list("unit_id", "ranking_group"))
    assert added[cast.units.sibling.pk] == "窗口" and added[window.pk] == "窗口"


def test_a_unit_outside_the_organisers_subtree_or_an_oversized_group_is_refused(cast, appraisal, as_user):
    elsewhere = unit_add(parent=None, name="邻县")
    client = as_user(cast.county_officer)
    url = reverse("evaluations:appraisal-units-add", args=[appraisal.pk])
    assert client.post(url, {"unit": elsewhere.pk}).status_code == 400
    assert client.post(url, {"unit": cast.units.bureau.pk, "ranking_group": "组" * 65}).status_code == 400
    assert client.post(url, {}).status_code == 400
    assert appraisal.appraised_units.count() == 3
