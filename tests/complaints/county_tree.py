"""A demo-like county around the shared cast (no tests here): who is in which unit, and who oversees.

county (root)              county officer (officer), county leader (leader in charge)
├── commission             (县纪委监委)
│   └── office             (县纠风办, remit: the county) jfb officer
├── bureau                 bureau officer (liaison), bureau leader (principal;
│   └── school              领导包片 over the sibling bureau)
└── sibling                health officer (liaison), health leader (principal)
    └── hospital           hospital officer (liaison)
"""

import datetime
from types import SimpleNamespace

from jiufeng.roles import Role
from responsibility.models import LeaderAssignment, PositionKind, Unit, UnitKind
from tests.factories import PositionFactory, UserFactory, unit_add


def person(username: str, role: str, unit: Unit, kind: str):
    user = UserFactory(username=username, roles=[role])
    PositionFactory(user=user, unit=unit, kind=kind)
    return user


def county_tree(cast) -> SimpleNamespace:
    units = cast.units
    commission = unit_add(parent=units.county, name="县纪委监委", kind=UnitKind.ORGAN)
    office = unit_add(parent=commission, name="县纠风办", kind=UnitKind.SECTION)
    Unit.objects.filter(pk=office.pk).update(remit_unit=units.county)
    office.refresh_from_db()
    hospital = unit_add(parent=units.sibling, name="县人民医院", kind=UnitKind.INSTITUTION)
    assignment = LeaderAssignment.objects.create(leader=cast.bureau_leader, starts_on=datetime.date(2020, 1, 1))
    assignment.units.add(units.sibling)
    return SimpleNamespace(
        cast=cast,
        county=units.county,
        commission=commission,
        office=office,
        bureau=units.bureau,
        school=units.school,
        sibling=units.sibling,
        hospital=hospital,
        jfb_officer=person("jfb-officer", Role.OFFICER, office, PositionKind.OFFICER),
        health_officer=person("health-officer", Role.OFFICER, units.sibling, PositionKind.LIAISON),
        health_leader=person("health-leader", Role.LEADER, units.sibling, PositionKind.PRINCIPAL),
        hospital_officer=person("hospital-officer", Role.OFFICER, hospital, PositionKind.LIAISON),
    )
