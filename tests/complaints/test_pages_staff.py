"""The staff pages for complaints: the inbox, the approval queue and the case page, for each role."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints import transitions as t
from complaints.attachments import attachment_store
from complaints.models import ActivityKind, Channel, Complaint
from tests.factories import complaint_filed, unit_add
from tests.storage import private_storage_setting

from .conftest import DECISION
from .test_pages_staff_helpers import HOSTILE, as_user, case_url, outsider, queries, school_officer

pytestmark = pytest.mark.django_db

INBOX = "/cases/"


def body(response) -> str:
    return response.content.decode()


# --- The inbox ----------------------------------------------------------------------


def test_the_inbox_shows_each_person_the_cases_waiting_for_them(client, cast, submitted, file_complaint):
    waiting_approval, _code = file_complaint(subject_unit=cast.units.school, title="待审批的投诉")
    t.complaint_accept(complaint_id=waiting_approval.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=waiting_approval.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=waiting_approval.pk, actor=cast.bureau_officer, **DECISION)

    officer_inbox = body(as_user(client, cast.county_officer).get(INBOX))
    assert submitted.title in officer_inbox and "待审批的投诉" not in officer_inbox
    leader_inbox = body(as_user(client, cast.bureau_leader).get(INBOX))
    assert "待审批的投诉" in leader_inbox and f"#{submitted.pk}<" not in leader_inbox
    # The one who submitted it does not approve it: nothing waits for them.
    assert "待审批的投诉" not in body(as_user(client, cast.bureau_officer).get(INBOX))


def test_the_inbox_row_shows_status_category_units_received_and_the_running_deadline(client, cast, accepted):
    page = body(as_user(client, cast.bureau_officer).get(INBOX))
    assert "Accepted" in page and "乱收费" in page
    assert cast.units.school.name in page and cast.units.bureau.name in page
    assert timezone.localtime(accepted.received_at).strftime("%Y-%m-%d") in page
    due = Complaint.objects.filter(pk=accepted.pk).values_list("received_at", flat=True).get()
    assert (due + datetime.timedelta(days=60)).strftime("%Y-%m") in page
    assert 'data-testid="overdue-badge"' not in page


def test_the_inbox_row_gives_the_local_day_a_stage_is_due(client, cast, accepted):
    # 17:30 UTC is half past one the next morning in China: the row says the next day.
    due = datetime.datetime(2030, 1, 31, 17, 30, tzinfo=datetime.UTC)
    Complaint.objects.filter(pk=accepted.pk).update(due_at=due)
    page = body(as_user(client, cast.bureau_officer).get(INBOX))
    row = page[page.index(f"#{accepted.pk}<") :]
    cell = row[row.index('data-testid="case-due"') : row.index("</td>", row.index('data-testid="case-due"'))]
    assert "2030-02-01" in cell and "2030-01-31" not in cell


def test_an_overdue_case_carries_the_overdue_badge(client, cast, submitted):
    past = timezone.now() - datetime.timedelta(days=40)
    late, _code = complaint_filed(
        channel=Channel.LETTER,
        category=submitted.category,
        subject_unit=cast.units.school,
        title="逾期未受理的来信",
        content="来信反映问题。",
        received_at=past,
        actor=cast.county_officer,
    )
    page = body(as_user(client, cast.county_officer).get(INBOX, {"tab": "all", "overdue": "on"}))
    assert "逾期未受理的来信" in page and 'data-testid="overdue-badge"' in page
    assert submitted.title not in page


def test_the_all_tab_filters_by_status_category_unit_channel_and_text(client, cast, investigating, file_complaint):
    submitted, _code = file_complaint(subject_unit=cast.units.school, title="另一件投诉")
    as_user(client, cast.county_officer)
    every = body(client.get(INBOX, {"tab": "all"}))
    assert f"#{submitted.pk}<" in every and f"#{investigating.pk}<" in every
    only_investigating = body(client.get(INBOX, {"tab": "all", "status": "investigating"}))
    assert f"#{investigating.pk}<" in only_investigating and f"#{submitted.pk}<" not in only_investigating
    by_unit = body(client.get(INBOX, {"tab": "all", "unit": cast.units.sibling.pk}))
    assert "No cases match." in by_unit
    by_category = body(client.get(INBOX, {"tab": "all", "category": submitted.category.pk}))
    assert f"#{submitted.pk}<" in by_category
    by_channel = body(client.get(INBOX, {"tab": "all", "channel": "hotline"}))
    assert "No cases match." in by_channel
    by_number = body(client.get(INBOX, {"tab": "all", "q": f"#{submitted.pk}"}))
    assert f"#{submitted.pk}<" in by_number and f"#{investigating.pk}<" not in by_number
    by_text = body(client.get(INBOX, {"tab": "all", "q": "另一件"}))
    assert f"#{submitted.pk}<" in by_text and f"#{investigating.pk}<" not in by_text


@pytest.mark.parametrize(
    "params",
    [
        {"status": HOSTILE},
        {"category": "x"},
        {"unit": "99999999"},
        {"channel": HOSTILE},
        {"overdue": HOSTILE},
        {"q": HOSTILE},
        {"q": "x" * 5000},
        {"page": "-1"},
        {"tab": HOSTILE},
    ],
)
def test_hostile_or_wrong_filters_are_left_out_and_escaped(client, cast, submitted, params):
    response = as_user(client, cast.county_officer).get(INBOX, {"tab": "all", **params})
    assert response.status_code == 200
    assert "<script>alert" not in body(response)


def test_the_inbox_is_scoped(client, cast, submitted):
    page = body(as_user(client, outsider(cast)).get(INBOX, {"tab": "all"}))
    assert submitted.title not in page and "No cases match." in page


def test_the_inbox_query_count_does_not_grow_with_its_rows(client, cast, file_complaint):
    as_user(client, cast.county_officer)
    file_complaint(subject_unit=cast.units.school)
    for tab in ("waiting", "all"):
        before = queries(client, f"{INBOX}?tab={tab}")
        for n in range(5):
            complaint, _code = file_complaint(subject_unit=cast.units.school, title=f"投诉{n}{tab}")
            if n % 2:
                t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
        assert queries(client, f"{INBOX}?tab={tab}") == before


def test_the_inbox_paginates(client, cast, file_complaint, settings):
    for n in range(51):
        file_complaint(subject_unit=cast.units.school, title=f"第{n}件")
    as_user(client, cast.county_officer)
    first = body(client.get(INBOX))
    assert "51 cases" in first and "1 / 2" in first
    second = body(client.get(INBOX, {"page": 2}))
    assert second.count('href="/cases/') >= 1 and "2 / 2" in second


# --- The approval queue ----------------------------------------------------------------


def test_the_approval_queue_shows_findings_and_extension_requests_to_decide(client, cast, pending, file_complaint):
    other, _code = file_complaint(subject_unit=cast.units.school, title="申请延期的投诉")
    t.complaint_accept(complaint_id=other.pk, actor=cast.county_officer)
    services.extension_request(complaint_id=other.pk, actor=cast.bureau_officer, days=10, reason="需要补充调查")
    page = body(as_user(client, cast.bureau_leader).get(reverse("complaints:case-approvals")))
    # Each decision in its own list: the extension request, then the finding.
    extensions = page[page.index('data-testid="extensions-to-decide"') : page.index('data-testid="approval-queue"')]
    findings = page[page.index('data-testid="approval-queue"') :]
    assert "申请延期的投诉" in extensions and "Extension requested" in extensions and "需要补充调查" in extensions
    assert pending.title not in extensions
    assert "Finding to approve" in findings and pending.title in findings and "申请延期的投诉" not in findings
    # The submitter has nothing to decide.
    assert "Nothing awaits your decision." in body(
        as_user(client, cast.bureau_officer).get(reverse("complaints:case-approvals"))
    )


def test_the_approval_queue_with_only_extensions_to_decide(client, cast, file_complaint, settings):
    for n in range(3):
        complaint, _code = file_complaint(subject_unit=cast.units.school, title=f"申请延期{n}")
        t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
        services.extension_request(complaint_id=complaint.pk, actor=cast.bureau_officer, days=5, reason="原因")
    page = body(as_user(client, cast.bureau_leader).get(reverse("complaints:case-approvals")))
    assert page.count("Extension requested") == 3
    assert "approval-queue" not in page and "Nothing awaits your decision." not in page
    assert "extensions-more" not in page


def test_the_approval_queue_query_count_does_not_grow(client, cast, pending, file_complaint):
    def extension_requested(title: str) -> None:
        complaint, _code = file_complaint(subject_unit=cast.units.school, title=title)
        t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
        services.extension_request(complaint_id=complaint.pk, actor=cast.bureau_officer, days=5, reason="原因")

    extension_requested("待批")
    as_user(client, cast.bureau_leader)
    url = reverse("complaints:case-approvals")
    before = queries(client, url)
    for n in range(4):
        extension_requested(f"待批{n}")
        complaint, _code = file_complaint(subject_unit=cast.units.school, title=f"待审批{n}")
        t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
        t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
        t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    assert queries(client, url) == before


# --- The case page, by role --------------------------------------------------------------


def test_out_of_scope_cases_are_not_found(client, cast, submitted):
    as_user(client, outsider(cast))
    assert client.get(case_url(submitted)).status_code == 404
    assert client.get(case_url(submitted, "case-reply-letter")).status_code == 404
    assert client.post(case_url(submitted, "case-identity")).status_code == 404
    assert client.post(reverse("complaints:case-transition", args=[submitted.pk, "accept"])).status_code == 404


def test_the_staff_pages_need_a_login(client, submitted):
    for url in (INBOX, case_url(submitted), reverse("complaints:case-create")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_triage_officer_sees_the_intake_decisions(client, cast, submitted):
    page = body(as_user(client, cast.county_officer).get(case_url(submitted)))
    for name in ("accept", "reject", "transfer", "merge"):
        assert f'data-testid="action-{name}"' in page
    assert 'data-testid="action-approve"' not in page
    # The handling unit proposed is the one routing chooses: the school's bureau.
    assert f'<option value="{cast.units.bureau.pk}" selected>' in page
    # The school cannot handle a case about itself.
    assert f'<option value="{cast.units.school.pk}"' not in page


def test_the_leader_sees_approve_and_send_back_and_the_submitter_does_not(client, cast, pending):
    leader = body(as_user(client, cast.bureau_leader).get(case_url(pending)))
    assert 'data-testid="action-approve"' in leader and 'data-testid="action-send_back"' in leader
    submitter = body(as_user(client, cast.bureau_officer).get(case_url(pending)))
    assert 'data-testid="action-approve"' not in submitter


def test_the_auditor_reads_the_case_without_any_action(client, cast, investigating):
    response = as_user(client, cast.auditor).get(case_url(investigating))
    page = body(response)
    assert response.status_code == 200 and investigating.content in page
    assert 'data-testid="actions"' not in page and 'data-testid="records"' not in page
    assert 'data-testid="read-only"' in page
    assert "Show petitioner identity" not in page
    assert 'method="post"' not in page.split('id="main"')[1].split("</main>")[0]


def test_the_subject_units_staff_do_not_find_the_case(client, cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    response = as_user(client, school_officer(cast)).get(case_url(complaint))
    assert response.status_code == 404 and complaint.title not in body(response)


def test_the_auditor_sees_the_case_but_no_identity_button(client, cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    page = body(as_user(client, cast.auditor).get(case_url(complaint)))
    assert complaint.title in page
    assert "Show petitioner identity" not in page and "you may not see who filed" in page


def test_the_case_page_shows_header_deadlines_and_one_timeline(client, cast, investigating):
    services.activity_record(
        complaint_id=investigating.pk,
        actor=cast.bureau_officer,
        kind=ActivityKind.VISIT,
        occurred_at=timezone.now(),
        participants="校长、家长代表",
        summary="走访学校核实收费情况",
    )
    services.message_add(complaint_id=investigating.pk, body="请提供收费凭证", actor=cast.bureau_officer)
    services.message_add(complaint_id=investigating.pk, body="凭证已上传")
    services.internal_note_add(complaint_id=investigating.pk, actor=cast.bureau_officer, body="注意保护投诉人")
    services.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=15, reason="需走访")
    page = body(as_user(client, cast.bureau_officer).get(case_url(investigating)))
    header = page.split('data-testid="case-header"')[1]
    assert "Web" in header and cast.units.bureau.name in header and cast.units.school.name in header
    assert "Decide whether to accept a complaint" in page and "Resolve a complaint" in page and "Running" in page
    timeline = page.split('data-testid="timeline"')[1]
    for text in ("走访学校核实收费情况", "校长、家长代表", "请提供收费凭证", "凭证已上传", "注意保护投诉人", "需走访"):
        assert text in timeline
    assert "Message from the petitioner" in timeline and "Message to the petitioner" in timeline
    assert "internal, never shown to the petitioner" in timeline
    assert "Accepted" in timeline and "Investigation started" in timeline
    # One request per stage: no second request form while one is pending.
    assert 'data-testid="record-extension"' not in page


def _hint(complaint, duplicate_of):
    # The hint as filing leaves it (complaints.duplicates); this test is about showing it.
    Complaint.objects.filter(pk=complaint.pk).update(possible_duplicate_of=duplicate_of)


def test_the_duplicate_hint_links_a_visible_case(client, cast, submitted, file_complaint):
    first, _code = file_complaint(subject_unit=cast.units.school, title="先到的投诉")
    _hint(submitted, first)
    page = body(as_user(client, cast.county_officer).get(case_url(submitted)))
    hint = page.split('data-testid="duplicate-hint"')[1].split("</div>")[0]
    assert f'href="{case_url(first)}"' in hint and f"case #{first.pk}" in hint
    # The merge form proposes it as the primary case.
    assert f'name="merge-primary" value="{first.pk}"' in page


def test_the_duplicate_hint_names_no_case_outside_the_scope(client, cast, submitted, file_complaint):
    elsewhere, _code = file_complaint(subject_unit=unit_add(parent=None, name="邻县"))
    _hint(submitted, elsewhere)
    page = body(as_user(client, cast.county_officer).get(case_url(submitted)))
    hint = page.split('data-testid="duplicate-hint"')[1].split("</div>")[0]
    assert "outside your scope" in hint and "href" not in hint and f"#{elsewhere.pk}" not in hint


def test_attachments_are_served_only_through_their_case(client, cast, file_complaint, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private_storage_setting(tmp_path),
    }
    ours, _code = file_complaint(subject_unit=cast.units.school)
    theirs, _code = file_complaint(subject_unit=cast.units.sibling)
    pdf = SimpleUploadedFile("收费通知.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    stored = attachment_store(complaint=ours, file=pdf)
    as_user(client, cast.county_officer)
    page = body(client.get(case_url(ours)))
    url = reverse("complaints:case-attachment", args=[ours.pk, stored.pk])
    assert url in page and "收费通知.pdf" in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    # The file through another case, or a case out of scope: not found.
    assert client.get(reverse("complaints:case-attachment", args=[theirs.pk, stored.pk])).status_code == 404
    assert as_user(client, outsider(cast)).get(url).status_code == 404


def test_the_case_page_escapes_what_the_petitioner_wrote(client, cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, title=HOSTILE, content=HOSTILE)
    page = body(as_user(client, cast.county_officer).get(case_url(complaint)))
    assert HOSTILE not in page and "&lt;script&gt;" in page


def _grow(cast, complaint, *, activities: int, messages: int):
    for n in range(activities):
        services.activity_record(
            complaint_id=complaint.pk,
            actor=cast.bureau_officer,
            kind=ActivityKind.values[n % 5],
            # After the complaint was received, in the order recorded.
            occurred_at=complaint.received_at + datetime.timedelta(microseconds=n),
            participants=f"参与人{n}",
            summary=f"调查记录{n}",
        )
    for n in range(messages):
        services.message_add(complaint_id=complaint.pk, body=f"留言{n}", actor=cast.bureau_officer if n % 2 else None)


def _bounce(cast, complaint, times: int):
    # Two transitions each time: submitted for approval, sent back.
    for _n in range(times):
        t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
        t.complaint_send_back(complaint_id=complaint.pk, actor=cast.bureau_leader, reason="补充调查")


def test_the_case_page_query_count_is_constant(client, cast, investigating):
    # file, accept, start_investigation + 7 more = 10 transitions, 20 activities, 20 messages.
    _grow(cast, investigating, activities=20, messages=20)
    _bounce(cast, investigating, 3)
    t.complaint_submit_for_approval(complaint_id=investigating.pk, actor=cast.bureau_officer, **DECISION)
    assert investigating.transition_logs.count() == 10
    services.internal_note_add(complaint_id=investigating.pk, actor=cast.bureau_officer, body="备注")
    as_user(client, cast.bureau_leader)
    url = case_url(investigating)
    # User (the session comes from the cache), scope (posts and leader assignments), the
    # user's own and group permissions (ModelBackend), the roles (navigation), the case;
    # transitions, files, messages, activities, extension requests, notes and the people who
    # made them; deadlines, measures; the unread notifications.
    before = queries(client, url)
    assert before == 16
    t.complaint_send_back(complaint_id=investigating.pk, actor=cast.bureau_leader, reason="再补充")
    _grow(cast, investigating, activities=7, messages=9)
    _bounce(cast, investigating, 2)
    t.complaint_submit_for_approval(complaint_id=investigating.pk, actor=cast.bureau_officer, **DECISION)
    services.internal_note_add(complaint_id=investigating.pk, actor=cast.bureau_officer, body="备注二")
    assert queries(client, url) == before


def test_the_case_page_reads_scope_once_and_no_triage_unit_whoever_looks(client, cast, file_complaint, investigating):
    new, _code = file_complaint(subject_unit=cast.units.school)
    # Over the 16 of test_the_case_page_query_count_is_constant: a new case adds the
    # default handling unit (one statement), the duplicate check and the accept form's unit
    # list (3; the triage unit is checked by its path, never read), and no staff member has
    # written on it yet (no people to read, 1 fewer); the decision form lists
    # its measures' units (1: read once, never counted); the auditor only reads: the
    # internal notes out (1).
    for user, complaint, expected in [
        (cast.county_officer, new, 18),
        (cast.county_officer, investigating, 17),
        (cast.bureau_leader, investigating, 17),
        (cast.auditor, investigating, 15),
    ]:
        as_user(client, user)
        assert queries(client, case_url(complaint)) == expected, (user, complaint.status)
