"""seed_demo gives every unit of the demo county a principal and a liaison, without moving the demo accounts."""

import io

import pytest
from django.core.management import call_command

from responsibility.models import Position, PositionKind, Unit

pytestmark = pytest.mark.django_db


def holders(unit_name: str, kind: str) -> list[str]:
    return list(
        Position.objects.current().filter(unit__name=unit_name, kind=kind).values_list("user__username", flat=True)
    )


def test_every_unit_of_the_demo_county_has_a_principal_and_a_liaison():
    call_command("seed_demo", stdout=io.StringIO())
    units = Unit.objects.filter(is_active=True)
    for kind in [PositionKind.PRINCIPAL, PositionKind.LIAISON]:
        missing = units.exclude(positions__in=Position.objects.current().filter(kind=kind))
        assert list(missing.values_list("name", flat=True)) == [], kind
    principal = Position.objects.get(unit__name="城关镇第一小学", kind=PositionKind.PRINCIPAL).user
    assert principal.display_name and principal.phone.startswith("139")


def test_the_demo_accounts_keep_their_posts():
    call_command("seed_demo", stdout=io.StringIO())
    assert holders("县教育局", PositionKind.PRINCIPAL) == ["leader-edu"]
    assert holders("县教育局", PositionKind.LIAISON) == ["officer-edu"]
    assert holders("青溪县", PositionKind.LEADER_IN_CHARGE) == ["leader"]
    assert holders("县纠风办", PositionKind.OFFICER) == ["officer"]
    assert holders("青溪县", PositionKind.PRINCIPAL) == ["leader-county"]
    assert holders("县第一中学", PositionKind.PRINCIPAL) == ["leader-school"]
    assert holders("县第一中学", PositionKind.LIAISON) == ["officer-school"]
    assert set(
        Position.objects.filter(user__username__in=["officer", "officer-edu", "leader", "leader-edu"]).values_list(
            "user__username", "unit__name", "kind"
        )
    ) == {
        ("officer", "县纠风办", "officer"),
        ("officer-edu", "县教育局", "liaison"),
        ("leader", "青溪县", "leader_in_charge"),
        ("leader-edu", "县教育局", "principal"),
    }
