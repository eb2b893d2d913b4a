"""被投诉单位不得自查: staff in the unit complained about never find the case, anywhere.

The rule (docs/domain-rules.md): a post is in its unit and every unit above it, except a
unit's remit and the units above that (the county 纠风办, remit the county, is not in the
county, so it handles complaints about the county; it is in its own commission). Staff in
the unit complained about get 404 for the case on every page and endpoint, as for a case
out of scope, and are never told of it; what the handling unit sends them (a rectification
item) stays theirs.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import services
from complaints import transitions as t
from complaints.models import ActivityKind, Complaint, Finding, MeasureKind
from complaints.workflow import STAFF_TRANSITIONS
from jiufeng.models import Notification
from jiufeng.roles import Role
from responsibility.models import Deadline, DeadlineKind, Escalation, PositionKind, RectificationItem
from responsibility.services import visits as item_services
from responsibility.services.escalations import deadlines_sweep
from responsibility.services.escalations_selectors import escalation_list_notified, overdue_board

from .attachment_files import photo, upload
from .county_tree import county_tree, person
from .test_api_staff import api
from .test_pages_staff_helpers import as_user, case_url

pytestmark = pytest.mark.django_db

DECISION = {"finding": Finding.SUBSTANTIATED, "disposition": "责令整改", "reply": "经查属实，已责令整改。"}


@pytest.fixture
def tree(cast):
    return county_tree(cast)


def _about(file_complaint, unit, title: str) -> Complaint:
    complaint, _code = file_complaint(subject_unit=unit, title=title, anonymous=False)
    return complaint


@pytest.fixture
def cases(tree, file_complaint):
    return {
        name: _about(file_complaint, getattr(tree, name), f"关于{name}的投诉")
        for name in ("county", "commission", "office", "bureau", "school", "hospital")
    }


ALL = {"county", "commission", "office", "bureau", "school", "hospital"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # A post at the root is in the root: a complaint about the county is not theirs.
        ("cast.county_officer", ALL - {"county"}),
        ("cast.county_leader", ALL - {"county"}),
        # The 纠风办 works on the county from outside it, but is part of its commission.
        ("jfb_officer", ALL - {"office", "commission"}),
        ("cast.bureau_officer", {"school"}),
        # 领导包片 over the sibling bureau shows its hospital's case; never the bureau's own.
        ("cast.bureau_leader", {"school", "hospital"}),
        ("health_officer", {"hospital"}),
        ("hospital_officer", set()),
        ("cast.auditor", ALL),
    ],
)
def test_who_sees_which_complaint(tree, cases, who, expected):
    user = tree.cast if who.startswith("cast.") else tree
    user = getattr(user, who.removeprefix("cast."))
    visible = set(Complaint.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {cases[name].pk for name in expected}


@pytest.fixture
def about_bureau(tree, cases):
    """The bureau's own case, handled by the county, with a file, a message, an activity and a note."""
    complaint = cases["bureau"]
    officer = tree.cast.county_officer
    t.complaint_accept(complaint_id=complaint.pk, actor=officer, handling_unit=tree.county)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=officer)
    services.activity_record(
        complaint_id=complaint.pk,
        actor=officer,
        kind=ActivityKind.CHECK,
        occurred_at=timezone.now(),
        participants="",
        summary="核查收费台账",
        attachments=[upload("ledger.jpg", photo())],
    )
    services.message_add(complaint_id=complaint.pk, actor=officer, body="请补充收费凭证")
    services.internal_note_add(complaint_id=complaint.pk, actor=officer, body="注意保护投诉人")
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=tree.cast.county_leader, note="同意")
    complaint.refresh_from_db()
    return complaint


def _page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["bureau_officer", "bureau_leader"])
def test_the_subject_units_staff_find_the_case_nowhere(client, tree, about_bureau, who):
    user = getattr(tree.cast, who)
    complaint = about_bureau
    attachment = complaint.attachments.get()
    # The county sees it all: what follows is the rule, not an empty case.
    assert api(tree.cast.county_officer).get(f"/api/v1/complaints/{complaint.pk}/").status_code == 200

    as_user(client, user)
    # Lists, counts and search on the pages.
    cases_url = reverse("complaints:case-list")
    link = f'href="{case_url(complaint)}"'
    assert link in _page(as_user(Client(), tree.cast.county_officer), cases_url, tab="all")
    for params in ({"tab": "all"}, {"tab": "waiting"}, {"tab": "all", "q": complaint.title}):
        assert link not in _page(client, cases_url, **params), params
    assert link not in _page(client, reverse("complaints:case-approvals"))
    # The case, its files, its letter, every action on it: not found.
    for name in ("case-detail", "case-reply-letter"):
        assert client.get(case_url(complaint, name)).status_code == 404, name
    file_url = reverse("complaints:case-attachment", args=[complaint.pk, attachment.pk])
    assert client.get(file_url).status_code == 404
    for transition in STAFF_TRANSITIONS:
        url = reverse("complaints:case-transition", args=[complaint.pk, transition.name])
        assert client.post(url, {}).status_code == 404, transition.name
    for name in ("case-activity-add", "case-message-add", "case-note-add", "case-extension-request", "case-identity"):
        assert client.post(case_url(complaint, name), {}).status_code == 404, name

    # The same through the staff API.
    client_api = api(user)
    base = f"/api/v1/complaints/{complaint.pk}/"
    listed = client_api.get("/api/v1/complaints/").json()
    assert complaint.pk not in [row["id"] for row in listed["results"]]
    assert listed["count"] == Complaint.objects.visible_to(user).count()
    for params in ({"q": complaint.title}, {"subject_unit": tree.bureau.pk}):
        assert client_api.get("/api/v1/complaints/", params).json()["count"] == 0, params
    for path in ("", "identity/", "history/", f"attachments/{attachment.pk}/"):
        assert client_api.get(base + path).status_code == 404, path
    for path in [f"transitions/{transition.name}/" for transition in STAFF_TRANSITIONS] + [
        "activities/",
        "messages/",
        "notes/",
        "extension/",
    ]:
        assert client_api.post(base + path, {}, format="json").status_code == 404, path
    # Never told of it: no notification links to the case.
    assert not Notification.objects.filter(recipient=user, link=case_url(complaint)).exists()


def test_a_complaint_about_the_county_goes_to_the_office_not_to_the_countys_own_staff(client, tree, file_complaint):
    complaint = _about(file_complaint, tree.county, "县政府乱收费")
    link = case_url(complaint)
    told = set(Notification.objects.filter(link=link).values_list("recipient__username", flat=True))
    # The county officer's post is at the root, in the unit complained about; the 纠风办's is not.
    assert told == {"jfb-officer"}
    for root_staff in (tree.cast.county_officer, tree.cast.county_leader):
        assert as_user(client, root_staff).get(link).status_code == 404
    # Only a unit in the county could handle it, and every unit but the 纠风办 (and what is under it) is.
    with pytest.raises(ValidationError):
        t.complaint_accept(complaint_id=complaint.pk, actor=tree.jfb_officer, handling_unit=tree.commission)
    t.complaint_accept(complaint_id=complaint.pk, actor=tree.jfb_officer, handling_unit=tree.office)
    complaint.refresh_from_db()
    assert complaint.handling_unit == tree.office


def test_the_accept_form_offers_no_unit_in_the_unit_complained_about(client, tree, file_complaint):
    complaint = _about(file_complaint, tree.county, "县政府乱收费")
    form = (
        as_user(client, tree.jfb_officer).get(case_url(complaint)).content.decode().split('name="accept-handling_unit"')
    )
    options = form[1].split("</select>")[0]
    assert f'value="{tree.office.pk}"' in options
    for unit in (tree.county, tree.commission, tree.bureau, tree.hospital):
        assert f'value="{unit.pk}"' not in options, unit.name


def test_a_complaint_about_the_office_is_kept_from_its_staff_and_handled_by_the_county(client, tree, file_complaint):
    complaint = _about(file_complaint, tree.office, "纠风办不作为")
    link = case_url(complaint)
    assert set(Notification.objects.filter(link=link).values_list("recipient__username", flat=True)) == {
        "county-officer"
    }
    assert as_user(client, tree.jfb_officer).get(link).status_code == 404
    t.complaint_accept(complaint_id=complaint.pk, actor=tree.cast.county_officer, handling_unit=tree.commission)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=tree.cast.county_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=tree.cast.county_officer, **DECISION)
    # The county leadership approves; the 纠风办 never hears of any of it.
    t.complaint_approve(complaint_id=complaint.pk, actor=tree.cast.county_leader, note="同意")
    assert not Notification.objects.filter(recipient=tree.jfb_officer, link=link).exists()
    assert Notification.objects.filter(recipient=tree.cast.county_leader, link=link).exists()


def test_the_level_above_hears_when_the_nearest_staff_are_in_the_unit_complained_about(tree, file_complaint):
    # The school's case is handled by the bureau; a case about the bureau handled by the
    # county: the bureau's own liaison is never the one told, the county's staff are.
    complaint = _about(file_complaint, tree.bureau, "教育局乱收费")
    t.complaint_accept(complaint_id=complaint.pk, actor=tree.jfb_officer, handling_unit=tree.county)
    told = set(Notification.objects.filter(link=case_url(complaint)).values_list("recipient__username", flat=True))
    assert "bureau-officer" not in told and "bureau-leader" not in told
    assert "county-officer" in told


def test_rectification_items_sent_to_the_subject_unit_stay_theirs(tree, file_complaint):
    school_officer = person("school-officer", Role.OFFICER, tree.school, PositionKind.LIAISON)
    complaint = _about(file_complaint, tree.school, "学校乱收费")
    t.complaint_accept(complaint_id=complaint.pk, actor=tree.jfb_officer, handling_unit=tree.bureau)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=tree.cast.bureau_officer)
    measure = {
        "kind": MeasureKind.RECTIFICATION,
        "responsible_unit": tree.school,
        "due_on": timezone.localdate() + datetime.timedelta(days=20),
        "description": "清退资料费",
    }
    t.complaint_submit_for_approval(
        complaint_id=complaint.pk, actor=tree.cast.bureau_officer, measures=[measure], **DECISION
    )
    t.complaint_approve(complaint_id=complaint.pk, actor=tree.cast.bureau_leader, note="同意")
    assert not Complaint.objects.visible_to(school_officer).exists()
    item = RectificationItem.objects.visible_to(school_officer).get()
    assert item.responsible_unit == tree.school
    item_services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已全部清退")
    item.refresh_from_db()
    assert item.submitted_by == school_officer


def test_open311_shows_the_subject_units_staff_only_what_it_shows_anyone(client, tree, about_bureau):
    url = f"/open311/v2/requests/{about_bureau.pk}.json"
    anyone = APIClient().get(url)
    client.force_login(tree.cast.bureau_officer)
    staff = client.get(url)
    assert staff.status_code == anyone.status_code == 200
    assert staff.json() == anyone.json()
    text = staff.content.decode()
    for private in (about_bureau.title, about_bureau.content, tree.bureau.name):
        assert private not in text


def test_the_case_list_costs_the_same_however_many_cases_are_kept_from_the_user(client, tree, file_complaint):
    as_user(client, tree.cast.bureau_officer)
    url = reverse("complaints:case-list")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"tab": "all"}).status_code == 200
        return len(captured)

    _about(file_complaint, tree.bureau, "教育局一")
    _about(file_complaint, tree.school, "学校一")
    before = count()
    for n in range(4):
        _about(file_complaint, tree.bureau, f"教育局{n}")
        _about(file_complaint, tree.school, f"学校{n}")
    assert count() == before


# --- The deadline ledger: a case's deadlines are withheld from the unit complained about -------


def test_the_deadlines_of_a_case_are_withheld_from_the_unit_complained_about(client, tree, file_complaint):
    principal = person("county-principal", Role.LEADER, tree.county, PositionKind.PRINCIPAL)
    about_county = _about(file_complaint, tree.county, "县政府乱收费")
    about_bureau = _about(file_complaint, tree.bureau, "教育局乱收费")
    intake = {
        complaint.pk: Deadline.objects.get(object_id=complaint.pk, kind=DeadlineKind.COMPLAINT_ACCEPT)
        for complaint in (about_county, about_bureau)
    }
    assert intake[about_county.pk].withheld_from == tree.county

    def targets(user) -> set[int]:
        rows = api(user).get("/api/v1/deadlines/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        return {row["target_id"] for row in rows if row["target_type"] == "complaint"}

    # The root's people see the bureau's case's deadline, not the one of the case about the root.
    assert targets(principal) == targets(tree.cast.county_leader) == {about_bureau.pk}
    assert targets(tree.jfb_officer) == {about_county.pk, about_bureau.pk}
    as_user(client, principal)
    page = client.get(reverse("responsibility:unit-detail", args=[tree.county.pk])).content.decode()
    assert page.count("Decide whether to accept a complaint") == 1

    # Overdue: the ladder climbs for both, but tells the root's principal only of the bureau's case.
    later = max(d.due_at for d in intake.values()) + datetime.timedelta(days=1)
    for step in range(3):
        deadlines_sweep(at=later + datetime.timedelta(days=3 * step))
    for deadline in intake.values():
        assert Escalation.objects.filter(deadline=deadline, unit=tree.county, level=1).exists()
    # One digest line in all: the bureau's case (both intake deadlines are owed by the county).
    told = Notification.objects.filter(recipient=principal).values_list("body", flat=True)
    assert sum(len(body.splitlines()) for body in told) == 1
    notified = escalation_list_notified(user=principal)
    assert {e.deadline_id for e in notified} == {intake[about_bureau.pk].pk}
    overdue = overdue_board(unit=tree.county, user=principal, at=later)
    assert {d.pk for d in overdue} == {intake[about_bureau.pk].pk}


def test_the_merge_form_names_no_duplicate_kept_from_the_triaging_officer(client, tree, file_complaint):
    # The same phone filed about the county (kept from its own officer) and then about the school.
    about_county = _about(file_complaint, tree.county, "县政府乱收费")
    about_school = _about(file_complaint, tree.school, "学校乱收费")
    assert about_school.possible_duplicate_of_id == about_county.pk
    page = as_user(client, tree.cast.county_officer).get(case_url(about_school)).content.decode()
    merge = page.split('name="merge-primary"')[1].split(">")[0]
    assert "value=" not in merge
    page = as_user(client, tree.jfb_officer).get(case_url(about_school)).content.decode()
    assert f'value="{about_county.pk}"' in page.split('name="merge-primary"')[1].split(">")[0]
