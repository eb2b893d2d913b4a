"""Recognising an uploaded file by its content, for every app that accepts uploads.

The name and the type the browser claims are never trusted. ``filetype`` reads the
first bytes; a file that starts as a zip archive is opened, because Word and Excel
files (docx, xlsx) are zips and only their table of contents tells them apart from any
other zip, or from their macro-carrying cousins (docm, xlsm).
"""

import zipfile

import filetype
from django.core.files.uploadedfile import UploadedFile

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# filetype reads at most this many bytes to recognise a type.
SNIFF_BYTES = 8192
_ZIP_SIGNATURE = b"PK\x03\x04"
# The content type [Content_Types].xml gives the main part of each Office Open XML kind.
# Macro-enabled files declare other types (…macroEnabled.main+xml), so they match none.
_OOXML_MAIN_PARTS = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# A real table of contents is a few kilobytes; reading more than this is a zip bomb.
_CONTENT_TYPES_MAX_BYTES = 256 * 1024


def _ooxml_type(file: UploadedFile) -> str | None:
    """DOCX or XLSX if the zip's table of contents says so and it carries no macros, else None."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            with archive.open("[Content_Types].xml") as part:
                table = part.read(_CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        # Not a zip, no table of contents, encrypted, truncated or malformed: not an Office file.
        return None
    finally:
        file.seek(0)
    if len(table) > _CONTENT_TYPES_MAX_BYTES:
        return None
    for content_type, main_part in _OOXML_MAIN_PARTS.items():
        if main_part in table:
            return content_type
    return None


def upload_type(file: UploadedFile) -> str | None:
    """The file's content type judged by its content; None when it cannot be recognised.

    A zip is DOCX or XLSX only if its table of contents says so; any other zip is None.
    Leaves the file positioned at its start.
    """
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if head.startswith(_ZIP_SIGNATURE):
        return _ooxml_type(file)
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None
