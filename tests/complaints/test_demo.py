"""The demo complaints of seed_demo: every status, realistic records, timelines that run forward."""

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from complaints.models import (
    Activity,
    ActivityKind,
    Channel,
    Complaint,
    ComplaintStatus,
    ExtensionRequest,
    IdentityAccess,
    InternalNote,
    Measure,
    MeasureKind,
    Message,
    PetitionerIdentity,
    Rating,
    TransitionLog,
    TypicalCase,
    TypicalCaseState,
)
from complaints.selectors import (
    available_transitions,
    complaint_by_code,
    complaint_inbox_for_user,
    complaint_list_for_user,
)
from demo.cases import CASES, DEMO_CODES
from demo.recurring import CAME_BACK, HELD, SPIKE
from jiufeng.models import User

# Every demo complaint: the county's cases and those that show the early warnings (demo.recurring).
EVERY_CASE = [*CASES, *SPIKE, *HELD, *CAME_BACK]

OPEN_FOR_THE_OFFICER = [
    ComplaintStatus.SUBMITTED,
    ComplaintStatus.ACCEPTED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.UNDER_REVIEW,
]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module (half a minute), and wiped after it."""
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        try:
            yield seed()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def officer(demo, db):
    return User.objects.get(username="officer")


def test_the_demo_has_about_forty_cases_in_every_status_and_channel(officer):
    assert Complaint.objects.count() == len(EVERY_CASE) and len(CASES) >= 38
    assert set(Complaint.objects.values_list("status", flat=True)) == set(ComplaintStatus.values)
    assert set(Complaint.objects.values_list("channel", flat=True)) == set(Channel.values)
    anonymous = Complaint.objects.filter(anonymous=True)
    assert anonymous.exists()
    assert not PetitionerIdentity.objects.filter(complaint__in=anonymous).exists()
    phones = list(PetitionerIdentity.objects.values_list("phone", flat=True))
    assert len(phones) == Complaint.objects.filter(anonymous=False).count() > 10
    assert all(re.fullmatch(r"138\d{8}", phone) for phone in phones)


def test_the_demo_cases_carry_investigations_messages_decisions_and_reviews(officer):
    assert set(Activity.objects.values_list("kind", flat=True)) == set(ActivityKind.values)
    assert Message.objects.filter(author__isnull=True).exists()
    assert Message.objects.filter(author__isnull=False).exists()
    assert InternalNote.objects.exists()
    assert set(ExtensionRequest.objects.values_list("state", flat=True)) == {"pending", "approved"}
    assert {"satisfied", "basically_satisfied", "dissatisfied"} <= set(Rating.objects.values_list("rating", flat=True))
    rectification = Measure.objects.filter(kind=MeasureKind.RECTIFICATION, rectification_item__isnull=False)
    assert rectification.filter(due_on__gt=timezone.localdate()).exists()
    assert Complaint.objects.aggregate(Max("review_round"))["review_round__max"] == 2
    assert Complaint.objects.filter(status=ComplaintStatus.UNDER_REVIEW, review_round=2).exists()
    assert Complaint.objects.filter(status=ComplaintStatus.CLOSED, review_round=2).exists()
    merged = list(Complaint.objects.filter(status=ComplaintStatus.MERGED).select_related("merged_into"))
    assert merged
    for duplicate in merged:
        assert duplicate.merged_into.status not in (ComplaintStatus.MERGED, ComplaintStatus.CLOSED)
    assert IdentityAccess.objects.filter(user=officer).exists()


def test_the_demo_shows_checked_items_a_void_activity_and_measures_with_units_and_days(officer):
    checks = Activity.objects.filter(kind=ActivityKind.CHECK).exclude(checked=[])
    assert {"problem", "rules", "procedures", "service"} <= {item for a in checks for item in a.checked}
    void = Activity.objects.get(voided_at__isnull=False)
    assert void.void_reason and void.voided_by is not None
    # Several measures of one case, each with its unit and due day, a refund's among them.
    with_units = Measure.objects.filter(responsible_unit__isnull=False, due_on__isnull=False)
    assert with_units.filter(kind=MeasureKind.REFUND).exists()
    assert with_units.values("complaint").annotate(n=Count("pk")).filter(n__gte=3).exists()


def test_some_cases_are_overdue_and_every_timeline_runs_forward_to_the_status(officer):
    overdue = complaint_list_for_user(user=officer).filter(is_overdue=True)
    assert {ComplaintStatus.SUBMITTED, ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING} <= set(
        overdue.values_list("status", flat=True)
    )
    now = timezone.now()
    complaints = list(Complaint.objects.all())
    assert len(complaints) == len(EVERY_CASE)
    for complaint in complaints:
        logs = list(TransitionLog.objects.filter(complaint=complaint).order_by("pk"))
        assert logs[0].name == "file"
        # Only a case still waiting to be accepted has no step after its filing.
        assert (len(logs) == 1) == (complaint.status == ComplaintStatus.SUBMITTED), complaint.title
        assert complaint.received_at <= logs[0].at <= now
        assert logs[-1].to_status == complaint.status, complaint.title
        for before, after in zip(logs, logs[1:], strict=False):
            assert before.at <= after.at, complaint.title
            assert after.from_status in (before.to_status, ""), complaint.title
    # Days passed between the steps: the county's cases span weeks, not the seconds seeding took.
    oldest = Complaint.objects.order_by("received_at").first()
    assert (now - oldest.received_at).days > 60


def test_the_officer_sees_every_case_and_can_take_each_open_one_further(officer):
    visible = complaint_list_for_user(user=officer)
    assert visible.count() == Complaint.objects.count()
    inbox = set(complaint_inbox_for_user(user=officer).values_list("pk", flat=True))
    open_cases = list(visible.filter(status__in=OPEN_FOR_THE_OFFICER))
    assert {complaint.status for complaint in open_cases} == set(OPEN_FOR_THE_OFFICER)
    leader = User.objects.get(username="leader")
    leader_inbox = set(complaint_inbox_for_user(user=leader).values_list("pk", flat=True))
    for complaint in open_cases:
        # Where no unit is above the one reviewed, the county's leadership decides the review.
        who, waiting = (leader, leader_inbox) if complaint.review_by_leaders else (officer, inbox)
        assert available_transitions(user=who, complaint=complaint), complaint.title
        assert complaint.pk in waiting, complaint.title
    pending = list(visible.filter(status=ComplaintStatus.PENDING_APPROVAL))
    assert pending
    for complaint in pending:
        assert "approve" in available_transitions(user=leader, complaint=complaint), complaint.title


def test_the_demo_tracking_codes_find_their_cases_and_are_printed_every_run(demo, db):
    assert len(DEMO_CODES) == 3
    for title, code in DEMO_CODES.items():
        assert complaint_by_code(code=code).title == title
        assert code in demo
    again = seed()
    assert "complaints: 0 created" in again
    assert all(code in again for code in DEMO_CODES.values())


def test_the_admin_shows_every_demo_case(demo, db, client):
    client.force_login(User.objects.get(username="admin"))
    pks = list(Complaint.objects.values_list("pk", flat=True))
    assert len(pks) == len(EVERY_CASE)
    for pk in pks:
        assert client.get(reverse("admin:complaints_complaint_change", args=[pk])).status_code == 200


def test_a_review_of_the_education_bureau_is_decided_by_the_county_with_a_leaders_approval(officer):
    # Issue 16's "done when": officer-edu cannot decide it; the county's officer does, its leader approves.
    complaint = Complaint.objects.select_related("handling_unit", "reviewing_unit").get(
        title="县实验小学课后服务费退费不到位"
    )
    assert (complaint.status, complaint.handling_unit.name, complaint.reviewing_unit.name) == (
        ComplaintStatus.UNDER_REVIEW,
        "县教育局",
        "青溪县",
    )
    officer_edu = User.objects.get(username="officer-edu")
    assert "decide_review" not in available_transitions(user=officer_edu, complaint=complaint)
    assert complaint not in complaint_inbox_for_user(user=officer_edu)
    assert "decide_review" in available_transitions(user=officer, complaint=complaint)
    # The 复核 waits at the county's leadership.
    re_review = Complaint.objects.get(title="不动产登记超时不办结")
    assert (re_review.status, re_review.review_round, re_review.review_by_leaders) == (
        ComplaintStatus.UNDER_REVIEW,
        2,
        True,
    )
    assert "decide_review" in available_transitions(user=User.objects.get(username="leader"), complaint=re_review)


def test_the_officer_finds_an_action_on_the_case_page_of_every_open_case(officer, client):
    client.force_login(officer)
    # Reviews the county's leadership decides are the leader's to act on.
    open_cases = list(Complaint.objects.filter(status__in=OPEN_FOR_THE_OFFICER, review_by_leaders=False))
    assert {complaint.status for complaint in open_cases} == set(OPEN_FOR_THE_OFFICER)
    for complaint in open_cases:
        page = client.get(reverse("complaints:case-detail", args=[complaint.pk]))
        assert page.status_code == 200, complaint.title
        name = available_transitions(user=officer, complaint=complaint)[0]
        assert f'data-testid="action-{name}"' in page.content.decode(), complaint.title


def test_the_demo_publishes_typical_cases_and_rules_and_leaves_one_to_approve(officer, client):
    published = TypicalCase.objects.filter(state=TypicalCaseState.PUBLISHED)
    assert published.count() == 2
    waiting = TypicalCase.objects.get(state=TypicalCaseState.SUBMITTED)
    page = client.get(reverse("complaints:public")).content.decode()
    assert all(case.title in page for case in published)
    assert waiting.title not in page
    # Two of the county's cases, and the one whose problem came back (demo.recurring).
    assert Measure.objects.filter(kind=MeasureKind.RULE, complaint__status=ComplaintStatus.CLOSED).count() == 3
    assert page.count('data-testid="rules"') == 1 and "一次性告知" in page
    client.force_login(User.objects.get(username="leader-edu"))
    assert waiting.title in client.get(reverse("complaints:case-approvals")).content.decode()
