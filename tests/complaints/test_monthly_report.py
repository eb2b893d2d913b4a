"""工作动态: a unit's printable monthly report, for leaders and officers of the unit or above."""

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import RatingValue
from tests.complaints.public_cases import decided, published

pytestmark = pytest.mark.django_db

RULE = "收费项目和标准在校门口公示"


@pytest.fixture
def month_set(cast, file_complaint, settings):
    """This month: five cases about the school (three decided, one of them late; one overdue), one about the bureau."""
    received = timezone.now() - datetime.timedelta(minutes=1)
    units = cast.units
    with_rule = decided(cast, file_complaint(subject_unit=units.school, received_at=received)[0], rule=RULE)
    decided(
        cast,
        file_complaint(subject_unit=units.school, received_at=received)[0],
        rating=RatingValue.DISSATISFIED,
    )
    settings.JIUFENG_COMPLAINT_ACCEPT_DAYS = 0
    late = file_complaint(subject_unit=units.school, received_at=received)[0]
    overdue = file_complaint(subject_unit=units.school, received_at=received)[0]
    settings.JIUFENG_COMPLAINT_ACCEPT_DAYS = 15
    decided(cast, late)
    file_complaint(subject_unit=units.school, received_at=received)
    file_complaint(subject_unit=units.bureau, received_at=received)
    typical_case = published(cast, with_rule)
    month = f"{timezone.localdate(received):%Y-%m}"
    return {"typical_case": typical_case, "month": month, "overdue": overdue}


def _report(client, user, unit, month):
    client.force_login(user)
    return client.get(reverse("complaints:unit-report", args=[unit.pk, month]))


def _cell(html: str, name: str) -> str:
    start = html.index(f'data-testid="{name}">') + len(f'data-testid="{name}">')
    return html[start : html.index("<", start)]


def test_the_report_has_the_months_figures_cases_rules_and_overdue(client, cast, month_set):
    response = _report(client, cast.county_leader, cast.units.bureau, month_set["month"])
    assert response.status_code == 200
    html = response.content.decode()
    # Six received about the bureau's subtree, three decided, one of them late; 2 of 3 rated satisfied.
    assert (_cell(html, "received"), _cell(html, "decided")) == ("6", "3")
    assert (_cell(html, "on-time"), _cell(html, "satisfaction")) == ("66.7%", "66.7%")
    assert 'data-testid="report-children"' in html and "县第一中学" in html
    assert month_set["typical_case"].title in html
    assert RULE in html
    overdue = html[html.index('data-testid="report-overdue"') :]
    assert month_set["overdue"].case_number in overdue[: overdue.index("</ul>")]


def test_the_subject_unit_rule_holds_in_the_report(client, cast, month_set):
    """The bureau's principal never counts the complaint about the bureau itself."""
    html = _report(client, cast.bureau_leader, cast.units.bureau, month_set["month"]).content.decode()
    assert _cell(html, "received") == "5"


def test_who_may_open_a_report(client, cast, month_set):
    month = month_set["month"]
    assert _report(client, cast.bureau_officer, cast.units.school, month).status_code == 200
    # Out of scope: not found, as any unit they may not see.
    for unit in (cast.units.county, cast.units.sibling):
        assert _report(client, cast.bureau_leader, unit, month).status_code == 404
    assert _report(client, cast.county_leader, type("U", (), {"pk": 999_999})(), month).status_code == 404
    # Not a leader or officer: refused; not signed in: to the login page.
    assert _report(client, cast.auditor, cast.units.county, month).status_code == 403
    client.logout()
    response = client.get(reverse("complaints:unit-report", args=[cast.units.county.pk, month]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "abcd-ef", "2999-01", "1999-12", "9" * 300])
def test_a_month_not_understood_is_refused_clearly(client, cast, settings, month):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _report(client, cast.county_leader, cast.units.county, month)
    assert response.status_code == 400
    assert 'data-testid="month-error"' in response.content.decode()


def test_it_prints_with_its_own_stylesheet_and_no_inline_style(client, cast, month_set):
    response = _report(client, cast.county_leader, cast.units.county, month_set["month"])
    html = response.content.decode()
    assert "css/report.css" in html
    with open(finders.find("css/report.css"), encoding="utf-8") as stylesheet:
        assert "@media print" in stylesheet.read()
    assert " style=" not in html and "<script>" not in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_the_dashboard_links_to_this_months_report(client, cast):
    client.force_login(cast.county_leader)
    page = client.get(reverse("complaints:unit-dashboard", args=[cast.units.county.pk])).content.decode()
    this_month = f"{timezone.localdate():%Y-%m}"
    assert reverse("complaints:unit-report", args=[cast.units.county.pk, this_month]) in page


def test_the_report_leads_to_the_month_before_and_never_to_one_to_come(client, cast):
    this_month = timezone.localdate().replace(day=1)
    before = (this_month - datetime.timedelta(days=1)).replace(day=1)
    html = _report(client, cast.county_leader, cast.units.county, f"{this_month:%Y-%m}").content.decode()
    assert reverse("complaints:unit-report", args=[cast.units.county.pk, f"{before:%Y-%m}"]) in html
    assert 'data-testid="next-month"' not in html
    earlier = _report(client, cast.county_leader, cast.units.county, f"{before:%Y-%m}").content.decode()
    assert reverse("complaints:unit-report", args=[cast.units.county.pk, f"{this_month:%Y-%m}"]) in earlier


def test_the_report_costs_the_same_queries_whatever_the_number_of_cases(client, cast, month_set, file_complaint):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _report(client, cast.county_leader, cast.units.county, month_set["month"]).status_code == 200
        return len(captured)

    # The first request also reads what a process caches (content types).
    queries()
    before = queries()
    for _n in range(3):
        published(cast, decided(cast, file_complaint(subject_unit=cast.units.school)[0], rule="窗口公示办事清单"))
    assert queries() == before


def test_the_report_names_the_early_warnings_of_the_months_last_week(client, cast, file_complaint):
    """Six complaints about the school in the last week of this month, none in the eight weeks before."""
    client.cookies["django_language"] = "en"
    today = timezone.localdate()
    for n in range(6):
        file_complaint(subject_unit=cast.units.school, received_at=timezone.now() - datetime.timedelta(minutes=5 + n))
    html = _report(client, cast.county_leader, cast.units.county, f"{today:%Y-%m}").content.decode()
    warnings = html[html.index('data-testid="report-warnings"') :]
    warnings = warnings[: warnings.index("</ul>")]
    assert "县第一中学" in warnings and "6 complaints from" in warnings
    # The month before had none.
    earlier = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    html = _report(client, cast.county_leader, cast.units.county, earlier).content.decode()
    assert 'data-testid="report-warnings"' not in html
