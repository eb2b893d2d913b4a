"""The case page's activities (time now by default, 查 items, correct and void), its measures
(add another, unit and due day kept) and the petitioner's rating on the staff pages."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from complaints import services
from complaints import transitions as t
from complaints.models import Activity, ActivityKind, Measure, MeasureKind, Rating, RatingValue
from tests.e2e.test_case_journey import log_in

from .conftest import DECISION
from .test_pages_staff_helpers import (
    HOSTILE,
    as_user,
    case_url,
    measures,
    outsider,
    post_record,
    queries,
)

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def activity(**overrides) -> dict:
    fields = {
        "kind": "talk",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "participants": "班主任",
        "summary": "与班主任谈话，核实收费经过",
    }
    return {**fields, **overrides}


def recorded(cast, complaint, **overrides) -> Activity:
    fields = {"kind": ActivityKind.TALK, "occurred_at": timezone.now(), "participants": "", "summary": "谈话"}
    fields.update(overrides)
    return services.activity_record(complaint_id=complaint.pk, actor=cast.bureau_officer, **fields)


def activity_url(complaint, activity, action: str = "") -> str:
    name = f"complaints:case-activity-{action or 'edit'}"
    return reverse(name, args=[complaint.pk, activity.pk])


# --- Recording -----------------------------------------------------------------------------------


def test_the_activity_form_offers_now_in_local_time(client, cast, investigating):
    shown = page(as_user(client, cast.bureau_officer).get(case_url(investigating)))
    offered = re.search(r'name="activity-occurred_at" value="([^"]+)"', shown).group(1)
    at = timezone.make_aware(datetime.datetime.strptime(offered, "%Y-%m-%dT%H:%M"))
    assert datetime.timedelta(0) <= timezone.now() - at < datetime.timedelta(minutes=2)
    # And the officer sends it as offered: no date typed.
    response = post_record(client, investigating, "case-activity-add", "activity", activity(occurred_at=offered))
    assert response.status_code == 302 and Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("when", "error"),
    [
        (datetime.timedelta(days=-2), "cannot be before the complaint was received"),
        (datetime.timedelta(days=2), "cannot be in the future"),
    ],
)
def test_an_activity_dated_before_filing_or_in_the_future_comes_back_as_typed(client, cast, investigating, when, error):
    typed = (timezone.localtime() + when).strftime("%Y-%m-%dT%H:%M")
    as_user(client, cast.bureau_officer)
    response = post_record(client, investigating, "case-activity-add", "activity", activity(occurred_at=typed))
    assert response.status_code == 400
    shown = page(response)
    assert error in shown and f'value="{typed}"' in shown and "与班主任谈话，核实收费经过" in shown
    htmx = post_record(client, investigating, "case-activity-add", "activity", activity(occurred_at=typed), htmx=True)
    assert error in page(htmx)
    assert not Activity.objects.exists()


def test_a_check_names_what_was_checked_on_the_timeline(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    missing = post_record(client, investigating, "case-activity-add", "activity", activity(kind="check"))
    assert missing.status_code == 400 and "Say what was checked." in page(missing)
    wrong = post_record(client, investigating, "case-activity-add", "activity", activity(checked=["rules"]))
    assert wrong.status_code == 400 and "Only a 查 (check) activity says what was checked." in page(wrong)
    fields = activity(kind="check", checked=["service", "rules"], summary="查阅收费公示和审批文件")
    assert post_record(client, investigating, "case-activity-add", "activity", fields).status_code == 302
    assert Activity.objects.get().checked == ["rules", "service"]
    assert "Checked: Management rules、Service" in page(client.get(case_url(investigating)))


# --- Correcting and voiding ----------------------------------------------------------------------


def test_an_activity_is_corrected_from_its_page(client, cast, investigating):
    mistaken = recorded(cast, investigating, summary="走访家长")
    as_user(client, cast.bureau_officer)
    shown = page(client.get(case_url(investigating)))
    assert activity_url(investigating, mistaken) in shown
    form = page(client.get(activity_url(investigating, mistaken)))
    assert "走访家长" in form and 'name="correct-reason"' in form and 'name="void-reason"' in form
    data = {f"correct-{k}": v for k, v in activity(summary="走访学生家长三户").items()}
    data.update({"correct-version": investigating.version, "correct-reason": ""})
    refused = client.post(activity_url(investigating, mistaken, "correct"), data)
    assert refused.status_code == 400 and "This field is required." in page(refused)
    assert "走访学生家长三户" in page(refused)
    data["correct-reason"] = "补全走访对象"
    response = client.post(activity_url(investigating, mistaken, "correct"), data)
    assert response.status_code == 302
    mistaken.refresh_from_db()
    assert mistaken.summary == "走访学生家长三户" and mistaken.history.count() == 2
    shown = page(client.get(case_url(investigating)))
    assert "走访学生家长三户" in shown and "补全走访对象" in shown


def test_a_void_needs_a_reason_and_shows_struck_through_with_it(client, cast, investigating):
    kept = recorded(cast, investigating, summary="谈话记录")
    mistaken = recorded(cast, investigating, summary="录错的走访")
    as_user(client, cast.bureau_officer)
    url = activity_url(investigating, mistaken, "void")
    refused = client.post(url, {"void-version": investigating.version, "void-reason": " "})
    assert refused.status_code == 400 and "This field is required." in page(refused)
    mistaken.refresh_from_db()
    assert not mistaken.voided
    assert client.post(url, {"void-version": investigating.version, "void-reason": HOSTILE}).status_code == 302
    shown = page(client.get(case_url(investigating)))
    entry = re.search(r'<li [^>]*data-kind="activity">(?:(?!</li>).)*录错的走访.*?</li>', shown, re.S).group(0)
    assert "text-decoration-line-through" in entry and "Void" in entry
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in entry and HOSTILE not in shown
    # Counted no more, and no longer offered for change.
    assert "1 investigation activity" in shown
    assert activity_url(investigating, mistaken) not in shown and activity_url(investigating, kept) in shown
    again = client.post(url, {"void-version": investigating.version, "void-reason": "再作废"})
    assert again.status_code == 409
    assert Activity.objects.count() == 2


def test_an_activity_is_changed_only_by_who_handles_the_case(client, cast, investigating):
    mistaken = recorded(cast, investigating)
    data = {"void-version": investigating.version, "void-reason": "误录"}
    as_user(client, outsider(cast))
    assert client.get(activity_url(investigating, mistaken)).status_code == 404
    assert client.post(activity_url(investigating, mistaken, "void"), data).status_code == 404
    # Reading the case (the auditor reads every case) but not handling it.
    as_user(client, cast.auditor)
    assert client.post(activity_url(investigating, mistaken, "void"), data).status_code == 403
    mistaken.refresh_from_db()
    assert not mistaken.voided


# --- Measures -------------------------------------------------------------------------------------


def _decide(client, complaint, rows, *, total: int | None = None):
    data = {f"submit_for_approval-{k}": v for k, v in DECISION.items()}
    data["submit_for_approval-version"] = complaint.version
    data.update(measures("submit_for_approval", rows))
    if total is not None:
        data["submit_for_approval-measures-TOTAL_FORMS"] = str(total)
    return client.post(reverse("complaints:case-transition", args=[complaint.pk, "submit_for_approval"]), data)


def _due(days: int = 14) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_the_decision_form_adds_measures_and_keeps_each_unit_and_due_day(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    form = page(client.get(case_url(investigating)))
    assert "data-measure-add" in form and "js/measures.js" in form and "__prefix__" in form
    rows = [
        {
            "kind": MeasureKind.REFUND,
            "amount": "180",
            "description": f"退还资料费{n}",
            "responsible_unit": cast.units.school.pk,
            "due_on": _due(n + 1),
        }
        for n in range(5)
    ]
    assert _decide(client, investigating, rows).status_code == 302
    kept = list(Measure.objects.order_by("pk").values_list("responsible_unit", "due_on"))
    assert kept == [(cast.units.school.pk, timezone.localdate() + datetime.timedelta(days=n + 1)) for n in range(5)]
    shown = page(client.get(case_url(investigating)))
    assert f"{cast.units.school.name} · due {_due(1)}" in re.sub(r"\s+", " ", shown)


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"kind": MeasureKind.REFUND, "amount": "10", "responsible_unit": "school"}, "Give the day by which"),
        ({"kind": MeasureKind.CRITICISM, "due_on": _due()}, "A due date needs the unit responsible for it."),
        ({"kind": MeasureKind.RULE, "description": "收费公示", "due_on": _due()}, "A rule needs the unit"),
        ({"kind": MeasureKind.RULE, "responsible_unit": "school", "due_on": _due()}, "Say what the rule is."),
        ({"kind": MeasureKind.REFUND, "amount": "10", "responsible_unit": "sibling", "due_on": _due()}, "valid choice"),
    ],
)
def test_a_measures_unit_and_due_day_are_checked(client, cast, investigating, row, error):
    if "responsible_unit" in row:
        row = {**row, "responsible_unit": getattr(cast.units, row["responsible_unit"]).pk}
    response = _decide(as_user(client, cast.bureau_officer), investigating, [row])
    assert response.status_code == 400 and error in page(response)
    assert not Measure.objects.exists()


def test_more_measures_than_the_maximum_are_refused(client, cast, investigating):
    rows = [{"kind": MeasureKind.CRITICISM, "description": f"批评{n}"} for n in range(11)]
    response = _decide(as_user(client, cast.bureau_officer), investigating, rows)
    assert response.status_code == 400 and not Measure.objects.exists()


def test_a_sent_back_decision_starts_from_its_measures(client, cast, investigating):
    refund = {
        "kind": MeasureKind.REFUND,
        "amount": "180",
        "responsible_unit": cast.units.school,
        "due_on": timezone.localdate() + datetime.timedelta(days=9),
    }
    t.complaint_submit_for_approval(
        complaint_id=investigating.pk, actor=cast.bureau_officer, measures=[refund], **DECISION
    )
    t.complaint_send_back(complaint_id=investigating.pk, actor=cast.bureau_leader, reason="补充")
    investigating.refresh_from_db()
    shown = page(as_user(client, cast.bureau_officer).get(case_url(investigating)))
    assert 'name="submit_for_approval-measures-0-amount" value="180.00"' in shown
    assert 'name="submit_for_approval-measures-0-DELETE"' in shown


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_add_another_measure_in_a_browser(page, live_server, cast, investigating):
    log_in(page, live_server, cast.bureau_officer.username)
    page.goto(f"{live_server.url}{case_url(investigating)}")
    form = page.get_by_test_id("action-submit_for_approval")
    rows = form.get_by_test_id("measure-row")
    expect(rows).to_have_count(3)
    form.get_by_role("button", name="Add another measure").click()
    expect(rows).to_have_count(4)
    fourth = rows.nth(3)
    fourth.get_by_label("Kind of measure").select_option("refund")
    fourth.get_by_label("Amount (yuan)").fill("180")
    fourth.get_by_label("Responsible unit").select_option(str(cast.units.school.pk))
    fourth.get_by_label("Due on").fill(_due(5))
    form.get_by_label("Finding").select_option("substantiated")
    form.get_by_label("Disposition (what was done)").fill("责令退还")
    form.get_by_label("Reply to the petitioner").fill("经查属实。")
    form.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_test_id("decision")).to_contain_text(cast.units.school.name)
    measure = Measure.objects.get()
    assert (measure.kind, measure.responsible_unit_id, measure.due_on.isoformat()) == (
        "refund",
        cast.units.school.pk,
        _due(5),
    )


# --- The petitioner's rating ------------------------------------------------------------------


def _rated(cast, file_complaint, rating: str, comment: str = ""):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)
    services.rating_add(complaint_id=complaint.pk, rating=rating, comment=comment)
    return complaint


def test_staff_see_the_rating_and_its_comment_on_the_case_page(client, cast, file_complaint):
    complaint = _rated(cast, file_complaint, RatingValue.BASICALLY_SATISFIED, "拖得久了点")
    shown = page(as_user(client, cast.bureau_officer).get(case_url(complaint)))
    ratings = re.search(r'data-testid="ratings">.*?</dd>', shown, re.S).group(0)
    assert "Basically satisfied" in ratings and "拖得久了点" in ratings
    assert "The petitioner rated the result: Basically satisfied." in shown
    assert "The petitioner is satisfied" not in shown


def test_the_case_list_shows_ratings_and_finds_the_dissatisfied(client, cast, file_complaint):
    unhappy = _rated(cast, file_complaint, RatingValue.DISSATISFIED, "没有退钱")
    fair = _rated(cast, file_complaint, RatingValue.BASICALLY_SATISFIED)
    as_user(client, cast.county_officer)
    listed = page(client.get(reverse("complaints:case-list"), {"tab": "all"}))
    assert "Basically satisfied" in listed and "Dissatisfied" in listed
    url = reverse("complaints:case-list") + "?tab=all&rating=dissatisfied"
    found = page(client.get(url))
    assert case_url(unhappy) in found and case_url(fair) not in found
    # Rated 满意 after its review, it is no longer among the dissatisfied. (The review's own
    # path is the review ladder's, tested with it; only the later rating matters here.)
    t.complaint_review(complaint_id=unhappy.pk, reason="没有退钱")
    assert case_url(unhappy) in page(client.get(url))
    Rating.objects.create(complaint=unhappy, review_round=1, rating=RatingValue.SATISFIED)
    assert case_url(unhappy) not in page(client.get(url))
    assert "not understood" in page(client.get(reverse("complaints:case-list") + "?tab=all&rating=furious"))


def test_the_rating_filter_takes_the_same_queries_however_many_cases(client, cast, file_complaint):
    _rated(cast, file_complaint, RatingValue.DISSATISFIED)
    as_user(client, cast.county_officer)
    url = reverse("complaints:case-list") + "?tab=all&rating=dissatisfied"
    before = queries(client, url)
    for rating in [RatingValue.DISSATISFIED, RatingValue.DISSATISFIED, RatingValue.SATISFIED]:
        _rated(cast, file_complaint, rating, "评价")
    assert queries(client, url) == before
    assert page(client.get(url)).count('data-testid="rating"') == 3


def test_the_accepted_entry_names_the_handling_unit(client, cast, accepted):
    shown = page(as_user(client, cast.bureau_officer).get(case_url(accepted)))
    entry = re.search(r'<li [^>]*data-kind="transition">(?:(?!</li>).)*Accepted.*?</li>', shown, re.S).group(0)
    assert f"Handling unit: {cast.units.bureau.name}" in entry
