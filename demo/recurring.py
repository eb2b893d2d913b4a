"""Demo data for 举一反三 on the leader's dashboard (complaints.recurring), made through the services.

- a spike: 城关镇中心学校 has six 教育乱收费 complaints this week against two in the eight
  weeks before, so the county leader sees an early warning (the unit and the category) and
  a repeat subject, and can plan an inspection from it;
- a fix that held: 柳河乡卫生院's rectification of a double charge, confirmed 100 days ago,
  with two complaints in the 90 days before and none since;
- a fix that came back: 石桥市场监督管理所's rule (长效机制) on fines, its case closed 70
  days ago, with one complaint before and two since.

Time passes as in demo.cases (the ``wait`` step moves a case's timestamps back); a
rectification item is moved back the same way (_item_age). Found again by title: a second
run creates nothing. Run after demo.cases.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, F

from complaints.models import Channel, Complaint
from responsibility.models import Deadline, RectificationItem
from responsibility.services import visits as item_services

from .cases import PARTLY, SUBSTANTIATED, Cast, DemoCase, _file, _investigated, _rectify, _step, _user

SCHOOL = "城关镇中心学校"
CLINIC = "柳河乡卫生院"
MARKET = "石桥市场监督管理所"
HELD_DAYS_AGO = 100


def _spike_case(title: str, content: str, days_ago: int) -> DemoCase:
    # Filed ``days_ago`` and waiting for the 纠风办's triage.
    return DemoCase(
        title=title,
        category="fees-education",
        subject=SCHOOL,
        channel=Channel.WEB,
        content=content,
        petitioner=None,
        steps=[("wait", days_ago)] if days_ago else [],
    )


SPIKE = [
    _spike_case("城关镇中心学校收取课后服务费未公示", "学校每生每学期收课后服务费600元，没有公示收费依据。", 0),
    _spike_case("城关镇中心学校强制购买校服", "开学要求每个学生买两套校服共420元，不买不让参加升旗仪式。", 1),
    _spike_case("城关镇中心学校收取班费用于老师节礼物", "家委会按老师要求每人收100元班费，说是给老师过节。", 2),
    _spike_case("城关镇中心学校午餐费涨价不说明", "午餐费从每月180元涨到260元，没有开家长会说明。", 3),
    _spike_case("城关镇中心学校补课收费", "周六在学校补课，每人每月收300元，说是自愿但不去就被点名。", 4),
    _spike_case("城关镇中心学校收取资料打印费", "每生收取资料打印费80元，没有收据。", 5),
    # The eight weeks before: two.
    _spike_case("城关镇中心学校收取保险费", "学校代收学生意外保险费，说是必须买。", 20),
    _spike_case("城关镇中心学校收取住宿押金不退", "孩子转学后住宿押金200元一直没退。", 41),
]

HELD = [
    DemoCase(
        title="柳河乡卫生院住院费重复计收",
        category="fees-medical",
        subject=CLINIC,
        channel=Channel.HOTLINE,
        content="来电人反映：母亲在柳河乡卫生院住院5天，费用清单上床位费按7天收，输液费也重复计了一次。",
        petitioner=("何玉梅", "13807469911"),
        steps=[
            *_investigated(
                note="请县卫生健康局调查。",
                activities=[("check", "县卫健局财务股、卫生院收费室", "核对住院费用清单与医嘱记录。")],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "床位费多计2天、输液费重复计收1次属实，责令退还并整改收费系统。",
                "经查，您母亲的住院费用确有多计，卫生院已退还多收的费用并整改收费核对流程。",
                [_rectify(CLINIC, "清退多收费用，建立出院费用清单逐项核对制度", 20)],
            ),
            ("approve", "同意。"),
            ("wait", 2),
            ("rate", "satisfied", "钱退了，谢谢。"),
            ("wait", 150),
        ],
    ),
    DemoCase(
        title="柳河乡卫生院检查费收两次",
        category="fees-medical",
        subject=CLINIC,
        channel=Channel.WEB,
        content="在柳河乡卫生院做了一次B超，缴费单上却收了两次检查费。",
        petitioner=None,
        steps=[("wait", 1), ("reject", "与“柳河乡卫生院住院费重复计收”同属收费核对问题，已一并整改。"), ("wait", 120)],
    ),
]

CAME_BACK = [
    DemoCase(
        title="石桥市场监督管理所罚款不开票据",
        category="fees-fines",
        subject=MARKET,
        channel=Channel.LETTER,
        content="石桥市场监管所检查我的小饭馆，罚款800元只给了一张白条，没有正式票据。",
        petitioner=("黄志刚", "13807467788"),
        steps=[
            *_investigated(
                note="请县市场监督管理局调查。",
                activities=[("talk", "石桥市场监管所所长、执法人员", "了解罚款经过和票据开具情况。")],
            ),
            (
                "submit",
                PARTLY,
                "罚款有依据，但未当场开具正式票据属实，已补开票据并建立罚没款清单公示制度。",
                "经查，对您的处罚有依据，但未开具正式票据，已为您补开，并对执法人员批评教育。",
                [
                    {
                        "kind": "rule",
                        "description": "罚没款清单每月公示，执法现场一律开具财政票据",
                        "responsible_unit": MARKET,
                        "due_in": 10,
                    }
                ],
            ),
            ("approve", "同意。"),
            ("wait", 2),
            ("rate", "basically_satisfied", "票据补了。"),
            ("wait", 70),
        ],
    ),
    DemoCase(
        title="石桥市场监督管理所罚款又不给票",
        category="fees-fines",
        subject=MARKET,
        channel=Channel.HOTLINE,
        content="来电人反映：上周市场监管所来查，罚了500元，还是没给正式票据。",
        petitioner=("黄志刚", "13807467788"),
        steps=[("wait", 2), ("accept", "请县市场监督管理局调查，并核查长效机制落实情况。"), ("wait", 28)],
    ),
    DemoCase(
        title="石桥市场监督管理所罚款收现金",
        category="fees-fines",
        subject=MARKET,
        channel=Channel.WEB,
        content="石桥市场监管所执法人员罚款只收现金，不开票。",
        petitioner=None,
        steps=[("wait", 2), ("accept", "并案核查。"), ("wait", 8)],
    ),
]


def _item_age(item: RectificationItem, days: int) -> None:
    """Move an item's timestamps, due day and deadline ``days`` back (the demo's clock, as demo.cases._age)."""
    delta = datetime.timedelta(days=days)
    fields = [f.attname for f in RectificationItem._meta.concrete_fields if isinstance(f, DateTimeField)]
    RectificationItem.objects.filter(pk=item.pk).update(
        due_on=F("due_on") - delta, **{name: F(name) - delta for name in fields}
    )
    fields = [f.attname for f in Deadline._meta.concrete_fields if isinstance(f, DateTimeField)]
    Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(RectificationItem), object_id=item.pk
    ).update(**{name: F(name) - delta for name in fields})


def _run(case: DemoCase, cast: Cast) -> Complaint | None:
    if Complaint.objects.filter(title=case.title).exists():
        return None
    complaint = _file(case, cast)
    for step in case.steps:
        complaint.refresh_from_db()
        _step(step, complaint, cast, case)
    return complaint


def seed_recurring(out) -> None:
    cast = Cast()
    if cast.officer is None:
        return
    created = [_run(case, cast) for case in SPIKE + HELD + CAME_BACK]
    held = created[len(SPIKE)]
    if held is not None:
        # The clinic's item done and confirmed by the health bureau, then moved back as if 100 days ago.
        item = RectificationItem.objects.get(complaint_measure__complaint=held)
        evidence = "已退还多收费用，出院清单逐项核对。"
        item_services.rectification_item_submit(actor=_user("officer-health"), item_id=item.pk, evidence=evidence)
        item_services.rectification_item_confirm(actor=_user("leader-health"), item_id=item.pk)
        _item_age(item, HELD_DAYS_AGO)
    out.write(f"recurring problems: {sum(case is not None for case in created)} cases created")
