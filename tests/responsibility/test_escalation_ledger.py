"""台帐 of escalations: what reached me, or every escalation in my scope, on the page and as a file."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent, AuditEventKind
from responsibility.models import Deadline, DeadlineKind, Escalation, PositionKind
from responsibility.services.visits import rectification_item_add

from ..factories import PositionFactory, UserFactory
from .escalation_helpers import ladder_tree, sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
LIST = "/org/escalations/"


@pytest.fixture
def tree(cast):
    return ladder_tree(cast.units)


def escalate(tree, descriptions: list[str]):
    """Rectification items of the grade office, overdue and escalated to the school's principal (level 2)."""
    due = timezone.now() - 10 * DAY
    for description in descriptions:
        item = rectification_item_add(
            actor=tree.people[("county", "principal")],
            responsible_unit=tree.grade,
            description=description,
            due_on=timezone.localdate() + DAY,
        )
        # Its own deadline, as if due ten days ago.
        Deadline.objects.filter(object_id=item.pk, kind=DeadlineKind.RECTIFICATION_ITEM).update(
            due_at=due, next_escalation_at=due
        )
    for step in range(3):
        sweep(due + (1 + 2 * step) * DAY)


def sheet(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return [tuple(row) for row in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)]


def as_user(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_ledger_holds_every_escalation_in_scope_with_its_case_or_item(tree, client):
    escalate(tree, ["食堂账目公示"])
    principal = tree.people[("county", "principal")]
    rows = sheet(as_user(client, principal, "zh-hans").get(LIST, {"tab": "all", "format": "xlsx"}))
    header = next(row for row in rows if row and row[0] == "期限事项")
    assert header[:6] == ("期限事项", "案件或事项", "责任单位", "到期时间", "层级", "被通知单位")
    data = rows[rows.index(header) + 1 :]
    assert sorted(row[4] for row in data) == [0, 1, 2]
    assert all("食堂账目公示" in row[1] and row[2] == "初一年级组" for row in data)
    assert {row[5] for row in data} == {"初一年级组", "县第一中学"}
    event = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert event.detail["name"] == "escalations" and event.detail["rows"] == 3
    # The filters on top: which list.
    assert ("列表", "我职责范围内的全部预警升级") in rows[: rows.index(header)]


def test_each_tab_holds_what_it_says_and_nothing_outside_the_scope(tree, client):
    escalate(tree, ["公示"])
    school_principal = tree.people[("school", "principal")]
    mine = as_user(client, school_principal).get(LIST)
    assert [e.level for e in mine.context["page"].object_list] == [2]
    everything = client.get(LIST, {"tab": "all"})
    assert sorted(e.level for e in everything.context["page"].object_list) == [0, 1, 2]
    assert "Every escalation of the units in your scope" in everything.content.decode()
    # The tab travels with the export links.
    assert "?tab=all&amp;format=xlsx" in everything.content.decode()
    outsider = UserFactory(roles=["officer"])
    PositionFactory(user=outsider, unit=tree.sibling, kind=PositionKind.PRINCIPAL)
    assert list(as_user(client, outsider).get(LIST, {"tab": "all"}).context["page"].object_list) == []
    rows = sheet(client.get(LIST, {"tab": "all", "format": "xlsx"}))
    assert rows[-1][0] == "Obligation"


@pytest.mark.parametrize("tab", ["nope", "<script>", ""])
def test_an_unknown_tab_is_the_first(tree, client, tab):
    escalate(tree, ["公示"])
    response = as_user(client, tree.people[("school", "principal")]).get(LIST, {"tab": tab})
    assert response.status_code == 200 and response.context["tab"] == "mine"


def test_the_file_reads_in_chunks_whatever_the_number_of_escalations(tree, client):
    escalate(tree, ["一"])
    as_user(client, tree.people[("county", "principal")])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(LIST, {"tab": "all", "format": "csv"}).streaming_content)
        return len(captured)

    first = queries()
    escalate(tree, ["二", "三", "四"])
    assert Escalation.objects.count() == 12
    assert queries() == first
