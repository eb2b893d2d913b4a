"""The pledge state machine: draft → issued → signed → assessed, amendments, the ledger, bad input."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django_fsm import TransitionNotAllowed

from jiufeng.roles import Role
from responsibility.models import (
    Deadline,
    DeadlineKind,
    Pledge,
    PledgeItem,
    PledgeSignature,
    PledgeState,
    PledgeTemplate,
    PositionKind,
)
from responsibility.services.pledges import (
    ItemScore,
    PledgeItemData,
    pledge_amend,
    pledge_assess,
    pledge_create,
    pledge_issue,
    pledge_issue_from_template,
    pledge_item_add,
    pledge_item_complete,
    pledge_item_remove,
    pledge_item_update,
    pledge_sign,
    pledge_template_create,
)
from tests.factories import PositionFactory, UserFactory, unit_add

from .pledge_helpers import YEAR, draft, issued, item, signed

pytestmark = pytest.mark.django_db


def pledge_deadlines(pledge):
    return Deadline.objects.filter(
        kind=DeadlineKind.PLEDGE_ITEM,
        content_type=ContentType.objects.get_for_model(PledgeItem),
        object_id__in=PledgeItem.objects.filter(pledge=pledge).values("pk"),
    )


def history_reasons(pledge) -> list[str]:
    return list(pledge.history.order_by("history_date").values_list("history_change_reason", flat=True))


def current_items(pledge) -> list[PledgeItemData]:
    """The pledge's items as an amendment would resend them unchanged."""
    return [
        PledgeItemData(
            id=i.pk,
            title=i.title,
            weight=i.weight,
            due_on=i.due_on,
            description=i.description,
            responsible_person=i.responsible_person,
            evidence_required=i.evidence_required,
        )
        for i in pledge.items.all()
    ]


# --- the happy path ------------------------------------------------------------------


def test_issuing_opens_one_deadline_per_item_due_at_the_end_of_its_day_in_shanghai(cast):
    pledge = draft(cast)
    pledge = pledge_issue(pledge_id=pledge.pk, actor=cast.county_leader)
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.ISSUED
    assert history_reasons(pledge)[-1] == "issue"
    deadlines = list(pledge_deadlines(pledge).order_by("due_at"))
    assert len(deadlines) == 2
    assert {d.unit_id for d in deadlines} == {cast.units.bureau.pk}
    first = deadlines[0].due_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert (first.date(), first.hour, first.minute) == (datetime.date(YEAR, 6, 30), 23, 59)


def test_the_principal_signs_and_the_text_is_frozen(cast):
    pledge = issued(cast)
    before = pledge.history.count()
    pledge_sign(pledge_id=pledge.pk, actor=cast.bureau_leader)
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.SIGNED
    assert (pledge.signed_by, pledge.version) == (cast.bureau_leader, 1)
    assert pledge.history.count() == before + 1
    assert history_reasons(pledge)[-1] == "sign"
    signature = PledgeSignature.objects.get(pledge=pledge)
    assert "教育乱收费专项治理" in signature.text and "测试县" in signature.text
    assert signature.signed_by == cast.bureau_leader


def test_an_amendment_makes_version_two_which_must_be_signed_again_and_keeps_the_first_text(cast):
    pledge = signed(cast)
    first_text = PledgeSignature.objects.get(pledge=pledge).text
    first_item = pledge.items.first()
    unchanged = current_items(pledge)
    changes = [
        replace(unchanged[0], due_on=datetime.date(YEAR, 9, 30)),
        unchanged[1],
        item("信访件按期办结率100%", weight="20", due=datetime.date(YEAR, 11, 30)),
    ]
    before = pledge.history.count()
    pledge_amend(pledge_id=pledge.pk, actor=cast.county_leader, reason="增加信访目标", items=changes)
    pledge.refresh_from_db()
    assert (pledge.state, pledge.version, pledge.signed_by) == (PledgeState.ISSUED, 2, None)
    assert pledge.history.count() == before + 1
    assert history_reasons(pledge)[-1] == "amend"
    assert pledge.items.count() == 3
    deadlines = pledge_deadlines(pledge).filter(met_at__isnull=True)
    assert deadlines.count() == 3
    moved = deadlines.get(object_id=first_item.pk)
    assert moved.due_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date() == datetime.date(YEAR, 9, 30)

    pledge_sign(pledge_id=pledge.pk, actor=cast.bureau_leader)
    signatures = list(PledgeSignature.objects.filter(pledge=pledge).order_by("version"))
    assert [s.version for s in signatures] == [1, 2]
    assert signatures[0].text == first_text
    assert "信访件按期办结率100%" in signatures[1].text and "信访件" not in first_text


def test_removing_an_item_by_amendment_closes_its_deadline(cast):
    pledge = issued(cast)
    keep = current_items(pledge)[:1]
    removed = pledge.items.last()
    pledge_amend(pledge_id=pledge.pk, actor=cast.county_leader, reason="合并目标", items=keep)
    assert not PledgeItem.objects.filter(pk=removed.pk).exists()
    assert pledge_deadlines(pledge).filter(met_at__isnull=True).count() == 1
    assert Deadline.objects.get(object_id=removed.pk, kind=DeadlineKind.PLEDGE_ITEM).met_at is not None


def test_completing_an_item_meets_its_deadline_once(cast):
    pledge = signed(cast)
    first = pledge.items.first()
    pledge_item_complete(item_id=first.pk, actor=cast.bureau_officer, evidence="会议纪要、签字名单")
    first.refresh_from_db()
    assert first.completed_at is not None and first.completed_by == cast.bureau_officer
    assert pledge_deadlines(pledge).filter(met_at__isnull=True).count() == 1
    with pytest.raises(ValidationError, match="already"):
        pledge_item_complete(item_id=first.pk, actor=cast.bureau_officer, evidence="again")


def test_assessment_scores_each_item_and_totals(cast):
    pledge = signed(cast)
    first, second = pledge.items.all()
    scores = {first.pk: ItemScore(Decimal("38.5"), "基本完成"), second.pk: ItemScore(Decimal("40"))}
    pledge_assess(pledge_id=pledge.pk, actor=cast.county_leader, scores=scores)
    pledge.refresh_from_db()
    assert (pledge.state, pledge.total_score, pledge.assessed_by) == (
        PledgeState.ASSESSED,
        Decimal("78.50"),
        cast.county_leader,
    )
    assert history_reasons(pledge)[-1] == "assess"


def test_issuing_from_a_template_drafts_one_pledge_per_active_child_and_only_once(cast):
    template = pledge_template_create(
        issuer=cast.units.county,
        actor=cast.county_officer,
        name="党风廉政建设责任书",
        year=YEAR,
        items=[item(), item("群众满意度不低于90%", weight="20")],
    )
    created = pledge_issue_from_template(template_id=template.pk, actor=cast.county_officer)
    assert {p.unit for p in created} == {cast.units.bureau, cast.units.sibling}
    assert all(p.state == PledgeState.DRAFT and p.items.count() == 2 for p in created)
    assert pledge_issue_from_template(template_id=template.pk, actor=cast.county_officer) == []


# --- refused -------------------------------------------------------------------------


def test_someone_who_is_not_the_childs_principal_cannot_sign(cast):
    pledge = issued(cast)
    other_principal = UserFactory(roles=[Role.LEADER])
    PositionFactory(user=other_principal, unit=cast.units.sibling, kind=PositionKind.PRINCIPAL)
    for user in [cast.bureau_officer, cast.county_leader, other_principal]:
        with pytest.raises(PermissionDenied):
            pledge_sign(pledge_id=pledge.pk, actor=user)
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.ISSUED and not PledgeSignature.objects.exists()


def test_a_former_principal_cannot_sign(cast):
    pledge = issued(cast)
    former = UserFactory(roles=[Role.LEADER])
    PositionFactory(
        user=former,
        unit=cast.units.bureau,
        kind=PositionKind.PRINCIPAL,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    with pytest.raises(PermissionDenied):
        pledge_sign(pledge_id=pledge.pk, actor=former)


def test_a_second_signature_is_refused(cast):
    pledge = signed(cast)
    with pytest.raises(TransitionNotAllowed):
        pledge_sign(pledge_id=pledge.pk, actor=cast.bureau_leader)
    assert PledgeSignature.objects.filter(pledge=pledge).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeSignature.objects.create(
            pledge=pledge, version=1, signed_by=cast.bureau_leader, signed_at=pledge.signed_at, text="x"
        )


def test_a_draft_cannot_be_signed_and_an_issued_one_cannot_be_assessed(cast):
    pledge = draft(cast)
    with pytest.raises(TransitionNotAllowed):
        pledge_sign(pledge_id=pledge.pk, actor=cast.bureau_leader)
    pledge_issue(pledge_id=pledge.pk, actor=cast.county_leader)
    with pytest.raises(TransitionNotAllowed):
        pledge_assess(pledge_id=pledge.pk, actor=cast.county_leader, scores={})


@pytest.mark.parametrize("edit", ["add", "update", "remove"])
def test_editing_a_signed_or_issued_pledges_items_directly_is_refused(cast, edit):
    pledge = signed(cast)
    first = pledge.items.first()
    with pytest.raises(ValidationError, match="amendment"):
        if edit == "add":
            pledge_item_add(pledge_id=pledge.pk, actor=cast.county_leader, data=item("新目标"))
        elif edit == "update":
            pledge_item_update(item_id=first.pk, actor=cast.county_leader, data=item("改过的目标"))
        else:
            pledge_item_remove(item_id=first.pk, actor=cast.county_leader)
    first.refresh_from_db()
    assert first.title == "落实“一岗双责”" and pledge.items.count() == 2


def test_an_amendment_that_changes_nothing_or_gives_no_reason_is_refused(cast):
    pledge = signed(cast)
    with pytest.raises(ValidationError, match="changes nothing"):
        pledge_amend(pledge_id=pledge.pk, actor=cast.county_leader, reason="无", items=current_items(pledge))
    with pytest.raises(ValidationError, match="why"):
        pledge_amend(pledge_id=pledge.pk, actor=cast.county_leader, reason="  ", items=current_items(pledge)[:1])
    pledge.refresh_from_db()
    assert (pledge.state, pledge.version) == (PledgeState.SIGNED, 1)


def test_a_liaison_may_draft_but_only_a_leader_issues_amends_and_assesses(cast):
    pledge = draft(cast, issuer=cast.units.bureau, unit=cast.units.school, items=0)
    pledge_item_add(pledge_id=pledge.pk, actor=cast.bureau_officer, data=item())
    with pytest.raises(PermissionDenied):
        pledge_issue(pledge_id=pledge.pk, actor=cast.bureau_officer)
    with pytest.raises(PermissionDenied):
        pledge_item_add(pledge_id=draft(cast).pk, actor=cast.bureau_officer, data=item())


@pytest.mark.parametrize(
    "score, message",
    [(Decimal("40.01"), "from 0 to 40"), (Decimal("-1"), "from 0 to 40"), (Decimal("1.234"), "two decimal")],
)
def test_a_score_above_the_weight_negative_or_too_precise_is_refused(cast, score, message):
    pledge = signed(cast)
    first, second = pledge.items.all()
    with pytest.raises(ValidationError, match=message):
        pledge_assess(
            pledge_id=pledge.pk,
            actor=cast.county_leader,
            scores={first.pk: ItemScore(score), second.pk: ItemScore(Decimal("10"))},
        )
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.SIGNED and pledge.total_score is None
    assert not PledgeItem.objects.filter(score__isnull=False).exists()


def test_an_assessment_must_score_every_item(cast):
    pledge = signed(cast)
    with pytest.raises(ValidationError, match="every item"):
        pledge_assess(
            pledge_id=pledge.pk, actor=cast.county_leader, scores={pledge.items.first().pk: ItemScore(Decimal("1"))}
        )


def test_a_pledge_to_a_unit_that_is_not_a_direct_child_is_refused(cast):
    with pytest.raises(ValidationError, match="not directly under"):
        pledge_create(issuer=cast.units.county, unit=cast.units.school, year=YEAR, actor=cast.county_officer)
    with pytest.raises(ValidationError, match="not directly under"):
        pledge_create(issuer=cast.units.bureau, unit=cast.units.sibling, year=YEAR, actor=cast.county_officer)
    assert not Pledge.objects.exists()


def test_a_second_pledge_for_the_same_pair_and_year_is_refused(cast):
    draft(cast)
    with pytest.raises(ValidationError, match="already has a pledge"):
        draft(cast)
    assert Pledge.objects.count() == 1


def test_a_pledge_outside_the_actors_scope_is_not_found(cast):
    with pytest.raises(Http404):
        pledge_create(issuer=cast.units.county, unit=cast.units.sibling, year=YEAR, actor=cast.bureau_officer)
    # In scope but only to read: refused.
    with pytest.raises(PermissionDenied):
        pledge_create(issuer=cast.units.county, unit=cast.units.sibling, year=YEAR, actor=cast.auditor)
    assert not Pledge.objects.exists()


def test_a_template_of_a_unit_outside_the_actors_scope_is_not_found(cast):
    with pytest.raises(Http404):
        pledge_template_create(
            issuer=cast.units.county, actor=cast.bureau_officer, name="责任书", year=YEAR, items=[item()]
        )
    # Issuing: the template's unit is the one the pledges go out from.
    template = pledge_template_create(
        issuer=cast.units.county, actor=cast.county_officer, name="责任书", year=YEAR, items=[item()]
    )
    with pytest.raises(Http404):
        pledge_issue_from_template(template_id=template.pk, actor=cast.bureau_officer)
    assert not Pledge.objects.exists()
    assert list(PledgeTemplate.objects.values_list("pk", flat=True)) == [template.pk]


@pytest.mark.parametrize(
    "data, message",
    [
        (item(""), "give a title"),
        (item("x" * 201), "longer than 200"),
        (item(weight="0"), "more than 0"),
        (item(weight="-5"), "more than 0"),
        (item(weight="1000"), "at most 999.99"),
        (item(due=datetime.date(YEAR + 1, 1, 1)), "must fall in"),
        (item(description="x" * 2001), "longer than 2000"),
        (item(evidence_required="x" * 501), "longer than 500"),
        (item(responsible_person="x" * 65), "longer than 64"),
    ],
)
def test_missing_or_oversized_item_fields_are_refused(cast, data, message):
    pledge = draft(cast, items=0)
    with pytest.raises(ValidationError, match=message):
        pledge_item_add(pledge_id=pledge.pk, actor=cast.county_officer, data=data)
    assert not PledgeItem.objects.exists()


def test_issuing_a_pledge_without_items_is_refused(cast):
    pledge = draft(cast, items=0)
    with pytest.raises(ValidationError, match="at least one item"):
        pledge_issue(pledge_id=pledge.pk, actor=cast.county_leader)


def test_an_inactive_child_is_not_pledged(cast):
    closed = unit_add(parent=cast.units.county, name="已撤销单位")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="inactive"):
        pledge_create(issuer=cast.units.county, unit=closed, year=YEAR, actor=cast.county_officer)
