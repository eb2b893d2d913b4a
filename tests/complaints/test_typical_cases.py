"""典型案例: written by who handles a closed, substantiated case, published or returned by a leader above."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django_fsm import TransitionNotAllowed

from complaints.models import Finding, TypicalCase, TypicalCaseState
from complaints.typical_cases import (
    typical_case_publish,
    typical_case_return,
    typical_case_submit,
    typical_case_withdraw,
    typical_case_write,
)
from jiufeng.roles import Role
from responsibility.models import PositionKind
from tests.complaints.public_cases import CONTENT, decided, published
from tests.factories import PositionFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "某中学要求学生购买指定教辅，经查属实，已责令全额退还并通报批评。"


@pytest.fixture
def closed(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    return decided(cast, complaint)


@pytest.fixture
def sibling_officer(cast):
    officer = UserFactory(username="sibling-officer", roles=[Role.OFFICER])
    PositionFactory(user=officer, unit=cast.units.sibling, kind=PositionKind.LIAISON)
    return officer


def _write(client, user, complaint, action="submit", **data):
    client.force_login(user)
    url = reverse("complaints:case-typical-case", args=[complaint.pk])
    return client.post(url, {"title": "强制订购教辅", "account": ACCOUNT, "action": action, **data})


def test_an_officer_writes_it_and_a_leader_above_publishes_it(client, settings, cast, closed):
    client.force_login(cast.bureau_officer)
    page = client.get(reverse("complaints:case-detail", args=[closed.pk]))
    assert 'data-testid="propose-typical-case"' in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(reverse("complaints:case-typical-case", args=[closed.pk])).content.decode()
    # The writer is told what never to write.
    assert "the tracking code, the case number" in form
    response = _write(client, cast.bureau_officer, closed)
    typical_case = TypicalCase.objects.get(complaint=closed)
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:typical-case-detail", args=[typical_case.pk])
    assert typical_case.state == TypicalCaseState.SUBMITTED
    assert (typical_case.subject_unit, typical_case.written_by) == (cast.units.school, cast.bureau_officer)
    # The bureau's principal finds it in the approval queue and publishes it.
    client.force_login(cast.bureau_leader)
    queue = client.get(reverse("complaints:case-approvals")).content.decode()
    assert reverse("complaints:typical-case-detail", args=[typical_case.pk]) in queue
    decide = reverse("complaints:typical-case-decide", args=[typical_case.pk, "publish"])
    assert "Published on the public page." in client.post(decide, follow=True).content.decode()
    typical_case.refresh_from_db()
    assert typical_case.state == TypicalCaseState.PUBLISHED
    assert typical_case.decided_by == cast.bureau_leader
    assert typical_case.published_at is not None
    assert [row.state for row in typical_case.history.order_by("history_id")] == ["draft", "submitted", "published"]
    assert [row.history_user for row in typical_case.history.order_by("history_id")] == [
        cast.bureau_officer,
        cast.bureau_officer,
        cast.bureau_leader,
    ]
    # Gone from the queue.
    assert "typical-cases-awaiting" not in client.get(reverse("complaints:case-approvals")).content.decode()


def test_only_a_closed_substantiated_case_can_be_one(cast, file_complaint):
    unfounded, _code = file_complaint(subject_unit=cast.units.school)
    unfounded = decided(cast, unfounded, finding=Finding.UNSUBSTANTIATED)
    open_case, _code = file_complaint(subject_unit=cast.units.school)
    no_unit, _code = file_complaint(subject_unit=None)
    no_unit = decided(cast, no_unit, handling_unit=cast.units.bureau)
    for complaint, words in ((unfounded, "substantiated"), (open_case, "closed"), (no_unit, "named unit")):
        with pytest.raises(ValidationError, match=words):
            typical_case_write(actor=cast.county_officer, complaint_id=complaint.pk, title="标题", account=ACCOUNT)
    assert not TypicalCase.objects.exists()


def test_an_officer_out_of_scope_finds_nothing(client, cast, closed, sibling_officer):
    with pytest.raises(Http404):
        typical_case_write(actor=sibling_officer, complaint_id=closed.pk, title="标题", account=ACCOUNT)
    assert _write(client, sibling_officer, closed).status_code == 404
    typical_case = published(cast, closed)
    for name, args in (
        ("complaints:typical-case-detail", [typical_case.pk]),
        ("complaints:typical-case-decide", [typical_case.pk, "publish"]),
    ):
        response = client.post(reverse(name, args=args)) if "decide" in name else client.get(reverse(name, args=args))
        assert response.status_code == 404
    for service in (typical_case_submit, typical_case_publish):
        with pytest.raises(Http404):
            service(actor=sibling_officer, typical_case_id=typical_case.pk)


def test_no_one_but_a_leader_above_publishes_and_never_the_writer(client, cast, closed):
    typical_case = typical_case_write(actor=cast.bureau_officer, complaint_id=closed.pk, title="标题", account=ACCOUNT)
    typical_case_submit(actor=cast.bureau_officer, typical_case_id=typical_case.pk)
    for user in (cast.bureau_officer, cast.county_officer):
        with pytest.raises(PermissionDenied):
            typical_case_publish(actor=user, typical_case_id=typical_case.pk)
        client.force_login(user)
        decide = reverse("complaints:typical-case-decide", args=[typical_case.pk, "publish"])
        assert client.post(decide).status_code == 403
        page = client.get(reverse("complaints:typical-case-detail", args=[typical_case.pk])).content.decode()
        assert 'data-testid="decide"' not in page
    typical_case.refresh_from_db()
    assert typical_case.state == TypicalCaseState.SUBMITTED
    # A leader who wrote it may not publish it either; the county's leader may.
    assert typical_case_publish(actor=cast.county_leader, typical_case_id=typical_case.pk).state == "published"


def test_a_leader_who_wrote_it_cannot_publish_it(cast, closed):
    typical_case = typical_case_write(actor=cast.bureau_leader, complaint_id=closed.pk, title="标题", account=ACCOUNT)
    typical_case_submit(actor=cast.bureau_leader, typical_case_id=typical_case.pk)
    with pytest.raises(PermissionDenied):
        typical_case_publish(actor=cast.bureau_leader, typical_case_id=typical_case.pk)


def test_returned_with_a_reason_then_changed_and_sent_again(client, cast, closed):
    typical_case = typical_case_write(actor=cast.bureau_officer, complaint_id=closed.pk, title="标题", account=ACCOUNT)
    typical_case_submit(actor=cast.bureau_officer, typical_case_id=typical_case.pk)
    client.force_login(cast.bureau_leader)
    decide = reverse("complaints:typical-case-decide", args=[typical_case.pk, "return"])
    for reason in ("", "   ", "长" * 1001):
        response = client.post(decide, {"reason": reason})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    typical_case.refresh_from_db()
    assert typical_case.state == TypicalCaseState.SUBMITTED
    assert client.post(decide, {"reason": "删去学校的名称"}).status_code == 302
    typical_case.refresh_from_db()
    assert (typical_case.state, typical_case.return_reason) == (TypicalCaseState.RETURNED, "删去学校的名称")
    # The writer sees why, changes it (a draft again) and sends it again.
    client.force_login(cast.bureau_officer)
    assert "删去学校的名称" in client.get(reverse("complaints:case-typical-case", args=[closed.pk])).content.decode()
    assert _write(client, cast.bureau_officer, closed, action="save", title="某校强制订购教辅").status_code == 302
    typical_case.refresh_from_db()
    assert (typical_case.state, typical_case.title) == (TypicalCaseState.DRAFT, "某校强制订购教辅")
    typical_case_submit(actor=cast.bureau_officer, typical_case_id=typical_case.pk)
    assert TypicalCase.objects.get(pk=typical_case.pk).state == TypicalCaseState.SUBMITTED


def test_a_submitted_or_published_account_cannot_be_rewritten(client, cast, closed):
    typical_case = published(cast, closed)
    with pytest.raises(TransitionNotAllowed):
        typical_case_write(actor=cast.bureau_officer, complaint_id=closed.pk, title="新标题", account=ACCOUNT)
    response = _write(client, cast.bureau_officer, closed, title="新标题")
    assert response.status_code == 409
    # Said why, and no form to send again.
    assert 'role="alert"' in response.content.decode()
    assert 'name="account"' not in response.content.decode()
    assert TypicalCase.objects.get(pk=typical_case.pk).title != "新标题"
    with pytest.raises(TransitionNotAllowed):
        typical_case_return(actor=cast.county_leader, typical_case_id=typical_case.pk, reason="撤回")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("account", "投诉人电话 138 0013 8000，经查属实。", "long number"),
        ("account", "身份证 11010519491231002X 的投诉人反映属实。", "long number"),
        ("title", "案件 2026-000040 查处情况", "long number"),
        ("account", "来信人邮箱 someone@example.com，经查属实。", "email"),
        ("account", "查询码 JF-7K3M-9PQR-2XYZ-4ABC 的投诉经查属实。", "tracking code"),
        ("account", f"据反映，{CONTENT}经查属实。", "own words"),
        ("title", "", "required"),
        ("title", "长" * 101, "at most 100"),
        ("account", "长" * 5001, "at most 5000"),
    ],
    ids=[
        "phone",
        "id-number",
        "case-number",
        "email",
        "tracking-code",
        "copied",
        "empty",
        "long-title",
        "long-account",
    ],
)
def test_what_could_identify_a_petitioner_or_too_much_is_refused(client, settings, cast, closed, field, value, words):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"title": "标题", "account": ACCOUNT, field: value}
    response = _write(client, cast.bureau_officer, closed, **data)
    assert response.status_code == 400
    assert words in response.content.decode().lower()
    assert not TypicalCase.objects.exists()


def test_hostile_markup_is_shown_as_text(client, cast, closed):
    typical_case = published(
        cast, closed, title="<script>alert(1)</script>", account="<img src=x onerror=alert(1)>属实"
    )
    client.logout()
    page = client.get(reverse("complaints:public-typical-case", args=[typical_case.pk])).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_an_unknown_decision_is_not_found(client, cast, closed):
    typical_case = published(cast, closed)
    client.force_login(cast.county_leader)
    assert client.post(reverse("complaints:typical-case-decide", args=[typical_case.pk, "delete"])).status_code == 404
    assert client.get(reverse("complaints:typical-case-decide", args=[typical_case.pk, "publish"])).status_code == 405


def test_a_leader_takes_a_published_one_off_the_public_page_with_a_reason(
    client, settings, cast, closed, django_capture_on_commit_callbacks
):
    typical_case = published(cast, closed)
    public = reverse("complaints:public-typical-case", args=[typical_case.pk])
    assert client.get(public).status_code == 200
    assert typical_case.title in client.get(reverse("complaints:public")).content.decode()
    withdraw = reverse("complaints:typical-case-decide", args=[typical_case.pk, "withdraw"])
    # Its writer may not, nor anyone outside the handling unit's leaders.
    client.force_login(cast.bureau_officer)
    assert (
        'data-testid="withdraw"'
        not in client.get(reverse("complaints:typical-case-detail", args=[typical_case.pk])).content.decode()
    )
    assert client.post(withdraw, {"reason": "单位仍可辨认"}).status_code == 403
    client.force_login(cast.bureau_leader)
    detail = client.get(reverse("complaints:typical-case-detail", args=[typical_case.pk])).content.decode()
    assert 'data-testid="withdraw"' in detail
    for reason in ("", "  ", "长" * 1001):
        assert client.post(withdraw, {"reason": reason}).status_code == 400
    assert TypicalCase.objects.get(pk=typical_case.pk).state == TypicalCaseState.PUBLISHED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw, {"reason": "单位仍可辨认，请改写"}, follow=True)
    assert "已从公开页面撤下" in response.content.decode()
    typical_case.refresh_from_db()
    assert (typical_case.state, typical_case.return_reason, typical_case.published_at) == (
        TypicalCaseState.RETURNED,
        "单位仍可辨认，请改写",
        None,
    )
    assert typical_case.history.latest("history_id").history_user == cast.bureau_leader
    # Off the public page and its list at once (the cached figures are forgotten on commit).
    client.logout()
    assert client.get(public).status_code == 404
    assert typical_case.title not in client.get(reverse("complaints:public")).content.decode()
    assert typical_case.title not in client.get(reverse("complaints:public-typical-case-list")).content.decode()
    # Its writer sees why, changes it and sends it again.
    client.force_login(cast.bureau_officer)
    assert "单位仍可辨认" in client.get(reverse("complaints:case-typical-case", args=[closed.pk])).content.decode()
    assert _write(client, cast.bureau_officer, closed, title="某校强制订购教辅").status_code == 302
    assert TypicalCase.objects.get(pk=typical_case.pk).state == TypicalCaseState.SUBMITTED


def test_only_a_published_one_can_be_withdrawn(cast, closed):
    typical_case = typical_case_write(actor=cast.bureau_officer, complaint_id=closed.pk, title="标题", account=ACCOUNT)
    typical_case_submit(actor=cast.bureau_officer, typical_case_id=typical_case.pk)
    with pytest.raises(TransitionNotAllowed):
        typical_case_withdraw(actor=cast.bureau_leader, typical_case_id=typical_case.pk, reason="理由")
