"""举一反三: spikes on constructed series, repeat subjects and top lists counted by hand, did-it-work
windows, scope and the subject-unit rule, the dashboard's sections, links and actions."""

import datetime
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import recurring
from complaints import transitions as t
from complaints.dashboard import Period, dashboard_unit_for_user
from complaints.models import Category, Complaint, Finding, MeasureKind, RatingValue
from complaints.recurring import Verdict, WarningKind, early_warnings, fix_verdict, is_spike
from complaints.services import rating_add
from complaints.tasks import recount_recurring_task
from responsibility.models import Position, PositionKind, RectificationItem, RectificationStatus, Visit
from responsibility.services import campaigns as campaign_services
from responsibility.services import visits as item_services
from tests.complaints.conftest import DECISION
from tests.complaints.test_dashboard import _decide
from tests.factories import PositionFactory, unit_add

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_YEAR = Period.year(TODAY.year)
# The last 200 days: wide enough for the did-it-work cases, whatever today is.
RECENT = Period.range(TODAY - datetime.timedelta(days=200), TODAY)


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def other_category(db):
    return Category.objects.add_root({"code": "attitude", "name": "服务态度"})


def _file(file_complaint, unit, days: float, **fields) -> Complaint:
    return file_complaint(subject_unit=unit, received_at=_ago(days), **fields)[0]


def _spike(file_complaint, unit, *, this_week: int, per_week: int = 0, weeks=range(1, 9)) -> None:
    """``this_week`` complaints in the last seven days, ``per_week`` in each of ``weeks`` (1: the week before)."""
    for n in range(this_week):
        _file(file_complaint, unit, 0.2 + n * 0.5)
    for week in weeks:
        for n in range(per_week):
            _file(file_complaint, unit, 7 * week + 1 + n * 0.3)


# --- The rule, on constructed series ---------------------------------------------------------------


@pytest.mark.parametrize(
    "count, trailing, alarm",
    [
        # Small numbers never alarm, however quiet the weeks before.
        (4, [0] * 8, False),
        (3, [1, 0, 0, 0, 0, 0, 0, 0], False),
        # A new problem: five from nothing.
        (5, [0] * 8, True),
        # A clear spike above a steady trickle.
        (9, [1, 2, 1, 0, 2, 1, 1, 2], True),
        # A busy unit's usual week is no spike.
        (12, [10, 11, 9, 12, 10, 11, 10, 9], False),
        # Twice the mean but within a wide swing: mean 5, spread 5, so at least 15.1 is needed.
        (12, [0, 10, 0, 10, 0, 10, 0, 10], False),
        (16, [0, 10, 0, 10, 0, 10, 0, 10], True),
        # Far above the spread but not twice the mean.
        (7, [4, 4, 4, 4, 4, 4, 4, 4], False),
        (8, [4, 4, 4, 4, 4, 4, 4, 4], True),
    ],
)
def test_a_spike_is_a_week_far_above_its_trailing_weeks_and_never_a_small_number(count, trailing, alarm):
    assert is_spike(count, trailing) is alarm


def test_the_trailing_window_is_the_eight_weeks_before(cast, file_complaint):
    """Six this week against three a week before: a spike; older cases (weeks 9 and 10) do not count."""
    _spike(file_complaint, cast.units.school, this_week=6, per_week=3, weeks=range(1, 9))
    for week in (9, 10):
        for n in range(10):
            _file(file_complaint, cast.units.school, 7 * week + 1 + n * 0.3)
    warnings = early_warnings(user=cast.county_leader, unit=cast.units.county, period=THIS_YEAR, today=TODAY)
    school = [w for w in warnings if w.kind == WarningKind.UNIT]
    assert [(w.name, w.count, w.trailing_mean, w.trailing_spread) for w in school] == [("县第一中学", 6, 3.0, 0.0)]
    # Four a week before: six is less than twice the mean.
    for week in range(1, 9):
        _file(file_complaint, cast.units.school, 7 * week + 3)
    assert early_warnings(user=cast.county_leader, unit=cast.units.county, period=THIS_YEAR, today=TODAY) == []


def test_a_unit_and_its_category_warn_with_the_cases_behind_them(client, cast, file_complaint):
    _spike(file_complaint, cast.units.school, this_week=6, per_week=1, weeks=(2, 5))
    # Four about the sibling bureau this week: too few to warn on its own.
    _spike(file_complaint, cast.units.sibling, this_week=4)
    warnings = early_warnings(user=cast.county_leader, unit=cast.units.county, period=THIS_YEAR, today=TODAY)
    by_kind = {w.kind: w for w in warnings}
    assert set(by_kind) == {WarningKind.UNIT, WarningKind.CATEGORY}
    unit, category = by_kind[WarningKind.UNIT], by_kind[WarningKind.CATEGORY]
    assert (unit.name, unit.count, unit.trailing_mean, unit.unit_ids) == ("县第一中学", 6, 0.2, (cast.units.school.pk,))
    # The category: ten this week over both units.
    assert (category.name, category.count) == ("乱收费", 10)
    assert set(category.unit_ids) == {cast.units.school.pk, cast.units.sibling.pk}
    assert (unit.week_first, unit.week_last) == (TODAY - datetime.timedelta(days=6), TODAY)
    client.force_login(cast.county_leader)
    assert len(_case_ids(client, unit.cases_url)) == 6
    assert len(_case_ids(client, category.cases_url)) == 10


def test_a_period_past_or_to_come_looks_at_its_own_last_week(cast, file_complaint):
    _spike(file_complaint, cast.units.school, this_week=6)
    last_year = Period.year(TODAY.year - 1)
    assert early_warnings(user=cast.county_leader, unit=cast.units.county, period=last_year, today=TODAY) == []
    next_year = Period.year(TODAY.year + 1)
    assert early_warnings(user=cast.county_leader, unit=cast.units.county, period=next_year, today=TODAY) == []
    assert recurring.warning_week(next_year, TODAY) is None
    assert recurring.warning_week(last_year, TODAY)[1] == last_year.last


# --- Where complaints cluster, counted by hand -----------------------------------------------------


@pytest.fixture
def clustered(cast, file_complaint, other_category):
    """School 乱收费 ×3 (two substantiated, one partly... see each), sibling 乱收费 ×1 substantiated,
    school 服务态度 ×1 substantiated, bureau 乱收费 ×2 open; all within the last 60 days."""
    units = cast.units
    school = [_file(file_complaint, units.school, days) for days in (50, 40, 30)]
    sibling = _file(file_complaint, units.sibling, 45)
    attitude = _file(file_complaint, units.school, 35, category=other_category)
    bureau = [_file(file_complaint, units.bureau, days) for days in (20, 10)]
    edu = {"investigator": cast.bureau_officer, "approver": cast.bureau_leader}
    county = {"investigator": cast.county_officer, "approver": cast.county_leader}
    _decide(cast, school[0], finding=Finding.SUBSTANTIATED, **edu)
    _decide(cast, school[1], finding=Finding.PARTLY_SUBSTANTIATED, **edu)
    _decide(cast, school[2], finding=Finding.UNSUBSTANTIATED, **edu)
    _decide(cast, sibling, finding=Finding.SUBSTANTIATED, **county)
    _decide(cast, attitude, finding=Finding.SUBSTANTIATED, **edu)
    return {"school": school, "sibling": sibling, "attitude": attitude, "bureau": bureau}


def test_top_lists_and_repeat_subjects_are_those_counted_by_hand(client, cast, clustered):
    args = {"user": cast.county_leader, "unit": cast.units.county, "period": RECENT}
    # 乱收费: school's two and the sibling's one; 服务态度: the school's one.
    assert [(r.name, r.count) for r in recurring.top_categories(**args)] == [("乱收费", 3), ("服务态度", 1)]
    # The school three (two of 乱收费, one of 服务态度), the sibling one; the bureau none.
    assert [(r.name, r.count) for r in recurring.top_units(**args)] == [("县第一中学", 3), ("县卫生健康局", 1)]
    # School 乱收费 three times (two substantiated); the bureau's two are fewer than three.
    repeats = recurring.repeat_subjects(**args)
    assert [(r.unit_name, r.category_name, r.count, r.substantiated) for r in repeats] == [
        ("县第一中学", "乱收费", 3, 2)
    ]
    client.force_login(cast.county_leader)
    assert _case_ids(client, repeats[0].cases_url) == {c.pk for c in clustered["school"]}
    school_row = recurring.top_units(**args)[0]
    assert _case_ids(client, school_row.cases_url) == {
        clustered["school"][0].pk,
        clustered["school"][1].pk,
        clustered["attitude"].pk,
    }


def _case_ids(client, url: str) -> set[int]:
    page = client.get(url)
    assert page.status_code == 200
    return {int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', page.content.decode())}


def test_a_complaint_about_the_users_own_unit_is_in_none_of_their_figures(cast, file_complaint, clustered):
    """被投诉单位不得自查: the bureau's principal sees neither the bureau's cases nor a warning made of them."""
    _spike(file_complaint, cast.units.bureau, this_week=6)
    county = early_warnings(user=cast.county_leader, unit=cast.units.bureau, period=THIS_YEAR, today=TODAY)
    own = early_warnings(user=cast.bureau_leader, unit=cast.units.bureau, period=THIS_YEAR, today=TODAY)
    assert ("县教育局", WarningKind.UNIT) in {(w.name, w.kind) for w in county}
    assert all(w.name != "县教育局" for w in own)
    # Eight about the bureau in the period (two + six): a repeat for the county, not for the bureau.
    args = {"unit": cast.units.bureau, "period": RECENT}
    assert "县教育局" in {r.unit_name for r in recurring.repeat_subjects(user=cast.county_leader, **args)}
    assert "县教育局" not in {r.unit_name for r in recurring.repeat_subjects(user=cast.bureau_leader, **args)}
    # The school's cases stay in the bureau principal's figures.
    assert [r.name for r in recurring.top_units(user=cast.bureau_leader, **args)] == ["县第一中学"]


# --- Did it work? --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, after, over, verdict",
    [
        (3, 0, True, Verdict.HELD),
        (3, 1, True, Verdict.HELD),
        (4, 2, False, Verdict.CAME_BACK),
        (1, 1, False, Verdict.CAME_BACK),
        (0, 1, True, Verdict.CAME_BACK),
        (2, 0, False, Verdict.TOO_EARLY),
        (0, 0, True, Verdict.HELD),
    ],
)
def test_a_fix_held_came_back_or_is_too_early_to_tell(before, after, over, verdict):
    now = timezone.now()
    ends = now - datetime.timedelta(days=1) if over else now + datetime.timedelta(days=1)
    assert fix_verdict(before=before, after=after, after_ends=ends, now=now) == verdict


def _rectified(cast, complaint) -> RectificationItem:
    """Decided with a rectification of the school, approved, done and confirmed through the services."""
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    measure = {
        "kind": MeasureKind.RECTIFICATION,
        "description": "清退违规收取的资料费",
        "responsible_unit": cast.units.school,
        "due_on": TODAY + datetime.timedelta(days=10),
    }
    t.complaint_submit_for_approval(
        complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION, measures=[measure]
    )
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)
    item = RectificationItem.objects.get(complaint_measure__complaint=complaint)
    item_services.rectification_item_submit(actor=cast.bureau_officer, item_id=item.pk, evidence="已退还")
    return item_services.rectification_item_confirm(actor=cast.bureau_leader, item_id=item.pk)


def test_did_it_work_counts_equal_windows_before_and_after_each_fix(client, cast, file_complaint, other_category):
    units = cast.units
    # A rectification confirmed 100 days ago: two complaints in the 90 days before, none after: held.
    trigger = _file(file_complaint, units.school, 150)
    _file(file_complaint, units.school, 120)
    # Outside both windows (200 days before), and another category: not counted.
    _file(file_complaint, units.school, 195)
    _file(file_complaint, units.school, 50, category=other_category)
    item = _rectified(cast, trigger)
    # The clock of the fix moved back, as if confirmed 100 days ago.
    RectificationItem.objects.filter(pk=item.pk).update(confirmed_at=_ago(100))
    # A rule adopted by the sibling bureau, its case closed now; one complaint since: came back.
    ruled = _file(file_complaint, units.sibling, 20)
    t.complaint_accept(complaint_id=ruled.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=ruled.pk, actor=cast.county_officer)
    rule = {"kind": MeasureKind.RULE, "description": "公示收费标准", "responsible_unit": units.sibling, "due_on": TODAY}
    t.complaint_submit_for_approval(complaint_id=ruled.pk, actor=cast.county_officer, **DECISION, measures=[rule])
    t.complaint_approve(complaint_id=ruled.pk, actor=cast.county_leader)
    rating_add(complaint_id=ruled.pk, rating=RatingValue.SATISFIED, comment="")
    came_back = file_complaint(subject_unit=units.sibling)[0]

    fixes = recurring.fixes_checked(user=cast.county_leader, unit=units.county, period=RECENT)
    assert [(f.kind, f.unit_name, f.before, f.after, f.verdict) for f in fixes] == [
        (MeasureKind.RULE, "县卫生健康局", 1, 1, Verdict.CAME_BACK),
        (MeasureKind.RECTIFICATION, "县第一中学", 2, 0, Verdict.HELD),
    ]
    client.force_login(cast.county_leader)
    rule_row, item_row = fixes
    assert _case_ids(client, rule_row.after_url) == {came_back.pk}
    assert item_row.source_url == reverse("responsibility:rectification-item-detail", args=[item.pk])
    # Confirmed yesterday: its windows are the 90 days before (nothing: the two are older) and
    # one day after: too early to tell.
    RectificationItem.objects.filter(pk=item.pk).update(confirmed_at=_ago(1))
    fixes = recurring.fixes_checked(user=cast.county_leader, unit=units.county, period=RECENT)
    assert [(f.before, f.after, f.verdict) for f in fixes if f.kind == MeasureKind.RECTIFICATION] == [
        (0, 0, Verdict.TOO_EARLY)
    ]
    # Not seen from a unit without the cases: the school's fixes are not the sibling's.
    assert (
        recurring.fixes_checked(user=cast.county_leader, unit=units.sibling, period=RECENT)[0].kind == MeasureKind.RULE
    )
    assert [f.kind for f in recurring.fixes_checked(user=cast.bureau_leader, unit=units.bureau, period=RECENT)] == [
        MeasureKind.RECTIFICATION
    ]


# --- The dashboard -------------------------------------------------------------------------------------


def _page(client, user, unit, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("complaints:unit-dashboard", args=[unit.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _actions(page: str) -> dict[str, str]:
    """The warnings' actions by what each opens (a campaign's task: "task <campaign id>")."""
    found = re.findall(r'<a class="btn btn-sm btn-outline-dark" href="([^"]+)" data-action="(\w+)">', page)
    actions = {}
    for url, name in found:
        url = unescape(url)
        if name == "task":
            name = f"task {urlsplit(url).path.strip('/').split('/')[-1]}"
        actions[name] = url
    return actions


def test_the_dashboard_shows_a_warning_and_a_leader_plans_a_visit_from_it(client, cast, file_complaint):
    _spike(file_complaint, cast.units.school, this_week=6)
    page = _page(client, cast.county_leader, cast.units.county)
    section = re.search(r'data-testid="early-warnings">(.*?)</section>', page, re.S).group(1)
    assert "县第一中学" in section and "乱收费" in section
    actions = _actions(section)
    visit_url = actions["visit"]
    query = parse_qs(urlsplit(visit_url).query)
    assert query["units"] == [str(cast.units.school.pk)] or str(cast.units.school.pk) in query["units"]
    form = client.get(visit_url)
    assert form.status_code == 200
    html = form.content.decode()
    assert re.search(rf'<option value="{cast.units.school.pk}"[^>]*selected', html)
    assert "县第一中学" in re.search(r'name="subject"[^>]*value="([^"]*)"', html).group(1)
    # The prefilled form, posted as it is, plans the visit.
    fields = {name: values for name, values in query.items()}
    response = client.post(urlsplit(visit_url).path, fields)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert list(visit.units.all()) == [cast.units.school]
    assert visit.scheduled_for == TODAY + datetime.timedelta(days=recurring.VISIT_IN_DAYS)


def test_a_warning_offers_a_rectification_item_and_campaign_tasks_prefilled(client, cast, file_complaint):
    _spike(file_complaint, cast.units.school, this_week=6)
    campaign = campaign_services.campaign_create(
        actor=cast.county_leader,
        name="教育乱收费专项治理",
        problem="学校乱收费",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=120),
        lead_unit=cast.units.county,
    )
    actions = _actions(_page(client, cast.county_leader, cast.units.county))
    task_url = actions[f"task {campaign.pk}"]
    html = unescape(client.get(task_url).content.decode())
    assert re.search(rf'<option value="{cast.units.school.pk}"[^>]*selected', html)
    item_url = actions["item"]
    query = parse_qs(urlsplit(item_url).query)
    response = client.post(urlsplit(item_url).path, {name: values[0] for name, values in query.items()})
    assert response.status_code == 302
    item = RectificationItem.objects.get()
    assert (item.responsible_unit, item.status) == (cast.units.school, RectificationStatus.OPEN)
    assert "县第一中学" in item.description
    # The category's warning: a campaign on it, led by the county.
    campaign_url = actions["campaign"]
    assert f"lead_unit={cast.units.county.pk}" in campaign_url
    assert client.get(campaign_url).status_code == 200


def test_only_the_actions_the_user_may_take_are_offered(client, cast, file_complaint):
    """The bureau's liaison may visit and handle the school but leads nowhere: no campaign to start."""
    _spike(file_complaint, cast.units.school, this_week=6)
    actions = _actions(_page(client, cast.bureau_officer, cast.units.bureau))
    assert {"visit", "item"} <= set(actions)
    assert "campaign" not in actions


def test_the_rectification_item_form_refuses_bad_input_and_changes_nothing(client, cast):
    client.force_login(cast.bureau_officer)
    url = reverse("responsibility:rectification-item-create")
    due = (TODAY + datetime.timedelta(days=5)).isoformat()
    cases = [
        # Out of scope: the sibling bureau is not the bureau officer's.
        {"responsible_unit": cast.units.sibling.pk, "description": "整改", "due_on": due},
        {"responsible_unit": "abc", "description": "整改", "due_on": due},
        {"responsible_unit": "99999999999999999999", "description": "整改", "due_on": due},
        {"responsible_unit": cast.units.school.pk, "description": "", "due_on": due},
        {"responsible_unit": cast.units.school.pk, "description": "长" * 5000, "due_on": due},
        {"responsible_unit": cast.units.school.pk, "description": "整改", "due_on": "2001-01-01"},
        {"responsible_unit": cast.units.school.pk, "description": "<script>alert(1)</script>", "due_on": "not a day"},
    ]
    for data in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
    assert not RectificationItem.objects.exists()
    # A hostile prefill is shown escaped, never run; an oversized one is cut.
    page = client.get(url, {"description": "<script>alert(1)</script>", "responsible_unit": "x" * 10000})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_the_dashboard_sections_link_to_the_cases_behind_each_figure(client, cast, clustered):
    page = _page(client, cast.county_leader, cast.units.county, **RECENT.params)
    repeats = re.search(r'data-testid="repeats">(.*?)</table>', page, re.S).group(1)
    link = unescape(re.search(r'href="([^"]+)">3</a>', repeats).group(1))
    assert _case_ids(client, link) == {c.pk for c in clustered["school"]}
    assert 'data-testid="top-categories"' in page and 'data-testid="top-units"' in page
    assert 'data-testid="no-warnings"' in page


def test_the_dashboard_shows_which_fixes_held(client, cast, file_complaint):
    trigger = _file(file_complaint, cast.units.school, 150)
    item = _rectified(cast, trigger)
    RectificationItem.objects.filter(pk=item.pk).update(confirmed_at=_ago(100))
    page = _page(client, cast.county_leader, cast.units.county, **RECENT.params)
    assert re.findall(r'data-testid="fix-verdict" data-verdict="(\w+)"', page) == [Verdict.HELD]


def test_bad_periods_never_fail(client, cast, file_complaint):
    _spike(file_complaint, cast.units.school, this_week=6)
    client.force_login(cast.county_leader)
    url = reverse("complaints:unit-dashboard", args=[cast.units.county.pk])
    api = reverse("api:unit-dashboard", args=[cast.units.county.pk])
    for params in (
        {"period": "2026-Q9"},
        {"period": "9999"},
        {"from": "2030-01-01", "to": "2030-12-31"},
        {"from": "2026-05-01", "to": "2026-01-01"},
        {"from": "x", "to": "'; drop table"},
        {"period": "<script>"},
    ):
        assert client.get(url, params).status_code == 200, params
        assert client.get(api, params).status_code in (200, 400), params
    future = client.get(api, {"from": "2030-01-01", "to": "2030-12-31"}).json()
    assert future["warnings"] == []


def test_the_case_list_filters_the_recurring_links_use_refuse_bad_values(client, cast, clustered):
    client.force_login(cast.bureau_leader)
    url = reverse("complaints:case-list")
    # The sibling bureau is out of the bureau principal's scope: the filter is left out, with a message.
    for params in (
        {"tab": "all", "subject": cast.units.sibling.pk},
        {"tab": "all", "subject": "abc"},
        {"tab": "all", "subject": "99999999999999999999"},
        {"tab": "all", "progress": "nonsense"},
    ):
        page = client.get(url, params)
        assert page.status_code == 200
        assert 'class="col-12 text-danger small" role="alert"' in page.content.decode()
    ids = _case_ids(client, f"{url}?tab=all&subject={cast.units.school.pk}&progress=substantiated")
    assert ids == {clustered["school"][0].pk, clustered["school"][1].pk, clustered["attitude"].pk}


# --- The API ------------------------------------------------------------------------------------------------


def test_the_api_gives_the_warnings_and_recurring_figures(client, cast, file_complaint):
    _spike(file_complaint, cast.units.school, this_week=6)
    client.force_login(cast.county_leader)
    data = client.get(reverse("api:unit-dashboard", args=[cast.units.county.pk])).json()
    assert {(w["kind"], w["name"], w["count"]) for w in data["warnings"]} == {
        ("unit", "县第一中学", 6),
        ("category", "乱收费", 6),
    }
    assert data["recurring"]["repeats"] == [
        {
            "unit": {"id": cast.units.school.pk, "name": "县第一中学"},
            "category": data["recurring"]["repeats"][0]["category"],
            "count": 6,
            "substantiated": 0,
        }
    ]
    assert data["recurring"]["fix_window_days"] == recurring.FIX_WINDOW_DAYS
    # The bureau's principal: the school's warnings, never a figure about the bureau itself.
    client.force_login(cast.bureau_leader)
    own = client.get(reverse("api:unit-dashboard", args=[cast.units.bureau.pk])).json()
    assert {w["name"] for w in own["warnings"]} == {"县第一中学", "乱收费"}


def test_the_schema_describes_the_warnings(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    dashboard = components["Dashboard"]["properties"]
    assert {"warnings", "recurring"} <= set(dashboard)
    assert dashboard["warnings"]["type"] == "array"


def test_the_query_count_stays_the_same_whatever_the_number_of_units_and_cases(client, cast, file_complaint):
    _spike(file_complaint, cast.units.school, this_week=6)
    client.force_login(cast.county_leader)
    url = reverse("complaints:unit-dashboard", args=[cast.units.county.pk])
    client.get(url)
    # Counted live each time (the blocks are otherwise kept ten minutes).
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        page = client.get(url).content.decode()
    assert 'data-testid="warning"' in page
    for n in range(4):
        unit = unit_add(parent=cast.units.bureau, name=f"县第{n + 2}中学")
        _spike(file_complaint, unit, this_week=5, per_week=0)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert page.count('data-testid="warning"') > 2
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_blocks_are_kept_ten_minutes_and_say_when_they_were_counted(client, cast, file_complaint, settings):
    _spike(file_complaint, cast.units.school, this_week=6)
    client.force_login(cast.county_leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("complaints:unit-dashboard", args=[cast.units.county.pk])
    with CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    assert "Recurring problems and early warnings were counted at" in page
    # A new spike within the ten minutes is not seen yet, with five queries fewer (the blocks').
    unit = unit_add(parent=cast.units.bureau, name="县第九中学")
    _spike(file_complaint, unit, this_week=6, per_week=0)
    with CaptureQueriesContext(connection) as again:
        page = client.get(url).content.decode()
    assert "县第九中学" not in page.split('data-testid="early-warnings"')[1].split("</section>")[0]
    assert len(again.captured_queries) == len(first.captured_queries) - 5
    cache.clear()  # ten minutes later
    page = client.get(url).content.decode()
    assert "县第九中学" in page.split('data-testid="early-warnings"')[1].split("</section>")[0]


def _warned(blocks) -> set[str]:
    return {warning.name for warning in blocks.warnings}


def test_beat_counts_the_blocks_looked_at_again_so_the_next_look_sees_new_cases_without_waiting(cast, file_complaint):
    leader, county = cast.county_leader, cast.units.county
    first = recurring.recurring_for_unit(user=leader, unit=county, period=RECENT)
    unit = unit_add(parent=cast.units.bureau, name="县第九中学")
    _spike(file_complaint, unit, this_week=6)
    assert "县第九中学" not in _warned(recurring.recurring_for_unit(user=leader, unit=county, period=RECENT))

    assert recount_recurring_task() == 1
    with CaptureQueriesContext(connection) as looked:
        again = recurring.recurring_for_unit(user=leader, unit=county, period=RECENT)
    assert "县第九中学" in _warned(again) and again.counted_at > first.counted_at
    assert len(looked.captured_queries) == 0


def test_blocks_not_looked_at_for_an_hour_are_no_longer_counted(cast, file_complaint):
    leader, county = cast.county_leader, cast.units.county
    recurring.recurring_for_unit(user=leader, unit=county, period=RECENT)
    cache.delete(f"{recurring._blocks_key(user=leader, unit=county, period=RECENT)}:asked")  # an hour later
    with CaptureQueriesContext(connection) as recounted:
        assert recurring.recurring_recount() == 0
    assert len(recounted.captured_queries) == 0
    assert cache.get(recurring.ASKED_KEY) == {}


@pytest.mark.parametrize("change", ["deactivated", "post ended", "posted in the bureau too"])
def test_beat_never_counts_as_a_user_who_may_no_longer_see_those_blocks(cast, file_complaint, change):
    leader, county = cast.county_leader, cast.units.county
    _spike(file_complaint, cast.units.bureau, this_week=6)
    counted = recurring.recurring_for_unit(user=leader, unit=county, period=RECENT)
    assert cast.units.bureau.name in _warned(counted)
    if change == "deactivated":
        leader.is_active = False
        leader.save()
    elif change == "post ended":
        Position.objects.filter(user=leader).update(ends_on=TODAY - datetime.timedelta(days=1))
    else:
        # Now in the bureau: its complaints are kept from them, so the blocks counted before are
        # not theirs to refresh (and others looking under the old key must not get theirs).
        PositionFactory(user=leader, unit=cast.units.bureau, kind=PositionKind.PRINCIPAL)

    assert recurring.recurring_recount() == 0
    assert cache.get(recurring.ASKED_KEY) == {}


def test_beat_counts_the_blocks_again_before_they_leave_the_cache():
    from jiufeng.celery import app

    entry = app.conf.beat_schedule["recount-recurring"]
    assert entry["task"] == "complaints.tasks.recount_recurring_task"
    assert entry["schedule"] < recurring.CACHE_SECONDS


def test_a_user_kept_from_a_units_complaints_never_reads_the_blocks_counted_for_another(cast, file_complaint):
    # The bureau's principal is in the bureau: complaints about it are kept from them (被投诉单位不得自查),
    # so the blocks counted for the county leader, who sees them, are not theirs.
    _spike(file_complaint, cast.units.bureau, this_week=6)
    seen = recurring.recurring_for_unit(user=cast.county_leader, unit=cast.units.bureau, period=RECENT)
    assert cast.units.bureau.name in {w.name for w in seen.warnings}
    kept = recurring.recurring_for_unit(user=cast.bureau_leader, unit=cast.units.bureau, period=RECENT)
    assert cast.units.bureau.name not in {w.name for w in kept.warnings}


def test_the_demo_shows_a_warning_a_repeat_and_fixes_that_held_and_came_back(client):
    from django.core.management import call_command

    from jiufeng.models import User

    call_command("seed_demo", stdout=io.StringIO())
    leader = User.objects.get(username="leader")
    county = dashboard_unit_for_user(user=leader)
    found = recurring.recurring_for_unit(user=leader, unit=county, period=RECENT)
    assert ("unit", "城关镇中心学校") in {(w.kind, w.name) for w in found.warnings}
    assert ("城关镇中心学校", "教育乱收费") in {(r.unit_name, r.category_name) for r in found.repeats}
    verdicts = {f.unit_name: f.verdict for f in found.fixes}
    assert verdicts["柳河乡卫生院"] == Verdict.HELD and verdicts["石桥市场监督管理所"] == Verdict.CAME_BACK
    # The demo's other rules (demo.cases, the transparency page's) were adopted days ago.
    assert set(verdicts.values()) == {Verdict.HELD, Verdict.CAME_BACK, Verdict.TOO_EARLY}
    page = _page(client, leader, county)
    assert 'data-action="visit"' in page


def test_the_page_lists_the_highest_warnings_and_says_how_many_more(client, cast, file_complaint, monkeypatch):
    from complaints.views import dashboard as views

    monkeypatch.setattr(views, "WARNINGS_SHOWN", 1)
    # The school's six: the school and its category warn, both with six; one is shown.
    _spike(file_complaint, cast.units.school, this_week=6)
    page = _page(client, cast.county_leader, cast.units.county)
    assert page.count('data-testid="warning"') == 1
    assert 'data-testid="warnings-more"' in page
