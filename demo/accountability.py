"""Demo accountability records and one rectification campaign, made through the services.

Idempotent: each row is found by its natural key first, so a second run changes nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from responsibility.models import (
    AccountabilityMeasure,
    AccountabilityRecord,
    Campaign,
    CampaignTask,
    CampaignTaskStatus,
    Position,
    PositionKind,
    Unit,
)
from responsibility.services.accountability import accountability_decide, accountability_propose
from responsibility.services.campaigns import campaign_create, campaign_start, campaign_task_add, campaign_task_complete

# A school principal for the proposed record: not a login account (no usable password).
SCHOOL_PRINCIPAL = ("demo-principal-syxx", "周校长", "县实验小学")

DECIDED_REASON = "县教育局对所属学校教辅材料违规收费问题监管不力，群众反映集中，督办后仍逾期未整改到位。"
PROPOSED_REASON = "县实验小学多次向学生收取课后服务费以外的“资料费”，经查属实，校长负有主要领导责任。"

CAMPAIGN_NAME = "教育乱收费专项治理"
CAMPAIGN_PROBLEM = "集中整治中小学校违规收取择校费、资料费、补课费，强制或变相强制学生购买教辅材料等乱收费问题。"
SELF_CHECK = "开展收费项目自查并在校门口公示收费标准"
REFUND = "清退违规收取的费用并向县教育局报告清退情况"
# Schools that report the self-check done; the others' self-check falls overdue.
SELF_CHECK_DONE = {"县第一中学", "县实验小学", "城关镇中心学校"}


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _school_principal() -> Position:
    username, display_name, unit_name = SCHOOL_PRINCIPAL
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name)
        user.set_unusable_password()
        user.save()
    unit = Unit.objects.get(name=unit_name)
    position = Position.objects.current().filter(user=user, unit=unit, kind=PositionKind.PRINCIPAL).first()
    if position is None:
        position = Position.objects.create(
            user=user, unit=unit, kind=PositionKind.PRINCIPAL, starts_on=datetime.date(timezone.localdate().year, 1, 1)
        )
    return position


def seed_accountability(out) -> None:
    officer, officer_edu, leader, leader_edu = (_user(n) for n in ("officer", "officer-edu", "leader", "leader-edu"))
    if None in (officer, officer_edu, leader, leader_edu):
        return
    created = 0
    bureau_principal = Position.objects.current().get(
        user=leader_edu, unit__name="县教育局", kind=PositionKind.PRINCIPAL
    )
    if not AccountabilityRecord.objects.filter(position=bureau_principal, reason=DECIDED_REASON).exists():
        record = accountability_propose(
            actor=officer, position=bureau_principal, reason=DECIDED_REASON, measure=AccountabilityMeasure.INTERVIEW
        )
        accountability_decide(
            record_id=record.pk,
            actor=leader,
            measure=AccountabilityMeasure.INTERVIEW,
            note="由县委分管领导对县教育局主要负责人进行约谈，责令限期整改。",
        )
        created += 1
    school_principal = _school_principal()
    if not AccountabilityRecord.objects.filter(position=school_principal, reason=PROPOSED_REASON).exists():
        accountability_propose(actor=officer_edu, position=school_principal, reason=PROPOSED_REASON)
        created += 1
    out.write(f"accountability records: {created} created, {AccountabilityRecord.objects.count()} in all")


def seed_campaigns(out) -> None:
    leader_edu, officer_edu = _user("leader-edu"), _user("officer-edu")
    if leader_edu is None or officer_edu is None:
        return
    bureau = Unit.objects.get(name="县教育局")
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME, lead_unit=bureau).first()
    created = campaign is None
    if created:
        today = timezone.localdate()
        campaign = campaign_create(
            actor=leader_edu,
            name=CAMPAIGN_NAME,
            problem=CAMPAIGN_PROBLEM,
            starts_on=today - datetime.timedelta(days=60),
            ends_on=today + datetime.timedelta(days=120),
            lead_unit=bureau,
        )
        for school in Unit.objects.get_children(bureau):
            for description, due_on in (
                (SELF_CHECK, today - datetime.timedelta(days=20)),
                (REFUND, today + datetime.timedelta(days=60)),
            ):
                campaign_task_add(
                    campaign_id=campaign.pk, actor=officer_edu, unit=school, description=description, due_on=due_on
                )
        campaign = campaign_start(campaign_id=campaign.pk, actor=leader_edu)
        for task in CampaignTask.objects.filter(
            campaign=campaign, description=SELF_CHECK, unit__name__in=SELF_CHECK_DONE, status=CampaignTaskStatus.OPEN
        ):
            campaign_task_complete(
                task_id=task.pk, actor=officer_edu, note="已完成收费项目自查，收费标准已在校门口和校园网公示。"
            )
    out.write(f"campaigns: {int(created)} created, {Campaign.objects.count()} in all")
