"""The staff API's activities (dated, 查 items, corrected, voided) and ratings on the case."""

import datetime

import pytest
from django.utils import timezone

from complaints import services
from complaints import transitions as t
from complaints.models import Activity, ActivityKind, RatingValue

from .test_api_staff import DECISION, HOSTILE, api, investigate_case, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_case(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    return complaint


@pytest.fixture
def sibling_case(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.sibling, title="医院乱收费")
    return complaint


def _activity(complaint, actor) -> Activity:
    return services.activity_record(
        complaint_id=complaint.pk,
        actor=actor,
        kind=ActivityKind.LOOK,
        occurred_at=timezone.now(),
        participants="",
        summary="查看收费公示栏",
    )


def test_a_check_with_its_items_is_recorded_and_shown(cast, school_case):
    investigate_case(cast, school_case)
    data = {
        "kind": "check",
        "occurred_at": timezone.now().isoformat(),
        "summary": "调阅收费审批文件",
        "checked": ["procedures", "problem"],
    }
    response = api(cast.bureau_officer).post(url(school_case, "activities"), data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["checked"] == ["problem", "procedures"]
    assert body["checked_display"] == ["The problem reported", "Management procedures"]
    assert body["voided"] is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"occurred_at": "2000-01-01T08:00:00+08:00"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T08:00:00+08:00"}, "occurred_at"),
        ({"kind": "talk", "checked": ["rules"]}, "checked"),
        ({"checked": ["bribes"]}, "checked"),
        ({"checked": ["rules"] * 5}, "checked"),
    ],
)
def test_a_wrong_activity_is_refused(cast, school_case, data, field):
    investigate_case(cast, school_case)
    sent = {"kind": "check", "occurred_at": timezone.now().isoformat(), "summary": "核查", **data}
    response = api(cast.bureau_officer).post(url(school_case, "activities"), sent, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Activity.objects.exists()


def test_an_activity_is_corrected_and_voided_with_reasons(cast, school_case):
    investigate_case(cast, school_case)
    activity = _activity(school_case, cast.bureau_officer)
    client = api(cast.bureau_officer)
    correction = {
        "kind": "check",
        "occurred_at": timezone.now().isoformat(),
        "summary": "核查收费台账",
        "checked": ["service"],
        "reason": HOSTILE,
    }
    response = client.post(url(school_case, "activities", str(activity.pk), "correct"), correction, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["summary"], response.json()["correction_reason"]) == ("核查收费台账", HOSTILE)

    void = url(school_case, "activities", str(activity.pk), "void")
    assert client.post(void, {"reason": ""}, format="json").status_code == 400
    assert client.post(void, {}, format="json").status_code == 400
    assert client.post(void, {"reason": "字" * 2001}, format="json").status_code == 400
    response = client.post(void, {"reason": "重复记录"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["voided"] is True and body["void_reason"] == "重复记录" and body["voided_by"]
    assert client.post(void, {"reason": "再作废"}, format="json").status_code == 409
    detail = client.get(url(school_case)).json()
    assert [(a["voided"], a["void_reason"]) for a in detail["activities"]] == [(True, "重复记录")]


def test_another_cases_or_an_unseen_cases_activity_is_not_found(cast, school_case, sibling_case):
    investigate_case(cast, school_case)
    activity = _activity(school_case, cast.bureau_officer)
    client = api(cast.bureau_officer)
    assert client.post(url(sibling_case, "activities", str(activity.pk), "void"), {"reason": "x"}).status_code == 404
    assert client.post(url(school_case, "activities", "999999", "void"), {"reason": "x"}).status_code == 404
    # The auditor reads every case and changes none.
    auditor = api(cast.auditor).post(url(school_case, "activities", str(activity.pk), "void"), {"reason": "x"})
    assert auditor.status_code == 403
    activity.refresh_from_db()
    assert not activity.voided


def test_the_detail_shows_the_ratings(cast, school_case):
    investigate_case(cast, school_case)
    t.complaint_submit_for_approval(complaint_id=school_case.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=school_case.pk, actor=cast.bureau_leader)
    services.rating_add(complaint_id=school_case.pk, rating=RatingValue.BASICALLY_SATISFIED, comment="还行")
    ratings = api(cast.bureau_officer).get(url(school_case)).json()["ratings"]
    assert [(r["review_round"], r["rating"], r["rating_display"], r["comment"]) for r in ratings] == [
        (0, "basically_satisfied", "Basically satisfied", "还行")
    ]


def test_a_refund_keeps_its_unit_and_due_day_through_the_api(cast, school_case):
    investigate_case(cast, school_case)
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    refund = {"kind": "refund", "amount": "50", "responsible_unit": cast.units.school.pk, "due_on": due}
    response = api(cast.bureau_officer).post(
        url(school_case, "transitions", "submit_for_approval"),
        {**DECISION, "measures": [refund]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    measure = response.json()["measures"][0]
    assert (measure["responsible_unit"], measure["due_on"]) == (cast.units.school.pk, due)
