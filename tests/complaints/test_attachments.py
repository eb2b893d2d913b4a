"""Attachments: judged by content, photos stored without metadata, served with a safe type."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone
from PIL import ExifTags, Image

from complaints import attachments
from complaints import transitions as t
from complaints.attachments import (
    attachment_limits_text,
    attachment_response,
    attachment_store,
    attachments_check,
)
from complaints.models import Attachment, Complaint, Message
from complaints.services import activity_record, message_add
from tests.storage import private_storage_setting, stored_text

from .attachment_files import (
    DOC,
    EXE,
    GPS_LATITUDE,
    HEIC,
    HTML,
    PDF,
    WORD_MACRO_MAIN,
    XLS,
    animated_gif,
    docx,
    ooxml,
    photo,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private_storage_setting(tmp_path),
    }
    return tmp_path


@pytest.fixture
def complaint(cast, file_complaint):
    return file_complaint(subject_unit=cast.units.school)[0]


def refusal(files) -> list[str]:
    with pytest.raises(ValidationError) as error:
        attachments_check(files)
    return error.value.message_dict["attachments"]


# --- What may be attached -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("现场.jpg", photo("JPEG"), "image/jpeg"),
        ("screen.png", photo("PNG"), "image/png"),
        ("clip.gif", animated_gif(), "image/gif"),
        ("photo.webp", photo("WEBP"), "image/webp"),
        ("收据.pdf", PDF, "application/pdf"),
        ("letter.doc", DOC, "application/msword"),
        ("letter.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("fees.xls", XLS, "application/vnd.ms-excel"),
        ("fees.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
    ids=["jpeg", "png", "gif", "webp", "pdf", "doc", "docx", "xls", "xlsx"],
)
def test_every_accepted_kind_passes_the_check_and_is_stored_with_its_detected_type(
    complaint, private_storage, name, content, content_type
):
    file = upload(name, content)
    attachments_check([file])
    attachment = attachment_store(complaint=complaint, file=file)
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert name not in attachment.file.name
    assert attachment.size == len(stored_text(attachment.file.name)) == attachment.file.size
    assert attachment.uploaded_by is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", EXE),
        ("photo.jpg", HTML),
        ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
        ("archive.docx", ooxml("word/document.xml", "application/zip")),
        ("macro.docx", ooxml("word/document.xml", WORD_MACRO_MAIN)),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 200),
        ("slides.pptx", ooxml("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml")),
    ],
    ids=["exe-as-jpg", "html-as-jpg", "elf-as-pdf", "plain-zip", "docm", "broken-zip", "pptx"],
)
def test_content_that_is_not_an_accepted_kind_is_refused_whatever_its_name(name, content):
    [message] = refusal([upload(name, content, content_type="image/jpeg")])
    assert (
        message
        == f"“{name}” is not one of the kinds accepted: photos (JPG, PNG, GIF, WebP), PDF, Word and Excel files."
    )


def test_a_docx_whose_vba_project_hides_behind_a_word_content_type_is_refused():
    content = ooxml(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        extra={"word/vbaProject.bin": b"\x00" * 10},
    )
    assert refusal([upload("letter.docx", content)])


def test_a_heic_photo_is_refused_with_advice_because_its_location_could_not_be_removed():
    [message] = refusal([upload("IMG_0001.HEIC", HEIC)])
    assert "“IMG_0001.HEIC” is a HEIC photo" in message
    assert "JPG" in message


def test_a_damaged_photo_is_refused_before_anything_is_stored(private_storage):
    content = photo("JPEG", size=(400, 300))
    [message] = refusal([upload("cut.jpg", content[: len(content) // 2])])
    assert message == "“cut.jpg” cannot be read as an image; it may be damaged."
    assert not list(private_storage.rglob("*.*"))


def test_an_image_with_too_many_pixels_is_refused_without_decoding_it(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_PIXELS", 1_000_000)
    [message] = refusal([upload("huge.png", photo("PNG", size=(2000, 1000)))])
    assert message == "“huge.png” is an image of 2 megapixels; send a copy of at most 1."


def test_empty_and_oversized_files_are_refused_with_their_names_and_sizes():
    messages = refusal([upload("empty.pdf", b""), upload("big.pdf", PDF + b"\x00" * (20 * MB))])
    assert messages == [
        "“empty.pdf” is empty.",
        "“big.pdf” is 20.0 MB; each file may be at most 20 MB.",
    ]


def test_every_problem_is_reported_at_once_and_the_limits_are_read_at_call_time(settings):
    settings.JIUFENG_ATTACHMENT_MAX_BYTES = 1 * MB
    settings.JIUFENG_ATTACHMENT_MAX_TOTAL_BYTES = 1 * MB
    files = [upload("a.pdf", PDF + b"\x00" * MB), upload("b.jpg", EXE), upload("c.pdf", PDF + b"\x00" * (MB // 2))]
    assert refusal(files) == [
        "“a.pdf” is 1.0 MB; each file may be at most 1 MB.",
        "“b.jpg” is not one of the kinds accepted: photos (JPG, PNG, GIF, WebP), PDF, Word and Excel files.",
        "The files are 1.5 MB together; at most 1 MB in all.",
    ]


def test_more_files_than_allowed_are_refused_before_any_is_read(settings):
    assert refusal([upload(f"{n}.pdf", PDF) for n in range(11)]) == ["Attach at most 10 files; you chose 11."]
    settings.JIUFENG_ATTACHMENT_MAX_FILES = 1
    assert refusal([upload("a.pdf", PDF), upload("b.pdf", PDF)]) == ["Attach at most 1 file; you chose 2."]
    attachments_check([upload("a.pdf", PDF)])
    attachments_check([])


def test_a_hostile_name_is_quoted_back_shortened_and_never_reaches_the_disk(complaint, private_storage):
    hostile = "../../<img src=x onerror=alert(1)>" + "x" * 200 + ".jpg"
    [message] = refusal([upload(hostile, EXE)])
    assert "../" not in message
    assert "“<img src=x onerror=alert(1)>xxx" in message
    assert "x" * 100 not in message
    attachment = attachment_store(complaint=complaint, file=upload("C:\\Users\\张三\\<b>收据 (1).pdf", PDF))
    assert attachment.original_name == "b收据_1.pdf"
    assert attachment.file.name.startswith("complaints/")
    assert len(list(private_storage.rglob("*.pdf"))) == 1


def test_the_stored_name_takes_the_extension_of_the_real_content(complaint):
    assert attachment_store(complaint=complaint, file=upload("scan.png", photo("JPEG"))).original_name == "scan.jpg"
    assert attachment_store(complaint=complaint, file=upload("IMG.JPEG", photo("JPEG"))).original_name == "IMG.JPEG"
    assert attachment_store(complaint=complaint, file=upload("...", PDF)).original_name == "attachment.pdf"


def test_store_refuses_what_was_never_checked(complaint):
    with pytest.raises(ValidationError):
        attachment_store(complaint=complaint, file=upload("x.jpg", EXE))
    assert not Attachment.objects.exists()


# --- Photos lose their metadata -------------------------------------------------------------


def test_a_jpeg_with_gps_is_stored_upright_without_any_exif(complaint, private_storage):
    original = photo("JPEG", orientation=6, comment=b"taken at home")
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == GPS_LATITUDE
    attachment = attachment_store(complaint=complaint, file=upload("现场.jpg", original))
    stored = stored_text(attachment.file.name)
    for secret in (b"Exif", b"PhoneModelX", b"taken at home"):
        assert secret in original
        assert secret not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif()
    # Orientation 6 means "turn 90° to view": the stored pixels are turned already.
    assert image.size == (20, 40)
    assert attachment.size == len(stored)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_exif_too(complaint, private_storage, image_format):
    original = photo(image_format)
    assert b"PhoneModelX" in original
    attachment = attachment_store(complaint=complaint, file=upload("p", original))
    stored = stored_text(attachment.file.name)
    assert b"PhoneModelX" not in stored
    assert Image.open(io.BytesIO(stored)).format == image_format


def test_an_animated_gif_keeps_its_frames_and_loses_its_comment(complaint, private_storage):
    original = animated_gif(frames=3)
    assert b"PhoneModelX" in original
    attachment = attachment_store(complaint=complaint, file=upload("clip.gif", original))
    stored = stored_text(attachment.file.name)
    assert b"PhoneModelX" not in stored
    assert Image.open(io.BytesIO(original)).n_frames == Image.open(io.BytesIO(stored)).n_frames == 3


def test_documents_are_stored_byte_for_byte(complaint, private_storage):
    content = xlsx()
    attachment = attachment_store(complaint=complaint, file=upload("fees.xlsx", content))
    assert stored_text(attachment.file.name) == content


# --- Serving --------------------------------------------------------------------------------


def test_a_photo_is_shown_inline_and_a_document_downloaded_both_with_nosniff(complaint):
    picture = attachment_store(complaint=complaint, file=upload("现场.jpg", photo("JPEG")))
    response = attachment_response(picture, request=RequestFactory().get("/"))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    document = attachment_store(complaint=complaint, file=upload("收据.pdf", PDF, content_type="text/html"))
    response = attachment_response(document, request=RequestFactory().get("/"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%94%B6%E6%8D%AE.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_missing_from_storage_is_not_found(complaint, private_storage):
    attachment = attachment_store(complaint=complaint, file=upload("a.pdf", PDF))
    (private_storage / attachment.file.name).unlink()
    with pytest.raises(Http404):
        attachment_response(attachment, request=RequestFactory().get("/"))


def test_the_limits_text_follows_the_settings(settings):
    assert attachment_limits_text() == (
        "Up to 10 files, 20 MB each and 50 MB in all: photos (JPG, PNG, GIF, WebP), PDF, Word and Excel files."
    )
    settings.JIUFENG_ATTACHMENT_MAX_FILES = 1
    assert attachment_limits_text().startswith("Up to 1 file of at most 20 MB")


# --- Filed with a complaint, a message, an activity -------------------------------------------


def test_files_filed_with_a_complaint_are_stored_after_it(cast, file_complaint, private_storage):
    complaint, _code = file_complaint(
        subject_unit=cast.units.school, attachments=[upload("现场.jpg", photo("JPEG")), upload("收据.pdf", PDF)]
    )
    stored = list(complaint.attachments.order_by("pk"))
    assert [(a.original_name, a.uploaded_by, a.message, a.activity) for a in stored] == [
        ("现场.jpg", None, None, None),
        ("收据.pdf", None, None, None),
    ]
    assert len(list(private_storage.rglob("*.*"))) == 2


def test_a_bad_file_refuses_the_whole_filing_along_with_every_other_error(cast, file_complaint, private_storage):
    with pytest.raises(ValidationError) as error:
        file_complaint(
            subject_unit=cast.units.school, title=" ", attachments=[upload("收据.pdf", PDF), upload("x.jpg", EXE)]
        )
    assert set(error.value.message_dict) == {"title", "attachments"}
    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()
    assert not list(private_storage.rglob("*.*"))


def test_messages_and_activities_carry_their_own_files(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    message = message_add(complaint_id=complaint.pk, body="补充收据", attachments=[upload("收据.pdf", PDF)])
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    activity = activity_record(
        complaint_id=complaint.pk,
        actor=cast.bureau_officer,
        kind="look",
        occurred_at=timezone.now(),
        participants="",
        summary="现场查看收费公示栏",
        attachments=[upload("公示栏.png", photo("PNG"))],
    )
    [from_petitioner] = message.attachments.all()
    assert (from_petitioner.complaint, from_petitioner.uploaded_by) == (complaint, None)
    [from_officer] = activity.attachments.all()
    assert (from_officer.complaint, from_officer.uploaded_by, from_officer.message) == (
        complaint,
        cast.bureau_officer,
        None,
    )


def test_a_message_with_a_bad_file_is_not_written(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    with pytest.raises(ValidationError) as error:
        message_add(complaint_id=complaint.pk, body="", attachments=[upload("x.jpg", HTML)])
    assert set(error.value.message_dict) == {"body", "attachments"}
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()
