"""Working days: loading the holiday calendar and counting on it."""

import datetime
from importlib.metadata import version

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CalendarDay, CalendarYear


class CalendarUnavailable(Exception):
    """chinesecalendar has no data for the year (the State Council has not announced it)."""


@transaction.atomic
def calendar_load_year(*, year: int) -> int:
    """Store the year's exceptions to the Monday-Friday week from chinesecalendar; returns how many.

    Idempotent: days already stored (perhaps corrected by an administrator) are left as they are.
    """
    import chinese_calendar

    day = datetime.date(year, 1, 1)
    exceptions = []
    try:
        while day.year == year:
            working = chinese_calendar.is_workday(day)
            if working == (day.weekday() >= 5):
                _on_holiday, name = chinese_calendar.get_holiday_detail(day)
                exceptions.append(CalendarDay(day=day, working=working, name=name or ""))
            day += datetime.timedelta(days=1)
    except NotImplementedError as error:
        raise CalendarUnavailable(str(error)) from error
    known = set(CalendarDay.objects.filter(day__year=year).values_list("day", flat=True))
    new = [e for e in exceptions if e.day not in known]
    for row in new:
        row.save()
    CalendarYear.objects.get_or_create(year=year, defaults={"source": f"chinesecalendar {version('chinesecalendar')}"})
    return len(new)


def working_days_after(*, start: datetime.date, days: int) -> tuple[datetime.date, bool]:
    """The day ``days`` working days after ``start`` (not counting ``start``), and whether the
    count ran past the last year the calendar knows (there, only weekends are skipped).

    Two queries whatever ``days`` is: the known years, and the exceptions in range.
    """
    known_years = set(CalendarYear.objects.values_list("year", flat=True))
    # Generous bound: weekends and the longest holidays together never double a span.
    end = start + datetime.timedelta(days=2 * days + 30)
    exceptions = dict(CalendarDay.objects.filter(day__gt=start, day__lte=end).values_list("day", "working"))
    day, counted, provisional = start, 0, False
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.year in known_years:
            working = exceptions.get(day, day.weekday() < 5)
        else:
            working, provisional = day.weekday() < 5, True
        counted += working
    return day, provisional


def calendar_warning() -> str | None:
    """What administrators must hear about the calendar, if anything (two queries)."""
    from ..models import Deadline

    year = timezone.localdate().year
    known = set(CalendarYear.objects.filter(year__in=[year, year + 1]).values_list("year", flat=True))
    if year not in known:
        return _("The holiday calendar has no data for %(year)s: load it (manage.py load_holidays).") % {"year": year}
    if Deadline.objects.open().filter(provisional=True).exists():
        return _(
            "Some open deadlines were counted past the last year of the holiday calendar (weekends only) and are "
            "provisional: load the new year as soon as it is announced, then check them."
        )
    if year + 1 not in known and timezone.localdate().month == 12:
        return _("The holiday calendar has no data for %(year)s yet: load it once it is announced.") % {
            "year": year + 1
        }
    return None
