"""Reads for the pages that run appraisals, questionnaires and appointed evaluators, scoped to the user."""

from collections import defaultdict

from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from .models import (
    INVITED_GROUPS,
    Appraisal,
    AppraisalState,
    AppraisedUnit,
    Evaluator,
    EvaluatorGroup,
    Invitation,
    Observation,
    Questionnaire,
    Response,
)


def appraisal_list_for_user(*, user, year: int | None = None, state: str = "") -> QuerySet:
    appraisals = (
        Appraisal.objects.visible_to(user)
        .select_related("organiser", "questionnaire")
        .annotate(unit_count=Count("appraised_units"))
    )
    if year:
        appraisals = appraisals.filter(year=year)
    if state:
        appraisals = appraisals.filter(state=state)
    return appraisals.order_by("-year", "-pk")


def appraisal_get_for_user(*, user, pk: int) -> Appraisal:
    """An appraisal in scope, its questions read once for the page and open_problems; DoesNotExist otherwise."""
    return (
        Appraisal.objects.visible_to(user)
        .select_related("organiser", "questionnaire")
        .prefetch_related("questionnaire__items")
        .get(pk=pk)
    )


def appraised_units_with_counts(*, appraisal: Appraisal) -> dict[str, list[AppraisedUnit]]:
    """The units under appraisal by ranking group, each with ``responses`` and ``invitations``
    per invited group: counts only, never a response itself (they are anonymous).

    Three queries whatever the number of units: the units, then one grouped count each of
    responses and invitations.
    """
    units = list(appraisal.appraised_units.select_related("unit").order_by("ranking_group", "unit__path"))
    responses: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Response.objects.filter(appraisal=appraisal)
        .values("appraised_unit_id", "group")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        responses[row["appraised_unit_id"]][row["group"]] = row["n"]
    invitations: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        Invitation.objects.filter(appraisal=appraisal)
        .values("appraised_unit_id", "group")
        .annotate(n=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False)))
        .order_by()
    ):
        invitations[row["appraised_unit_id"]][row["group"]] = (row["used"], row["n"])
    grouped: dict[str, list[AppraisedUnit]] = defaultdict(list)
    for appraised in units:
        appraised.counts = [
            {
                "group": EvaluatorGroup(group).label,
                "responses": responses[appraised.pk].get(group, 0),
                "used": invitations[appraised.pk].get(group, (0, 0))[0],
                "issued": invitations[appraised.pk].get(group, (0, 0))[1],
            }
            for group in INVITED_GROUPS
        ]
        grouped[appraised.ranking_group].append(appraised)
    return dict(grouped)


def questionnaire_list() -> QuerySet:
    """Every questionnaire: they are templates shared by all appraisals; with their questions' count and weights."""
    return (
        Questionnaire.objects.select_related("created_by")
        .annotate(
            item_count=Count("items"),
            weight_total=Coalesce(Sum("items__weight"), Value(0), output_field=IntegerField()),
        )
        .order_by("-created_at", "-pk")
    )


def questionnaire_get(*, pk: int) -> Questionnaire:
    return Questionnaire.objects.select_related("created_by").prefetch_related("items").get(pk=pk)


def evaluator_list_for_user(*, user) -> QuerySet:
    return (
        Evaluator.objects.visible_to(user)
        .select_related("user", "appointed_by")
        .prefetch_related("observes")
        .order_by("appointed_by__path", "user__display_name", "pk")
    )


def evaluator_invitations(*, user) -> tuple[list[Invitation], list[Invitation]]:
    """The user's own codes in appraisals open now: (not yet answered, answered)."""
    invitations = list(
        Invitation.objects.filter(issued_to=user, appraisal__state=AppraisalState.OPEN)
        .select_related("appraisal", "appraised_unit__unit")
        .order_by("appraisal__closes_at", "appraised_unit__unit__path")
    )
    return [i for i in invitations if i.used_at is None], [i for i in invitations if i.used_at is not None]


def observations_of(*, user) -> QuerySet:
    """The observations the user filed as a conduct supervisor, newest first, with their cases."""
    return (
        Observation.objects.filter(evaluator__user=user)
        .select_related("complaint", "complaint__subject_unit", "complaint__category")
        .order_by("-filed_at", "-pk")
    )
