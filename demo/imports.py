"""Demo: a principal and a liaison for every unit of the demo county that has none.

Deterministic (names and phones follow the unit's place in the tree, accounts are
``u<unit id>-principal`` / ``u<unit id>-liaison``), so a second run finds every post
held and changes nothing. The demo accounts keep their own posts: a unit where one
of them already holds a kind of post gets no second one of that kind.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from responsibility.models import Position, PositionKind, Unit
from responsibility.services.units import position_assign

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN_NAMES = ["建国", "秀英", "志强", "丽华", "海涛", "春梅", "国庆", "晓燕", "文斌", "玉兰", "红军", "慧敏", "立新"]
KINDS = {PositionKind.PRINCIPAL: ("principal", "139"), PositionKind.LIAISON: ("liaison", "137")}


def _person(unit: Unit, index: int, kind: str):
    User = get_user_model()
    suffix, prefix = KINDS[kind]
    username = f"u{unit.pk}-{suffix}"
    offset = 0 if kind == PositionKind.PRINCIPAL else 7
    name = SURNAMES[(index + offset) % len(SURNAMES)] + GIVEN_NAMES[(index * 3 + offset) % len(GIVEN_NAMES)]
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, phone=f"{prefix}5710{unit.pk:04d}")
        user.set_unusable_password()
        user.save()
    return user


def seed_imports(out) -> None:
    start = datetime.date(timezone.localdate().year, 1, 1)
    county = Unit.objects.get_root_nodes().get(name="青溪县")
    units = list(Unit.objects.all().subtree_of(county).filter(is_active=True))
    held = set(Position.objects.current().filter(unit__in=units, kind__in=list(KINDS)).values_list("unit_id", "kind"))
    created = 0
    for index, unit in enumerate(units):
        for kind in KINDS:
            if (unit.pk, kind) in held:
                continue
            position_assign(actor=None, unit_id=unit.pk, user=_person(unit, index, kind), kind=kind, starts_on=start)
            created += 1
    out.write(f"positions: {created} created for units that had no principal or liaison")
