"""Files attached by staff from the case page and at intake: stored, shown, served, or refused."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints import services
from complaints.models import Activity, ActivityKind, Attachment, Complaint, Message
from tests.e2e.test_case_journey import log_in
from tests.storage import private_storage_setting

from .attachment_files import EXE, PDF, photo, upload
from .test_pages_staff_forms import activity
from .test_pages_staff_helpers import as_user, case_url, outsider, post_record, queries
from .test_pages_staff_intake import INTAKE, intake

pytestmark = pytest.mark.django_db

KINDS = "not one of the kinds accepted"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private_storage_setting(tmp_path),
    }
    return tmp_path


def page(response) -> str:
    return response.content.decode()


def stored_files(storage) -> list:
    return [path for path in storage.rglob("*") if path.is_file()]


def download_url(attachment: Attachment) -> str:
    return reverse("complaints:case-attachment", args=[attachment.complaint_id, attachment.pk])


def downloaded(client, attachment: Attachment):
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def record_with(client, complaint, files, *, htmx=False, **fields):
    return post_record(
        client, complaint, "case-activity-add", "activity", activity(attachments=files, **fields), htmx=htmx
    )


# --- Recording with files ----------------------------------------------------------------------


def test_the_record_forms_upload_files_also_through_htmx_and_say_the_limits(client, cast, investigating, settings):
    settings.JIUFENG_ATTACHMENT_MAX_FILES = 3
    shown = page(as_user(client, cast.bureau_officer).get(case_url(investigating)))
    for prefix in ("activity", "message"):
        form = shown.split(f'data-testid="record-{prefix}"')[1].split("</form>")[0]
        assert 'enctype="multipart/form-data"' in form and 'hx-encoding="multipart/form-data"' in form
        assert f'type="file" name="{prefix}-attachments"' in form and "multiple" in form
        assert "Up to 3 files, 20 MB each and 50 MB in all: photos (JPG, PNG, GIF, WebP), PDF" in form
    # A note has no files: its form stays plain.
    note = shown.split('data-testid="record-note"')[1].split("</form>")[0]
    assert "multipart" not in note and 'type="file"' not in note


def test_an_officer_records_an_activity_with_a_photo_and_a_pdf_sees_and_downloads_them(
    client, cast, investigating, private_storage
):
    as_user(client, cast.bureau_officer)
    files = [upload("现场照片.jpg", photo("JPEG"), "image/jpeg"), upload("收费通知.pdf", PDF, "application/pdf")]
    response = record_with(client, investigating, files)
    assert response.status_code == 302
    recorded = Activity.objects.get()
    pdf_file, photo_file = recorded.attachments.order_by("content_type")
    assert [photo_file.original_name, pdf_file.original_name] == ["现场照片.jpg", "收费通知.pdf"]
    assert photo_file.uploaded_by == pdf_file.uploaded_by == cast.bureau_officer
    assert len(stored_files(private_storage)) == 2

    timeline = page(client.get(case_url(investigating))).split('data-testid="timeline"')[1]
    for attachment in (photo_file, pdf_file):
        assert f'href="{download_url(attachment)}"' in timeline and attachment.original_name in timeline

    shown, content = downloaded(client, photo_file)
    # The photo opens in the browser, re-encoded: the phone's model and GPS position are gone.
    assert shown["Content-Type"] == "image/jpeg" and shown["Content-Disposition"].startswith("inline")
    assert content.startswith(b"\xff\xd8") and b"PhoneModelX" not in content
    offered, content = downloaded(client, pdf_file)
    assert offered["Content-Type"] == "application/pdf" and offered["Content-Disposition"].startswith("attachment")
    assert content == PDF and offered["X-Content-Type-Options"] == "nosniff"


def test_files_sent_with_htmx_come_back_in_the_swapped_timeline(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    response = record_with(client, investigating, [upload("走访.pdf", PDF)], htmx=True)
    attachment = Attachment.objects.get()
    swapped = page(response)
    assert response.status_code == 200 and "The activity is recorded." in swapped
    assert f'href="{download_url(attachment)}"' in swapped.split('hx-swap-oob="true"')[1]
    assert attachment.activity == Activity.objects.get()


def test_a_message_to_the_petitioner_carries_its_files(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    fields = {"body": "请查收整改通知", "attachments": [upload("整改通知.pdf", PDF)]}
    response = post_record(client, investigating, "case-message-add", "message", fields, htmx=True)
    attachment = Attachment.objects.get()
    assert attachment.message == Message.objects.get() and attachment.activity is None
    assert f'href="{download_url(attachment)}"' in page(response)


def test_an_executable_renamed_jpg_is_refused_with_the_message_and_nothing_is_stored(
    client, cast, investigating, private_storage
):
    as_user(client, cast.bureau_officer)
    for htmx in (False, True):
        files = [upload("现场照片.jpg", EXE, "image/jpeg"), upload("收费通知.pdf", PDF)]
        response = record_with(client, investigating, files, htmx=htmx)
        assert response.status_code == (200 if htmx else 400)
        form = page(response).split('data-testid="record-activity"')[1].split("</form>")[0]
        field = form.split('name="activity-attachments"')[1]
        assert f"“现场照片.jpg” is {KINDS}" in field
        # What was typed stays in the form, to send again with the right file.
        assert "与班主任谈话，核实收费经过" in form
    assert not Activity.objects.exists() and not Attachment.objects.exists()
    assert stored_files(private_storage) == []


def test_a_refused_message_file_stores_no_message(client, cast, investigating, private_storage):
    as_user(client, cast.bureau_officer)
    fields = {"body": "附件", "attachments": [upload("setup.pdf", EXE)]}
    response = post_record(client, investigating, "case-message-add", "message", fields)
    assert response.status_code == 400 and f"“setup.pdf” is {KINDS}" in page(response)
    assert not Message.objects.exists() and stored_files(private_storage) == []


@pytest.mark.parametrize(
    ("limit", "files", "error"),
    [
        ("JIUFENG_ATTACHMENT_MAX_FILES", [upload(f"{n}.pdf", PDF) for n in range(3)], "Attach at most 2 files"),
        ("JIUFENG_ATTACHMENT_MAX_BYTES", [upload("big.pdf", PDF + b"\0" * 2048)], "each file may be at most"),
        ("JIUFENG_ATTACHMENT_MAX_TOTAL_BYTES", [upload(f"{n}.pdf", PDF + b"\0" * 1500) for n in "ab"], "in all"),
        (None, [upload("empty.pdf", b"")], "“empty.pdf” is empty."),
    ],
    ids=["too-many", "too-big", "too-much", "empty"],
)
def test_files_over_the_limits_are_refused(client, cast, investigating, settings, limit, files, error):
    if limit is not None:
        settings.JIUFENG_ATTACHMENT_MAX_FILES = 2
        settings.JIUFENG_ATTACHMENT_MAX_BYTES = 2048
        settings.JIUFENG_ATTACHMENT_MAX_TOTAL_BYTES = 3000
    response = record_with(as_user(client, cast.bureau_officer), investigating, files)
    assert response.status_code == 400 and error in page(response)
    assert not Activity.objects.exists() and not Attachment.objects.exists()


def test_hostile_file_names_are_shown_as_text(client, cast, investigating):
    # A browser sends a name without its path: no slash, so no </script>.
    hostile = "<img src=x onerror=alert(1)>"
    as_user(client, cast.bureau_officer)
    refused = page(record_with(client, investigating, [upload(f"{hostile}.jpg", EXE)]))
    assert hostile not in refused and "&lt;img src=x onerror=alert(1)&gt;.jpg" in refused
    record_with(client, investigating, [upload(f"{hostile}.pdf", PDF)])
    assert hostile not in page(client.get(case_url(investigating)))
    assert "<" not in Attachment.objects.get().original_name


def test_a_clear_box_sent_without_files_records_the_activity_without_files(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    response = post_record(
        client, investigating, "case-activity-add", "activity", {**activity(), "attachments-clear": "on"}
    )
    assert response.status_code == 302
    assert Activity.objects.exists() and not Attachment.objects.exists()


# --- Intake with files ---------------------------------------------------------------------------


def test_intake_stores_the_letter_scan_with_the_complaint(client, cast, category):
    as_user(client, cast.county_officer)
    form = page(client.get(INTAKE))
    assert 'enctype="multipart/form-data"' in form and 'name="attachments"' in form and "Up to 10 files" in form
    data = intake(cast, category, attachments=[upload("来信扫描.jpg", photo("JPEG"))])
    assert client.post(INTAKE, data).status_code == 200
    complaint = Complaint.objects.get()
    attachment = complaint.attachments.get()
    assert attachment.message is None and attachment.activity is None
    assert attachment.uploaded_by == cast.county_officer
    content_section = page(client.get(case_url(complaint))).split('id="content-heading"')[1].split("</section>")[0]
    assert f'href="{download_url(attachment)}"' in content_section and "来信扫描.jpg" in content_section


def test_intake_with_a_wrong_file_files_nothing(client, cast, category, private_storage):
    as_user(client, cast.county_officer)
    response = client.post(INTAKE, intake(cast, category, attachments=[upload("来信.jpg", EXE)]))
    assert response.status_code == 400
    field = page(response).split('name="attachments"')[1].split("</fieldset>")[0]
    assert f"“来信.jpg” is {KINDS}" in field
    assert not Complaint.objects.exists() and stored_files(private_storage) == []


# --- Who may download -------------------------------------------------------------------------------


def test_an_out_of_scope_user_does_not_find_the_download(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    record_with(client, investigating, [upload("现场照片.jpg", photo("JPEG"))])
    url = download_url(Attachment.objects.get())
    assert client.get(url).status_code == 200
    assert as_user(client, outsider(cast)).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_files_on_the_timeline_cost_no_query_per_row(client, cast, investigating):
    def record(n: int):
        services.activity_record(
            complaint_id=investigating.pk,
            actor=cast.bureau_officer,
            kind=ActivityKind.VISIT,
            occurred_at=investigating.received_at + datetime.timedelta(microseconds=n),
            participants="",
            summary=f"走访{n}",
            attachments=[upload(f"走访{n}.pdf", PDF)],
        )
        services.message_add(
            complaint_id=investigating.pk, body=f"留言{n}", actor=None, attachments=[upload(f"凭证{n}.pdf", PDF)]
        )

    record(0)
    as_user(client, cast.bureau_officer)
    before = queries(client, case_url(investigating))
    for n in range(1, 6):
        record(n)
    assert queries(client, case_url(investigating)) == before
    assert page(client.get(case_url(investigating))).count("/attachments/") == 12


# --- In a browser ------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_htmx_sends_the_chosen_files_with_the_activity(page, live_server, cast, investigating):
    log_in(page, live_server, cast.bureau_officer.username)
    page.goto(f"{live_server.url}{case_url(investigating)}")
    page.get_by_text("Record an investigation activity").click()
    form = page.get_by_test_id("record-activity")
    form.get_by_label("Kind").select_option("visit")
    # The time is now unless changed: nothing to type.
    form.get_by_label("Summary").fill("走访学校，拍照取证")
    form.get_by_label("Attachments").set_input_files(
        [
            {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": photo("JPEG")},
            {"name": "收费通知.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )
    page.evaluate("window.notReloaded = true")
    form.get_by_role("button", name="Record the activity").click()
    expect(page.get_by_test_id("record-activity").get_by_role("status")).to_have_text("The activity is recorded.")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_role("link", name="现场照片.jpg")).to_be_visible()
    expect(timeline.get_by_role("link", name="收费通知.pdf")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    href = timeline.get_by_role("link", name="现场照片.jpg").get_attribute("href")
    shown = page.request.get(f"{live_server.url}{href}")
    assert shown.status == 200 and shown.headers["content-type"] == "image/jpeg"
