"""The composite score's arithmetic: figures in, parts, score, rank, grade and who must rectify out.

Pure functions over plain values, no queries: evaluations.services.scoring gathers the
figures (set-based, for every unit at once) and stores what these return.

``AppraisedUnit.parts`` holds, for each part of PARTS (in that order), a dict with these
stable keys, which the API returns as they are:

- ``score``: the part's score out of 100 (a decimal string, 2 places), or null without data;
- ``weight``: the appraisal's weight of the part, in percent (an integer);
- ``effective_weight``: the weight it counted with once the parts without data were left
  out and their weight spread proportionally over the others (a decimal string; "0.00"
  when left out);
- ``contribution``: points it added to the composite score, score × effective weight
  (a decimal string; "0.00" when left out);
- ``counted``: whether it counted (it has data and a weight above 0);
- ``figures``: the counts behind the score, by part:
  questionnaire groups ``{"responses"}``; petitioner
  ``{"ratings", "satisfied", "basically_satisfied", "dissatisfied"}``; on_time
  ``{"due", "met"}``; substantiated ``{"decided", "substantiated", "partly_substantiated",
  "penalty"}``; pledge ``{"pledges", "points", "out_of"}``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .models import PARTS, SCALE_POINTS, Grade, Scale

# What each part is called where the score is explained, in the order of PARTS.
PART_LABELS = {
    "supervisor": _("Conduct supervisors' rating"),
    "representative": _("Deputies' and CPPCC members' rating"),
    "service_user": _("Service users' rating"),
    "petitioner": _("Petitioners' satisfaction"),
    "on_time": _("Complaints resolved on time"),
    "substantiated": _("Substantiated complaints"),
    "pledge": _("Pledge assessment"),
}

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# A petitioner's rating counts as a three-level answer does (满意 100, 基本满意 60, 不满意 0).
_THREE_LEVEL = SCALE_POINTS[Scale.THREE_LEVEL]
RATING_POINTS = {"satisfied": _THREE_LEVEL[3], "basically_satisfied": _THREE_LEVEL[2], "dissatisfied": _THREE_LEVEL[1]}


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(rounded(value))


@dataclass
class PartFigures:
    """One part of one unit before weighting: its score out of 100 (None: no data) and the counts behind it."""

    score: Decimal | None
    figures: dict = field(default_factory=dict)


def questionnaire_part(average: Decimal | None, responses: int) -> PartFigures:
    """A group's part: the average of its responses' scores (each already weighted by the questionnaire)."""
    return PartFigures(None if not responses else rounded(Decimal(average)), {"responses": responses})


def petitioner_part(counts: dict[str, int]) -> PartFigures:
    ratings = sum(counts.get(level, 0) for level in RATING_POINTS)
    figures = {"ratings": ratings, **{level: counts.get(level, 0) for level in RATING_POINTS}}
    if not ratings:
        return PartFigures(None, figures)
    points = sum(RATING_POINTS[level] * counts.get(level, 0) for level in RATING_POINTS)
    return PartFigures(rounded(points / ratings), figures)


def on_time_part(due: int, met: int) -> PartFigures:
    return PartFigures(rounded(HUNDRED * met / due) if due else None, {"due": due, "met": met})


def substantiated_part(decided: int, substantiated: int, partly: int, penalty: Decimal) -> PartFigures:
    """100 less ``penalty`` per complaint found substantiated or partly substantiated, never below 0.

    Without a complaint decided in the period there is no figure: the part is left out
    rather than given full marks, so that a unit nobody complained about is scored on the
    evidence it has, not lifted by the absence of it.
    """
    figures = {
        "decided": decided,
        "substantiated": substantiated,
        "partly_substantiated": partly,
        "penalty": str(rounded(penalty)),
    }
    if not decided:
        return PartFigures(None, figures)
    return PartFigures(rounded(max(Decimal(0), HUNDRED - penalty * (substantiated + partly))), figures)


def pledge_part(pledges: int, points: Decimal | None, out_of: Decimal | None) -> PartFigures:
    figures = {"pledges": pledges, "points": _text(points), "out_of": _text(out_of)}
    if not pledges or not out_of:
        return PartFigures(None, figures)
    return PartFigures(rounded(HUNDRED * points / out_of), figures)


@dataclass
class UnitScore:
    """One unit's composite: its score (None: no data at all) and its parts as stored (the module's keys)."""

    score: Decimal | None
    parts: dict


def composite(figures: dict[str, PartFigures], weights: dict[str, int]) -> UnitScore:
    """Σ part score × effective weight, the weights of the parts without data spread over the rest.

    Steps: 1. the parts that count are those with a score and a weight above 0; 2. each
    counts with its weight × 100 / the sum of the counted weights; 3. the composite is the
    sum of score × effective weight / 100, rounded half up to 2 places once, at the end (the
    contributions shown are rounded on their own, so they may sum to a cent off).
    """
    counted = [part for part in PARTS if figures[part].score is not None and weights[part] > 0]
    total_weight = sum(weights[part] for part in counted)
    parts, score = {}, Decimal(0)
    for part in PARTS:
        effective = HUNDRED * weights[part] / total_weight if part in counted else Decimal(0)
        contribution = figures[part].score * effective / HUNDRED if part in counted else Decimal(0)
        score += contribution
        parts[part] = {
            "score": _text(figures[part].score),
            "weight": weights[part],
            "effective_weight": _text(effective),
            "contribution": _text(contribution),
            "counted": part in counted,
            "figures": figures[part].figures,
        }
    return UnitScore(rounded(score) if counted else None, parts)


def grade_for(score: Decimal | None, *, satisfied_from: Decimal, basic_from: Decimal) -> str:
    if score is None:
        return ""
    if score >= satisfied_from:
        return Grade.SATISFIED
    if score >= basic_from:
        return Grade.BASICALLY_SATISFIED
    return Grade.DISSATISFIED


@dataclass
class Placed:
    """Where a unit stands in its ranking group."""

    rank: int | None
    to_rectify: bool


def rank_groups(scores: dict[int, tuple[str, Decimal | None, str]], *, rectify_bottom: int) -> dict[int, Placed]:
    """Rank each ranking group and pick who must rectify.

    ``scores``: per key (an AppraisedUnit id) its (ranking group, score, grade). Competition
    ranking within a group: equal scores share a rank and the next rank skips (1, 1, 3). A
    unit without a score has no rank. Must rectify: the ``rectify_bottom`` lowest scored units
    of each group, every unit tied with the last of them included (a tie at the cut-off cannot
    pick one over another), and every unit graded 不满意.
    """
    groups: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for key, (group, score, _grade) in scores.items():
        if score is not None:
            groups[group].append((score, key))
    placed = {key: Placed(None, False) for key in scores}
    for members in groups.values():
        members.sort(key=lambda member: member[0], reverse=True)
        previous = None
        for position, (score, key) in enumerate(members, start=1):
            if score != previous:
                rank, previous = position, score
            placed[key].rank = rank
        if rectify_bottom:
            cut_off = members[-min(rectify_bottom, len(members))][0]
            for score, key in members:
                placed[key].to_rectify = score <= cut_off
    for key, (_group, _score, grade) in scores.items():
        if grade == Grade.DISSATISFIED:
            placed[key].to_rectify = True
    return placed
