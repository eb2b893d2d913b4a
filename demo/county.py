"""The demo county: a realistic organisation tree, and the demo accounts placed in it."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from responsibility.models import Position, PositionKind, Unit, UnitKind

from .accountability import seed_accountability, seed_campaigns
from .escalation import seed_escalation
from .imports import seed_imports
from .pledges import seed_pledges
from .visits import seed_visits

# One unit a line: two spaces of indent per level, the name, its kind, then
# "^unit" when the supervising unit is not the parent (谁主管谁负责) and "@unit" when
# the unit's staff work on a wider subtree than its own (its remit).
COUNTY = """
青溪县 organ
  县纪委监委 organ
    县纠风办 section @青溪县
    县纪委监委党风政风监督室 section
  县教育局 department
    县第一中学 institution
    县实验小学 institution
    城关镇中心学校 institution
      城关镇第一小学 institution
      城关镇中心幼儿园 institution
    石桥镇中心学校 institution
      石桥镇中心小学 institution
      石桥镇初级中学 institution
  县卫生健康局 department
    县人民医院 institution
    县中医医院 institution
    县疾病预防控制中心 institution
    城关镇卫生院 institution
    石桥镇卫生院 institution
    柳河乡卫生院 institution
  县市场监督管理局 department
    城关市场监督管理所 section
    石桥市场监督管理所 section
    柳河市场监督管理所 section
  县交通运输局 department
    县交通运输综合行政执法大队 institution
    县公路事业发展中心 institution
  县人力资源和社会保障局 department
    县社会保险事业中心 institution
    县就业服务中心 institution
  县住房和城乡建设局 department
    县建设工程质量安全监督站 institution
    县城市管理综合执法大队 institution
  城关镇人民政府 township
    城关镇党政综合办公室 section
    城关镇便民服务中心 institution
    东街社区居民委员会 village
    西关村村民委员会 village
      西关村卫生室 institution ^城关镇卫生院
  石桥镇人民政府 township
    石桥镇便民服务中心 institution
    石桥村村民委员会 village
      石桥村卫生室 institution ^石桥镇卫生院
  柳河乡人民政府 township
    柳河乡便民服务中心 institution
    柳河村村民委员会 village
"""

_LINK_MARKS = {"^": "supervising_unit", "@": "remit_unit"}

# username -> (unit name, position). Every step of the demo's escalations (demo.escalation)
# reaches one of these accounts: 县第一中学's liaison and principal (levels 0 and 1), then
# 县教育局's principal, and at the county its principal, its leader in charge and, for
# 县卫生健康局's overdue work, leader-edu through its 包片 (demo.visits).
PLACEMENTS = {
    "officer": ("县纠风办", PositionKind.OFFICER),
    "officer-edu": ("县教育局", PositionKind.LIAISON),
    "leader": ("青溪县", PositionKind.LEADER_IN_CHARGE),
    "leader-edu": ("县教育局", PositionKind.PRINCIPAL),
    "leader-county": ("青溪县", PositionKind.PRINCIPAL),
    "leader-school": ("县第一中学", PositionKind.PRINCIPAL),
    "officer-school": ("县第一中学", PositionKind.LIAISON),
    "officer-health": ("县卫生健康局", PositionKind.LIAISON),
    "leader-health": ("县卫生健康局", PositionKind.PRINCIPAL),
    "officer-town-school": ("城关镇第一小学", PositionKind.LIAISON),
}


def _ensure_unit(parent: Unit | None, name: str, kind: str) -> tuple[Unit, bool]:
    siblings = Unit.objects.get_root_nodes() if parent is None else Unit.objects.get_children(parent)
    unit = siblings.filter(name=name).first()
    if unit is not None:
        return unit, False
    if parent is None:
        return Unit.objects.add_root({"name": name, "kind": kind}), True
    return Unit.objects.add_child(parent, {"name": name, "kind": kind}), True


def seed(out) -> None:
    created = 0
    # The unit last seen at each depth: the parent of the next line one level deeper.
    ancestors: list[Unit] = []
    links: list[tuple[Unit, str, str]] = []  # (unit, field, name of the unit it points to)
    for line in COUNTY.strip().splitlines():
        depth = (len(line) - len(line.lstrip())) // 2
        name, kind, *marks = line.split()
        parent = ancestors[depth - 1] if depth else None
        unit, was_created = _ensure_unit(parent, name, UnitKind(kind))
        created += was_created
        ancestors[depth:] = [unit]
        links += [(unit, _LINK_MARKS[mark[0]], mark[1:]) for mark in marks]
    for unit, field, other_name in links:
        other = Unit.objects.get(name=other_name)
        if getattr(unit, f"{field}_id") != other.pk:
            setattr(unit, field, other)
            unit.save(update_fields=[field])
    out.write(f"units: {created} created, {Unit.objects.count()} in all")

    User = get_user_model()
    start = datetime.date(timezone.localdate().year, 1, 1)
    for username, (unit_name, kind) in PLACEMENTS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        unit = Unit.objects.get(name=unit_name)
        if not Position.objects.filter(user=user, unit=unit, kind=kind, ends_on__isnull=True).exists():
            Position.objects.create(user=user, unit=unit, kind=kind, starts_on=start)
    seed_visits(out)
    seed_imports(out)

    # After the positions above, so pledges are signed by the units' own principals.
    seed_pledges(out)
    seed_accountability(out)
    seed_campaigns(out)

    seed_escalation(out)
