"""The demo's pledges: level by level, most signed, some not, one amended, 县教育局's left to sign."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiufeng.models import User
from responsibility.models import Pledge, PledgeState, Unit
from responsibility.services.pledges import pledge_sign
from responsibility.services.pledges_selectors import pledge_coverage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_has_this_years_pledges_at_two_levels_mostly_signed(demo):
    year = timezone.localdate().year
    pledges = Pledge.objects.filter(year=year)
    signed = pledges.filter(state=PledgeState.SIGNED).count()
    assert pledges.count() >= 30
    assert signed > pledges.count() / 2
    assert pledges.filter(state=PledgeState.ISSUED).exists() and pledges.filter(state=PledgeState.DRAFT).exists()
    assert set(pledges.values_list("issuer__depth", flat=True)) == {1, 2}
    amended = pledges.get(version=2)
    assert amended.state == PledgeState.SIGNED and amended.signatures.count() == 2
    assert all(4 <= p.items.count() <= 6 for p in pledges)
    levels = pledge_coverage(root=Unit.objects.get(name="青溪县"), year=year)
    assert [lv.level for lv in levels] == [1, 2, 3]


def test_the_demo_leaves_the_education_bureaus_pledge_for_leader_edu_to_sign(demo):
    pledge = Pledge.objects.get(issuer__name="青溪县", unit__name="县教育局", year=timezone.localdate().year)
    assert (pledge.state, pledge.signed_by) == (PledgeState.ISSUED, None)
    pledge_sign(pledge_id=pledge.pk, actor=User.objects.get(username="leader-edu"))
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.SIGNED
