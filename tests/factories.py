import datetime

import factory
from django.contrib.auth.models import Group

from jiufeng.models import User
from responsibility.models import Position, PositionKind, Unit, UnitKind

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    user = factory.SubFactory(UserFactory)
    kind = PositionKind.OFFICER
    starts_on = datetime.date(2026, 1, 1)


def unit_add(*, parent: Unit | None, name: str, kind: str = UnitKind.DEPARTMENT) -> Unit:
    """Units are tree nodes: created through treebeard, not a plain factory."""
    if parent is None:
        return Unit.objects.add_root({"name": name, "kind": kind})
    return Unit.objects.add_child(parent, {"name": name, "kind": kind})


def complaint_filed(*, category, subject_unit, anonymous: bool = True, **overrides):
    """File through the service, as a petitioner would (anonymous unless told); returns (complaint, code).

    ``overrides``: any other field of complaints.services.complaint_file (channel, title, ...).
    """
    from complaints.models import Channel
    from complaints.services import complaint_file

    fields = {
        "channel": Channel.WEB,
        "category": category,
        "subject_unit": subject_unit,
        "title": "学校强制订购教辅资料",
        "content": "班主任要求每人交200元购买指定资料。",
        "occurred_on": None,
        "location": "",
        "anonymous": anonymous,
        "name": "" if anonymous else "张三",
        "phone": "" if anonymous else "13800138000",
        "id_number": "",
        "email": "",
    }
    return complaint_file(**(fields | overrides))
