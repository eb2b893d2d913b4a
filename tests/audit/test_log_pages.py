"""The auditors' logs: readable rows, filters that say what they could not read, pages by key."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent, AuditEventKind
from complaints import transitions
from complaints.models import Category, ComplaintStatus, IdentityAccess, TransitionLog
from complaints.services import identity_read
from jiufeng.roles import Role
from tests.factories import UserFactory, complaint_filed

pytestmark = pytest.mark.django_db

LOG_NAMES = ["transitions", "identity-access", "exports", "logins", "purges", "refused-writes"]


def log_url(name: str) -> str:
    return reverse(f"audit:log-{name}")


def rows_of(response) -> int:
    return response.content.decode().count('data-testid="log-row"')


@pytest.fixture
def category(db):
    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


@pytest.fixture
def case(cast, category):
    """A named petitioner's case about the school, accepted by the county officer, whose identity he read."""
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school, anonymous=False)
    transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    identity_read(complaint_id=complaint.pk, actor=cast.county_officer, via=IdentityAccess.Via.PAGE)
    return complaint


def event(kind: str, *, user=None, username: str = "", address: str = "10.0.0.1", **fields) -> AuditEvent:
    username = username or (user.username if user else "")
    return AuditEvent.objects.create(kind=kind, user=user, username=username, address=address, **fields)


@pytest.fixture
def auditor_client(client, cast):
    client.force_login(cast.auditor)
    return client


def test_the_transition_log_names_the_case_the_step_and_who_took_it(auditor_client, cast, case):
    response = auditor_client.get(log_url("transitions"))
    assert response.status_code == 200
    page = response.content.decode()
    assert rows_of(response) == 2
    with translation.override("zh-hans"):
        accepted, submitted = str(ComplaintStatus.ACCEPTED.label), str(ComplaintStatus.SUBMITTED.label)
    assert case.case_number in page
    assert reverse("complaints:case-detail", args=[case.pk]) in page
    assert accepted in page and submitted in page
    assert f"{cast.county_officer.display_name} (county-officer)" in page
    # The filing was the petitioner's, who has no account.
    assert "系统或投诉人" in page


def test_the_identity_access_log_shows_the_read_never_the_identity(auditor_client, cast, case):
    response = auditor_client.get(log_url("identity-access"))
    assert response.status_code == 200
    page = response.content.decode()
    assert rows_of(response) == 1
    assert case.case_number in page and "county-officer" in page and "案件页面" in page
    assert "张三" not in page and "13800138000" not in page


def test_the_event_logs_show_each_kind_where_it_belongs(auditor_client, cast):
    event(AuditEventKind.LOGIN, user=cast.county_leader, address="192.0.2.7")
    event(AuditEventKind.LOGIN_FAILED, username="nobody-such")
    event(AuditEventKind.LOCKOUT, username="county-leader", detail={"reason": "too many failures"})
    event(AuditEventKind.WRITE_REFUSED, user=cast.auditor, method="POST", path="/cases/1/notes/")
    event(AuditEventKind.EXPORT, user=cast.auditor, detail={"name": "transitions", "title": "流转记录", "rows": 3})

    logins = auditor_client.get(log_url("logins"))
    # The three above and the auditor's own sign-in.
    assert rows_of(logins) == 4
    assert "192.0.2.7" in logins.content.decode() and "nobody-such" in logins.content.decode()
    with translation.override("zh-hans"):
        assert str(AuditEventKind.LOGIN_FAILED.label) in logins.content.decode()
    refused = auditor_client.get(log_url("refused-writes")).content.decode()
    assert "/cases/1/notes/" in refused and "POST" in refused and "nobody-such" not in refused
    exports = auditor_client.get(log_url("exports")).content.decode()
    assert "流转记录" in exports and "nobody-such" not in exports


@pytest.mark.parametrize("name", LOG_NAMES)
def test_staff_without_the_audit_right_are_refused_and_visitors_asked_to_log_in(client, cast, name):
    assert client.get(log_url(name)).status_code == 302
    for user in (cast.county_officer, cast.county_leader, cast.bureau_officer):
        client.force_login(user)
        assert client.get(log_url(name)).status_code == 403, user.username
        assert client.get(log_url(name) + "?format=csv").status_code == 403, user.username
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


def test_administrators_read_the_logs_too(client, case):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True))
    assert client.get(log_url("transitions")).status_code == 200
    assert client.get(reverse("audit:home")).status_code == 200


def test_the_logs_take_no_write(auditor_client, case):
    # An auditor's write is refused before any view (audit.middleware), and logged.
    response = auditor_client.post(log_url("transitions"), {"case": case.case_number})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind=AuditEventKind.WRITE_REFUSED, path=log_url("transitions")).exists()


def test_filters_find_a_case_by_number_or_id_a_user_a_transition_and_days(auditor_client, cast, category, case):
    other, _code = complaint_filed(category=category, subject_unit=cast.units.sibling)
    transitions.complaint_accept(complaint_id=other.pk, actor=cast.county_leader)
    url = log_url("transitions")
    assert rows_of(auditor_client.get(url)) == 4
    assert rows_of(auditor_client.get(url, {"case": case.case_number})) == 2
    assert rows_of(auditor_client.get(url, {"case": f"#{other.pk}"})) == 2
    assert rows_of(auditor_client.get(url, {"case": str(other.pk)})) == 2
    assert rows_of(auditor_client.get(url, {"user": "COUNTY-LEADER"})) == 1
    assert rows_of(auditor_client.get(url, {"user": cast.county_officer.display_name[1:]})) == 1
    assert rows_of(auditor_client.get(url, {"transition": "accept"})) == 2
    assert rows_of(auditor_client.get(url, {"transition": "accept", "user": "county-officer"})) == 1
    today = timezone.localdate()
    assert rows_of(auditor_client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()})) == 4
    tomorrow = today + datetime.timedelta(days=1)
    assert rows_of(auditor_client.get(url, {"date_from": tomorrow.isoformat()})) == 0
    yesterday = today - datetime.timedelta(days=1)
    assert rows_of(auditor_client.get(url, {"date_to": yesterday.isoformat()})) == 0
    # A case nobody read the identity of shows no reads.
    assert rows_of(auditor_client.get(log_url("identity-access"), {"case": other.case_number})) == 0


def test_a_day_is_a_local_day(auditor_client, cast):
    # 23:30 in Beijing on 1 March is 15:30 UTC: it belongs to 1 March, not the 2nd.
    late = timezone.make_aware(datetime.datetime(2026, 3, 1, 23, 30))
    event(AuditEventKind.LOGIN, user=cast.auditor, at=late)
    url = log_url("logins")
    assert rows_of(auditor_client.get(url, {"date_from": "2026-03-01", "date_to": "2026-03-01"})) == 1
    assert rows_of(auditor_client.get(url, {"date_from": "2026-03-02", "date_to": "2026-03-31"})) == 0
    assert "2026-03-01 23:30:00" in auditor_client.get(url).content.decode()


def test_login_events_filter_by_kind_username_and_address(auditor_client, cast):
    event(AuditEventKind.LOGIN, user=cast.county_leader, address="192.0.2.7")
    event(AuditEventKind.LOGIN_FAILED, username="County-Leader", address="198.51.100.9")
    event(AuditEventKind.LOGOUT, user=cast.county_leader, address="2001:db8::1")
    url = log_url("logins")
    assert rows_of(auditor_client.get(url, {"kind": AuditEventKind.LOGIN_FAILED})) == 1
    assert rows_of(auditor_client.get(url, {"username": "county-leader"})) == 3
    assert rows_of(auditor_client.get(url, {"address": "198.51.100.9"})) == 1
    assert rows_of(auditor_client.get(url, {"address": "2001:DB8::1"})) == 1


HOSTILE = [
    ("transitions", {"case": "2026-00004O"}),
    ("transitions", {"case": "#99999999999999999999999"}),
    ("transitions", {"case": "1; DROP TABLE complaints_complaint"}),
    ("transitions", {"case": "x" * 5000}),
    ("transitions", {"user": "x" * 5000}),
    ("transitions", {"transition": "hack"}),
    ("identity-access", {"via": "phone"}),
    ("logins", {"kind": AuditEventKind.EXPORT}),
    ("logins", {"address": "999.1.1.1"}),
    ("logins", {"address": "<script>alert(1)</script>"}),
    ("logins", {"username": "u" * 151}),
    ("exports", {"date_from": "2026-13-01"}),
    ("exports", {"date_from": "99999-01-01"}),
    ("exports", {"date_to": "9999-12-31"}),
    ("exports", {"date_from": "1900-01-01"}),
    ("exports", {"date_from": "2026-03-02", "date_to": "2026-03-01"}),
    ("refused-writes", {"before": "abc"}),
    ("refused-writes", {"before": "-1"}),
    ("refused-writes", {"after": str(2**64)}),
    ("refused-writes", {"before": "5", "after": "3"}),
]


@pytest.mark.parametrize(("name", "query"), HOSTILE)
def test_a_filter_that_cannot_be_read_says_so_and_shows_no_rows(auditor_client, cast, case, name, query):
    event(AuditEventKind.LOGIN, user=cast.auditor)
    event(AuditEventKind.EXPORT, user=cast.auditor)
    event(AuditEventKind.WRITE_REFUSED, user=cast.auditor)
    exports = AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).count()
    response = auditor_client.get(log_url(name), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="filter-invalid"' in page and 'data-testid="filter-error"' in page
    assert rows_of(response) == 0
    assert "<script>alert(1)" not in page
    # Asking for a file with the same filters gives the same answer, and no file.
    exported = auditor_client.get(log_url(name), {**query, "format": "xlsx"})
    assert exported.status_code == 400 and not exported.streaming
    assert AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).count() == exports


def test_a_filter_error_is_in_plain_words(auditor_client, case):
    response = auditor_client.get(log_url("transitions"), {"case": "2026-00004O"})
    assert "2026-000040" in response.content.decode()
    response = auditor_client.get(log_url("transitions"), {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert "结束日期早于开始日期" in response.content.decode()


def test_pages_go_back_by_key_and_return(auditor_client, cast):
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=AuditEventKind.LOGIN, user=cast.auditor, username=f"login-{n}") for n in range(60)
    )
    url = log_url("logins")
    first = auditor_client.get(url, {"kind": AuditEventKind.LOGIN})
    assert rows_of(first) == 50
    assert "login-59<" in first.content.decode() and "login-9<" not in first.content.decode()
    assert 'data-testid="newer"' not in first.content.decode()
    older = first.context["page"].older
    second = auditor_client.get(url, {"kind": AuditEventKind.LOGIN, "before": older})
    # login-9 to login-0, and the auditor's own sign-in before them.
    assert rows_of(second) == 11
    assert "login-9<" in second.content.decode() and "login-10<" not in second.content.decode()
    assert second.context["page"].older is None
    # The filter is kept in the links.
    assert f"kind=login&amp;after={second.context['page'].newer}" in second.content.decode()
    back = auditor_client.get(url, {"kind": AuditEventKind.LOGIN, "after": second.context["page"].newer})
    assert rows_of(back) == 50
    assert back.context["page"].newer is None
    assert back.context["page"].older == older


def test_a_page_costs_the_same_queries_with_more_rows(auditor_client, cast, category):
    def file_and_accept():
        complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school, anonymous=False)
        transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
        identity_read(complaint_id=complaint.pk, actor=cast.county_leader, via=IdentityAccess.Via.API)
        event(AuditEventKind.LOGIN, user=cast.county_officer)
        event(AuditEventKind.LOGIN_FAILED, username="ghost")
        event(AuditEventKind.EXPORT, user=cast.auditor, detail={"filters": {"用户": "x"}})
        event(AuditEventKind.WRITE_REFUSED, user=cast.auditor)

    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert auditor_client.get(log_url(name)).status_code == 200
        return len(captured)

    file_and_accept()
    few = {name: queries(name) for name in LOG_NAMES}
    for _n in range(6):
        file_and_accept()
    assert TransitionLog.objects.count() == 14
    assert {name: queries(name) for name in LOG_NAMES} == few
    assert max(few.values()) <= 8


def test_the_home_offers_every_log_and_the_latest_events(auditor_client, cast, case):
    event(AuditEventKind.LOGIN_FAILED, username="ghost", address="203.0.113.5")
    response = auditor_client.get(reverse("audit:home"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in LOG_NAMES:
        assert log_url(name) in page
    assert "ghost" in page and "203.0.113.5" in page
    assert case.case_number in page and "张三" not in page


def test_the_navigation_offers_the_audit_to_those_who_may_audit(client, cast):
    client.force_login(cast.auditor)
    assert f'href="{reverse("audit:home")}"' in client.get(reverse("home")).content.decode()
    client.force_login(cast.county_officer)
    assert f'href="{reverse("audit:home")}"' not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("audit:home")).status_code == 403
