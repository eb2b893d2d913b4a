"""Scoring an appraisal and publishing its results: the transitions score and publish.

Scoring reads every figure set-based, one grouped query per source for all the units at
once (responses, ratings, deadlines, findings, pledges), so its cost follows the rows read,
not the number of units; the arithmetic is evaluations.scoring's.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintStatus, Finding, Rating
from jiufeng.history import history_record
from responsibility.models import DeadlineKind, Pledge, PledgeState, Unit
from responsibility.models.deadlines import Deadline
from responsibility.services.visits import rectification_item_add

from .. import scoring
from ..models import INVITED_GROUPS, Appraisal, AppraisedUnit, Grade, Response
from ..workflow import APPRAISAL_TRANSITIONS
from .appraisals import _locked

# The deadlines of a complaint's handling: on time means resolved by the (possibly extended) due time.
ON_TIME_KINDS = (DeadlineKind.COMPLAINT_RESOLVE, DeadlineKind.COMPLAINT_EXTENSION)
# A decision the petitioner was sent and that stands (Complaint.decision_released): resolved or
# closed, or under review before the reviewing unit proposes its own. A proposal awaiting
# approval is nobody's finding yet, so such a case counts once it is decided.
_DECISION_STANDS = Q(status__in=[ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED]) | Q(
    status=ComplaintStatus.UNDER_REVIEW, approval_requested_by__isnull=True
)


def _period(appraisal: Appraisal) -> tuple[datetime.datetime, datetime.datetime]:
    """The figures period as aware instants, start included, end excluded (the day after period_end)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(appraisal.period_start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(appraisal.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def _rolled_up(rows: Iterable[tuple[str, str, int]], paths: set[str]) -> dict[str, Counter]:
    """Counts by subject unit, added up into every appraised unit (by ``paths``) above or at it.

    ``rows``: (subject unit path, key, count). An appraised unit's figures are those of its
    subtree, and two appraised units may nest (a bureau and its window): each gets its own
    sum. One pass over the rows, a dictionary lookup per ancestor.
    """
    totals: dict[str, Counter] = defaultdict(Counter)
    for path, key, count in rows:
        for end in range(Unit.steplen, len(path) + 1, Unit.steplen):
            if path[:end] in paths:
                totals[path[:end]][key] += count
    return totals


def _responses(appraisal: Appraisal) -> dict[tuple[int, str], tuple[Decimal, int]]:
    rows = (
        Response.objects.filter(appraisal=appraisal)
        .values_list("appraised_unit_id", "group")
        .annotate(average=Avg("score"), responses=Count("pk"))
        .order_by()
    )
    return {(unit, group): (average, responses) for unit, group, average, responses in rows}


def _ratings(appraisal: Appraisal, start, end, paths: set[str]) -> dict[str, Counter]:
    """Petitioners' ratings given in the period, only the latest of each complaint.

    A complaint may be rated once per decision (the first, 复查, 复核). Counting each would give
    a contested case two or three votes, mostly dissatisfied ones (a review is asked by the
    dissatisfied), against one for a case settled at once; the latest rating is the
    petitioner's last word on how the matter ended, one voice per case.
    """
    in_period = Q(at__gte=start, at__lt=end)
    later = Rating.objects.filter(in_period, complaint=OuterRef("complaint"), review_round__gt=OuterRef("review_round"))
    rows = (
        Rating.objects.filter(in_period, complaint__subject_unit__path__startswith=appraisal.organiser.path)
        .filter(~Exists(later))
        .values_list("complaint__subject_unit__path", "rating")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return _rolled_up(rows, paths)


def _deadlines(appraisal: Appraisal, start, end, paths: set[str]) -> dict[str, Counter]:
    """Resolve deadlines of complaints due in the period: how many, how many met by their due time.

    One still open and not yet due cannot be judged: left out. One open and past due is missed.
    """
    subject_path = Complaint.objects.filter(pk=OuterRef("object_id")).values("subject_unit__path")[:1]
    rows = (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint),
            kind__in=ON_TIME_KINDS,
            due_at__gte=start,
            due_at__lt=end,
        )
        .exclude(met_at__isnull=True, due_at__gt=timezone.now())
        .annotate(subject_path=Subquery(subject_path))
        .filter(subject_path__startswith=appraisal.organiser.path)
        .values_list("subject_path")
        .annotate(due=Count("pk"), met=Count("pk", filter=Q(met_at__lte=F("due_at"))))
        .order_by()
    )
    return _rolled_up(
        ((path, key, count) for path, due, met in rows for key, count in (("due", due), ("met", met))), paths
    )


def _findings(appraisal: Appraisal, start, end, paths: set[str]) -> dict[str, Counter]:
    """Complaints decided (their reply sent) in the period, and how many were found substantiated or partly.

    Partly substantiated counts in full: part of what the petitioner said was true, so the
    unit's conduct was at fault; the explanation shows both counts apart.
    """
    rows = (
        Complaint.objects.filter(
            _DECISION_STANDS,
            subject_unit__path__startswith=appraisal.organiser.path,
            replied_at__gte=start,
            replied_at__lt=end,
        )
        .values_list("subject_unit__path")
        .annotate(
            decided=Count("pk"),
            substantiated=Count("pk", filter=Q(finding=Finding.SUBSTANTIATED)),
            partly=Count("pk", filter=Q(finding=Finding.PARTLY_SUBSTANTIATED)),
        )
        .order_by()
    )
    keys = ("decided", "substantiated", "partly")
    return _rolled_up(((row[0], key, count) for row in rows for key, count in zip(keys, row[1:], strict=True)), paths)


def _pledges(appraisal: Appraisal, unit_ids: list[int]) -> dict[int, tuple[int, Decimal, Decimal]]:
    """Each unit's own assessed pledges of the year: how many, points given, points possible."""
    out_of = Pledge.objects.filter(pk=OuterRef("pk")).annotate(total=Sum("items__weight")).values("total")[:1]
    rows = (
        Pledge.objects.filter(year=appraisal.year, state=PledgeState.ASSESSED, unit__in=unit_ids)
        .annotate(out_of=Subquery(out_of))
        .values_list("unit_id", "total_score", "out_of")
    )
    by_unit: dict[int, tuple[int, Decimal, Decimal]] = {}
    for unit_id, points, possible in rows:
        count, total, maximum = by_unit.get(unit_id, (0, Decimal(0), Decimal(0)))
        by_unit[unit_id] = (count + 1, total + (points or 0), maximum + (possible or 0))
    return by_unit


def appraisal_figures(appraisal: Appraisal, appraised: list[AppraisedUnit]) -> dict[int, dict]:
    """Every part's figures for each appraised unit (by AppraisedUnit id): five grouped queries in all.

    Caller has checked permission. ``appraised`` come with their units.
    """
    start, end = _period(appraisal)
    paths = {row.unit.path for row in appraised}
    responses = _responses(appraisal)
    ratings = _ratings(appraisal, start, end, paths)
    deadlines = _deadlines(appraisal, start, end, paths)
    findings = _findings(appraisal, start, end, paths)
    pledges = _pledges(appraisal, [row.unit_id for row in appraised])
    figures = {}
    for row in appraised:
        path = row.unit.path
        parts = {
            group.value: scoring.questionnaire_part(*responses.get((row.pk, group.value), (None, 0)))
            for group in INVITED_GROUPS
        }
        found, due = findings.get(path, Counter()), deadlines.get(path, Counter())
        parts |= {
            "petitioner": scoring.petitioner_part(ratings.get(path, Counter())),
            "on_time": scoring.on_time_part(due["due"], due["met"]),
            "substantiated": scoring.substantiated_part(
                found["decided"], found["substantiated"], found["partly"], appraisal.substantiated_penalty
            ),
            "pledge": scoring.pledge_part(*pledges.get(row.unit_id, (0, None, None))),
        }
        figures[row.pk] = parts
    return figures


@transaction.atomic
def appraisal_score(*, actor, appraisal_id: int) -> Appraisal:
    """closed → scored: every unit's composite score, rank in its group, grade, and whether it must rectify.

    Steps: lock the appraisal and check the transition (scoring twice is refused: it is no
    longer closed); read the figures of all units (appraisal_figures); combine each unit's
    parts (scoring.composite) and grade it; rank each ranking group and mark who must
    rectify (scoring.rank_groups); store all units in one bulk update with their history.
    """
    appraisal = _locked(appraisal_id)
    APPRAISAL_TRANSITIONS["score"].check(appraisal, actor)
    # The appraisal's lock covers its units: every service that changes them takes it first.
    appraised = list(appraisal.appraised_units.select_related("unit"))
    figures = appraisal_figures(appraisal, appraised)
    weights = appraisal.weights
    for row in appraised:
        result = scoring.composite(figures[row.pk], weights)
        row.score, row.parts = result.score, result.parts
        row.grade = scoring.grade_for(
            result.score, satisfied_from=appraisal.grade_satisfied_from, basic_from=appraisal.grade_basic_from
        )
    placed = scoring.rank_groups(
        {row.pk: (row.ranking_group, row.score, row.grade) for row in appraised},
        rectify_bottom=appraisal.rectify_bottom,
    )
    for row in appraised:
        row.rank, row.to_rectify = placed[row.pk].rank, placed[row.pk].to_rectify
    AppraisedUnit.objects.bulk_update(appraised, ["score", "rank", "grade", "parts", "to_rectify"], batch_size=500)
    history_record(AppraisedUnit, [row.pk for row in appraised], update=True, user=actor)
    appraisal.score()
    appraisal.scored_at = timezone.now()
    appraisal._history_user = actor
    appraisal.save(update_fields=["state", "scored_at"])
    return appraisal


def _rectification_description(appraisal: Appraisal, row: AppraisedUnit, group_size: int) -> str:
    values = {
        "appraisal": appraisal.name,
        "group": row.ranking_group or _("all units"),
        "rank": row.rank,
        "count": group_size,
        "score": row.score,
        "grade": Grade(row.grade).label,
    }
    return (
        _(
            "%(appraisal)s: ranked %(rank)s of %(count)s (%(group)s) with %(score)s points, graded “%(grade)s”. "
            "Find the causes of the public's dissatisfaction and correct them."
        )
        % values
    )


@transaction.atomic
def appraisal_publish(*, actor, appraisal_id: int) -> Appraisal:
    """scored → published, approved by a leader of the organiser: the results go public and
    every unit that must rectify gets a rectification item, due in rectify_within_days, in the
    deadline ledger (through rectification_item_add, as any other item).

    The appraisal's lock makes it once only: a second publication, concurrent or later, finds
    it published and is refused, so no unit gets a second item.
    """
    appraisal = _locked(appraisal_id)
    APPRAISAL_TRANSITIONS["publish"].check(appraisal, actor)
    rows = list(appraisal.appraised_units.select_related("unit").order_by("ranking_group", "rank", "unit__path"))
    group_sizes = Counter(row.ranking_group for row in rows if row.rank is not None)
    due_on = timezone.localdate() + datetime.timedelta(days=appraisal.rectify_within_days)
    for row in rows:
        if row.to_rectify:
            rectification_item_add(
                actor=actor,
                responsible_unit=row.unit,
                description=_rectification_description(appraisal, row, group_sizes[row.ranking_group]),
                due_on=due_on,
            )
    appraisal.publish()
    appraisal.published_at = timezone.now()
    appraisal.published_by = actor
    appraisal._history_user = actor
    appraisal.save(update_fields=["state", "published_at", "published_by"])
    return appraisal
