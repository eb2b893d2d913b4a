"""The leader's dashboard: figures checked against a hand-counted set of cases, drill-down, scope."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import transitions as t
from complaints.models import Complaint, Finding, RatingValue
from complaints.services import rating_add
from responsibility.services.escalations import deadlines_sweep
from tests.complaints.conftest import DECISION
from tests.factories import unit_add

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RANGE = {"from": (TODAY - datetime.timedelta(days=200)).isoformat(), "to": TODAY.isoformat()}


def _ago(days: int, hours: int = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def _decide(cast, complaint, *, finding, investigator, approver, **accept):
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, **accept)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=investigator)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=investigator, **(DECISION | {"finding": finding}))
    return t.complaint_approve(complaint_id=complaint.pk, actor=approver)


@pytest.fixture
def cases(cast, file_complaint):
    return dashboard_cases(cast, file_complaint)


def dashboard_cases(cast, file_complaint) -> dict[str, Complaint]:
    """The hand-counted set (see each line); received within RANGE unless said."""
    units = cast.units

    def filed(unit, days, hours=0, **fields):
        return file_complaint(subject_unit=unit, received_at=_ago(days, hours), **fields)[0]

    made = {
        # Open, due in 13 days.
        "a": filed(units.school, 2),
        # Open, its acceptance due within the next 3 days.
        "b": filed(units.school, 13),
        # Open and overdue: acceptance was due 25 days ago.
        "c": filed(units.school, 40),
        # Decided on time, substantiated, rated satisfied (so closed).
        "d": filed(units.school, 5),
        # About the bureau itself: decided partly substantiated, rated dissatisfied, review asked.
        "e": filed(units.bureau, 5),
        # Decided unsubstantiated, rated basically satisfied.
        "f": filed(units.sibling, 10),
        # Outside the period (300 days ago): open and overdue now, not received in the period.
        "g": filed(units.sibling, 300),
        # Not accepted.
        "h": filed(units.school, 3),
        # Decided late: accepted 35 days after receipt, when acceptance was due in 15.
        "i": filed(units.school, 50),
    }
    _decide(
        cast, made["d"], finding=Finding.SUBSTANTIATED, investigator=cast.bureau_officer, approver=cast.bureau_leader
    )
    rating_add(complaint_id=made["d"].pk, rating=RatingValue.SATISFIED, comment="")
    county = {"investigator": cast.county_officer, "approver": cast.county_leader}
    _decide(cast, made["e"], finding=Finding.PARTLY_SUBSTANTIATED, **county)
    rating_add(complaint_id=made["e"].pk, rating=RatingValue.DISSATISFIED, comment="")
    t.complaint_review(complaint_id=made["e"].pk, reason="不满意")
    _decide(cast, made["f"], finding=Finding.UNSUBSTANTIATED, **county)
    rating_add(complaint_id=made["f"].pk, rating=RatingValue.BASICALLY_SATISFIED, comment="")
    t.complaint_reject(complaint_id=made["h"].pk, actor=cast.county_officer, reason="不属于受理范围")
    _decide(
        cast, made["i"], finding=Finding.UNSUBSTANTIATED, investigator=cast.bureau_officer, approver=cast.bureau_leader
    )
    return {key: Complaint.objects.get(pk=case.pk) for key, case in made.items()}


def _api(client, user, unit, **params):
    client.force_login(user)
    return client.get(reverse("api:unit-dashboard", args=[unit.pk]), params)


def test_the_county_figures_are_those_counted_by_hand(client, cast, cases):
    data = _api(client, cast.county_leader, cast.units.county, **RANGE).json()
    # Received a–f, h, i (g is older); accepted d, e, f, i; decided the same four.
    assert data["received"] == 8
    assert data["accepted"] == 4
    assert data["decided"] == 4
    # Open now: a, b, c, e (under review), g; overdue c and g; b due within 3 days.
    assert (data["open"], data["overdue"], data["due_soon"]) == (5, 2, 1)
    # i was accepted late: 3 of the 4 decided in time.
    assert data["on_time_rate"] == 75.0
    # d substantiated and e partly, of four findings.
    assert data["substantiation_rate"] == 50.0
    # d satisfied, f basically satisfied, e dissatisfied.
    assert data["satisfaction_rate"] == 66.7
    assert data["ratings"] == {"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1}
    assert data["reviews"] == {"asked": 1, "re_reviews": 0, "pending": 1, "decided": 0}
    assert data["by_status"] == {
        "submitted": 3,
        "under_review": 1,
        "closed": 2,
        "resolved": 1,
        "rejected": 1,
    }
    assert data["by_channel"] == {"web": 8}
    assert [(row["name"], row["count"]) for row in data["by_category"]] == [("乱收费", 8)]
    assert sum(month["received"] for month in data["trend"]) == 8
    children = {row["name"]: row for row in data["children"]}
    assert list(children) == ["县教育局", "县卫生健康局"]
    bureau, sibling = children["县教育局"], children["县卫生健康局"]
    assert (bureau["received"], bureau["open"], bureau["overdue"], bureau["on_time_rate"]) == (7, 4, 1, 66.7)
    assert (sibling["received"], sibling["open"], sibling["overdue"], sibling["on_time_rate"]) == (1, 1, 1, 100.0)
    assert sibling["satisfaction_rate"] == 100.0


def test_zero_denominators_give_no_rate(client, cast, cases):
    # The school in a month long past: nothing received, nothing decided, nothing rated.
    data = _api(client, cast.county_leader, cast.units.school, period="2001-03").json()
    assert data["received"] == 0
    assert (data["on_time_rate"], data["substantiation_rate"], data["satisfaction_rate"]) == (None, None, None)
    # Open cases are those open now, whenever received.
    assert data["open"] == 3
    assert data["children"] == []
    assert len(data["trend"]) == 1


def test_a_complaint_about_the_leaders_own_unit_is_not_counted_for_them(client, cast, cases):
    """被投诉单位不得自查: e is about the bureau; its principal's figures never include it."""
    county_view = _api(client, cast.county_leader, cast.units.bureau, **RANGE).json()
    bureau_view = _api(client, cast.bureau_leader, cast.units.bureau, **RANGE).json()
    assert county_view["received"] - bureau_view["received"] == 1
    assert county_view["reviews"]["asked"] == 1
    assert bureau_view["reviews"]["asked"] == 0
    assert bureau_view["ratings"]["dissatisfied"] == 0
    assert county_view["open"] - bureau_view["open"] == 1


def test_a_unit_out_of_scope_is_not_found(client, cast, cases):
    for unit in (cast.units.county, cast.units.sibling):
        assert _api(client, cast.bureau_leader, unit).status_code == 404
        page = client.get(reverse("complaints:unit-dashboard", args=[unit.pk]))
        assert page.status_code == 404
    assert _api(client, cast.bureau_leader, cast.units.bureau).status_code == 200
    assert client.get(reverse("complaints:unit-dashboard", args=[999_999])).status_code == 404


def test_only_leaders_and_officers_open_dashboards(client, cast, cases):
    client.force_login(cast.auditor)
    assert client.get(reverse("complaints:dashboard")).status_code == 403
    assert client.get(reverse("api:unit-dashboard", args=[cast.units.county.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("api:unit-dashboard", args=[cast.units.county.pk])).status_code in (401, 403)


def test_the_dashboard_opens_at_the_top_of_the_users_area(client, cast):
    client.force_login(cast.bureau_leader)
    response = client.get(reverse("complaints:dashboard"), {"period": "2026-Q1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:unit-dashboard", args=[cast.units.bureau.pk]) + "?period=2026-Q1"


def test_the_page_drills_down_and_links_back_up(client, cast, cases):
    client.force_login(cast.county_leader)
    county = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), RANGE).content.decode()
    bureau_url = reverse("complaints:unit-dashboard", args=[cast.units.bureau.pk])
    # Each child a link one level down, keeping the period.
    assert f'href="{bureau_url}?from={RANGE["from"]}&amp;to={RANGE["to"]}"' in county
    school = client.get(reverse("complaints:unit-dashboard", args=[cast.units.school.pk]), RANGE).content.decode()
    crumbs = re.search(r'data-testid="breadcrumb">(.*?)</ol>', school, re.S).group(1)
    assert [name for name in re.findall(r">([^<>]+)</a>", crumbs)] == ["测试县", "县教育局"]
    assert "县第一中学" in crumbs


def test_the_breadcrumb_names_no_unit_above_the_users_scope(client, cast, cases):
    client.force_login(cast.bureau_leader)
    school = client.get(reverse("complaints:unit-dashboard", args=[cast.units.school.pk])).content.decode()
    crumbs = re.search(r'data-testid="breadcrumb">(.*?)</ol>', school, re.S).group(1)
    assert "测试县" not in crumbs
    assert "县教育局" in crumbs


def _figure_url(page: str, name: str) -> str:
    match = re.search(rf'href="([^"]+)" data-testid="figure-{name}"', page)
    return match.group(1).replace("&amp;", "&")


def _listed(client, url: str) -> set[int]:
    page = client.get(url).content.decode()
    return {int(pk) for pk in re.findall(r'data-testid="case-number">#(\d+)<', page)}


def test_every_case_figure_links_to_the_cases_behind_it(client, cast, cases):
    client.force_login(cast.county_leader)
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), RANGE).content.decode()
    pk = {key: case.pk for key, case in cases.items()}
    expected = {
        "received": {pk[k] for k in "abcdefhi"},
        "accepted": {pk[k] for k in "defi"},
        "decided": {pk[k] for k in "defi"},
        "open": {pk[k] for k in "abceg"},
        "overdue": {pk["c"], pk["g"]},
        "due-soon": {pk["b"]},
        # The on-time rate leads to the cases decided late.
        "on-time": {pk["i"]},
    }
    for name, ids in expected.items():
        assert _listed(client, _figure_url(page, name)) == ids, name


def test_the_lists_on_the_dashboard_name_and_link_each_case(client, cast, cases):
    client.force_login(cast.county_leader)
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), RANGE).content.decode()
    overdue = re.search(r'data-testid="overdue-cases">(.*?)</ul>', page, re.S).group(1)
    for key in "cg":
        assert reverse("complaints:case-detail", args=[cases[key].pk]) in overdue
        assert cases[key].case_number in overdue
    due_soon = re.search(r'data-testid="due-soon-cases">(.*?)</ul>', page, re.S).group(1)
    assert reverse("complaints:case-detail", args=[cases["b"].pk]) in due_soon


def test_the_charts_data_and_their_tables_say_the_same(client, cast, cases):
    client.force_login(cast.county_leader)
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), RANGE).content.decode()
    charts = json.loads(
        re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', page).group(1)
    )
    assert sum(count for _label, count, _url in charts["status"]["rows"]) == 8
    assert sum(charts["trend"]["received"]) == 8
    table = re.search(r'data-testid="chart-table-status">(.*?)</table>', page, re.S).group(1)
    assert sorted(int(n) for n in re.findall(r'">(\d+)</a>', table)) == sorted(
        count for _label, count, _url in charts["status"]["rows"]
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2026-13"}, "Give a period as a year"),
        ({"period": "20<b>26"}, "Give a period as a year"),
        ({"period": "9" * 5000}, "Ensure this value has at most"),
        ({"from": "2026-05-01", "to": "2026-01-01"}, "The range ends before it starts."),
        ({"from": "2026-05-01"}, "Give both dates of a range"),
        ({"from": "yesterday", "to": "2026-01-01"}, "Enter a valid date."),
        ({"from": "1900-01-01", "to": "2026-01-01"}, "between 2000 and 2100"),
    ],
)
def test_a_period_not_understood_says_why_and_shows_this_year(client, cast, cases, params, message):
    client.force_login(cast.county_leader)
    # Django's own messages (a date not understood) in the tests' language too.
    client.cookies["django_language"] = "en"
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), params)
    assert page.status_code == 200
    alert = re.search(r'data-testid="period-errors">(.*?)</div>', page.content.decode(), re.S).group(1)
    assert message in alert
    assert f"{TODAY.year}-01-01 – {TODAY.year}-12-31" in page.content.decode()
    api = client.get(reverse("api:unit-dashboard", args=[cast.units.county.pk]), params)
    assert api.status_code == 400
    assert message in json.dumps(api.json(), ensure_ascii=False)


def test_the_api_keeps_the_contract_of_api_md(client, cast, cases):
    data = _api(client, cast.county_leader, cast.units.county).json()
    # API.md's keys, never renamed or removed.
    assert {"open", "overdue", "on_time_rate", "satisfaction_rate", "by_status", "by_category", "children"} <= set(data)
    assert {"id", "name", "open", "overdue", "on_time_rate", "satisfaction_rate"} <= set(data["children"][0])
    assert data["period"] == {"first": f"{TODAY.year}-01-01", "last": f"{TODAY.year}-12-31"}


def test_the_schema_describes_the_dashboard(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/units/{id}/dashboard/"]["get"]
    assert {"period", "from", "to"} <= {parameter["name"] for parameter in operation["parameters"]}
    assert {"200", "400", "404"} <= set(operation["responses"])


def _more_cases(cast, file_complaint, count: int):
    for n in range(count):
        unit = (cast.units.school, cast.units.sibling, cast.units.bureau)[n % 3]
        complaint, _code = file_complaint(subject_unit=unit, received_at=_ago(n % 60 + 1))
        if n % 2:
            t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)


def test_the_query_count_stays_the_same_whatever_the_number_of_cases(
    client, cast, cases, file_complaint, django_assert_max_num_queries
):
    client.force_login(cast.county_leader)
    url = reverse("complaints:unit-dashboard", args=[cast.units.county.pk])
    api = reverse("api:unit-dashboard", args=[cast.units.county.pk])
    client.get(url)
    with django_assert_max_num_queries(QUERIES) as small:
        assert client.get(url, RANGE).status_code == 200
    with django_assert_max_num_queries(QUERIES):
        assert client.get(api, RANGE).status_code == 200
    _more_cases(cast, file_complaint, 30)
    for n in range(5):
        unit_add(parent=cast.units.bureau, name=f"县第{n + 2}中学")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, RANGE).status_code == 200


# 21 for the figures, 6 for the 举一反三 blocks and the open campaigns a warning offers (complaints.recurring).
QUERIES = 27


def test_escalated_obligations_name_and_link_the_case_behind_them(client, cast, cases):
    deadlines_sweep(at=timezone.now())
    data = _api(client, cast.county_leader, cast.units.county, **RANGE).json()
    # c and g: their acceptance is overdue and the sweep has escalated both.
    assert data["escalated"] == 2
    client.force_login(cast.county_leader)
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), RANGE).content.decode()
    escalated = re.search(r'data-testid="escalated">(.*?)</ul>', page, re.S).group(1)
    for key in "cg":
        assert f'href="{reverse("complaints:case-detail", args=[cases[key].pk])}"' in escalated
    # An obligation counts where it is owed: acceptance is the county's (its 纠风办 triages), not the school's.
    assert _api(client, cast.county_leader, cast.units.school).json()["escalated"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"progress": "everything"},
        {"progress": "x" * 5000},
        {"finding": "<script>alert(1)</script>"},
        {"received_from": "yesterday"},
        {"received_to": "2026-02-30"},
        {"about": "not-a-unit"},
        {"about": "999999999999999999999"},
    ],
)
def test_the_case_lists_new_filters_refuse_what_they_do_not_understand(client, cast, cases, params):
    """A filter not understood is left out, and the page says so: never a 500, never fewer cases by mistake."""
    client.force_login(cast.county_leader)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("complaints:case-list"), {"tab": "all", **params})
    assert response.status_code == 200
    assert "Some filters were not understood and are left out." in response.content.decode()
    assert _listed(client, f"{reverse('complaints:case-list')}?tab=all") == _listed(
        client, response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"]
    )


def test_a_unit_out_of_scope_in_the_case_list_is_not_understood_and_shows_none_of_its_cases(client, cast, cases):
    client.force_login(cast.bureau_leader)
    client.cookies["django_language"] = "en"
    url = f"{reverse('complaints:case-list')}?tab=all&about={cast.units.sibling.pk}"
    assert "Some filters were not understood" in client.get(url).content.decode()
    listed = _listed(client, url)
    assert listed == _listed(client, f"{reverse('complaints:case-list')}?tab=all")
    assert cases["f"].pk not in listed


def test_the_received_range_of_the_case_list_counts_whole_local_days(client, cast, cases):
    client.force_login(cast.county_leader)
    day = timezone.localdate(cases["h"].received_at).isoformat()
    listed = _listed(client, f"{reverse('complaints:case-list')}?tab=all&received_from={day}&received_to={day}")
    assert cases["h"].pk in listed
    assert cases["a"].pk not in listed


def test_each_childs_figures_link_to_its_own_cases(client, cast, cases):
    client.force_login(cast.county_leader)
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), RANGE).content.decode()
    overdue = [url.replace("&amp;", "&") for url in re.findall(r'href="([^"]+)" data-testid="child-overdue"', page)]
    # Children in tree order: the bureau (c is about its school), then the sibling (g).
    assert [_listed(client, url) for url in overdue] == [{cases["c"].pk}, {cases["g"].pk}]


def test_the_period_shortcuts_ask_for_this_month_quarter_and_year_and_last_year(client, cast):
    client.force_login(cast.county_leader)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk])).content.decode()
    shortcuts = re.search(r'data-testid="period-shortcuts">(.*?)</ul>', page, re.S).group(1)
    quarter = (TODAY.month - 1) // 3 + 1
    for query in (f"period={TODAY:%Y-%m}", f"period={TODAY.year}-Q{quarter}", f"period={TODAY.year - 1}"):
        assert f'href="?{query}"' in shortcuts
    # This year is the default, and marked as the period shown.
    assert f'active" aria-current="page" href="?period={TODAY.year}"' in shortcuts


def _child_names(page: str) -> list[str]:
    table = re.search(r'data-testid="children">(.*?)</table>', page, re.S).group(1)
    return re.findall(r'<th scope="row" class="fw-normal dashboard-unit"><a [^>]+>([^<]+)</a>', table)


def test_the_units_below_can_be_put_worst_first(client, cast, cases, file_complaint):
    # Three more overdue cases about the sibling: it now has the most overdue.
    for _n in range(3):
        file_complaint(subject_unit=cast.units.sibling, received_at=_ago(40))
    client.force_login(cast.county_leader)
    url = reverse("complaints:unit-dashboard", args=[cast.units.county.pk])
    assert _child_names(client.get(url).content.decode()) == ["县教育局", "县卫生健康局"]
    page = client.get(url, {"order": "overdue"}).content.decode()
    assert _child_names(page) == ["县卫生健康局", "县教育局"]
    assert 'aria-sort="descending"' in page
    # The bureau decided i late: the worst on-time rate first.
    assert _child_names(client.get(url, {"order": "on_time", **RANGE}).content.decode()) == ["县教育局", "县卫生健康局"]


@pytest.mark.parametrize("order", ["worst", "<script>", "x" * 5000])
def test_an_order_not_offered_keeps_the_trees_and_says_so(client, cast, cases, order):
    client.force_login(cast.county_leader)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), {"order": order})
    assert page.status_code == 200
    html = page.content.decode()
    assert "they are shown in the tree's order" in html
    assert _child_names(html) == ["县教育局", "县卫生健康局"]
