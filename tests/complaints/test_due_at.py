"""The running deadline kept on the case (Complaint.due_at): what the inbox sorts by and the overdue filter reads.

After every service that opens, meets or moves a case's deadline, the column equals the
earliest open deadline in the ledger, and None once nothing runs.
"""

import datetime

import pytest
from django.utils import timezone

from complaints import services as s
from complaints import transitions as t
from complaints.models import Channel, Complaint, ComplaintStatus, RatingValue
from complaints.selectors import complaint_inbox_for_user, complaint_list_for_user
from responsibility.deadlines import deadlines_of
from responsibility.models import DeadlineKind
from tests.factories import complaint_filed

from .conftest import DECISION
from .test_api_staff import api
from .test_pages_staff_helpers import as_user, queries

pytestmark = pytest.mark.django_db


def _stored(complaint) -> datetime.datetime | None:
    return Complaint.objects.values_list("due_at", flat=True).get(pk=complaint.pk)


def _ledger(complaint) -> datetime.datetime | None:
    running = deadlines_of(target=complaint).filter(met_at__isnull=True)
    return min((deadline.due_at for deadline in running), default=None)


def _running(complaint, kind) -> datetime.datetime:
    return deadlines_of(target=complaint).get(kind=kind, met_at__isnull=True).due_at


def _letter(cast, category, *, days_ago: int, title: str) -> Complaint:
    """A letter entered by the county officer, received ``days_ago`` days ago (15 days to accept it)."""
    complaint, _code = complaint_filed(
        channel=Channel.LETTER,
        category=category,
        subject_unit=cast.units.school,
        title=title,
        content="来信反映问题。",
        received_at=timezone.now() - datetime.timedelta(days=days_ago),
        actor=cast.county_officer,
    )
    return complaint


def test_filing_keeps_the_acceptance_deadline_on_the_case(submitted):
    assert _stored(submitted) == _running(submitted, DeadlineKind.COMPLAINT_ACCEPT)
    assert submitted.due_at == _stored(submitted)
    # A history of the case does not copy what the ledger keeps.
    assert not hasattr(submitted.history.first(), "due_at")


def test_the_path_to_resolution_and_its_reviews_keeps_the_running_deadline(cast, submitted):
    t.complaint_accept(complaint_id=submitted.pk, actor=cast.county_officer)
    assert _stored(submitted) == _running(submitted, DeadlineKind.COMPLAINT_RESOLVE) == _ledger(submitted)
    resolve = _stored(submitted)
    t.complaint_start_investigation(complaint_id=submitted.pk, actor=cast.bureau_officer)
    assert _stored(submitted) == resolve
    t.complaint_submit_for_approval(complaint_id=submitted.pk, actor=cast.bureau_officer, **DECISION)
    assert _stored(submitted) == resolve
    t.complaint_send_back(complaint_id=submitted.pk, actor=cast.bureau_leader, reason="证据不足")
    assert _stored(submitted) == resolve
    t.complaint_submit_for_approval(complaint_id=submitted.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=submitted.pk, actor=cast.bureau_leader)
    assert _stored(submitted) is None and _ledger(submitted) is None

    t.complaint_review(complaint_id=submitted.pk, reason="对处理结果不满意")
    assert _stored(submitted) == _running(submitted, DeadlineKind.COMPLAINT_REVIEW) == _ledger(submitted)
    review = _stored(submitted)
    # The review's time runs on while its decision awaits approval, and ends with the approval.
    t.complaint_decide_review(complaint_id=submitted.pk, actor=cast.county_officer, **DECISION)
    assert _stored(submitted) == review
    t.complaint_approve(complaint_id=submitted.pk, actor=cast.county_leader)
    assert _stored(submitted) is None and _ledger(submitted) is None

    s.rating_add(complaint_id=submitted.pk, rating=RatingValue.SATISFIED, comment="")
    assert Complaint.objects.get(pk=submitted.pk).status == ComplaintStatus.CLOSED
    assert _stored(submitted) is None


@pytest.mark.parametrize(
    "decide",
    [
        lambda cast, case, other: t.complaint_reject(complaint_id=case.pk, actor=cast.county_officer, reason="不属实"),
        lambda cast, case, other: t.complaint_transfer(
            complaint_id=case.pk, actor=cast.county_officer, to="县人民法院", reason="属诉讼事项"
        ),
        lambda cast, case, other: t.complaint_merge(
            complaint_id=case.pk, actor=cast.county_officer, primary_id=other.pk
        ),
    ],
    ids=["reject", "transfer", "merge"],
)
def test_an_intake_decision_other_than_acceptance_leaves_nothing_running(cast, submitted, file_complaint, decide):
    other, _code = file_complaint(subject_unit=cast.units.school, title="同一事项的另一件投诉")
    decide(cast, submitted, other)
    assert _stored(submitted) is None and _ledger(submitted) is None
    assert _stored(other) == _ledger(other) is not None


def test_an_approved_extension_moves_the_running_deadline_and_a_refused_one_does_not(cast, investigating):
    before = _stored(investigating)
    s.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=10, reason="案情复杂")
    t.complaint_refuse_extension(complaint_id=investigating.pk, actor=cast.bureau_leader, note="时间充足")
    assert _stored(investigating) == before
    s.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=20, reason="需调取银行流水")
    t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_leader)
    assert _stored(investigating) == before + datetime.timedelta(days=20) == _ledger(investigating)


def test_the_inbox_lists_the_most_urgent_case_first(client, cast, category):
    cases = {days: _letter(cast, category, days_ago=days, title=f"{days}天前收到的来信") for days in (3, 20, 10)}
    inbox = list(complaint_inbox_for_user(user=cast.county_officer))
    assert inbox == [cases[20], cases[10], cases[3]]
    page = as_user(client, cast.county_officer).get("/cases/").content.decode()
    positions = [page.index(f"#{cases[days].pk}<") for days in (20, 10, 3)]
    assert positions == sorted(positions)


def test_overdue_is_the_running_deadline_passed(cast, category, resolved):
    late = _letter(cast, category, days_ago=16, title="逾期未受理的来信")
    on_time = _letter(cast, category, days_ago=2, title="按时的来信")
    overdue = {c.pk: c.is_overdue for c in complaint_list_for_user(user=cast.county_officer)}
    assert overdue == {late.pk: True, on_time.pk: False, resolved.pk: False}
    client = api(cast.county_officer)

    def ids(**params) -> set[int]:
        return {row["id"] for row in client.get("/api/v1/complaints/", params).json()["results"]}

    assert ids(overdue="true") == {late.pk}
    # A case with nothing running is not overdue, so "not overdue" lists it.
    assert ids(overdue="false") == {on_time.pk, resolved.pk}


def test_the_overdue_filter_keeps_its_query_count(client, cast, category):
    _letter(cast, category, days_ago=16, title="逾期的来信")
    as_user(client, cast.county_officer)
    url = "/cases/?tab=all&overdue=on"
    before = queries(client, url)
    for n in range(3):
        _letter(cast, category, days_ago=20 + n, title=f"又一件逾期的来信{n}")
    assert queries(client, url) == before


def test_the_inbox_and_the_whole_list_filter_the_same_overdue_cases(client, cast, category, resolved):
    # The inbox says "waiting" itself; the whole list's filter says it for the index.
    late = _letter(cast, category, days_ago=16, title="逾期未受理的来信")
    _letter(cast, category, days_ago=2, title="按时的来信")
    as_user(client, cast.county_officer)
    for tab in ("waiting", "all"):
        page = client.get("/cases/", {"tab": tab, "overdue": "on"}).content.decode()
        assert page.count('data-testid="case-row"') == 1, tab
        assert f"#{late.pk}<" in page and "按时的来信" not in page and resolved.title not in page
