import pytest
from django.contrib.auth.models import AnonymousUser

from complaints import transitions as t
from complaints.models import Complaint

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
