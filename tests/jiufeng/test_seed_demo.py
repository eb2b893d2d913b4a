import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Max
from django.test import RequestFactory

from complaints.models import Category
from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from jiufeng.models import Notification, User
from responsibility.models import Escalation, Position, Unit
from responsibility.services.escalations_selectors import escalation_list_notified

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_changes_nothing():
    seed()
    first = row_counts()
    snapshot = list(Unit.objects.order_by("path").values_list("path", "name", "supervising_unit__name"))
    seed()
    assert row_counts() == first
    assert list(Unit.objects.order_by("path").values_list("path", "name", "supervising_unit__name")) == snapshot


def test_seed_demo_builds_a_county_of_at_least_forty_units_in_four_levels():
    seed()
    assert Unit.objects.count() >= 40
    assert Unit.objects.aggregate(Max("depth"))["depth__max"] >= 4
    assert Unit.objects.get_root_nodes().get().name == "青溪县"
    for name in ["县纠风办", "县教育局", "县卫生健康局", "县人民医院", "县市场监督管理局", "城关镇人民政府"]:
        assert Unit.objects.filter(name=name).exists(), name
    clinic = Unit.objects.get(name="西关村卫生室")
    assert clinic.supervising_unit.name == "城关镇卫生院"
    assert Category.objects.filter(depth=1).count() >= 8
    assert Category.objects.get_parent(Category.objects.get(code="fees-education")).code == "fees"


def test_seed_demo_prints_and_creates_every_demo_account():
    output = seed()
    for username in DEMO_ACCOUNTS:
        assert username in output
        # As the login page asks (django-axes wants the request).
        signing_in = RequestFactory().post("/accounts/login/")
        assert authenticate(signing_in, username=username, password=DEMO_PASSWORD) is not None, username
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="officer").is_staff


def test_seed_demo_places_the_accounts_in_the_county():
    seed()
    placed = set(Position.objects.values_list("user__username", "unit__name", "kind"))
    assert ("officer", "县纠风办", "officer") in placed
    assert ("officer-edu", "县教育局", "liaison") in placed
    assert ("leader", "青溪县", "leader_in_charge") in placed
    assert ("leader-edu", "县教育局", "principal") in placed
    assert ("leader-county", "青溪县", "principal") in placed
    assert ("leader-school", "县第一中学", "principal") in placed
    assert ("officer-school", "县第一中学", "liaison") in placed


def test_every_level_the_demo_escalations_reach_has_a_demo_account():
    seed()
    reached = set()
    for username in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        reached |= set(escalation_list_notified(user=user).values_list("pk", flat=True))
    steps = Escalation.objects.select_related("deadline__unit")
    levels = {step.level for step in steps}
    assert levels == {0, 1, 2}
    assert levels == {step.level for step in steps if step.pk in reached}
    # The two chains through the education bureau reach a demo account at every step.
    education = [step for step in steps if step.deadline.unit.name in {"县教育局", "县第一中学"}]
    assert len(education) == 6
    assert all(step.pk in reached for step in education)
    # At the county: its principal, its leader in charge, and leader-edu for its 包片 over 县卫生健康局.
    county_steps = [step for step in steps if step.unit.name == "青溪县"]
    assert {step.deadline.unit.name for step in county_steps} == {"县教育局", "县卫生健康局"}
    assert all(step.pk in reached for step in county_steps)
    told = Notification.objects.filter(recipient__username="leader-edu", why__contains="县卫生健康局")
    assert told.filter(why__contains="包片").count() == 1
    for username in ["leader-county", "leader"]:
        assert Notification.objects.filter(recipient__username=username, why__contains="青溪县").exists(), username
