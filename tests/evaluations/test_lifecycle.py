"""Preparing and opening an appraisal: what must hold, and what opening fixes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from evaluations.models import Appraisal, AppraisalState, Evaluator, EvaluatorGroup, Invitation
from evaluations.services.appraisals import (
    appraisal_close,
    appraisal_create,
    appraisal_open,
    appraisal_unit_remove,
    appraisal_units_add,
    appraisal_update,
)
from jiufeng.roles import Role
from tests.factories import UserFactory, unit_add

pytestmark = pytest.mark.django_db


def test_weights_that_do_not_sum_to_100_are_refused_with_the_sum(appraisal, cast):
    with pytest.raises(ValidationError) as refused:
        appraisal_update(actor=cast.county_officer, appraisal_id=appraisal.pk, weight_pledge=20)
    assert "115" in str(refused.value)
    appraisal.refresh_from_db()
    assert appraisal.weight_pledge == 5


def test_the_database_refuses_weights_off_100_even_past_the_service(appraisal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appraisal.objects.filter(pk=appraisal.pk).update(weight_supervisor=0)


def test_grades_and_dates_out_of_order_are_refused(appraisal, cast):
    with pytest.raises(ValidationError) as refused:
        appraisal_update(
            actor=cast.county_officer,
            appraisal_id=appraisal.pk,
            grade_basic_from=90,
            closes_at=appraisal.opens_at - datetime.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"grade_basic_from", "closes_at"}


def test_units_outside_the_organisers_subtree_are_refused(appraisal, cast, units):
    elsewhere = unit_add(parent=None, name="邻县")
    with pytest.raises(ValidationError):
        appraisal_units_add(actor=cast.county_officer, appraisal_id=appraisal.pk, units=[elsewhere])
    assert appraisal.appraised_units.count() == 3


def test_only_who_handles_in_the_organiser_prepares_an_appraisal(questionnaire, cast):
    with pytest.raises((PermissionDenied, Http404)):
        appraisal_create(
            actor=cast.bureau_officer,
            organiser=cast.units.county,
            questionnaire=questionnaire,
            name="x",
            year=2026,
            opens_at=timezone.now(),
            closes_at=timezone.now() + datetime.timedelta(days=1),
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
        )


def test_opening_freezes_the_questionnaire_and_gives_serving_evaluators_their_codes(appraisal, cast, appraised):
    today = timezone.localdate()
    serving = UserFactory(roles=[Role.EVALUATOR])
    Evaluator.objects.create(
        user=serving, appointed_by=cast.units.county, term_start=today, term_end=today + datetime.timedelta(days=700)
    )
    observing_one = UserFactory(roles=[Role.EVALUATOR])
    deputy = Evaluator.objects.create(
        user=observing_one,
        group=EvaluatorGroup.REPRESENTATIVE,
        appointed_by=cast.units.county,
        term_start=today,
        term_end=today,
    )
    deputy.observes.add(cast.units.school)
    retired = UserFactory(roles=[Role.EVALUATOR])
    Evaluator.objects.create(
        user=retired,
        appointed_by=cast.units.county,
        term_start=today - datetime.timedelta(days=800),
        term_end=today - datetime.timedelta(days=1),
    )

    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)

    appraisal.refresh_from_db()
    appraisal.questionnaire.refresh_from_db()
    assert appraisal.state == AppraisalState.OPEN
    assert appraisal.questionnaire.frozen_at is not None
    assert Invitation.objects.filter(issued_to=serving).count() == 3
    assert list(Invitation.objects.filter(issued_to=observing_one).values_list("appraised_unit", "group")) == [
        (appraised.school.pk, EvaluatorGroup.REPRESENTATIVE)
    ]
    assert not Invitation.objects.filter(issued_to=retired).exists()
    codes = list(Invitation.objects.values_list("code", flat=True))
    assert len(set(codes)) == 4 and all(len(code) == 10 for code in codes)


def test_an_open_appraisal_is_no_longer_changed(appraisal, cast, appraised):
    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    with pytest.raises(ValidationError):
        appraisal_update(actor=cast.county_officer, appraisal_id=appraisal.pk, name="改名")
    with pytest.raises(ValidationError):
        appraisal_unit_remove(
            actor=cast.county_officer, appraisal_id=appraisal.pk, appraised_unit_id=appraised.school.pk
        )
    with pytest.raises(TransitionNotAllowed):
        appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    appraisal.refresh_from_db()
    assert appraisal.name == "2026年度民主评议政风行风"


def test_a_questionnaire_whose_weights_are_off_cannot_open(appraisal, cast, questionnaire):
    questionnaire.items.filter(position=1).update(weight=10)
    with pytest.raises(ValidationError) as refused:
        appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    assert "70" in str(refused.value)
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.DRAFT


def test_without_units_or_after_its_period_it_cannot_open(appraisal, cast, appraised):
    for appraised_unit in (appraised.bureau, appraised.sibling, appraised.school):
        appraisal_unit_remove(actor=cast.county_officer, appraisal_id=appraisal.pk, appraised_unit_id=appraised_unit.pk)
    Appraisal.objects.filter(pk=appraisal.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=30), closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as refused:
        appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    assert len(refused.value.messages) == 2


def test_a_leader_of_another_unit_cannot_close_it(appraisal, cast):
    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    with pytest.raises(PermissionDenied):
        appraisal_close(actor=cast.bureau_leader, appraisal_id=appraisal.pk)
    appraisal_close(actor=cast.county_officer, appraisal_id=appraisal.pk)
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.CLOSED
