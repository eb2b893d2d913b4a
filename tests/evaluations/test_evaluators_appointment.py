"""Appointing conduct supervisors and deputies: the account, the one-time password, the term."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluations.models import Evaluator, EvaluatorGroup
from evaluations.services.evaluators import evaluator_term_end, evaluator_update
from jiufeng.roles import Role, user_roles
from tests.evaluations.running_fixtures import TODAY, evaluator_make
from tests.factories import unit_add

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.running_fixtures"]

LIST = reverse("evaluations:evaluator-list")
APPOINT = reverse("evaluations:evaluator-appoint")
User = get_user_model()


def _form(cast, **overrides):
    return {
        "username": "supervisor-wang",
        "display_name": "王监督",
        "phone": "13912345678",
        "email": "",
        "group": EvaluatorGroup.SUPERVISOR,
        "appointed_by": cast.units.county.pk,
        "term_start": TODAY.isoformat(),
        "term_end": (TODAY + datetime.timedelta(days=730)).isoformat(),
        "observes": [cast.units.bureau.pk],
        "background": "退休教师",
    } | overrides


def test_an_officer_appoints_a_supervisor_who_logs_in_with_the_password_shown_once(client, cast, as_user):
    as_user(cast.county_officer)
    page = client.post(APPOINT, _form(cast))
    assert page.status_code == 200
    password = page.context["password"]
    assert len(password) == 12 and password in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    evaluator = Evaluator.objects.select_related("user").get(user__username="supervisor-wang")
    assert evaluator.group == EvaluatorGroup.SUPERVISOR and evaluator.appointed_by == cast.units.county
    assert list(evaluator.observes.all()) == [cast.units.bureau]
    user = evaluator.user
    assert user.display_name == "王监督" and user.phone == "13912345678" and not user.is_staff
    assert user_roles(user) == [Role.EVALUATOR] and user.check_password(password)
    assert password not in user.password
    client.logout()
    response = client.post(reverse("login"), {"username": "supervisor-wang", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("evaluations:evaluator-home")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", ""),
        ("username", "bad name!"),
        ("username", "u" * 151),
        ("display_name", ""),
        ("display_name", "名" * 65),
        ("phone", "12345"),
        ("phone", ""),
        ("email", "not-an-email"),
        ("group", "service_user"),
        ("term_end", (TODAY - datetime.timedelta(days=1)).isoformat()),
        ("term_start", "someday"),
        ("background", "b" * 201),
    ],
)
def test_bad_appointments_are_refused_on_their_field_and_make_no_account(client, cast, as_user, field, value):
    as_user(cast.county_officer)
    response = client.post(APPOINT, _form(cast, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="supervisor-wang").exists() and not Evaluator.objects.exists()


def test_a_taken_username_is_refused_whatever_its_case(client, cast, as_user):
    as_user(cast.county_officer)
    response = client.post(APPOINT, _form(cast, username="County-Officer"))
    assert response.status_code == 400
    assert "该用户名已被使用" in response.content.decode()


def test_units_outside_the_officers_scope_cannot_appoint_nor_be_observed(client, cast, as_user):
    as_user(cast.bureau_officer)
    for data in (_form(cast), _form(cast, appointed_by=cast.units.bureau.pk, observes=[cast.units.sibling.pk])):
        response = client.post(APPOINT, data)
        assert response.status_code == 400
    assert not Evaluator.objects.exists()


def test_observed_units_must_be_under_the_appointing_unit(client, cast, as_user):
    as_user(cast.county_officer)
    response = client.post(APPOINT, _form(cast, appointed_by=cast.units.bureau.pk, observes=[cast.units.sibling.pk]))
    assert response.status_code == 400
    assert "observes" in response.context["form"].errors and not Evaluator.objects.exists()


def test_hostile_text_in_an_appointment_is_shown_escaped(client, cast, as_user):
    as_user(cast.county_officer)
    client.post(APPOINT, _form(cast, display_name="<b>王</b>", background="<script>x</script>"))
    text = client.get(LIST).content.decode()
    assert "&lt;b&gt;王&lt;/b&gt;" in text and "<script>x</script>" not in text


def test_the_list_shows_evaluators_in_scope_in_a_fixed_number_of_queries(
    client, cast, as_user, django_assert_max_num_queries
):
    for _number in range(4):
        evaluator_make(cast=cast, observes=[cast.units.bureau, cast.units.school])
    bureau_evaluator = evaluator_make(cast=cast)
    Evaluator.objects.filter(pk=bureau_evaluator.pk).update(appointed_by=cast.units.bureau)
    as_user(cast.county_officer)
    with django_assert_max_num_queries(10):
        page = client.get(LIST)
    assert len(page.context["page"].object_list) == 5
    as_user(cast.bureau_officer)
    assert [e.pk for e in client.get(LIST).context["page"].object_list] == [bureau_evaluator.pk]


def test_an_evaluator_outside_scope_is_not_found_and_evaluators_reach_no_staff_page(client, cast, supervisor, as_user):
    as_user(cast.bureau_officer)
    assert client.get(reverse("evaluations:evaluator-update", args=[supervisor.pk])).status_code == 404
    assert client.post(reverse("evaluations:evaluator-term-end", args=[supervisor.pk])).status_code == 404
    as_user(supervisor.user)
    assert client.get(LIST).status_code == 403
    assert client.get(APPOINT).status_code == 403


def test_who_handles_nowhere_may_not_appoint(client, cast, as_user):
    as_user(cast.auditor)
    assert client.get(APPOINT).status_code == 403


def test_a_term_is_ended_early_and_a_bad_last_day_is_refused(client, cast, supervisor, as_user):
    as_user(cast.county_officer)
    url = reverse("evaluations:evaluator-term-end", args=[supervisor.pk])
    before = supervisor.term_end
    for bad in ((supervisor.term_start - datetime.timedelta(days=1)).isoformat(), before.isoformat(), "x", ""):
        assert client.post(url, {"last_day": bad}).status_code == 400
    supervisor.refresh_from_db()
    assert supervisor.term_end == before
    assert client.post(url, {"last_day": TODAY.isoformat()}).status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.term_end == TODAY
    assert not Evaluator.objects.serving(TODAY + datetime.timedelta(days=1)).filter(pk=supervisor.pk).exists()


def test_an_appointment_is_changed_on_its_page(client, cast, supervisor, as_user):
    as_user(cast.county_officer)
    url = reverse("evaluations:evaluator-update", args=[supervisor.pk])
    assert client.get(url).status_code == 200
    data = {
        "display_name": "李监督",
        "phone": "13800000000",
        "email": "li@example.com",
        "term_end": (TODAY + datetime.timedelta(days=100)).isoformat(),
        "observes": [cast.units.sibling.pk],
        "background": "个体工商户",
    }
    assert client.post(url, data).status_code == 302
    supervisor.refresh_from_db()
    supervisor.user.refresh_from_db()
    assert supervisor.user.display_name == "李监督" and list(supervisor.observes.all()) == [cast.units.sibling]
    assert client.post(url, data | {"phone": "abc"}).status_code == 400


def test_the_services_refuse_who_does_not_handle_in_the_appointing_unit(cast, supervisor):
    with pytest.raises(PermissionDenied):
        evaluator_term_end(actor=cast.bureau_officer, evaluator_id=supervisor.pk)
    with pytest.raises(PermissionDenied):
        evaluator_update(
            actor=cast.bureau_officer,
            evaluator_id=supervisor.pk,
            display_name="x",
            phone="13800000000",
            term_end=TODAY,
            observes=[],
        )
    elsewhere = unit_add(parent=None, name="邻县")
    with pytest.raises(ValidationError):
        evaluator_update(
            actor=cast.county_officer,
            evaluator_id=supervisor.pk,
            display_name="x",
            phone="13800000000",
            term_end=TODAY,
            observes=[elsewhere],
        )
