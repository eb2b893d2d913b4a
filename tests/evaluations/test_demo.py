"""The demo appraisals of seed_demo: last year's published with its explanation, this year's collecting answers."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluations.models import Appraisal, AppraisalState, Invitation, Observation, Response
from jiufeng.models import User
from responsibility.models import RectificationItem


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module, and wiped after it."""
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def year(demo, db) -> int:
    return timezone.localdate().year


def test_last_years_appraisal_is_published_with_ranks_grades_and_rectification(year):
    last = Appraisal.objects.get(name=f"{year - 1}年度民主评议政风行风")
    assert last.state == AppraisalState.PUBLISHED and last.closes_at.year == year - 1
    units = list(last.appraised_units.all())
    assert len(units) == 11 and all(unit.score is not None and unit.rank for unit in units)
    assert {unit.ranking_group for unit in units} == {"部门", "服务窗口"}
    for group in ("部门", "服务窗口"):
        assert sorted(unit.rank for unit in units if unit.ranking_group == group)[0] == 1
    to_rectify = {unit.unit_id for unit in units if unit.to_rectify}
    assert to_rectify
    assert (
        set(
            RectificationItem.objects.filter(description__contains=last.name).values_list("responsible_unit", flat=True)
        )
        == to_rectify
    )


def test_each_published_score_is_its_parts_contributions(year):
    for unit in Appraisal.objects.get(name=f"{year - 1}年度民主评议政风行风").appraised_units.all():
        total = sum(float(part["contribution"]) for part in unit.parts.values())
        assert abs(total - float(unit.score)) < 0.02


def test_this_years_appraisal_is_open_with_some_answers_and_codes_to_try(demo, year):
    current = Appraisal.objects.get(name=f"{year}年度民主评议政风行风")
    assert current.state == AppraisalState.OPEN
    assert Response.objects.filter(appraisal=current).count() > 10
    printed = re.findall(r"^\s+([2-9A-HJ-NP-Z]{10})\s", demo, flags=re.MULTILINE)
    assert len(printed) == 3
    assert Invitation.objects.filter(code__in=printed, used_at__isnull=True, appraisal=current).count() == 3


def test_the_demo_supervisor_has_a_code_to_answer_and_an_observation(year):
    supervisor = User.objects.get(username="supervisor")
    assert Invitation.objects.filter(
        issued_to=supervisor, used_at__isnull=True, appraisal__name=f"{year}年度民主评议政风行风"
    ).exists()
    assert Observation.objects.filter(evaluator__user=supervisor).count() == 1


def test_a_second_run_creates_nothing(demo):
    counts = (Appraisal.objects.count(), Response.objects.count(), Invitation.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Appraisal.objects.count(), Response.objects.count(), Invitation.objects.count()) == counts
