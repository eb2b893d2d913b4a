"""The demo's leader assignments, visits and rectification items."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from responsibility.models import Deadline, DeadlineKind, LeaderAssignment, RectificationItem, Visit, VisitFrequency
from responsibility.services.visits_selectors import visits_due_for_leader

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_leaders_have_their_areas(demo):
    county = LeaderAssignment.objects.get(leader__username="leader")
    assert set(county.units.values_list("name", flat=True)) == {"城关镇人民政府", "石桥镇人民政府"}
    assert county.visit_frequency == VisitFrequency.QUARTERLY
    education = LeaderAssignment.objects.get(leader__username="leader-edu")
    assert list(education.units.values_list("name", flat=True)) == ["县卫生健康局"]
    assert education.visit_frequency == VisitFrequency.HALF_YEARLY
    assert visits_due_for_leader(leader=county.leader)[0].units_not_visited


def test_the_demo_has_visits_and_items_in_every_state(demo):
    assert Visit.objects.filter(made_on__isnull=False).count() >= 3
    assert all(v.findings for v in Visit.objects.filter(made_on__isnull=False))
    scheduled = Visit.objects.filter(made_on__isnull=True)
    assert {v.is_overdue for v in scheduled} == {True, False}
    # Those of visits and cases: the published appraisal's bottom units have their own (demo.evaluations).
    items = list(RectificationItem.objects.exclude(description__contains="民主评议"))
    # (and the one whose fix held, demo.recurring)
    assert 4 <= len(items) <= 7
    assert {i.status for i in items} == {"open", "submitted", "confirmed"}
    assert any(i.is_overdue for i in items)
    assert any(i.send_back_reason for i in items)
    # Only those of visits: the escalation demo opens ledger rows of its own.
    open_visit_deadlines = Deadline.objects.open().filter(
        kind=DeadlineKind.VISIT, content_type=ContentType.objects.get_for_model(Visit)
    )
    assert open_visit_deadlines.count() == scheduled.count()
