"""Working days on the holiday calendar: the Spring Festival, 调休, and past the last known year."""

import datetime
import io

import pytest
from django.core.management import call_command

from responsibility.deadlines import deadline_due_at, deadline_open
from responsibility.models import CalendarDay, CalendarYear, DeadlineKind
from responsibility.services.calendar import calendar_load_year, working_days_after

from .escalation_helpers import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2026():
    calendar_load_year(year=2026)


def test_loading_a_year_stores_holidays_on_weekdays_and_make_up_workdays_once(year_2026):
    assert CalendarDay.objects.get(day=datetime.date(2026, 2, 16)).working is False
    assert CalendarDay.objects.get(day=datetime.date(2026, 2, 14)).working is True  # a Saturday worked
    assert not CalendarDay.objects.filter(day=datetime.date(2026, 2, 22)).exists()  # a Sunday off anyway
    count = CalendarDay.objects.count()
    assert calendar_load_year(year=2026) == 0
    assert CalendarDay.objects.count() == count


def test_working_days_skip_the_spring_festival_and_count_the_make_up_saturday(year_2026, django_assert_num_queries):
    with django_assert_num_queries(2):
        # Thursday 12 February: Friday 13, Saturday 14 (调休), then nine days off, Tuesday 24.
        assert working_days_after(start=datetime.date(2026, 2, 12), days=3) == (datetime.date(2026, 2, 24), False)


def test_an_administrators_correction_wins(year_2026):
    # From Friday 27 February: Saturday 28 (调休) and Monday 2 March...
    assert working_days_after(start=datetime.date(2026, 2, 27), days=2) == (datetime.date(2026, 3, 2), False)
    # ...unless the administrator made that Monday a local holiday.
    CalendarDay.objects.create(day=datetime.date(2026, 3, 2), working=False, name="本地假日")
    assert working_days_after(start=datetime.date(2026, 2, 27), days=2) == (datetime.date(2026, 3, 3), False)


def test_past_the_last_known_year_only_weekends_count_and_the_result_is_provisional(year_2026):
    # 1 January 2027 is a Friday: counted, because nobody knows the 2027 holidays yet.
    assert working_days_after(start=datetime.date(2026, 12, 30), days=3) == (datetime.date(2027, 1, 4), True)


def test_a_deadline_kind_counts_working_days_only_when_the_setting_says_so(year_2026, settings, units):
    start = datetime.datetime(2026, 2, 12, 10, 0, tzinfo=SHANGHAI)
    calendar_due, provisional = deadline_due_at(kind=DeadlineKind.COMPLAINT_ACCEPT, start=start, days=3)
    assert (calendar_due, provisional) == (datetime.datetime(2026, 2, 15, 10, 0, tzinfo=SHANGHAI), False)

    settings.JIUFENG_WORKING_DAY_KINDS = {DeadlineKind.COMPLAINT_ACCEPT}
    due, provisional = deadline_due_at(kind=DeadlineKind.COMPLAINT_ACCEPT, start=start, days=3)
    assert due == datetime.datetime(2026, 2, 24, 10, 0, tzinfo=SHANGHAI)
    late = datetime.datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI)
    due, provisional = deadline_due_at(kind=DeadlineKind.COMPLAINT_ACCEPT, start=late, days=15)
    deadline = deadline_open(
        target=units.school, kind=DeadlineKind.COMPLAINT_ACCEPT, unit=units.school, due_at=due, provisional=provisional
    )
    assert deadline.provisional is True


def test_administrators_are_warned_when_the_calendar_runs_out(admin_client, year_2026, units, settings):
    settings.JIUFENG_WORKING_DAY_KINDS = {DeadlineKind.VISIT}
    admin_client.cookies["django_language"] = "en"
    CalendarYear.objects.all().delete()
    page = admin_client.get("/admin/responsibility/calendarday/", follow=True).content.decode()
    assert "no data for" in page
    calendar_load_year(year=2026)
    due, provisional = deadline_due_at(
        kind=DeadlineKind.VISIT, start=datetime.datetime(2026, 12, 28, tzinfo=SHANGHAI), days=10
    )
    deadline_open(target=units.school, kind=DeadlineKind.VISIT, unit=units.school, due_at=due, provisional=provisional)
    page = admin_client.get("/admin/responsibility/deadline/").content.decode()
    assert "provisional" in page


def test_the_command_says_which_years_are_not_announced_yet():
    out, err = io.StringIO(), io.StringIO()
    call_command("load_holidays", "2026", "2027", stdout=out, stderr=err)
    assert "2026:" in out.getvalue()
    assert "2027: not available yet" in err.getvalue()
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2026]
