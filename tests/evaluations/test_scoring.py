"""Scoring and publishing an appraisal, against figures computed by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from complaints.models import Finding, RatingValue
from evaluations.models import AppraisalState, AppraisedUnit, EvaluatorGroup, Grade
from evaluations.services.appraisals import appraisal_units_add, appraisal_update
from evaluations.services.scoring import appraisal_publish, appraisal_score
from responsibility.models import DeadlineKind, RectificationItem
from responsibility.models.deadlines import Deadline
from tests.factories import unit_add

from .scoring_fixtures import *  # noqa: F403
from .scoring_fixtures import pledge_assessed, responses_add

pytestmark = pytest.mark.django_db

SUPERVISOR, REPRESENTATIVE, SERVICE_USER = (
    EvaluatorGroup.SUPERVISOR,
    EvaluatorGroup.REPRESENTATIVE,
    EvaluatorGroup.SERVICE_USER,
)
LATE, IN_TIME = datetime.timedelta(days=-10), datetime.timedelta(days=10)


@pytest.fixture
def figures(around_now, appraised, cast, decided_case, closed_for_scoring):
    """Every kind of figure, for the default weights (supervisors 20, deputies 15, service users 25,
    petitioners 15, on time 10, substantiated 10, pledge 5; 10 points per substantiated complaint)."""
    # The bureau: every part has data.
    responses_add(appraised.bureau, SUPERVISOR, [90, 80])
    responses_add(appraised.bureau, REPRESENTATIVE, [70])
    responses_add(appraised.bureau, SERVICE_USER, [100, 60, 80])
    # A case about the bureau itself, partly substantiated, answered late, rated 基本满意.
    decided_case(
        cast.units.bureau, finding=Finding.PARTLY_SUBSTANTIATED, rating=RatingValue.BASICALLY_SATISFIED, due_in=LATE
    )
    # A case about its school (in the bureau's subtree): substantiated, on time, 满意.
    decided_case(cast.units.school, finding=Finding.SUBSTANTIATED, rating=RatingValue.SATISFIED, due_in=IN_TIME)
    pledge_assessed(issuer=cast.units.county, unit=cast.units.bureau, year=around_now.year, scores=[(10, 9), (10, 9)])
    # The sibling bureau: supervisors and service users only.
    responses_add(appraised.sibling, SUPERVISOR, [80])
    responses_add(appraised.sibling, SERVICE_USER, [95, 85])
    closed_for_scoring(around_now)
    return around_now


def _scored(appraisal, actor):
    appraisal_score(actor=actor, appraisal_id=appraisal.pk)
    return {row.unit.name: row for row in AppraisedUnit.objects.filter(appraisal=appraisal).select_related("unit")}


def test_scores_ranks_and_grades_match_the_hand_computed_figures(figures, cast):
    units = _scored(figures, cast.county_officer)

    bureau = units["县教育局"]
    # supervisors (90+80)/2 = 85; deputies 70; service users (100+60+80)/3 = 80;
    # petitioners (100 + 60)/2 = 80; on time 1 of 2 = 50; substantiated 100 - 10×2 = 80;
    # pledge 18/20 = 90.
    # 85×.20 + 70×.15 + 80×.25 + 80×.15 + 50×.10 + 80×.10 + 90×.05 = 17 + 10.5 + 20 + 12 + 5 + 8 + 4.5 = 77.
    assert bureau.score == Decimal("77.00")
    assert {part: bureau.parts[part]["score"] for part in bureau.parts} == {
        "supervisor": "85.00",
        "representative": "70.00",
        "service_user": "80.00",
        "petitioner": "80.00",
        "on_time": "50.00",
        "substantiated": "80.00",
        "pledge": "90.00",
    }
    assert bureau.parts["petitioner"]["figures"] == {
        "ratings": 2,
        "satisfied": 1,
        "basically_satisfied": 1,
        "dissatisfied": 0,
    }
    assert bureau.parts["on_time"]["figures"] == {"due": 2, "met": 1}
    assert bureau.parts["substantiated"]["figures"] == {
        "decided": 2,
        "substantiated": 1,
        "partly_substantiated": 1,
        "penalty": "10.00",
    }
    assert bureau.parts["pledge"]["figures"] == {"pledges": 1, "points": "18.00", "out_of": "20.00"}
    assert bureau.parts["service_user"] == {
        "score": "80.00",
        "weight": 25,
        "effective_weight": "25.00",
        "contribution": "20.00",
        "counted": True,
        "figures": {"responses": 3},
    }
    assert bureau.grade == Grade.BASICALLY_SATISFIED  # 70 <= 77 < 85

    sibling = units["县卫生健康局"]
    # Only supervisors (80) and service users (95+85)/2 = 90 have data: their weights 20 and 25
    # count as 20/45 and 25/45: (80×20 + 90×25)/45 = 3850/45 = 85.555… → 85.56.
    assert sibling.score == Decimal("85.56")
    assert sibling.parts["supervisor"]["effective_weight"] == "44.44"
    assert sibling.parts["service_user"]["effective_weight"] == "55.56"
    assert sibling.parts["pledge"] == {
        "score": None,
        "weight": 5,
        "effective_weight": "0.00",
        "contribution": "0.00",
        "counted": False,
        "figures": {"pledges": 0, "points": None, "out_of": None},
    }
    assert sibling.grade == Grade.SATISFIED

    school = units["县第一中学"]
    # No responses; its own case: petitioners 100, on time 1 of 1 = 100, substantiated 100 - 10 = 90,
    # weights 15, 10, 10 of 35: (1500 + 1000 + 900)/35 = 97.142… → 97.14.
    assert school.score == Decimal("97.14")

    # Ranked within their groups: 部门 (sibling first), 窗口 (the school alone).
    assert (sibling.rank, bureau.rank, school.rank) == (1, 2, 1)
    # The bottom one of each group rectifies: the bureau, and the school alone in its group.
    assert (bureau.to_rectify, sibling.to_rectify, school.to_rectify) == (True, False, True)
    figures.refresh_from_db()
    assert figures.state == AppraisalState.SCORED and figures.scored_at is not None


def test_only_the_latest_rating_of_a_case_counts(around_now, appraised, cast, decided_case, closed_for_scoring):
    from complaints.models import Rating

    case = decided_case(cast.units.sibling, finding=Finding.UNSUBSTANTIATED, rating=None, due_in=IN_TIME)
    # Rated 不满意 after the first reply, then 满意 after the review's.
    Rating.objects.create(complaint=case, review_round=0, rating=RatingValue.DISSATISFIED)
    Rating.objects.create(complaint=case, review_round=1, rating=RatingValue.SATISFIED)
    closed_for_scoring(around_now)
    sibling = _scored(around_now, cast.county_officer)["县卫生健康局"]
    assert sibling.parts["petitioner"]["figures"]["ratings"] == 1
    assert sibling.parts["petitioner"]["score"] == "100.00"


def _third_bureau(appraisal, cast):
    police = unit_add(parent=cast.units.county, name="县公安局")
    (row,) = appraisal_units_add(
        actor=cast.county_officer, appraisal_id=appraisal.pk, units=[police], ranking_group="部门"
    )
    return row


def test_equal_scores_share_a_rank_and_a_tie_at_the_cut_off_all_rectify(
    around_now, appraised, cast, closed_for_scoring
):
    police = _third_bureau(around_now, cast)
    responses_add(appraised.bureau, SUPERVISOR, [90])
    responses_add(appraised.sibling, SUPERVISOR, [75])
    responses_add(police, SUPERVISOR, [75])
    closed_for_scoring(around_now)
    units = _scored(around_now, cast.county_officer)
    # Competition ranking: 90, 75, 75 → 1, 2, 2; both units at the bottom score rectify.
    assert [(units[name].rank, units[name].to_rectify) for name in ("县教育局", "县卫生健康局", "县公安局")] == [
        (1, False),
        (2, True),
        (2, True),
    ]


def test_every_unit_graded_dissatisfied_rectifies_whatever_its_rank(around_now, appraised, cast, closed_for_scoring):
    police = _third_bureau(around_now, cast)
    responses_add(appraised.bureau, SUPERVISOR, [65])
    responses_add(appraised.sibling, SUPERVISOR, [60])
    responses_add(police, SUPERVISOR, [90])
    closed_for_scoring(around_now)
    units = _scored(around_now, cast.county_officer)
    bureau = units["县教育局"]
    assert (bureau.rank, bureau.grade, bureau.to_rectify) == (2, Grade.DISSATISFIED, True)
    assert units["县卫生健康局"].to_rectify and not units["县公安局"].to_rectify


def test_a_unit_with_no_data_gets_no_score_no_rank_and_is_not_told_to_rectify(
    around_now, appraised, cast, closed_for_scoring
):
    responses_add(appraised.bureau, SUPERVISOR, [80])
    closed_for_scoring(around_now)
    units = _scored(around_now, cast.county_officer)
    school = units["县第一中学"]
    assert (school.score, school.rank, school.grade, school.to_rectify) == (None, None, "", False)
    assert not any(part["counted"] for part in school.parts.values())
    # Alone with data in its group, the bureau is both first and the bottom one.
    assert (units["县教育局"].rank, units["县教育局"].to_rectify) == (1, True)
    assert units["县卫生健康局"].rank is None


def test_the_substantiated_part_stops_at_zero(around_now, appraised, cast, decided_case, closed_for_scoring):
    appraisal_update(actor=cast.county_officer, appraisal_id=around_now.pk, substantiated_penalty=Decimal(60))
    for _ in range(2):
        decided_case(cast.units.sibling, finding=Finding.SUBSTANTIATED, rating=None, due_in=IN_TIME)
    closed_for_scoring(around_now)
    sibling = _scored(around_now, cast.county_officer)["县卫生健康局"]
    # 100 - 60×2 = -20, floored at 0; with on time (100, weight 10) beside it: (0×10 + 100×10)/20 = 50.
    assert sibling.parts["substantiated"]["score"] == "0.00"
    assert sibling.score == Decimal("50.00")


def test_scoring_twice_is_refused_and_changes_nothing(figures, cast):
    appraisal_score(actor=cast.county_officer, appraisal_id=figures.pk)
    before = list(AppraisedUnit.objects.filter(appraisal=figures).values_list("pk", "score", "rank", "parts"))
    history = AppraisedUnit.history.count()
    with pytest.raises(TransitionNotAllowed) as refused:
        appraisal_score(actor=cast.county_officer, appraisal_id=figures.pk)
    assert str(refused.value) == "本次评议处于“已计分”状态，现在不能这样操作。"
    assert list(AppraisedUnit.objects.filter(appraisal=figures).values_list("pk", "score", "rank", "parts")) == before
    assert AppraisedUnit.history.count() == history


def test_an_open_appraisal_cannot_be_scored(around_now, cast):
    from evaluations.services.appraisals import appraisal_open

    appraisal_open(actor=cast.county_officer, appraisal_id=around_now.pk)
    with pytest.raises(TransitionNotAllowed):
        appraisal_score(actor=cast.county_officer, appraisal_id=around_now.pk)


def test_only_who_runs_the_appraisal_scores_it(figures, cast):
    with pytest.raises(PermissionDenied):
        appraisal_score(actor=cast.bureau_officer, appraisal_id=figures.pk)
    figures.refresh_from_db()
    assert figures.state == AppraisalState.CLOSED


def test_publishing_is_a_leaders_and_gives_the_bottom_units_rectification_items(figures, cast):
    appraisal_score(actor=cast.county_officer, appraisal_id=figures.pk)
    with pytest.raises(PermissionDenied):
        appraisal_publish(actor=cast.county_officer, appraisal_id=figures.pk)
    with pytest.raises(PermissionDenied):
        appraisal_publish(actor=cast.bureau_leader, appraisal_id=figures.pk)
    assert not RectificationItem.objects.exists()

    appraisal_publish(actor=cast.county_leader, appraisal_id=figures.pk)

    figures.refresh_from_db()
    assert figures.state == AppraisalState.PUBLISHED
    assert figures.published_by == cast.county_leader and figures.published_at is not None
    items = {item.responsible_unit.name: item for item in RectificationItem.objects.select_related("responsible_unit")}
    assert set(items) == {"县教育局", "县第一中学"}
    due_on = timezone.localdate() + datetime.timedelta(days=figures.rectify_within_days)
    bureau_item = items["县教育局"]
    assert bureau_item.due_on == due_on
    assert figures.name in bureau_item.description and "77.00" in bureau_item.description
    # Each item is an obligation in the deadline ledger, as any rectification item.
    deadlines = Deadline.objects.filter(kind=DeadlineKind.RECTIFICATION_ITEM)
    assert sorted(deadlines.values_list("object_id", flat=True)) == sorted(item.pk for item in items.values())
    assert all(timezone.localdate(deadline.due_at) == due_on for deadline in deadlines)

    # Published once only: a second approval is refused and adds no item.
    with pytest.raises(TransitionNotAllowed):
        appraisal_publish(actor=cast.county_leader, appraisal_id=figures.pk)
    assert RectificationItem.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_publish_once_and_give_each_unit_one_item(figures, cast):
    from tests.concurrency import at_once

    appraisal_score(actor=cast.county_officer, appraisal_id=figures.pk)

    def approve():
        try:
            appraisal_publish(actor=cast.county_leader, appraisal_id=figures.pk)
        except TransitionNotAllowed:
            return "refused"
        return "published"

    assert sorted(at_once(approve, 4)) == ["published", "refused", "refused", "refused"]
    assert RectificationItem.objects.count() == 2
    assert Deadline.objects.filter(kind=DeadlineKind.RECTIFICATION_ITEM).count() == 2
