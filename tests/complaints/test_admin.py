import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from complaints import services
from complaints import transitions as t
from complaints.models import (
    ActivityKind,
    Category,
    Complaint,
    ComplaintStatus,
    IdentityAccess,
    Message,
    PetitionerIdentity,
    RoutingRule,
)
from jiufeng.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME, PHONE = "王秀英", "13912345678"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def admin_client(english):
    client = english
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def records_add(complaint: Complaint, actor, count: int) -> None:
    """Activities, messages both ways and internal notes, through the services."""
    for i in range(count):
        services.activity_record(
            complaint_id=complaint.pk,
            actor=actor,
            kind=ActivityKind.TALK,
            # After the complaint was received: an activity never comes before it.
            occurred_at=complaint.received_at + datetime.timedelta(microseconds=i),
            participants="校长、家长代表",
            summary=f"约谈第{i}次",
        )
        services.message_add(complaint_id=complaint.pk, actor=actor if i % 2 else None, body=f"留言{i}")
        services.internal_note_add(complaint_id=complaint.pk, actor=actor, body=f"内部意见{i}")


def investigate(cast, file_complaint, **identity) -> Complaint:
    complaint, _code = file_complaint(subject_unit=cast.units.school, **identity)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    return t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)


@pytest.fixture
def investigating(cast, file_complaint):
    return investigate(cast, file_complaint, anonymous=False, name=NAME, phone=PHONE)


def change_url(complaint: Complaint) -> str:
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def test_every_complaints_list_and_the_case_page_render_for_an_administrator(admin_client, cast, investigating):
    records_add(investigating, cast.bureau_officer, 2)
    services.identity_read(complaint_id=investigating.pk, actor=cast.county_officer, via=IdentityAccess.Via.PAGE)
    urls = [
        reverse(f"admin:complaints_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label == "complaints"
    ]
    assert reverse("admin:complaints_complaint_changelist") in urls
    for url in urls:
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(change_url(investigating))
    assert page.status_code == 200
    for text in ["约谈第1次", "留言0", "内部意见1", "start_investigation", investigating.title]:
        assert text in page.content.decode(), text
    history = reverse("admin:complaints_complaint_history", args=[investigating.pk])
    assert admin_client.get(history).status_code == 200
    for query in ["学校", str(investigating.pk), "县教育局"]:
        listed = admin_client.get(reverse("admin:complaints_complaint_changelist"), {"q": query})
        assert investigating.title in listed.content.decode(), query


def test_the_case_page_and_the_list_cost_the_same_queries_however_many_records(
    admin_client, cast, file_complaint, investigating
):
    small = investigate(cast, file_complaint)
    records_add(small, cast.county_officer, 1)
    records_add(investigating, cast.bureau_officer, 15)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    assert queries(change_url(small)) == queries(change_url(investigating)) <= 15
    changelist = reverse("admin:complaints_complaint_changelist")
    few = queries(changelist)
    for _i in range(10):
        file_complaint(subject_unit=cast.units.sibling)
    assert queries(changelist) == few <= 10


def test_the_petitioners_identity_and_the_tracking_hash_are_never_shown(admin_client, investigating):
    assert PetitionerIdentity not in admin.site._registry
    with pytest.raises(NoReverseMatch):
        reverse("admin:complaints_petitioneridentity_changelist")
    pages = [
        change_url(investigating),
        reverse("admin:complaints_complaint_changelist"),
        reverse("admin:complaints_complaint_history", args=[investigating.pk]),
        reverse(
            "admin:complaints_complaint_simple_history",
            args=[investigating.pk, investigating.history.earliest().history_id],
        ),
    ]
    for url in pages:
        content = admin_client.get(url).content.decode()
        assert investigating.title in content, url
        for secret in [NAME, PHONE, investigating.tracking_code_hash]:
            assert secret not in content, (url, secret)
    # Only the logged path shows who filed: the admin pages read no identity.
    assert IdentityAccess.objects.count() == 0


def test_a_case_cannot_be_added_changed_reverted_or_deleted_in_the_admin(admin_client, investigating):
    page = admin_client.get(change_url(investigating)).content.decode()
    assert 'name="title"' not in page
    # Acting on the case happens on the staff case page, which the admin links to.
    assert f'href="/cases/{investigating.pk}/"' in page
    refused = [
        admin_client.post(change_url(investigating), {"title": "改", "status": "closed"}),
        admin_client.post(reverse("admin:complaints_complaint_add"), {"title": "新"}),
        admin_client.post(reverse("admin:complaints_complaint_delete", args=[investigating.pk]), {"post": "yes"}),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]
    first = investigating.history.earliest()
    revert = reverse("admin:complaints_complaint_simple_history", args=[investigating.pk, first.history_id])
    assert admin_client.post(revert, {}).status_code == 405
    investigating.refresh_from_db()
    assert investigating.status == ComplaintStatus.INVESTIGATING
    assert investigating.version == 2


def test_records_cannot_be_changed_in_the_admin(admin_client, cast, investigating):
    records_add(investigating, cast.bureau_officer, 1)
    message = Message.objects.get()
    url = reverse("admin:complaints_message_change", args=[message.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"body": "改过的"}).status_code == 403
    message.refresh_from_db()
    assert message.body == "留言0"


def test_an_auditor_with_a_staff_login_reads_identity_accesses_but_not_cases(english, cast, investigating):
    client = english
    services.identity_read(complaint_id=investigating.pk, actor=cast.county_officer, via=IdentityAccess.Via.API)
    auditor = UserFactory(is_staff=True, roles=[Role.AUDITOR])
    client.force_login(auditor)
    listed = client.get(reverse("admin:complaints_identityaccess_changelist"))
    assert listed.status_code == 200
    assert cast.county_officer.display_name in listed.content.decode()
    assert client.get(reverse("admin:complaints_complaint_changelist")).status_code == 403
    access = IdentityAccess.objects.get()
    assert client.post(reverse("admin:complaints_identityaccess_delete", args=[access.pk])).status_code == 403


# --- Routing rules and category time limits: what administrators maintain -------------


def rule_form(category, subject, handling, note="") -> dict:
    return {
        "category": category.pk,
        "subject_unit": subject.pk if subject else "",
        "handling_unit": handling.pk,
        "note": note,
    }


def test_an_administrator_adds_a_routing_rule_and_it_keeps_a_history(admin_client, cast, category):
    url = reverse("admin:complaints_routingrule_add")
    hostile = "<script>alert(1)</script>"
    response = admin_client.post(url, rule_form(category, cast.units.school, cast.units.sibling, hostile))
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.subject_unit, rule.handling_unit, rule.note) == (cast.units.school, cast.units.sibling, hostile)
    assert rule.history.count() == 1
    listed = admin_client.get(reverse("admin:complaints_routingrule_changelist")).content.decode()
    assert hostile not in listed
    assert "&lt;script&gt;" in listed


@pytest.mark.parametrize(
    ("subject", "handling", "field", "message"),
    [
        ("bureau", "school", "handling_unit", "cannot be a unit these complaints are about"),
        ("school", "school", "handling_unit", "cannot be a unit these complaints are about"),
        ("school", None, "handling_unit", "This field is required."),
        ("school", 999_999, "handling_unit", "Select a valid choice."),
    ],
)
def test_a_routing_rule_the_service_could_never_follow_is_refused(
    admin_client, cast, category, subject, handling, field, message
):
    data = {"category": category.pk, "subject_unit": getattr(cast.units, subject).pk, "note": ""}
    if handling is not None:
        data["handling_unit"] = handling if isinstance(handling, int) else getattr(cast.units, handling).pk
    response = admin_client.post(reverse("admin:complaints_routingrule_add"), data)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert not RoutingRule.objects.exists()


def test_a_second_rule_for_the_same_category_and_units_or_an_oversized_note_is_refused(admin_client, cast, category):
    url = reverse("admin:complaints_routingrule_add")
    assert admin_client.post(url, rule_form(category, None, cast.units.sibling)).status_code == 302
    again = admin_client.post(url, rule_form(category, None, cast.units.bureau))
    assert again.status_code == 200
    oversized = admin_client.post(url, rule_form(category, cast.units.school, cast.units.sibling, "长" * 201))
    assert "note" in oversized.context["adminform"].form.errors
    assert RoutingRule.objects.count() == 1


def category_form(category, **days) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "name_en": "",
        "hint": "",
        "is_active": "on",
        "accept_days": "",
        "resolve_days": "",
        "review_days": "",
        "treebeard_position": "first-child",
        "treebeard_ref_node": "",
        **days,
    }


def test_an_administrator_sets_a_categorys_time_limits(admin_client, category):
    url = reverse("admin:complaints_category_change", args=[category.pk])
    response = admin_client.post(url, category_form(category, accept_days="7", resolve_days="30"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    category.refresh_from_db()
    assert (category.accept_days, category.resolve_days, category.review_days) == (7, 30, None)
    listed = admin_client.get(reverse("admin:complaints_category_changelist"))
    assert listed.status_code == 200


@pytest.mark.parametrize("days", ["0", "-3", "abc", "100000", "<b>5</b>"])
def test_a_time_limit_that_is_not_a_positive_number_of_days_is_refused(admin_client, category, days):
    url = reverse("admin:complaints_category_change", args=[category.pk])
    response = admin_client.post(url, category_form(category, accept_days=days))
    assert response.status_code == 200
    assert "accept_days" in response.context["adminform"].form.errors
    assert Category.objects.get(pk=category.pk).accept_days is None


def test_a_routing_rule_to_an_inactive_unit_is_refused(admin_client, cast, category):
    cast.units.sibling.is_active = False
    cast.units.sibling.save(update_fields=["is_active"])
    response = admin_client.post(
        reverse("admin:complaints_routingrule_add"), rule_form(category, cast.units.school, cast.units.sibling)
    )
    assert "no longer active" in str(response.context["adminform"].form.errors["handling_unit"])
    assert not RoutingRule.objects.exists()
