"""Reads for the results of appraisals: pages, export and API."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from ..models import INVITED_GROUPS, PARTS, Answer, Appraisal, AppraisedUnit, Grade, QuestionItem, Response
from ..scoring import PART_LABELS, rounded

# The most comments of each group a unit's report lists.
COMMENTS_SHOWN = 200


def appraisal_list_for_user(*, user) -> QuerySet:
    """Appraisals organised in the user's scope, newest year first."""
    return Appraisal.objects.visible_to(user).select_related("organiser")


def appraisal_get_for_user(*, user, pk: int) -> Appraisal:
    """An appraisal in the user's scope; Appraisal.DoesNotExist otherwise (a 404 for the caller)."""
    return appraisal_list_for_user(user=user).select_related("questionnaire", "published_by").get(pk=pk)


def appraisal_public_list() -> QuerySet:
    return Appraisal.objects.published().select_related("organiser")


def appraisal_get_public(*, pk: int) -> Appraisal:
    """A published appraisal; Appraisal.DoesNotExist for any other, whatever its state."""
    return appraisal_public_list().get(pk=pk)


def results_rows(appraisal: Appraisal) -> QuerySet:
    """The appraisal's units with their results: by ranking group, rank, then the units without a score."""
    return (
        AppraisedUnit.objects.filter(appraisal=appraisal)
        .select_related("unit")
        .order_by("ranking_group", F("rank").asc(nulls_last=True), "unit__path")
    )


@dataclass
class RankingGroup:
    name: str
    rows: list[AppraisedUnit] = field(default_factory=list)

    @property
    def chart(self) -> dict:
        """The group's scored units for the bar chart (static/js/appraisal-charts.js)."""
        scored = [row for row in self.rows if row.score is not None]
        return {
            "group": self.name,
            "units": [row.unit.name for row in scored],
            "scores": [float(row.score) for row in scored],
        }


def results_by_group(rows) -> list[RankingGroup]:
    """The rows (results_rows) by ranking group, the groups in the order their first unit was put under appraisal."""
    groups: dict[str, RankingGroup] = {}
    # Django's get_grade_display hashes every lazy label on each call: once per page here.
    labels = {grade.value: str(grade.label) for grade in Grade}
    for row in rows:
        row.grade_label = labels.get(row.grade, "")
        groups.setdefault(row.ranking_group, RankingGroup(row.ranking_group)).rows.append(row)
    return sorted(groups.values(), key=lambda group: min(row.pk for row in group.rows))


@dataclass
class ItemAverage:
    item: QuestionItem
    answers: int
    # Points out of 100, as the questionnaire's score counts the answers.
    average: Decimal | None


def unit_item_averages(appraised: AppraisedUnit) -> dict[str, list[ItemAverage]]:
    """Per group that answered, each question's average points over that group's answers to it.

    One grouped query (answers counted per group, item and value); the points of each value
    are the item's scale's.
    """
    items = list(QuestionItem.objects.filter(questionnaire_id=appraised.appraisal.questionnaire_id))
    counts = (
        Answer.objects.filter(response__appraised_unit=appraised)
        .values_list("response__group", "item_id", "value")
        .annotate(count=Count("pk"))
        .order_by()
    )
    tally: dict[tuple[str, int], Counter] = defaultdict(Counter)
    for group, item_id, value, count in counts:
        tally[group, item_id][value] += count
    averages = {}
    for group in INVITED_GROUPS:
        if not any((group.value, item.pk) in tally for item in items):
            continue
        row = []
        for item in items:
            values = tally.get((group.value, item.pk), Counter())
            answers = sum(values.values())
            points = sum((item.points(value) or 0) * count for value, count in values.items())
            row.append(ItemAverage(item, answers, rounded(Decimal(points) / answers) if answers else None))
        averages[group.value] = row
    return averages


def unit_comments(appraised: AppraisedUnit) -> dict[str, list[str]]:
    """The comments left on the unit, by group: the text only, nothing of who or when (anonymous)."""
    comments = {}
    for group in INVITED_GROUPS:
        texts = list(
            Response.objects.filter(appraised_unit=appraised, group=group)
            .exclude(comment="")
            .order_by("pk")
            .values_list("comment", flat=True)[:COMMENTS_SHOWN]
        )
        if texts:
            comments[group.value] = texts
    return comments


def part_heading(part: str, what) -> str:
    """A column heading for one figure of a part: "服务对象评议 · 得分"."""
    return f"{PART_LABELS[part]} · {what}"


@dataclass
class PartExplained:
    label: str
    score: str | None
    weight: int
    effective_weight: str
    contribution: str
    counted: bool
    # The figures behind the score in words, or why the part did not count.
    explanation: str


def _figures_text(part: str, figures: dict) -> str:
    if part in ("supervisor", "representative", "service_user"):
        return _("Responses: %(responses)s.") % figures
    if part == "petitioner":
        return (
            _(
                "Ratings: %(ratings)s (satisfied %(satisfied)s, basically satisfied %(basically_satisfied)s, "
                "dissatisfied %(dissatisfied)s); each case's latest rating only."
            )
            % figures
        )
    if part == "on_time":
        return _("Deadlines due: %(due)s; met on time: %(met)s.") % figures
    if part == "substantiated":
        return (
            _(
                "Complaints decided: %(decided)s; substantiated %(substantiated)s, partly substantiated "
                "%(partly_substantiated)s; %(penalty)s points off for each."
            )
            % figures
        )
    return _("Assessed pledges: %(pledges)s; %(points)s of %(out_of)s points.") % figures


def parts_explained(parts: dict) -> list[PartExplained]:
    """Each part of a stored score (evaluations.scoring's keys) with its figures in words, in the order of PARTS."""
    explained = []
    for part in PARTS:
        stored = parts.get(part)
        if stored is None:
            continue
        if stored["score"] is None:
            explanation = _("No data: left out, and its weight spread over the parts with data.")
        elif not stored["counted"]:
            explanation = _("Its weight is 0: not counted.") + " " + _figures_text(part, stored["figures"])
        else:
            explanation = _figures_text(part, stored["figures"])
        explained.append(
            PartExplained(
                label=str(PART_LABELS[part]),
                score=stored["score"],
                weight=stored["weight"],
                effective_weight=stored["effective_weight"],
                contribution=stored["contribution"],
                counted=stored["counted"],
                explanation=explanation,
            )
        )
    return explained
