import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from complaints import transitions as t
from complaints.models import Complaint
from complaints.selectors import complaint_get_for_user
from jiufeng.roles import Role
from responsibility.models import LeaderAssignment, PositionKind
from tests.factories import PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(cast, file_complaint):
    about_school, _ = file_complaint(subject_unit=cast.units.school)
    about_sibling, _ = file_complaint(subject_unit=cast.units.sibling)
    unknown_unit, _ = file_complaint(subject_unit=None)
    handled_by_bureau, _ = file_complaint(subject_unit=None)
    t.complaint_accept(complaint_id=handled_by_bureau.pk, actor=cast.county_officer, handling_unit=cast.units.bureau)
    return {
        "about_school": about_school,
        "about_sibling": about_sibling,
        "unknown_unit": unknown_unit,
        "handled_by_bureau": handled_by_bureau,
    }


EVERYTHING = {"about_school", "about_sibling", "unknown_unit", "handled_by_bureau"}
BUREAU = {"about_school", "handled_by_bureau"}


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("county_officer", EVERYTHING),
        ("county_leader", EVERYTHING),
        ("auditor", EVERYTHING),
        ("bureau_officer", BUREAU),
        ("bureau_leader", BUREAU),
    ],
)
def test_each_role_sees_the_complaints_of_its_scope(cast, cases, person, expected):
    visible = set(Complaint.objects.visible_to(getattr(cast, person)).values_list("pk", flat=True))
    assert visible == {cases[name].pk for name in expected}


def test_an_anonymous_visitor_sees_no_complaint(cases):
    assert not Complaint.objects.visible_to(AnonymousUser()).exists()


def test_visibility_is_one_query(cast, cases, django_assert_num_queries):
    user = cast.bureau_officer
    Complaint.objects.visible_to(user)  # warms the user's scope, kept for the request
    with django_assert_num_queries(1):
        list(Complaint.objects.visible_to(user))


def test_one_case_is_found_exactly_when_visible_to_lists_it(cast, cases, file_complaint):
    # complaint_get_for_user reads through visible_to: every person gets the same answer
    # from both on every case, seen or not.
    handled_about_school, _ = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=handled_about_school.pk, actor=cast.county_officer, handling_unit=cast.units.bureau)
    cases = {**cases, "handled_about_school": handled_about_school}
    school_liaison = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=school_liaison, unit=cast.units.school, kind=PositionKind.LIAISON)
    sibling_officer = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=sibling_officer, unit=cast.units.sibling, kind=PositionKind.OFFICER)
    assigned = UserFactory(roles=[Role.LEADER])
    assignment = LeaderAssignment.objects.create(leader=assigned, starts_on=datetime.date(2020, 1, 1))
    assignment.units.add(cast.units.sibling)
    superuser = UserFactory(is_superuser=True)
    people = [
        cast.county_officer,
        cast.county_leader,
        cast.auditor,
        cast.bureau_officer,
        cast.bureau_leader,
        school_liaison,
        sibling_officer,
        assigned,
        superuser,
        UserFactory(roles=[Role.OFFICER]),
        AnonymousUser(),
    ]
    answers = set()
    for person in people:
        listed = set(Complaint.objects.visible_to(person).values_list("pk", flat=True))
        for complaint in cases.values():
            try:
                found = complaint_get_for_user(user=person, pk=complaint.pk).pk == complaint.pk
            except Http404:
                found = False
            assert found == (complaint.pk in listed), (person, complaint.title)
            answers.add(found)
    assert answers == {True, False}


def test_a_case_found_alone_says_whether_it_is_overdue(cast, cases):
    complaint = cases["about_school"]
    assert complaint_get_for_user(user=cast.county_officer, pk=complaint.pk).is_overdue is False
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    assert complaint_get_for_user(user=cast.county_officer, pk=complaint.pk).is_overdue is True
    # Only a waiting case runs a deadline.
    rejected = t.complaint_reject(complaint_id=complaint.pk, actor=cast.county_officer, reason="不属于受理范围")
    Complaint.objects.filter(pk=rejected.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    assert complaint_get_for_user(user=cast.county_officer, pk=complaint.pk).is_overdue is False
