"""A history row exists with the right user for each kind of change: a page, the API, the
admin, a Celery task, a management command, and a petitioner filing without an account."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.actors import SYSTEM_USERNAME, change_reason, reason_split, system_run
from complaints import transitions as t
from complaints.models import Complaint, ComplaintStatus
from complaints.tasks import close_expired_cases_task
from jiufeng.celery import app
from jiufeng.history import bulk_create_recorded, history_record
from jiufeng.models import Notification, User
from jiufeng.roles import Role
from responsibility.models import Escalation, Position, PositionKind, Unit, UnitMove
from responsibility.services.imports import org_import_apply
from tests.complaints.conftest import DECISION
from tests.responsibility.escalation_helpers import ladder_tree, open_deadline
from tests.responsibility.test_escalation_worker import wait_until
from tests.responsibility.test_imports import HEADER, upload

from .conftest import token_client

ROOT = Path(__file__).resolve().parents[2]


def newest(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


def system() -> User:
    return User.objects.get(username=SYSTEM_USERNAME)


@pytest.mark.django_db
def test_a_transition_on_the_case_page_is_recorded_as_the_signed_in_officer(client, cast, accepted):
    client.force_login(cast.bureau_officer)
    data = {"start_investigation-version": accepted.version}
    response = client.post(reverse("complaints:case-transition", args=[accepted.pk, "start_investigation"]), data)
    assert response.status_code == 302
    row = newest(Complaint, accepted.pk)
    assert (row.status, row.history_user, row.history_change_reason) == (
        ComplaintStatus.INVESTIGATING,
        cast.bureau_officer,
        "start_investigation",
    )


@pytest.mark.django_db
def test_a_transition_through_the_api_is_recorded_as_the_tokens_user(cast, accepted):
    api = token_client(cast.bureau_officer)
    response = api.post(f"/api/v1/complaints/{accepted.pk}/transitions/start_investigation/", {}, format="json")
    assert response.status_code == 200, response.content
    row = newest(Complaint, accepted.pk)
    assert (row.status, row.history_user) == (ComplaintStatus.INVESTIGATING, cast.bureau_officer)


@pytest.mark.django_db
def test_a_unit_moved_on_its_page_is_recorded_with_the_officer_and_both_parents(client, cast):
    client.force_login(cast.county_officer)
    school, sibling = cast.units.school, cast.units.sibling
    url = reverse("responsibility:unit-move", args=[school.pk])
    assert client.post(url, {"parent": sibling.pk, "confirm": "yes"}).status_code == 302
    row = UnitMove.history.get()
    assert (row.unit_id, row.from_parent_id, row.to_parent_id, row.history_user) == (
        school.pk,
        cast.units.bureau.pk,
        sibling.pk,
        cast.county_officer,
    )


@pytest.mark.django_db
def test_an_edit_in_the_admin_is_recorded_as_the_administrator(client, cast, administrator):
    client.force_login(administrator)
    url = reverse("admin:responsibility_unit_change", args=[cast.units.bureau.pk])
    form = client.get(url).context["adminform"].form
    # As the form stands (where the unit sits in the tree among it), with a new name.
    data = {name: getattr(value, "pk", value) for name, value in form.initial.items() if value is not None}
    data["name"] = "县教育体育局"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = newest(Unit, cast.units.bureau.pk)
    assert (row.name, row.history_user) == ("县教育体育局", administrator)


@pytest.mark.django_db
def test_a_unit_dragged_in_the_admins_tree_is_recorded_on_its_history_as_the_administrator(client, cast, administrator):
    client.force_login(administrator)
    school, sibling = cast.units.school, cast.units.sibling
    data = {"node": school.pk, "target": sibling.pk, "relation": "child"}
    assert client.post("/admin/responsibility/unit/move/", data).status_code == 200
    row = newest(Unit, school.pk)
    # treebeard moves by path: the unit's history keeps its new place, not a UnitMove.
    assert (row.path[: len(sibling.path)], row.history_user) == (sibling.path, administrator)


@pytest.mark.django_db
def test_a_role_given_in_the_admin_is_in_the_users_history(client, cast, administrator):
    client.force_login(administrator)
    person = cast.bureau_officer
    url = reverse("admin:jiufeng_user_change", args=[person.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data |= {"groups": [g.pk for g in person.groups.all()] + [_group(Role.LEADER).pk], "user_permissions": []}
    data |= {"date_joined_0": person.date_joined.date().isoformat(), "date_joined_1": "00:00:00"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = newest(User, person.pk)
    assert row.history_user == administrator
    assert set(row.groups.values_list("group__name", flat=True)) == {Role.OFFICER, Role.LEADER}


@pytest.mark.django_db
def test_roles_given_by_an_import_are_in_the_peoples_history(cast):
    text = f"{HEADER}\n县教育局教研室,县教育局,内设机构,周主任,吴专干,13912340001\n"
    org_import_apply(user=cast.bureau_officer, file=upload(text))
    liaison = Position.objects.get(unit__name="县教育局教研室", kind=PositionKind.LIAISON).user
    row = newest(User, liaison.pk)
    assert (row.history_user, row.history_change_reason) == (cast.bureau_officer, "roles")
    assert list(row.groups.values_list("group__name", flat=True)) == [Role.OFFICER]
    # Importing the same again gives no role anew and records nothing more.
    org_import_apply(user=cast.bureau_officer, file=upload(text))
    assert newest(User, liaison.pk) == row


def _group(role):
    return Group.objects.get(name=role)


@pytest.mark.django_db
def test_a_petitioners_filing_has_no_user_and_is_not_the_systems(cast, category):
    filing = {"category": category.pk, "subject_unit": cast.units.school.pk, "anonymous": True}
    filing |= {"title": "乱收费", "content": "收资料费"}
    response = APIClient().post(reverse("api:complaint-list"), filing, format="json")
    assert response.status_code == 201, response.content
    row = Complaint.history.get(history_type="+")
    assert (row.history_user, row.history_change_reason) == (None, "file")
    assert system().pk != row.history_user_id


@pytest.mark.django_db
def test_a_task_called_as_beat_would_is_recorded_as_the_system_with_its_name(cast, accepted):
    t.complaint_start_investigation(complaint_id=accepted.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=accepted.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=accepted.pk, actor=cast.bureau_leader, note="同意")
    Complaint.objects.filter(pk=accepted.pk).update(replied_at=timezone.now() - datetime.timedelta(days=60))

    assert close_expired_cases_task() == 1
    row = newest(Complaint, accepted.pk)
    assert row.status == ComplaintStatus.CLOSED and row.history_user == system()
    assert reason_split(row.history_change_reason) == ("close", "task:complaints.tasks.close_expired_cases_task")


@pytest.mark.django_db
def test_bulk_history_in_a_system_run_takes_the_system_and_the_runs_name(cast):
    notification = Notification.objects.create(recipient=cast.auditor, subject="提醒")
    with system_run("task", "jiufeng.tasks.example_task"):
        history_record(Notification, [notification.pk], update=True, reason="read")
        [created] = bulk_create_recorded([Notification(recipient=cast.auditor, subject="再提醒")])
    row = newest(Notification, notification.pk)
    assert (row.history_user, row.history_change_reason) == (system(), "read [task:jiufeng.tasks.example_task]")
    row = newest(Notification, created.pk)
    assert (row.history_user, row.history_change_reason) == (system(), "task:jiufeng.tasks.example_task")


def test_a_long_reason_is_cut_but_keeps_the_runs_name():
    with system_run("command", "seed_demo"):
        reason = change_reason("x" * 200)
    assert len(reason) == 100 and reason.endswith(" [command:seed_demo]")
    assert reason_split(reason) == ("x" * 80, "command:seed_demo")
    assert change_reason("close") == "close" and reason_split("close") == ("close", "")


@pytest.mark.django_db
def test_the_system_user_cannot_sign_in(client):
    user = system()
    assert not user.is_active and not user.has_usable_password()
    assert str(user) == "the system"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_run_by_a_worker_is_recorded_as_the_system_with_the_tasks_name(units):
    tree = ladder_tree(units)
    open_deadline(tree.grade, due_at=timezone.now() - datetime.timedelta(hours=1))
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        app.send_task(app.conf.beat_schedule["sweep-deadlines"]["task"])
        assert wait_until(lambda: Escalation.objects.exists(), 15)
    row = Escalation.history.get()
    assert row.history_user == system()
    assert reason_split(row.history_change_reason)[1] == "task:responsibility.tasks.sweep_deadlines_task"


@pytest.mark.django_db(transaction=True)
def test_a_management_command_is_recorded_as_the_system_with_the_commands_name(units):
    """manage.py in a subprocess, against this test's database: the way an operator runs it."""
    tree = ladder_tree(units)
    open_deadline(tree.grade, due_at=timezone.now() - datetime.timedelta(hours=1))
    database = connection.settings_dict
    login = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    address = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    environment = os.environ | {"DATABASE_URL": f"postgres://{login}@{address}/{database['NAME']}"}
    subprocess.run(
        [sys.executable, "manage.py", "sweep_deadlines"], cwd=ROOT, env=environment, check=True, capture_output=True
    )
    row = Escalation.history.get()
    assert row.history_user == system()
    assert reason_split(row.history_change_reason)[1] == "command:sweep_deadlines"
