"""Intake by an officer, the petitioner's identity behind its button, and the printable reply letter."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Channel, Complaint, ComplaintStatus, IdentityAccess, PetitionerIdentity, TransitionLog
from jiufeng.navigation import nav_items_for

from .test_pages_staff_helpers import HOSTILE, as_user, case_url, outsider, school_officer

pytestmark = pytest.mark.django_db

INTAKE = "/cases/new/"


def page(response) -> str:
    return response.content.decode()


def intake(cast, chosen, **overrides) -> dict:
    fields = {
        "channel": Channel.HOTLINE,
        "received_at": (timezone.localtime() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "category": chosen.pk,
        "subject_unit": cast.units.school.pk,
        "title": "电话反映学校乱收费",
        "content": "来电人称学校收取补课费每人500元。",
        "occurred_on": "",
        "location": "县第一中学",
        "name": "李四",
        "phone": "13900139000",
        "id_number": "",
        "email": "",
    }
    return {**fields, **overrides}


# --- Intake -----------------------------------------------------------------------------------


def test_an_officer_records_a_hotline_complaint_and_gets_the_code_once(client, cast, category):
    as_user(client, cast.county_officer)
    form = page(client.get(INTAKE))
    assert 'value="web"' not in form and 'value="hotline"' in form
    # Name and phone are needed unless anonymous: not marked optional.
    assert "Petitioner's name</label>" in form.replace("&#x27;", "'")
    response = client.post(INTAKE, intake(cast, category))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.HOTLINE and complaint.status == ComplaintStatus.SUBMITTED
    assert timezone.now() - complaint.received_at > datetime.timedelta(days=1)
    assert PetitionerIdentity.objects.get(complaint=complaint).name == "李四"
    assert TransitionLog.objects.get(complaint=complaint, name="file").actor == cast.county_officer
    shown = page(response)
    code = shown.split('data-testid="tracking-code">')[1].split("<")[0]
    assert code.startswith("JF-") and f"Recorded as case #{complaint.pk}." in shown


def test_an_anonymous_letter_needs_no_name(client, cast, category):
    as_user(client, cast.county_officer)
    data = intake(cast, category, channel=Channel.LETTER, anonymous="on", name="", phone="", subject_unit="")
    assert client.post(INTAKE, data).status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.anonymous and complaint.subject_unit is None
    assert not PetitionerIdentity.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"channel": "web"}, "Select a valid choice."),
        ({"channel": HOSTILE}, "Select a valid choice."),
        ({"received_at": ""}, "This field is required."),
        ({"received_at": "2999-01-01T09:00"}, "cannot be in the future"),
        ({"category": ""}, "This field is required."),
        ({"category": "999999"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"content": "x" * 10_001}, "at most 10000 characters"),
        ({"name": ""}, "This field is required."),
        ({"phone": "12345"}, "Enter a mobile number"),
        ({"id_number": "110101199003071234"}, "valid 18-character ID number"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"occurred_on": "2999-01-01"}, "cannot be in the future"),
    ],
)
def test_wrong_intake_is_refused_and_nothing_is_filed(client, cast, category, fields, error):
    response = as_user(client, cast.county_officer).post(INTAKE, intake(cast, category, **fields))
    assert response.status_code == 400 and error in page(response)
    assert not Complaint.objects.exists()


def test_hostile_intake_text_is_shown_escaped(client, cast, category):
    as_user(client, cast.county_officer)
    client.post(INTAKE, intake(cast, category, title=HOSTILE, content=HOSTILE, location=HOSTILE))
    shown = page(client.get(case_url(Complaint.objects.get())))
    assert HOSTILE not in shown and "&lt;script&gt;alert" in shown
    refused = page(client.post(INTAKE, intake(cast, category, title=HOSTILE, phone="x")))
    assert HOSTILE not in refused


def test_only_officers_record_intake(client, cast, category):
    for person in (cast.auditor, cast.county_leader):
        as_user(client, person)
        assert client.get(INTAKE).status_code == 403
        assert client.post(INTAKE, intake(cast, category)).status_code == 403
    assert not Complaint.objects.exists()


def test_the_navigation_offers_each_role_its_complaint_pages(cast):
    def labels(user):
        return {str(item["label"]) for item in nav_items_for(user)}

    assert {"Cases", "Record a complaint"} <= labels(cast.county_officer)
    assert "Approvals" not in labels(cast.county_officer)
    assert {"Cases", "Approvals"} <= labels(cast.county_leader)
    assert "Cases" in labels(cast.auditor) and "Record a complaint" not in labels(cast.auditor)


# --- The petitioner's identity ------------------------------------------------------------------


@pytest.fixture
def real_name(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False, id_number="11010519491231002X")
    return complaint


def test_the_identity_is_shown_once_after_the_button_and_the_read_is_logged(client, cast, real_name):
    as_user(client, cast.county_officer)
    before = page(client.get(case_url(real_name)))
    assert "Show petitioner identity" in before and "13800138000" not in before
    response = client.post(case_url(real_name, "case-identity"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    shown = page(response)
    assert "张三" in shown and "13800138000" in shown and "11010519491231002X" in shown
    access = IdentityAccess.objects.get()
    assert access.user == cast.county_officer and access.via == "page" and access.complaint == real_name
    # Reloading the case does not show it again.
    assert "13800138000" not in page(client.get(case_url(real_name)))


def test_the_identity_with_htmx_answers_only_the_card(client, cast, real_name):
    response = as_user(client, cast.county_officer).post(case_url(real_name, "case-identity"), HTTP_HX_REQUEST="true")
    shown = page(response)
    assert "<html" not in shown and 'id="identity"' in shown and "13800138000" in shown
    assert IdentityAccess.objects.count() == 1


def test_the_identity_is_refused_to_the_auditor(client, cast, real_name):
    as_user(client, cast.auditor)
    assert "Show petitioner identity" not in page(client.get(case_url(real_name)))
    response = client.post(case_url(real_name, "case-identity"))
    assert response.status_code == 403 and "13800138000" not in page(response)
    assert not IdentityAccess.objects.exists()


def test_the_identity_is_not_found_for_the_subject_units_staff(client, cast, real_name):
    # The case itself is kept from them (被投诉单位不得自查): 404, as for any case out of scope.
    response = as_user(client, school_officer(cast)).post(case_url(real_name, "case-identity"))
    assert response.status_code == 404 and "13800138000" not in page(response)
    assert not IdentityAccess.objects.exists()


def test_the_identity_of_an_out_of_scope_case_is_not_found(client, cast, real_name):
    assert as_user(client, outsider(cast)).post(case_url(real_name, "case-identity")).status_code == 404
    assert not IdentityAccess.objects.exists()


def test_the_identity_button_needs_a_post(client, cast, real_name):
    assert as_user(client, cast.county_officer).get(case_url(real_name, "case-identity")).status_code == 405
    assert not IdentityAccess.objects.exists()


# --- The reply letter -----------------------------------------------------------------------------


def test_no_reply_letter_before_a_reply_exists(client, cast, investigating):
    assert as_user(client, cast.bureau_officer).get(case_url(investigating, "case-reply-letter")).status_code == 404


def test_the_reply_letter_is_a_draft_until_approved(client, cast, pending):
    shown = page(as_user(client, cast.bureau_officer).get(case_url(pending, "case-reply-letter")))
    assert 'data-testid="draft"' in shown and "经查属实，已责令退还。" in shown


def test_the_reply_letter_of_a_resolved_case(client, cast, resolved):
    response = as_user(client, cast.auditor).get(case_url(resolved, "case-reply-letter"))
    shown = page(response)
    assert response.status_code == 200 and 'data-testid="draft"' not in shown
    assert "Substantiated" in shown and "经查属实，已责令退还。" in shown and "责令退还费用" in shown
    assert cast.units.bureau.name in shown.split('data-testid="letter-unit"')[1]
    assert timezone.localtime(resolved.replied_at).strftime("%Y-%m-%d") in shown
    # The letter's own stylesheet (A4 when printed), as a file: no inline style under the CSP.
    assert "css/letter" in shown and "d-print-none" in shown
    assert reverse("complaints:case-detail", args=[resolved.pk]) in shown
