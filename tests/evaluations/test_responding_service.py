"""Answering with a code (response_submit) and making codes (invitation_batch_create): the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from evaluations.codes import InvitationNotFound, InvitationRefused, code_normalise
from evaluations.models import Answer, Appraisal, AppraisalState, EvaluatorGroup, Invitation, QuestionItem, Response
from evaluations.services.appraisals import appraisal_close
from evaluations.services.responding import invitation_batch_create, response_submit

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.responding_fixtures"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _nothing_stored():
    return Response.objects.count() == 0 and Answer.objects.count() == 0


def test_a_response_is_scored_by_the_weights_and_uses_the_code(code, full_answers, appraised):
    response = response_submit(code=code, answers=full_answers, comment="  窗口人员态度很好  ")
    assert response.score == Decimal("80.50")
    assert (response.appraised_unit_id, response.group) == (appraised.bureau.pk, EvaluatorGroup.SERVICE_USER)
    assert response.comment == "窗口人员态度很好"
    assert sorted(response.answers.values_list("value", flat=True)) == [2, 3, 4]
    assert Invitation.objects.get(code=code).used_at is not None


@pytest.mark.parametrize("spelling", ["lower", "dashes", "spaces"])
def test_a_code_typed_in_small_letters_with_dashes_or_spaces_is_the_same_code(code, full_answers, spelling):
    typed = {
        "lower": code.lower(),
        "dashes": f"{code[:5]}-{code[5:]}",
        "spaces": f"  {code[:3]} {code[3:6]} {code[6:]} ",
    }[spelling]
    assert code_normalise(typed) == code
    response_submit(code=typed, answers=full_answers, comment="")
    assert Response.objects.count() == 1


def test_an_optional_question_left_out_counts_neither_for_nor_against(code, items, opened):
    QuestionItem.objects.filter(pk=items["办事效率"].pk).update(required=False)
    response = response_submit(code=code, answers={items["工作作风"].pk: 3, items["服务态度"].pk: 1}, comment="")
    # (100×40 + 0×30) / 70, not / 100.
    assert response.score == Decimal("57.14")
    assert response.answers.count() == 2


def test_every_answer_at_the_bottom_scores_0_and_at_the_top_100(make_codes, items):
    low, high = make_codes(2)
    assert response_submit(code=low, answers={item.pk: 1 for item in items.values()}, comment="").score == 0
    best = {item.pk: max(item.values) for item in items.values()}
    assert response_submit(code=high, answers=best, comment="").score == 100


def test_a_used_code_is_refused_as_used_and_nothing_more_is_stored(code, full_answers):
    response_submit(code=code, answers=full_answers, comment="")
    with pytest.raises(InvitationRefused) as refused:
        response_submit(code=code, answers=full_answers, comment="")
    assert refused.value.used
    assert "already been used" in refused.value.message
    assert Response.objects.count() == 1


@pytest.mark.parametrize("unknown", ["", "ABCDEFGHJK", "0000000000", "A" * 1000, "<script>"])
def test_an_unknown_or_malformed_code_is_not_found(opened, full_answers, unknown):
    with pytest.raises(InvitationNotFound):
        response_submit(code=unknown, answers=full_answers, comment="")
    assert _nothing_stored()


def test_no_response_after_the_appraisal_closes(code, full_answers, opened, cast):
    appraisal_close(actor=cast.county_officer, appraisal_id=opened.pk)
    with pytest.raises(InvitationRefused) as refused:
        response_submit(code=code, answers=full_answers, comment="")
    assert not refused.value.used and "closed" in refused.value.message
    assert _nothing_stored()
    assert Invitation.objects.get(code=code).used_at is None


def test_no_response_outside_the_period_though_the_appraisal_is_open(code, full_answers, opened):
    now = timezone.now()
    Appraisal.objects.filter(pk=opened.pk).update(
        opens_at=now - datetime.timedelta(days=1), closes_at=now - datetime.timedelta(seconds=1)
    )
    with pytest.raises(InvitationRefused, match="closed"):
        response_submit(code=code, answers=full_answers, comment="")
    Appraisal.objects.filter(pk=opened.pk).update(
        opens_at=now + datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=2)
    )
    with pytest.raises(InvitationRefused, match="not open"):
        response_submit(code=code, answers=full_answers, comment="")
    assert _nothing_stored()


def test_a_code_of_a_draft_appraisal_cannot_answer_yet(appraisal, appraised, cast):
    [invitation] = invitation_batch_create(
        actor=cast.county_officer,
        appraisal_id=appraisal.pk,
        appraised_unit_id=appraised.school.pk,
        group=EvaluatorGroup.REPRESENTATIVE,
        count=1,
    )
    assert appraisal.state == AppraisalState.DRAFT
    with pytest.raises(InvitationRefused, match="not open"):
        response_submit(code=invitation.code, answers={}, comment="")


def test_bad_answers_are_named_per_question_and_nothing_is_stored(code, items):
    attitude, conduct, speed = items["服务态度"], items["工作作风"], items["办事效率"]
    with pytest.raises(ValidationError) as refused:
        response_submit(
            code=code,
            answers={conduct.pk: 4, speed.pk: True, 999999: 3},
            comment="长" * 1001,
        )
    errors = refused.value.message_dict
    assert set(errors) == {
        f"item_{conduct.pk}",
        f"item_{attitude.pk}",
        f"item_{speed.pk}",
        "item_999999",
        "comment",
    }
    assert "3 / 2 / 1" in errors[f"item_{conduct.pk}"][0]
    assert "answer this question" in errors[f"item_{attitude.pk}"][0]
    assert "1001" in errors["comment"][0] and "1000" in errors["comment"][0]
    assert _nothing_stored()
    assert Invitation.objects.get(code=code).used_at is None


def test_no_answer_at_all_to_an_all_optional_questionnaire_is_refused(code, opened):
    opened.questionnaire.items.update(required=False)
    with pytest.raises(ValidationError, match="at least one"):
        response_submit(code=code, answers={}, comment="")
    assert _nothing_stored()


# --- Anonymity ------------------------------------------------------------------------------


def test_nothing_stored_with_a_response_leads_back_to_the_code_its_holder_or_a_time(code, full_answers, cast):
    invitation = Invitation.objects.get(code=code)
    response = response_submit(code=code, answers=full_answers, comment="")
    for model in (Response, Answer):
        for field in model._meta.concrete_fields:
            assert field.get_internal_type() not in {"DateTimeField", "DateField", "TimeField"}, field
            target = field.related_model
            assert target is None or target._meta.label not in {"evaluations.Invitation", "auth.User"}, field
    # No history table for either: simple-history would record a user and a time.
    assert not hasattr(Response, "history") and not hasattr(Answer, "history")
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert not [table for table in tables if "historicalresponse" in table or "historicalanswer" in table]
    # The response's random key says nothing of its order.
    assert response.pk.version == 4
    # The invitation's history: that it was used, and no more.
    latest, created = invitation.history.order_by("-history_id")[:2]
    assert latest.used_at is not None and created.used_at is None
    fields = [field.attname for field in Invitation._meta.concrete_fields]
    changed = [name for name in fields if getattr(latest, name) != getattr(created, name)]
    assert changed == ["used_at"]
    assert latest.history_user is None


# --- Batches of codes -----------------------------------------------------------------------


def test_a_batch_makes_that_many_unused_codes_for_one_unit_and_group(opened, appraised, cast):
    made = invitation_batch_create(
        actor=cast.county_officer,
        appraisal_id=opened.pk,
        appraised_unit_id=appraised.sibling.pk,
        group=EvaluatorGroup.REPRESENTATIVE,
        count=25,
    )
    assert len({invitation.code for invitation in made}) == 25
    stored = Invitation.objects.filter(appraised_unit=appraised.sibling, group=EvaluatorGroup.REPRESENTATIVE)
    assert stored.count() == 25 and not stored.filter(used_at__isnull=False).exists()
    assert not stored.filter(issued_to__isnull=False).exists()
    assert Invitation.history.filter(code__in=[i.code for i in made], history_type="+").count() == 25


@pytest.mark.parametrize(
    "change, field",
    [
        ({"count": 0}, "count"),
        ({"count": 501}, "count"),
        ({"count": -5}, "count"),
        ({"count": "10"}, "count"),
        ({"group": EvaluatorGroup.SUPERVISOR}, "group"),
        ({"group": EvaluatorGroup.PETITIONER}, "group"),
        ({"group": "<script>"}, "group"),
        ({"appraised_unit_id": 0}, "appraised_unit"),
    ],
)
def test_a_bad_batch_is_refused_with_the_field_named(opened, appraised, cast, change, field):
    given = {"appraised_unit_id": appraised.bureau.pk, "group": EvaluatorGroup.SERVICE_USER, "count": 10, **change}
    with pytest.raises(ValidationError) as refused:
        invitation_batch_create(actor=cast.county_officer, appraisal_id=opened.pk, **given)
    assert set(refused.value.message_dict) == {field}
    assert not Invitation.objects.exists()


def test_a_unit_not_under_the_appraisal_is_not_taken(opened, cast, appraised):
    with pytest.raises(ValidationError):
        invitation_batch_create(
            actor=cast.county_officer,
            appraisal_id=opened.pk,
            appraised_unit_id=appraised.bureau.pk + 1000,
            group=EvaluatorGroup.SERVICE_USER,
            count=1,
        )


def test_only_who_runs_the_appraisal_makes_codes(opened, appraised, cast):
    for outsider in (cast.bureau_officer, cast.bureau_leader, cast.auditor):
        with pytest.raises(PermissionDenied):
            invitation_batch_create(
                actor=outsider,
                appraisal_id=opened.pk,
                appraised_unit_id=appraised.bureau.pk,
                group=EvaluatorGroup.SERVICE_USER,
                count=1,
            )
    assert not Invitation.objects.exists()


def test_no_codes_once_the_appraisal_has_closed(opened, appraised, cast):
    appraisal_close(actor=cast.county_officer, appraisal_id=opened.pk)
    with pytest.raises(ValidationError, match="only before and while"):
        invitation_batch_create(
            actor=cast.county_officer,
            appraisal_id=opened.pk,
            appraised_unit_id=appraised.bureau.pk,
            group=EvaluatorGroup.SERVICE_USER,
            count=1,
        )
