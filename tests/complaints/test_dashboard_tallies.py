"""The dashboard's tallies (complaints.tallies) give the figures the cases give, for any user and unit."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import transitions as t
from complaints.models import CaseTally, CaseTallyCount, CaseTallyRun, Complaint, Finding, OpenCaseTally, RatingValue
from complaints.services import rating_add
from complaints.tallies import OPEN_FRESH, OPEN_RUN, PERIOD_RUN, case_tallies_rebuild, open_tallies_rebuild
from complaints.tasks import refresh_case_tallies_task, refresh_open_tallies_task
from responsibility.services.units import unit_move
from tests.complaints.conftest import DECISION
from tests.complaints.test_dashboard import TODAY, _ago, _api, dashboard_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(cast, file_complaint):
    return dashboard_cases(cast, file_complaint)


WHOLE_MONTHS = [f"{TODAY.year}", f"{TODAY.year - 1}", f"{TODAY:%Y-%m}", f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"]


def _random_cases(cast, file_complaint, *, seed: int, count: int) -> None:
    """``count`` more cases, each taken a random number of steps along its way by the services."""
    rng = random.Random(seed)
    units = [cast.units.school, cast.units.bureau, cast.units.sibling]
    for _n in range(count):
        unit = rng.choice(units)
        complaint, _code = file_complaint(subject_unit=unit, received_at=_ago(rng.randrange(1, 400), rng.randrange(24)))
        pk = complaint.pk
        steps = rng.randrange(6)
        if steps == 0:
            continue
        if steps == 1:
            t.complaint_reject(complaint_id=pk, actor=cast.county_officer, reason="不属于受理范围")
            continue
        county = unit != cast.units.school
        worker = cast.county_officer if county else cast.bureau_officer
        approver = cast.county_leader if county else cast.bureau_leader
        t.complaint_accept(complaint_id=pk, actor=cast.county_officer)
        if steps >= 3:
            t.complaint_start_investigation(complaint_id=pk, actor=worker)
        if steps >= 4:
            finding = rng.choice(list(Finding))
            t.complaint_submit_for_approval(complaint_id=pk, actor=worker, **(DECISION | {"finding": finding}))
            t.complaint_approve(complaint_id=pk, actor=approver)
        if steps >= 5:
            rating = rng.choice(list(RatingValue))
            rating_add(complaint_id=pk, rating=rating, comment="")
            if rating == RatingValue.DISSATISFIED and rng.random() < 0.5:
                t.complaint_review(complaint_id=pk, reason="不满意")


def _county_page_in_english(client, cast, params: dict) -> str:
    """The county's dashboard page, as the client's user reads it in English."""
    client.cookies["django_language"] = "en"
    return client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk]), params).content.decode()


def _without_counted_at(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in ("counted_at", "open_counted_at")}


def test_the_tallies_give_what_a_full_recount_gives_after_random_transitions(client, cast, cases, file_complaint):
    _random_cases(cast, file_complaint, seed=17, count=40)
    views = [
        (cast.county_leader, [cast.units.county, cast.units.bureau, cast.units.school, cast.units.sibling]),
        # The bureau's principal never counts the complaints about the bureau (被投诉单位不得自查).
        (cast.bureau_leader, [cast.units.bureau, cast.units.school]),
    ]
    live = {
        (user.pk, unit.pk, period): _api(client, user, unit, period=period).json()
        for user, units in views
        for unit in units
        for period in WHOLE_MONTHS
    }
    assert all(data["counted_at"] is None and data["open_counted_at"] is None for data in live.values())
    case_tallies_rebuild()
    open_tallies_rebuild()
    for (user_pk, unit_pk, period), expected in live.items():
        user = next(user for user, _units in views if user.pk == user_pk)
        unit = next(unit for _user, units in views for unit in units if unit.pk == unit_pk)
        tallied = _api(client, user, unit, period=period).json()
        assert tallied["counted_at"] is not None and tallied["open_counted_at"] is not None
        assert _without_counted_at(tallied) == _without_counted_at(expected), (user.username, unit.name, period)
    # Not an empty comparison: the county's year holds cases.
    county_year = live[(cast.county_leader.pk, cast.units.county.pk, f"{TODAY.year}")]
    assert county_year["received"] > 8
    assert county_year["open"] > 3 and county_year["overdue"] > 0


def test_a_period_of_whole_months_shows_the_tallies_until_they_are_counted_again(client, cast, cases, file_complaint):
    case_tallies_rebuild()
    month = {"period": f"{TODAY:%Y-%m}"}
    before = _api(client, cast.county_leader, cast.units.county, **month).json()
    file_complaint(subject_unit=cast.units.school)
    # The new case is open now at once; the period's figures wait for the next count.
    after = _api(client, cast.county_leader, cast.units.county, **month).json()
    assert after["open"] == before["open"] + 1
    assert after["received"] == before["received"]
    # A range of dates is counted live.
    today = {"from": TODAY.isoformat(), "to": TODAY.isoformat()}
    assert _api(client, cast.county_leader, cast.units.county, **today).json()["counted_at"] is None
    refresh_case_tallies_task()
    assert _api(client, cast.county_leader, cast.units.county, **month).json()["received"] == before["received"] + 1
    page = _county_page_in_english(client, cast, month)
    counted = timezone.localtime(CaseTallyRun.objects.get(pk=PERIOD_RUN).finished_at)
    assert f"counted at {counted:%Y-%m-%d %H:%M}" in page


def test_counting_again_gives_the_same_rows(cast, cases):
    refresh_case_tallies_task()
    first = (
        sorted(CaseTally.objects.values_list("subject_unit", "month", "received", "decided", "late")),
        sorted(CaseTallyCount.objects.values_list("subject_unit", "month", "dimension", "key", "n")),
    )
    refresh_case_tallies_task()
    again = (
        sorted(CaseTally.objects.values_list("subject_unit", "month", "received", "decided", "late")),
        sorted(CaseTallyCount.objects.values_list("subject_unit", "month", "dimension", "key", "n")),
    )
    assert first == again
    assert sum(row[2] for row in first[0]) == Complaint.objects.count()
    assert list(CaseTallyRun.objects.values_list("pk", flat=True)) == [PERIOD_RUN]


def test_the_tallied_dashboard_takes_a_fixed_number_of_queries_and_reads_a_rebuild_once(
    client, cast, cases, file_complaint
):
    client.force_login(cast.county_leader)
    url = reverse("complaints:unit-dashboard", args=[cast.units.county.pk])

    def first_and_next_look() -> tuple[int, int]:
        """Queries of the first look after a rebuild and of the look after it."""
        case_tallies_rebuild()
        with CaptureQueriesContext(connection) as first:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as following:
            assert client.get(url).status_code == 200
        return len(first), len(following)

    client.get(url)  # the 举一反三 blocks are counted once and kept (complaints.recurring)
    small = first_and_next_look()
    _random_cases(cast, file_complaint, seed=3, count=20)
    assert first_and_next_look() == small
    # The next look takes the period's figures as the first read them from this rebuild: the
    # counters, ratings, roll-up, the leader's own unit's counts and the months, five queries.
    assert small[1] == small[0] - 5 and small[0] <= 25


def test_a_unit_moved_away_after_its_figures_were_read_leaves_the_subtree_at_once(client, cast, cases):
    case_tallies_rebuild()
    year = {"period": f"{TODAY.year}"}
    before = _api(client, cast.county_leader, cast.units.bureau, **year).json()
    school = _api(client, cast.county_leader, cast.units.school, **year).json()
    assert school["received"] > 0
    unit_move(actor=cast.county_officer, unit_id=cast.units.school.pk, new_parent_id=cast.units.sibling.pk)
    # The bureau's figures were kept from this rebuild; the school is no longer below it.
    after = _api(client, cast.county_leader, cast.units.bureau, **year)
    assert after.status_code == 200
    assert after.json()["received"] == before["received"] - school["received"]
    assert cast.units.school.pk not in [row["unit"]["id"] for row in after.json()["children"]]


def test_beat_counts_the_tallies_again_every_ten_minutes_and_the_open_cases_every_minute():
    from jiufeng.celery import app

    entry = app.conf.beat_schedule["refresh-case-tallies"]
    assert (entry["task"], entry["schedule"]) == ("complaints.tasks.refresh_case_tallies_task", 600.0)
    entry = app.conf.beat_schedule["refresh-open-tallies"]
    assert (entry["task"], entry["schedule"]) == ("complaints.tasks.refresh_open_tallies_task", 60.0)


def test_open_cases_wait_for_the_minutes_count_and_the_page_says_when_they_were_counted(
    client, cast, cases, file_complaint
):
    case_tallies_rebuild()
    refresh_open_tallies_task()
    year = {"period": f"{TODAY.year}"}
    before = _api(client, cast.county_leader, cast.units.county, **year).json()
    assert before["open_counted_at"] is not None
    file_complaint(subject_unit=cast.units.school)
    assert _api(client, cast.county_leader, cast.units.county, **year).json()["open"] == before["open"]
    refresh_open_tallies_task()
    assert _api(client, cast.county_leader, cast.units.county, **year).json()["open"] == before["open"] + 1
    page = _county_page_in_english(client, cast, year)
    counted = timezone.localtime(CaseTallyRun.objects.get(pk=OPEN_RUN).finished_at)
    assert f"Open, overdue and due soon were counted at {counted:%Y-%m-%d %H:%M} (every minute)" in page


def test_a_stale_count_of_open_cases_is_not_shown_the_cases_are_counted_live(client, cast, cases, file_complaint):
    case_tallies_rebuild()
    open_tallies_rebuild(at=timezone.now() - OPEN_FRESH - timezone.timedelta(seconds=5))
    file_complaint(subject_unit=cast.units.school)
    year = {"period": f"{TODAY.year}"}
    data = _api(client, cast.county_leader, cast.units.county, **year).json()
    assert data["open_counted_at"] is None
    assert data["open"] == sum(OpenCaseTally.objects.values_list("open", flat=True)) + 1
    page = _county_page_in_english(client, cast, year)
    assert "Open, overdue and due soon are counted as you look." in page


def test_the_count_of_open_cases_leaves_out_the_units_the_user_is_in(client, cast, cases):
    # 被投诉单位不得自查: the bureau's principal never counts the complaints about the bureau.
    case_tallies_rebuild()
    open_tallies_rebuild()
    about_bureau = OpenCaseTally.objects.get(subject_unit=cast.units.bureau).open
    about_school = OpenCaseTally.objects.get(subject_unit=cast.units.school).open
    assert about_bureau and about_school
    data = _api(client, cast.bureau_leader, cast.units.bureau, period=f"{TODAY.year}").json()
    assert data["open_counted_at"] is not None
    assert data["open"] == about_school
