"""Files in private storage are encrypted at rest (jiufeng.filecrypt): what is on disk holds none
of the file, what is downloaded is the file exactly; old files in clear keep opening until
`encrypt_stored_files` encrypts them; key rotation re-wraps the files' keys; a damaged file is
refused with a message and logged."""

import hashlib
import io
import logging
import tracemalloc
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from complaints.attachments import attachment_store
from jiufeng.filecrypt import MAGIC, SEALED

from .attachment_files import photo, upload
from .test_pages_staff_helpers import as_user

pytestmark = pytest.mark.django_db

SENTENCE = b"The headmaster took 300 yuan from every pupil for uniforms that never came."
PDF = b"%PDF-1.4\n% " + SENTENCE + b"\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# Several chunks (64 KiB each), so that a cut at a chunk's end and swapped chunks can be tried.
LONG_PDF = b"%PDF-1.4\n% " + SENTENCE * 3000 + b"\n%%EOF\n"
MB = 1024 * 1024


def on_disk(name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / name).read_bytes()


def header_length(stored: bytes) -> int:
    # MAGIC, the wrapped key's length and the wrapped key, the nonce prefix.
    return len(MAGIC) + 2 + int.from_bytes(stored[len(MAGIC) : len(MAGIC) + 2], "big") + 7


def staff_get(client, cast, attachment):
    as_user(client, cast.county_officer)
    return client.get(reverse("complaints:case-attachment", args=[attachment.complaint_id, attachment.pk]))


def content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def filed(cast, file_complaint):
    """A complaint filed with a document holding a sentence and a photo, and its attachments by name."""
    complaint, _code = file_complaint(
        subject_unit=cast.units.school, attachments=[upload("收据.pdf", PDF), upload("现场.png", photo("PNG"))]
    )
    return {attachment.original_name: attachment for attachment in complaint.attachments.all()}


def test_files_are_encrypted_on_disk_and_download_exactly_as_filed(client, cast, filed):
    document, picture = filed["收据.pdf"], filed["现场.png"]
    for attachment in (document, picture):
        stored = on_disk(attachment.file.name)
        assert stored.startswith(MAGIC)
        for plain in (SENTENCE, b"headmaster", b"%PDF", b"\x89PNG", b"IHDR"):
            assert plain not in stored
    response = staff_get(client, cast, document)
    assert response.status_code == 200
    assert content(response) == PDF
    assert response["Content-Length"] == str(len(PDF)) == str(document.size)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%94%B6%E6%8D%AE.pdf"
    response = staff_get(client, cast, picture)
    shown = content(response)
    assert shown.startswith(b"\x89PNG") and response["Content-Disposition"].startswith("inline")
    assert len(shown) == picture.size == int(response["Content-Length"]) == picture.file.size
    # The API serves the same bytes.
    api = client.get(f"/api/v1/complaints/{document.complaint_id}/attachments/{document.pk}/")
    assert api.status_code == 200 and content(api) == PDF


def test_a_large_file_round_trips_with_memory_bounded_by_a_chunk(client, cast, file_complaint):
    big = b"%PDF-1.4\n" + (SENTENCE * (12 * MB // len(SENTENCE) + 1))[: 12 * MB]
    upload_file = TemporaryUploadedFile("big.pdf", "application/pdf", len(big), None)
    upload_file.write(big)
    upload_file.seek(0)
    expected = hashlib.sha256(big).hexdigest()
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    del big
    tracemalloc.start()
    try:
        attachment = attachment_store(complaint=complaint, file=upload_file)
        _now, saving = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        response = staff_get(client, cast, attachment)
        for piece in response.streaming_content:
            digest.update(piece)
        response.close()
        _now, serving = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == expected and attachment.size == 12 * MB + 9
    # The whole file is 12 MB: saving and serving each held about one 64 KiB chunk at a time.
    assert saving < 2 * MB and serving < 2 * MB, (saving, serving)
    with open(Path(settings.MEDIA_ROOT) / attachment.file.name, "rb") as stored:
        # find(), not "in": a failure would print 4 MB.
        assert stored.read(4 * MB).find(SENTENCE) == -1


def test_a_file_stored_in_clear_still_downloads_and_the_command_encrypts_it_once(client, cast, filed):
    document = filed["收据.pdf"]
    path = Path(settings.MEDIA_ROOT) / document.file.name
    # As every file was stored before the encryption.
    path.write_bytes(PDF)
    assert not default_storage.encrypted(document.file.name)
    assert content(staff_get(client, cast, document)) == PDF
    out = io.StringIO()
    call_command("encrypt_stored_files", stdout=out)
    assert "files: 1 encrypted, 1 already encrypted" in out.getvalue()
    encrypted = path.read_bytes()
    assert encrypted.startswith(MAGIC) and SENTENCE not in encrypted
    assert content(staff_get(client, cast, document)) == PDF
    out = io.StringIO()
    call_command("encrypt_stored_files", stdout=out)
    assert "files: 0 encrypted, 2 already encrypted" in out.getvalue()
    assert path.read_bytes() == encrypted
    with pytest.raises(CommandError):
        call_command("encrypt_stored_files", "--limit", "0")


def test_files_open_after_rotating_the_keys_and_dropping_the_old_one(client, cast, filed, settings):
    document = filed["收据.pdf"]
    before = on_disk(document.file.name)
    old, new = settings.JIUFENG_IDENTITY_KEYS[0], Fernet.generate_key().decode()
    settings.JIUFENG_IDENTITY_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_identity_keys", stdout=out)
    assert "files: 2 keys re-wrapped, 0 already under the newest key, 0 stored in clear" in out.getvalue()
    after = on_disk(document.file.name)
    # Only the wrapped key changed: the content was copied, not encrypted again.
    assert after != before and after[header_length(after) :] == before[header_length(before) :]
    settings.JIUFENG_IDENTITY_KEYS = [new]
    assert content(staff_get(client, cast, document)) == PDF
    assert content(staff_get(client, cast, filed["现场.png"])).startswith(b"\x89PNG")
    out = io.StringIO()
    call_command("rotate_identity_keys", stdout=out)
    assert "files: 0 keys re-wrapped, 2 already under the newest key" in out.getvalue()
    assert on_disk(document.file.name) == after


def test_a_file_whose_key_is_gone_is_refused_and_rotation_keeps_the_old_keys(client, cast, filed, settings, caplog):
    document = filed["收据.pdf"]
    settings.JIUFENG_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    with caplog.at_level(logging.ERROR, logger="jiufeng"):
        response = staff_get(client, cast, document)
    assert response.status_code == 500 and "damaged" in response.content.decode()
    assert document.file.name in caplog.text
    with pytest.raises(CommandError, match="2 stored files were not re-wrapped: keep the old keys"):
        call_command("rotate_identity_keys", stdout=io.StringIO(), stderr=io.StringIO())


def _flip(stored: bytes, at: int) -> bytes:
    return stored[:at] + bytes([stored[at] ^ 1]) + stored[at + 1 :]


CORRUPTIONS = {
    "a byte changed in the middle": lambda b, h: _flip(b, h + SEALED + 100),
    "a byte of the last chunk changed": lambda b, h: _flip(b, len(b) - 1),
    "a byte of the nonce prefix changed": lambda b, h: _flip(b, h - 1),
    "cut at a chunk's end": lambda b, h: b[: h + SEALED],
    "cut by five bytes": lambda b, h: b[:-5],
    "cut inside the header": lambda b, h: b[:20],
    "two chunks swapped": lambda b, h: b[:h] + b[h + SEALED : h + 2 * SEALED] + b[h : h + SEALED] + b[h + 2 * SEALED :],
    "a chunk appended": lambda b, h: b + b[h : h + SEALED],
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_damaged_file_is_refused_with_a_message_and_logged(client, cast, file_complaint, caplog, corrupt):
    complaint, _code = file_complaint(subject_unit=cast.units.school, attachments=[upload("收据.pdf", LONG_PDF)])
    document = complaint.attachments.get()
    path = Path(settings.MEDIA_ROOT) / document.file.name
    stored = path.read_bytes()
    assert len(stored) > header_length(stored) + 3 * SEALED
    path.write_bytes(corrupt(stored, header_length(stored)))
    with caplog.at_level(logging.ERROR, logger="jiufeng"):
        response = staff_get(client, cast, document)
    assert response.status_code == 500
    page = response.content.decode()
    assert "This file is damaged in storage" in page and "Traceback" not in page and "headmaster" not in page
    assert "Stored file damaged, not sent" in caplog.text and document.file.name in caplog.text
    api = client.get(f"/api/v1/complaints/{complaint.pk}/attachments/{document.pk}/")
    assert api.status_code == 500 and "damaged" in api.json()["detail"]


def test_hostile_names_never_reach_the_disk_and_come_back_quoted(client, cast, file_complaint):
    hostile = '../../<img src=x onerror=alert(1)>"; filename=evil.exe.pdf'
    complaint, _code = file_complaint(subject_unit=cast.units.school, attachments=[upload(hostile, PDF)])
    document = complaint.attachments.get()
    stored = list(Path(settings.MEDIA_ROOT).rglob("*.*"))
    assert [path.name for path in stored] == [Path(document.file.name).name]
    assert document.file.name.startswith("complaints/") and "img" not in document.file.name
    assert SENTENCE not in stored[0].read_bytes()
    response = staff_get(client, cast, document)
    assert content(response) == PDF
    # As before the encryption: the name cleaned of paths, markup and quotes, sent back quoted.
    assert document.original_name == "img_srcx_onerroralert1_filenameevil.exe.pdf"
    assert response["Content-Disposition"] == 'attachment; filename="img_srcx_onerroralert1_filenameevil.exe.pdf"'
