"""The shared cast: one county, two bureaus, a school, and people placed in them.

    county (root)
    ├── bureau          officer (liaison) and leader (principal) here
    │   └── school
    └── sibling bureau  outside the bureau people's scope

The county officer and county leader act on all of it; the auditor holds no position.
"""

import os
from types import SimpleNamespace

import pytest

from jiufeng.roles import Role
from responsibility.models import PositionKind, UnitKind
from tests.storage import private_storage_setting

from .factories import PositionFactory, UserFactory, unit_add

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# tests around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # Rate-limit counters (tracking-code guesses) live in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    # Uploaded files land in the test's own directory, never in var/media beside `make run`'s.
    location = str(tmp_path / "media")
    settings.MEDIA_ROOT = location
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private_storage_setting(location),
    }


@pytest.fixture
def units(db):
    county = unit_add(parent=None, name="测试县", kind=UnitKind.ORGAN)
    bureau = unit_add(parent=county, name="县教育局")
    school = unit_add(parent=bureau, name="县第一中学", kind=UnitKind.INSTITUTION)
    sibling = unit_add(parent=county, name="县卫生健康局")
    return SimpleNamespace(county=county, bureau=bureau, school=school, sibling=sibling)


@pytest.fixture
def cast(units):
    people = SimpleNamespace(
        county_officer=UserFactory(username="county-officer", roles=[Role.OFFICER]),
        county_leader=UserFactory(username="county-leader", roles=[Role.LEADER]),
        bureau_officer=UserFactory(username="bureau-officer", roles=[Role.OFFICER]),
        bureau_leader=UserFactory(username="bureau-leader", roles=[Role.LEADER]),
        auditor=UserFactory(username="auditor", roles=[Role.AUDITOR]),
        units=units,
    )
    PositionFactory(user=people.county_officer, unit=units.county, kind=PositionKind.OFFICER)
    PositionFactory(user=people.county_leader, unit=units.county, kind=PositionKind.LEADER_IN_CHARGE)
    PositionFactory(user=people.bureau_officer, unit=units.bureau, kind=PositionKind.LIAISON)
    PositionFactory(user=people.bureau_leader, unit=units.bureau, kind=PositionKind.PRINCIPAL)
    return people


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }
