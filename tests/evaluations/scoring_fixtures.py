"""Figures for scoring: responses, decided and rated complaints, assessed pledges.

Import the fixtures into a test module with ``from .scoring_fixtures import *``.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints import transitions as t
from complaints.models import Category
from complaints.services import rating_add
from evaluations.models import Response
from evaluations.services.appraisals import appraisal_close, appraisal_open, appraisal_update
from responsibility.models import DeadlineKind, Pledge, PledgeItem, PledgeState
from responsibility.models.deadlines import Deadline
from tests.factories import complaint_filed

__all__ = ["around_now", "category", "decided_case", "responses_add", "pledge_assessed", "closed_for_scoring"]


@pytest.fixture
def around_now(appraisal, cast):
    """The draft appraisal's figures period moved around today, so that what the services
    record now falls in it whatever day the tests run."""
    today = timezone.localdate()
    appraisal_update(
        actor=cast.county_officer,
        appraisal_id=appraisal.pk,
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=20),
    )
    appraisal.refresh_from_db()
    return appraisal


@pytest.fixture
def category(db):
    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


def responses_add(appraised_unit, group: str, scores: list) -> None:
    """Responses as the answering page stores them: anonymous rows with their questionnaire score.

    Written directly: the answering service is built beside this part (views/responding).
    """
    Response.objects.bulk_create(
        Response(appraisal_id=appraised_unit.appraisal_id, appraised_unit=appraised_unit, group=group, score=score)
        for score in scores
    )


@pytest.fixture
def decided_case(cast, category):
    """A complaint about ``subject_unit`` taken through the services to a decision with ``finding``,
    rated ``rating`` (None: not rated); its resolve deadline made due ``due_in`` from now (negative:
    already past, so it was met late)."""

    def decide(subject_unit, *, finding: str, rating: str | None, due_in: datetime.timedelta):
        complaint, _code = complaint_filed(category=category, subject_unit=subject_unit)
        # The county handles what is about a bureau; a bureau what is about its school.
        about_bureau = subject_unit.depth == 2
        handler = cast.county_officer if about_bureau else cast.bureau_officer
        approver = cast.county_leader if about_bureau else cast.bureau_leader
        t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
        t.complaint_start_investigation(complaint_id=complaint.pk, actor=handler)
        t.complaint_submit_for_approval(
            complaint_id=complaint.pk, actor=handler, finding=finding, disposition="批评教育", reply="经查，答复如下。"
        )
        t.complaint_approve(complaint_id=complaint.pk, actor=approver)
        # The case was decided now; its deadline is set to have fallen due before or after.
        Deadline.objects.filter(object_id=complaint.pk, kind=DeadlineKind.COMPLAINT_RESOLVE).update(
            due_at=timezone.now() + due_in
        )
        if rating:
            rating_add(complaint_id=complaint.pk, rating=rating, comment="")
        return complaint

    return decide


def pledge_assessed(*, issuer, unit, year: int, scores: list[tuple[int, int]]) -> Pledge:
    """An assessed pledge with items of (weight, score): the pledge services' end state, written directly."""
    pledge = Pledge.objects.create(
        year=year,
        issuer=issuer,
        unit=unit,
        state=PledgeState.ASSESSED,
        assessed_at=timezone.now(),
        total_score=sum(Decimal(score) for _weight, score in scores),
    )
    for position, (weight, score) in enumerate(scores):
        PledgeItem.objects.create(
            pledge=pledge, title=f"目标{position}", weight=weight, score=score, due_on=timezone.localdate()
        )
    return pledge


@pytest.fixture
def closed_for_scoring(cast):
    """Open and close an appraisal, ready to score."""

    def close(appraisal):
        appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
        appraisal_close(actor=cast.county_officer, appraisal_id=appraisal.pk)

    return close
