"""Demo pledges: this year's 责任书 from the county to its bureaus and townships, and from
each of them to the units below, most signed, some not, one amended.

Run through the services, so the demo has the deadlines, signatures and history real
use would leave. Idempotent: each step acts only on pledges still short of the state
the demo wants. The pledge from 青溪县 to 县教育局 stays issued and unsigned, for
leader-edu to sign (the browser test does).
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from jiufeng.roles import Role
from responsibility.models import Pledge, PledgeState, PledgeTemplate, Position, PositionKind, Unit
from responsibility.services.pledges import (
    PledgeItemData,
    pledge_amend,
    pledge_issue,
    pledge_issue_from_template,
    pledge_item_complete,
    pledge_sign,
    pledge_template_create,
)

from .accounts import DEMO_PASSWORD

ROOT = "青溪县"
TEMPLATE_NAME = "党风廉政建设和纠风工作目标责任书"
# (issuer, unit) pairs left short of signed: awaiting a signature, or still a draft.
UNSIGNED = {
    (ROOT, "县教育局"),
    (ROOT, "柳河乡人民政府"),
    ("县卫生健康局", "柳河乡卫生院"),
    ("城关镇人民政府", "西关村村民委员会"),
}
DRAFTS = {("柳河乡人民政府", "柳河村村民委员会"), ("县交通运输局", "县公路事业发展中心")}
AMENDED = (ROOT, "县卫生健康局")


def _items(year: int, *, county: bool) -> list[PledgeItemData]:
    def day(month: int, dom: int) -> datetime.date:
        return datetime.date(year, month, dom)

    items = [
        PledgeItemData(
            title="落实“一岗双责”",
            description="主要负责人履行第一责任人职责，班子成员抓好分管领域的党风廉政建设和行风建设。",
            weight=Decimal("25" if county else "30"),
            due_on=day(12, 31),
            responsible_person="主要负责人",
            evidence_required="年度述责述廉报告、班子会议记录",
        ),
        PledgeItemData(
            title="教育乱收费等专项治理",
            description="开展乱收费自查自纠，建立问题清单和整改台账，按期整改到位。",
            weight=Decimal("20"),
            due_on=day(9, 30),
            responsible_person="分管领导",
            evidence_required="自查自纠报告、整改台账",
        ),
        PledgeItemData(
            title="群众满意度不低于90%",
            description="政风行风民主评议中群众满意度不低于90%。",
            weight=Decimal("25" if county else "30"),
            due_on=day(12, 15),
            responsible_person="主要负责人",
            evidence_required="民主评议结果",
        ),
        PledgeItemData(
            title="信访件按期办结率100%",
            description="纠风投诉件在规定期限内办结并答复投诉人。",
            weight=Decimal("20"),
            due_on=day(12, 31),
            responsible_person="纠风专干",
            evidence_required="投诉办理台账",
        ),
    ]
    if county:
        items.append(
            PledgeItemData(
                title="公开办事流程和收费标准",
                description="窗口单位公开办事流程、时限和收费标准，接受群众监督。",
                weight=Decimal("10"),
                due_on=day(6, 30),
                responsible_person="办公室主任",
                evidence_required="公示照片、制度文件",
            )
        )
    return items


def _principal(unit: Unit, start: datetime.date):
    """The unit's principal today; a clearly named demo principal where it has none yet."""
    position = Position.objects.current().filter(unit=unit, kind=PositionKind.PRINCIPAL).select_related("user").first()
    if position is not None:
        return position.user
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"demo-principal-{unit.pk}", defaults={"display_name": f"{unit.name}负责人（演示）"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=Role.LEADER))
    Position.objects.create(user=user, unit=unit, kind=PositionKind.PRINCIPAL, starts_on=start)
    return user


def seed_pledges(out) -> None:
    year = timezone.localdate().year
    actor = get_user_model().objects.filter(username="leader").first()
    root = Unit.objects.filter(name=ROOT, depth=1).first()
    if actor is None or root is None:
        return
    start = datetime.date(year, 1, 1)
    # The county issues to every unit below it; each of those to the units below them.
    issuers = [root, *Unit.objects.filter(path__startswith=root.path, depth=2, numchild__gt=0)]
    for issuer in issuers:
        template = PledgeTemplate.objects.filter(issuer=issuer, year=year, name=TEMPLATE_NAME).first()
        if template is None:
            template = pledge_template_create(
                issuer=issuer, actor=actor, name=TEMPLATE_NAME, year=year, items=_items(year, county=issuer == root)
            )
        pledge_issue_from_template(template_id=template.pk, actor=actor)

    pledges = Pledge.objects.filter(year=year, issuer__in=issuers).select_related("issuer", "unit").order_by("pk")
    for pledge in pledges:
        pair = (pledge.issuer.name, pledge.unit.name)
        if pledge.state == PledgeState.DRAFT and pair not in DRAFTS:
            pledge_issue(pledge_id=pledge.pk, actor=actor)
            pledge.refresh_from_db()
        if pledge.state == PledgeState.ISSUED and pair not in UNSIGNED:
            principal = _principal(pledge.unit, start)
            pledge_sign(pledge_id=pledge.pk, actor=principal)
            pledge.refresh_from_db()
        if pair == AMENDED and pledge.version == 1 and pledge.state == PledgeState.SIGNED:
            _amend(pledge, actor=actor, principal=_principal(pledge.unit, start))
        if pledge.state == PledgeState.SIGNED and pledge.issuer_id == root.pk:
            # The mid-year item is done where the pledge was signed.
            for item in pledge.items.filter(completed_at__isnull=True, due_on=datetime.date(year, 6, 30)):
                pledge_item_complete(
                    item_id=item.pk, actor=pledge.signed_by, evidence="办事流程和收费标准已在服务大厅和网站公示。"
                )
    signed = pledges.filter(state__in=[PledgeState.SIGNED, PledgeState.ASSESSED]).count()
    out.write(f"pledges: {pledges.count()} for {year}, {signed} signed")


def _amend(pledge: Pledge, *, actor, principal) -> None:
    """Version 2 of one pledge: a target added mid-year, signed again."""
    items = [
        PledgeItemData(
            id=i.pk,
            title=i.title,
            description=i.description,
            weight=i.weight,
            due_on=i.due_on,
            responsible_person=i.responsible_person,
            evidence_required=i.evidence_required,
        )
        for i in pledge.items.all()
    ]
    items.append(
        PledgeItemData(
            title="医药购销领域不正之风专项治理",
            description="整治医药购销中的回扣、乱收费和“红包”问题。",
            weight=Decimal("10"),
            due_on=datetime.date(pledge.year, 11, 30),
            responsible_person="分管领导",
            evidence_required="专项治理工作报告",
        )
    )
    pledge_amend(pledge_id=pledge.pk, actor=actor, reason="县委部署医药购销领域专项治理，增加目标任务。", items=items)
    pledge_sign(pledge_id=pledge.pk, actor=principal)
    pledge.refresh_from_db()
