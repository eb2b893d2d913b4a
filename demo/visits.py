"""Demo leader assignments, visits and inspections, and rectification items.

Found by natural key (a visit by leader and subject, an item by unit and description),
created through the services when missing, so a second run changes nothing. Dates are
relative to today; the two records that must already be late (a scheduled visit not
made, an item past due) are written as they stood when they were made, because the
services rightly refuse dates in the past.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from responsibility.deadlines import deadline_open
from responsibility.models import (
    DeadlineKind,
    LeaderAssignment,
    RectificationItem,
    Unit,
    Visit,
    VisitFrequency,
    VisitKind,
    VisitMethod,
)
from responsibility.services import visits as services

# leader username -> (unit names, visit frequency, note)
ASSIGNMENTS = {
    "leader": (["城关镇人民政府", "石桥镇人民政府"], VisitFrequency.QUARTERLY, "城关、石桥片区包片联系"),
    "leader-edu": (["县卫生健康局"], VisitFrequency.HALF_YEARLY, "联系卫生健康系统行风建设"),
}

# Made visits: (leader, kind, subject, units, days ago, methods, people met, findings)
MADE_VISITS = [
    (
        "leader",
        VisitKind.VISIT,
        "走访城关镇便民服务中心窗口服务",
        ["城关镇人民政府", "城关镇便民服务中心"],
        12,
        [VisitMethod.LISTEN, VisitMethod.LOOK, VisitMethod.TALK],
        "城关镇党委副书记、便民服务中心主任及窗口工作人员6名，办事群众5名",
        "便民服务中心办事流程总体顺畅，但午休时段窗口无人值守，群众反映需等候一个多小时；"
        "部分事项办事指南未及时更新，与县政务服务网公布的材料清单不一致。",
    ),
    (
        "officer",
        VisitKind.INSPECTION,
        "医疗收费行为专项督查",
        ["县卫生健康局", "县人民医院"],
        30,
        [VisitMethod.LOOK, VisitMethod.CHECK, VisitMethod.TALK],
        "县卫生健康局分管副局长，县人民医院财务科、门诊部负责人",
        "抽查门诊收费票据120份，发现门诊收费处未按规定公示收费项目和标准；"
        "个别科室存在检查项目重复收费问题，涉及金额约2300元。县卫生健康局对医院收费监管不够到位。",
    ),
    (
        "leader-edu",
        VisitKind.VISIT,
        "包片走访县卫生健康局行风建设",
        ["县卫生健康局"],
        45,
        [VisitMethod.LISTEN, VisitMethod.VISIT],
        "县卫生健康局党组书记、局长，纠风专干",
        "局党组重视行风建设，已制定年度行风建设工作方案；基层卫生院投诉处理台账不够规范，部分投诉未按时回复。",
    ),
    (
        "officer-edu",
        VisitKind.INSPECTION,
        "规范教育收费专项督查",
        ["城关镇中心学校"],
        20,
        [VisitMethod.CHECK, VisitMethod.VISIT, VisitMethod.TALK],
        "城关镇中心学校校长、总务主任，学生家长代表8名",
        "经查，学校以“资料费”名义向初三学生每人收取80元，未经审批，属违规收费。",
    ),
]

# Items: (subject of the visit, responsible unit, description, due in days, what happens)
ITEMS = [
    (
        "走访城关镇便民服务中心窗口服务",
        "城关镇便民服务中心",
        "落实午间轮班值守制度，确保午休时段窗口有人办理业务",
        30,
        "open",
    ),
    (
        "走访城关镇便民服务中心窗口服务",
        "城关镇人民政府",
        "全面核对并更新便民服务中心办事指南，与县政务服务网保持一致",
        15,
        "submitted",
    ),
    ("医疗收费行为专项督查", "县人民医院", "在门诊收费处醒目位置公示收费项目、标准和投诉电话", 20, "confirmed"),
    (
        "医疗收费行为专项督查",
        "县卫生健康局",
        "对全县公立医院收费行为开展自查自纠，重复收费款项全部退还患者",
        -10,
        "open",
    ),
    ("规范教育收费专项督查", "城关镇中心学校", "立即停止收取资料费，已收取的费用全部清退给学生家长", 20, "sent_back"),
]

# (who acts on an item at each step) by step name
SUBMITTERS = {"城关镇人民政府": "officer", "县人民医院": "officer", "城关镇中心学校": "officer-edu"}
CONFIRMERS = {"县人民医院": "leader", "城关镇中心学校": "leader-edu"}

EVIDENCE = {
    "城关镇人民政府": "已对照县政务服务网逐项核对32项办事指南，更新11项，更新后的指南已在服务大厅和镇政府网站公布。",
    "县人民医院": "已在门诊收费处和住院结算处设置收费公示栏，公布收费项目、标准及投诉电话12345，附现场照片4张。",
    "城关镇中心学校": "学校已停止收取资料费。",
}
SEND_BACK_REASON = "未提供清退台账及家长签收记录，请补充后重新提交。"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _seed_assignments(admin) -> int:
    created = 0
    start = datetime.date(timezone.localdate().year, 1, 1)
    for username, (unit_names, frequency, note) in ASSIGNMENTS.items():
        leader = _user(username)
        if leader is None or LeaderAssignment.objects.filter(leader=leader, note=note).exists():
            continue
        services.leader_assignment_create(
            actor=admin,
            leader=leader,
            units=Unit.objects.filter(name__in=unit_names),
            starts_on=start,
            visit_frequency=frequency,
            note=note,
        )
        created += 1
    return created


def _assignment_of(leader):
    return LeaderAssignment.objects.current().filter(leader=leader).first()


def _seed_made_visits(today: datetime.date) -> int:
    created = 0
    for username, kind, subject, unit_names, days_ago, methods, people_met, findings in MADE_VISITS:
        leader = _user(username)
        if leader is None or Visit.objects.filter(leader=leader, subject=subject).exists():
            continue
        units = list(Unit.objects.filter(name__in=unit_names))
        assignment = _assignment_of(leader)
        services.visit_add(
            actor=leader,
            kind=kind,
            subject=subject,
            units=units,
            made_on=today - datetime.timedelta(days=days_ago),
            methods=methods,
            people_met=people_met,
            findings=findings,
            leader_assignment=assignment if assignment and set(assignment.units.all()) & set(units) else None,
        )
        created += 1
    return created


def _seed_scheduled_visits(today: datetime.date) -> int:
    created = 0
    leader = _user("leader")
    subject = "季度走访石桥镇人民政府"
    if leader is not None and not Visit.objects.filter(leader=leader, subject=subject).exists():
        services.visit_schedule(
            actor=leader,
            kind=VisitKind.VISIT,
            subject=subject,
            units=Unit.objects.filter(name="石桥镇人民政府"),
            scheduled_for=today + datetime.timedelta(days=14),
            leader_assignment=_assignment_of(leader),
        )
        created += 1
    officer = _user("officer")
    subject = "市场监管窗口作风督查"
    if officer is not None and not Visit.objects.filter(leader=officer, subject=subject).exists():
        # Scheduled a month ago for a week ago and not made: an overdue VISIT obligation.
        scheduled_for = today - datetime.timedelta(days=7)
        visit = Visit.objects.create(
            kind=VisitKind.INSPECTION,
            subject=subject,
            leader=officer,
            organizing_unit=Unit.objects.get(name="县纠风办"),
            scheduled_for=scheduled_for,
            created_at=timezone.now() - datetime.timedelta(days=30),
        )
        visit.units.set(Unit.objects.filter(name__in=["县市场监督管理局", "城关市场监督管理所"]))
        deadline_open(
            target=visit,
            kind=DeadlineKind.VISIT,
            unit=visit.organizing_unit,
            due_at=services.end_of_day(scheduled_for),
        )
        created += 1
    return created


def _add_item(visit: Visit, unit: Unit, description: str, due_on: datetime.date, today: datetime.date):
    if due_on >= today:
        return services.rectification_item_add(
            actor=visit.leader, visit=visit, responsible_unit=unit, description=description, due_on=due_on
        )
    # Given when the visit was made, due before today: already overdue.
    item = RectificationItem.objects.create(
        description=description,
        responsible_unit=unit,
        due_on=due_on,
        visit=visit,
        created_by=visit.leader,
        created_at=timezone.now() - datetime.timedelta(days=30),
    )
    deadline_open(target=item, kind=DeadlineKind.RECTIFICATION_ITEM, unit=unit, due_at=services.end_of_day(due_on))
    return item


def _seed_items(today: datetime.date) -> int:
    created = 0
    for subject, unit_name, description, due_in, fate in ITEMS:
        visit = Visit.objects.filter(subject=subject).first()
        unit = Unit.objects.get(name=unit_name)
        if visit is None or RectificationItem.objects.filter(responsible_unit=unit, description=description).exists():
            continue
        item = _add_item(visit, unit, description, today + datetime.timedelta(days=due_in), today)
        created += 1
        if fate == "open":
            continue
        services.rectification_item_submit(
            actor=_user(SUBMITTERS[unit_name]), item_id=item.pk, evidence=EVIDENCE[unit_name]
        )
        if fate == "confirmed":
            services.rectification_item_confirm(actor=_user(CONFIRMERS[unit_name]), item_id=item.pk)
        elif fate == "sent_back":
            services.rectification_item_send_back(
                actor=_user(CONFIRMERS[unit_name]), item_id=item.pk, reason=SEND_BACK_REASON
            )
    return created


def seed_visits(out) -> None:
    admin = _user("admin")
    if admin is None:
        return
    today = timezone.localdate()
    assignments = _seed_assignments(admin)
    visits = _seed_made_visits(today) + _seed_scheduled_visits(today)
    items = _seed_items(today)
    out.write(
        f"leader assignments: {assignments} created; visits: {visits} created; rectification items: {items} created"
    )
