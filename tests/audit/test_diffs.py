"""Readable differences (audit.diffs): names instead of ids, labels instead of codes, local times,
是/否, and personal data named as changed, never shown."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from audit.diffs import PERSONAL_FIELDS, row_changes, rows_with_previous, tracked_model, tracked_models
from complaints.models import Activity, Complaint, PetitionerIdentity
from jiufeng.models import User
from responsibility.models import Deadline, LeaderAssignment, PositionKind
from responsibility.services.visits import leader_assignment_create
from tests.factories import PositionFactory, UserFactory

from .history_cases import case_worked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def changes_of(model, rows) -> list[dict]:
    """Each row's changes as {field: (old, new)}, oldest row first."""
    ids = [row.history_id for row in rows]
    found = sorted(rows_with_previous(model, model.history.filter(history_id__in=ids)), key=lambda row: row.history_id)
    readable = row_changes(found)
    label = model._meta.label_lower
    return [
        {c.field: ("masked" if c.masked else (c.old, c.new)) for c in readable[(label, row.history_id)]}
        for row in found
    ]


def case_changes(complaint) -> dict[str, dict]:
    """The case's changes by change reason (its transitions' names; the last of each)."""
    rows = list(complaint.history.order_by("history_date", "history_id"))
    return dict(zip([row.history_change_reason for row in rows], changes_of(Complaint, rows), strict=True))


def test_a_change_names_units_and_people_and_labels_choices(cast):
    complaint = case_worked(cast)
    changes = case_changes(complaint)
    assert changes["accept"]["handling_unit"] == ("", "县教育局")
    assert changes["accept"]["status"] == ("已提交", "已受理")
    assert changes["submit_for_approval"]["finding"] == ("属实", "部分属实")
    every = changes_of(Complaint, complaint.history.all())
    assert ("", str(cast.bureau_officer)) in [c.get("approval_requested_by") for c in every]
    # The first submission's finding stays in the record it was sent back with.
    finding_changes = [c["finding"] for c in every if "finding" in c]
    assert finding_changes == [("", "属实"), ("属实", "部分属实")]


def test_a_created_row_gives_what_it_was_created_with_in_local_time_and_yes_or_no(cast):
    complaint = case_worked(cast)
    filed = case_changes(complaint)["file"]
    assert filed["category"] == ("", "乱收费")
    assert filed["subject_unit"] == ("", "县第一中学")
    assert filed["anonymous"] == ("", "否")
    assert filed["received_at"] == ("", timezone.localtime(complaint.received_at).strftime("%Y-%m-%d %H:%M"))
    assert filed["channel"] == ("", "网上投诉")
    assert "id" not in filed and "due_at" not in filed


def test_the_petitioners_identity_is_named_as_changed_and_never_shown(cast):
    complaint = case_worked(cast)
    identity = PetitionerIdentity.objects.get(complaint=complaint)
    (created,) = changes_of(PetitionerIdentity, identity.history.all())
    assert created["name"] == "masked" and created["phone"] == "masked"
    rows = rows_with_previous(PetitionerIdentity, identity.history.all())
    shown = repr(row_changes(rows))
    assert "张三" not in shown and "13800138000" not in shown
    # The tracking code's stand-in likewise.
    assert case_changes(complaint)["file"]["tracking_code_hash"] == "masked"
    # One list of personal data, kept to fields that exist.
    for label, names in PERSONAL_FIELDS.items():
        model = tracked_model(label)
        assert model is not None, label
        assert names <= {field.name for field in model._meta.fields}, label


def test_an_accounts_phone_and_email_are_masked_but_its_name_is_not(cast):
    user = cast.bureau_officer
    user.phone, user.email, user.display_name = "13900000000", "a@example.org", "李专干"
    user.save()
    changed = changes_of(User, [user.history.order_by("-history_date", "-history_id").first()])[0]
    assert changed["phone"] == "masked" and changed["email"] == "masked"
    assert changed["display_name"][1] == "李专干"


def test_codes_in_a_list_show_their_labels(cast):
    complaint = case_worked(cast)
    activity = Activity.objects.get(complaint=complaint)
    (created,) = changes_of(Activity, activity.history.all())
    assert created["checked"] == ("", "举报问题、管理制度")
    assert created["kind"] == ("", "查")
    assert created["recorded_by"] == ("", str(cast.bureau_officer))


def test_each_row_is_compared_with_the_previous_row_of_its_own_object(cast):
    first = case_worked(cast, title="第一件", rated=False)
    second = case_worked(cast, title="第二件", rated=False)
    accepts = Complaint.history.filter(history_change_reason="accept", id__in=[first.pk, second.pk])
    for changes in changes_of(Complaint, accepts):
        assert changes["version"] == ("0", "1")
        assert changes["status"] == ("已提交", "已受理")


def test_naming_takes_one_query_per_related_model_however_many_rows(cast):
    case_worked(cast, title="学校强制订购教辅资料", rated=False)
    few = list(Complaint.history.values_list("history_id", flat=True))

    def queries(ids) -> int:
        with CaptureQueriesContext(connection) as captured:
            row_changes(rows_with_previous(Complaint, Complaint.history.filter(history_id__in=ids)))
        return len(captured)

    before = queries(few)
    for title in ("医院检查收费过高", "办证窗口午休无人"):
        case_worked(cast, title=title, rated=False)
    many = list(Complaint.history.values_list("history_id", flat=True))
    assert len(many) == 3 * len(few)
    assert queries(many) == before


def test_every_tracked_model_is_listed_once_with_a_verbose_name():
    labels = [model._meta.label_lower for model in tracked_models()]
    assert len(labels) == len(set(labels))
    assert {"complaints.complaint", "complaints.rating", "responsibility.unit", "jiufeng.user"} <= set(labels)
    assert tracked_model("complaints.transitionlog") is None
    assert tracked_model("no.such") is None


def test_links_name_the_units_they_added(cast):
    principal = UserFactory(username="county-principal")
    PositionFactory(user=principal, unit=cast.units.county, kind=PositionKind.PRINCIPAL)
    assignment = leader_assignment_create(
        actor=principal,
        leader=cast.county_leader,
        units=[cast.units.bureau, cast.units.sibling],
        starts_on=datetime.date(2026, 1, 1),
    )
    changes = changes_of(LeaderAssignment, assignment.history.all())
    units = [c["units"] for c in changes if "units" in c]
    assert units == [("", "县教育局、县卫生健康局")]


def test_a_deadlines_target_is_shown_under_words_of_its_own(cast):
    complaint = case_worked(cast, rated=False)
    deadline = Deadline.objects.filter(object_id=complaint.pk).order_by("id").first()
    history = deadline.history.all()
    labels = [
        change.label for changes in row_changes(rows_with_previous(Deadline, history)).values() for change in changes
    ]
    assert {"对象类型", "对象"} <= set(labels)
    assert "object id" not in labels and "content type" not in labels
