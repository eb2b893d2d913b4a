"""The appointed evaluator's own page: their codes, and a supervisor's observations filed as complaints."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import Channel, Complaint, ComplaintStatus
from evaluations.models import Invitation, Observation
from evaluations.services.appraisals import appraisal_close, appraisal_open
from evaluations.services.observations import observation_file
from evaluations.views.evaluators import answer_path
from jiufeng.navigation import nav_items_for
from tests.evaluations.running_fixtures import TODAY, evaluator_make

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.running_fixtures"]

HOME = reverse("evaluations:evaluator-home")
NEW = reverse("evaluations:observation-create")


def _observation(cast, fees, **overrides):
    return {
        "unit": cast.units.school.pk,
        "category": fees.pk,
        "title": "窗口收取资料费",
        "content": "2026年12月1日上午在学校收费窗口看到向家长收取200元资料费，未出示收费依据。",
        "occurred_on": TODAY.isoformat(),
        "location": "县第一中学收费窗口",
    } | overrides


def test_a_supervisor_sees_the_units_to_rate_with_their_links_and_those_already_rated(
    client, cast, appraisal, supervisor, fees, as_user, django_assert_max_num_queries
):
    for title in ("收费不公示", "窗口无人", "态度生硬"):
        observation_file(
            actor=supervisor.user,
            unit=cast.units.school,
            category=fees,
            title=title,
            content="所见情况",
            occurred_on=None,
            location="",
        )
    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    codes = dict(Invitation.objects.filter(issued_to=supervisor.user).values_list("appraised_unit__unit", "code"))
    assert set(codes) == {cast.units.bureau.pk, cast.units.school.pk}
    Invitation.objects.filter(code=codes[cast.units.bureau.pk]).update(used_at=timezone.now())
    as_user(supervisor.user)
    with django_assert_max_num_queries(8):
        page = client.get(HOME)
    text = page.content.decode()
    assert page.status_code == 200
    assert f'href="/appraisal/{codes[cast.units.school.pk]}/"' in text
    # An answered code is shown as answered, with no link and no code.
    assert codes[cast.units.bureau.pk] not in text
    assert [i.appraised_unit.unit for i in page.context["answered"]] == [cast.units.bureau]
    assert answer_path("ABC") == "/appraisal/ABC/"
    assert [o.complaint.title for o in page.context["observations"]] == ["态度生硬", "窗口无人", "收费不公示"]


def test_codes_of_a_closed_appraisal_and_other_peoples_codes_are_not_shown(
    client, cast, appraisal, supervisor, as_user
):
    other = evaluator_make(cast=cast)
    appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)
    theirs = Invitation.objects.filter(issued_to=other.user).values_list("code", flat=True)
    as_user(supervisor.user)
    text = client.get(HOME).content.decode()
    assert not any(code in text for code in theirs)
    appraisal_close(actor=cast.county_officer, appraisal_id=appraisal.pk)
    page = client.get(HOME)
    assert page.context["unanswered"] == [] and "目前没有待评价的单位。" in page.content.decode()


def test_staff_and_visitors_do_not_reach_an_evaluators_page(client, cast):
    assert client.get(HOME).status_code == 302
    client.force_login(cast.county_officer)
    assert client.get(HOME).status_code == 403
    assert client.get(NEW).status_code == 403


def test_a_supervisors_observation_enters_the_complaint_flow_and_the_officers_case_list(
    client, cast, supervisor, fees, as_user
):
    as_user(supervisor.user)
    page = client.get(NEW)
    assert page.status_code == 200 and "phone" not in page.context["form"].fields
    response = client.post(NEW, _observation(cast, fees))
    assert response.status_code == 302 and response["Location"] == HOME
    observation = Observation.objects.select_related("complaint__identity").get()
    complaint = observation.complaint
    assert observation.evaluator == supervisor
    assert complaint.channel == Channel.SUPERVISOR and complaint.subject_unit == cast.units.school
    assert complaint.status == ComplaintStatus.SUBMITTED and not complaint.anonymous
    assert complaint.identity.name == supervisor.user.display_name and complaint.identity.phone == "13900001111"
    home = client.get(HOME).content.decode()
    assert complaint.case_number in home and "窗口收取资料费" in home

    client.force_login(cast.county_officer)
    cases = client.get(reverse("complaints:case-list"), {"tab": "all", "channel": Channel.SUPERVISOR})
    assert complaint in list(cases.context["page"].object_list)


def test_a_supervisor_follows_their_observation_on_the_case_page_and_nobody_else_can(
    client, cast, supervisor, fees, as_user
):
    as_user(supervisor.user)
    client.post(NEW, _observation(cast, fees))
    observation = Observation.objects.get()
    opened = client.post(reverse("evaluations:observation-open", args=[observation.pk]))
    assert opened["Location"] == reverse("complaints:complaint-track-detail", args=[observation.complaint_id])
    case = client.get(opened["Location"])
    assert case.status_code == 200 and "窗口收取资料费" in case.content.decode()

    other = evaluator_make(cast=cast, phone="13900003333")
    client.force_login(other.user)
    assert client.post(reverse("evaluations:observation-open", args=[observation.pk])).status_code == 404
    assert "窗口收取资料费" not in client.get(opened["Location"]).content.decode()


def test_deputies_and_supervisors_out_of_term_file_no_observation(client, cast, deputy, fees, as_user):
    as_user(deputy.user)
    refused = client.get(NEW)
    assert refused.status_code == 403 and "只有在任的行风监督员可以反映情况。" in refused.content.decode()
    assert client.post(NEW, _observation(cast, fees)).status_code == 403
    assert "反映情况" not in client.get(HOME).content.decode()
    retired = evaluator_make(
        cast=cast,
        term_start=TODAY - datetime.timedelta(days=800),
        term_end=TODAY - datetime.timedelta(days=1),
        phone="13900004444",
    )
    client.force_login(retired.user)
    assert client.post(NEW, _observation(cast, fees)).status_code == 403
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit", "sibling"),
        ("unit", "999999"),
        ("unit", ""),
        ("category", "999999"),
        ("title", ""),
        ("title", "题" * 201),
        ("content", ""),
        ("content", "字" * 10_001),
        ("location", "地" * 201),
        ("occurred_on", "2999-01-01"),
        ("occurred_on", "yesterday"),
    ],
)
def test_bad_observations_are_refused_on_their_field_and_file_nothing(
    client, cast, supervisor, fees, as_user, field, value
):
    if value == "sibling":
        value = cast.units.sibling.pk
    as_user(supervisor.user)
    response = client.post(NEW, _observation(cast, fees, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Complaint.objects.exists() and not Observation.objects.exists()


def test_hostile_text_is_filed_as_typed_and_shown_escaped(client, cast, supervisor, fees, as_user):
    as_user(supervisor.user)
    client.post(NEW, _observation(cast, fees, title="<script>alert(1)</script>"))
    assert Complaint.objects.get().title == "<script>alert(1)</script>"
    text = client.get(HOME).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text


def test_a_supervisor_without_a_phone_is_asked_for_one(client, cast, fees, as_user):
    supervisor = evaluator_make(cast=cast, phone="")
    as_user(supervisor.user)
    assert "phone" in client.get(NEW).context["form"].fields
    refused = client.post(NEW, _observation(cast, fees, phone="12"))
    assert refused.status_code == 400 and "phone" in refused.context["form"].errors
    assert client.post(NEW, _observation(cast, fees, phone="13700001234")).status_code == 302
    assert Complaint.objects.get().identity.phone == "13700001234"


def test_a_supervisor_observing_no_unit_may_report_on_any_unit_under_who_appointed_them(client, cast, fees, as_user):
    supervisor = evaluator_make(cast=cast)
    as_user(supervisor.user)
    units = set(client.get(NEW).context["form"].fields["unit"].queryset)
    assert units == {cast.units.county, cast.units.bureau, cast.units.school, cast.units.sibling}


def test_observations_share_the_publics_filing_limit_and_keep_what_was_typed(
    client, cast, supervisor, fees, as_user, settings
):
    settings.JIUFENG_FILINGS_PER_IP = "1/h"
    as_user(supervisor.user)
    assert client.post(NEW, _observation(cast, fees)).status_code == 302
    refused = client.post(NEW, _observation(cast, fees, title="第二次反映"))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "第二次反映" in refused.content.decode()
    assert Observation.objects.count() == 1 == Complaint.objects.count()


def test_the_navigation_offers_evaluators_their_page_and_officers_the_appraisal_menu(cast, supervisor):
    def labels(user):
        with translation.override("en"):
            return {str(link["label"]) for entry in nav_items_for(user) for link in entry.get("children", [entry])}

    assert labels(supervisor.user) == {"My appraisal work"}
    assert {"Appraisals", "Questionnaires", "Appointed evaluators"} <= labels(cast.county_officer)
    assert "My appraisal work" not in labels(cast.county_officer)
    assert "Questionnaires" not in labels(cast.auditor)
