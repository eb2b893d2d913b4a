"""Pledges set up through the services, as the people of the shared cast would."""

import datetime
from decimal import Decimal

from django.utils import timezone

from responsibility.services.pledges import PledgeItemData, pledge_create, pledge_issue, pledge_item_add, pledge_sign

YEAR = timezone.localdate().year


def item(title: str = "落实“一岗双责”", weight: str = "30", due: datetime.date | None = None, **more) -> PledgeItemData:
    return PledgeItemData(title=title, weight=Decimal(weight), due_on=due or datetime.date(YEAR, 12, 31), **more)


def draft(cast, *, issuer=None, unit=None, items=2):
    """A draft pledge from the county to the bureau (by default) with ``items`` items."""
    pledge = pledge_create(
        issuer=issuer or cast.units.county, unit=unit or cast.units.bureau, year=YEAR, actor=cast.county_officer
    )
    titles = ["落实“一岗双责”", "教育乱收费专项治理", "群众满意度不低于90%"]
    for number in range(items):
        pledge_item_add(
            pledge_id=pledge.pk,
            actor=cast.county_officer,
            data=item(titles[number], weight="40", due=datetime.date(YEAR, 6 + number, 30)),
        )
    return pledge


def issued(cast, **kwargs):
    pledge = draft(cast, **kwargs)
    return pledge_issue(pledge_id=pledge.pk, actor=cast.county_leader)


def signed(cast, **kwargs):
    pledge = issued(cast, **kwargs)
    return pledge_sign(pledge_id=pledge.pk, actor=cast.bureau_leader)
