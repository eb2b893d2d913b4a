"""Files on a case: what may be attached, how it is stored, how it is served.

Types are judged by content (jiufeng.uploads), never by name or claimed type. Photos are
decoded and encoded again, turned upright first, so nothing of the original file but its
pixels is kept: no EXIF (GPS position, phone model, time), no XMP, no comments. A
petitioner who photographs a receipt at home must not hand the subject unit their
address. PDF and Office files are stored as they came.

The limits are settings read at call time (JIUFENG_ATTACHMENT_MAX_FILES, _MAX_BYTES,
_MAX_TOTAL_BYTES).
"""

import io
import posixpath
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from PIL import Image, ImageOps, ImageSequence

from jiufeng.file_responses import stored_file_response
from jiufeng.uploads import DOCX, XLSX, upload_type

from .models import Activity, Attachment, Complaint, Message

# Detected content type -> Pillow format and the extension the stored file gets.
PHOTO_FORMATS = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/gif": ("GIF", "gif"),
    "image/webp": ("WEBP", "webp"),
}
DOCUMENT_EXTENSIONS = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    DOCX: "docx",
    "application/vnd.ms-excel": "xls",
    XLSX: "xlsx",
}
EXTENSIONS = {**{t: ext for t, (_f, ext) in PHOTO_FORMATS.items()}, **DOCUMENT_EXTENSIONS}
# Pillow 13 cannot decode HEIC (it needs the pillow-heif plugin), so such a photo could not
# be stripped of its GPS position: it is refused with advice instead of stored as it came.
HEIC = "image/heic"
# A 48-megapixel phone photo passes; a decompression bomb (a small file that decodes to
# gigabytes of pixels) does not. For animations, all frames together.
MAX_PIXELS = 64_000_000
_ANIMATED = {"GIF", "WEBP"}
# Image keys a re-encoded photo keeps: how it looks and moves, nothing about where or who.
_KEPT_INFO = ("transparency", "duration", "loop", "background")
_NAME_SHOWN = 80
_NAME_STORED = 200
_MB = 1024 * 1024

KINDS_TEXT = gettext_lazy("photos (JPG, PNG, GIF, WebP), PDF, Word and Excel files")
# Said by the server after sending and by the browser before (attachment_limits_shown).
_EMPTY = gettext_lazy("“%(name)s” is empty.")
_HEIC = gettext_lazy(
    "“%(name)s” is a HEIC photo, which cannot be accepted; send it as JPG "
    "(on an iPhone: Settings › Camera › Formats › Most Compatible)."
)
_KIND = gettext_lazy("“%(name)s” is not one of the kinds accepted: %(kinds)s.")


def attachment_limits_text() -> str:
    """What a form says under its file field: how many, how big, which kinds."""
    files = settings.JIUFENG_ATTACHMENT_MAX_FILES
    return ngettext(
        "Up to %(files)d file of at most %(size)d MB, %(total)d MB in all: %(kinds)s.",
        "Up to %(files)d files, %(size)d MB each and %(total)d MB in all: %(kinds)s.",
        files,
    ) % {
        "files": files,
        "size": settings.JIUFENG_ATTACHMENT_MAX_BYTES // _MB,
        "total": settings.JIUFENG_ATTACHMENT_MAX_TOTAL_BYTES // _MB,
        "kinds": KINDS_TEXT,
    }


# What a file picker offers (the input's accept): the kinds above by type and by name. Listing
# JPEG lets an iPhone hand over a HEIC photo converted, instead of one refused after sending.
ACCEPTED_NAMES = ("jpeg", *EXTENSIONS.values())
ACCEPT = ",".join([f".{name}" for name in ACCEPTED_NAMES] + list(EXTENSIONS))


def attachment_limits_shown() -> dict:
    """The limits and their messages for static/js/attachments.js, which checks a choice of files
    as it is made, so that nobody sends 200 MB over a phone to learn that 20 is the limit.

    The script fills in {name}, {size} and {count}; the server still judges every file by its
    content (attachments_check), with or without the script.
    """
    most = settings.JIUFENG_ATTACHMENT_MAX_FILES
    size = settings.JIUFENG_ATTACHMENT_MAX_BYTES
    total = settings.JIUFENG_ATTACHMENT_MAX_TOTAL_BYTES
    named = {"name": "{name}"}
    return {
        "files": most,
        "bytes": size,
        "total": total,
        "names": ACCEPTED_NAMES,
        "types": list(EXTENSIONS),
        "heic": ["heic", "heif", HEIC, "image/heif"],
        "messages": {
            # Translators: {count} is filled in by the browser with the number of files chosen.
            "count": ngettext(
                "Attach at most %(max)d file; you chose {count}.",
                "Attach at most %(max)d files; you chose {count}.",
                most,
            )
            % {"max": most},
            "empty": _EMPTY % named,
            # Translators: {name} and {size} (in MB) are filled in by the browser.
            "size": _("“{name}” is {size} MB; each file may be at most %(max)d MB.") % {"max": size // _MB},
            # Translators: {size} (in MB) is filled in by the browser.
            "total": _("The files are {size} MB together; at most %(max)d MB in all.") % {"max": total // _MB},
            "heic": _HEIC % named,
            "kind": _KIND % (named | {"kinds": KINDS_TEXT}),
        },
    }


def _shown_name(file: UploadedFile) -> str:
    # The last path part only, shortened: it is quoted back to the person who chose it.
    name = posixpath.basename((file.name or "").replace("\\", "/"))
    return name if len(name) <= _NAME_SHOWN else f"{name[: _NAME_SHOWN - 1]}…"


class _Unreadable(Exception):
    """Pillow could not decode the photo."""


class _TooManyPixels(Exception):
    def __init__(self, pixels: int):
        self.pixels = pixels


def _photo_reencode(file: UploadedFile, content_type: str) -> bytes:
    """The photo's pixels encoded afresh, upright, without any metadata but its colour profile.

    Steps: open (reads only the header) and refuse more than MAX_PIXELS; for each frame
    (all of an animation, the first of anything else) apply the EXIF orientation, which
    makes a copy, and drop every info key but those of _KEPT_INFO; encode in the same
    format, passing only the options named here, so no metadata can ride along.
    """
    image_format, _extension = PHOTO_FORMATS[content_type]
    output = io.BytesIO()
    file.seek(0)
    try:
        with Image.open(file) as image:
            animated = image_format in _ANIMATED and getattr(image, "n_frames", 1) > 1
            pixels = image.width * image.height * (image.n_frames if animated else 1)
            if pixels > MAX_PIXELS:
                raise _TooManyPixels(pixels)
            frames = []
            for frame in ImageSequence.Iterator(image) if animated else [image]:
                upright = ImageOps.exif_transpose(frame)
                upright.info = {key: frame.info[key] for key in _KEPT_INFO if key in frame.info}
                frames.append(upright)
            first = frames[0]
            options = {}
            # The colour profile keeps colours true (phones shoot in Display P3); it names no one.
            if icc_profile := image.info.get("icc_profile"):
                options["icc_profile"] = icc_profile
            if image_format in {"JPEG", "WEBP"}:
                options["quality"] = 90
            if image_format == "JPEG" and first.mode not in {"RGB", "L", "CMYK"}:
                first = first.convert("RGB")
            if animated:
                options.update(
                    save_all=True,
                    append_images=frames[1:],
                    duration=[frame.info.get("duration", 100) for frame in frames],
                    loop=image.info.get("loop", 0),
                )
            first.save(output, format=image_format, **options)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as error:
        # Truncated, damaged or lying about its size: Pillow's errors for each.
        raise _Unreadable from error
    finally:
        file.seek(0)
    return output.getvalue()


def _problem(message: str) -> ValidationError:
    return ValidationError({"attachments": message})


def _file_type(file: UploadedFile) -> str:
    """The file's detected content type if it may be attached; ValidationError naming it otherwise."""
    name = _shown_name(file)
    if not file.size:
        raise _problem(_EMPTY % {"name": name})
    limit = settings.JIUFENG_ATTACHMENT_MAX_BYTES
    if file.size > limit:
        raise _problem(
            _("“%(name)s” is %(size).1f MB; each file may be at most %(max)d MB.")
            % {"name": name, "size": file.size / _MB, "max": limit // _MB}
        )
    content_type = upload_type(file)
    if content_type == HEIC:
        raise _problem(_HEIC % {"name": name})
    if content_type not in EXTENSIONS:
        raise _problem(_KIND % {"name": name, "kinds": KINDS_TEXT})
    return content_type


def _photo(file: UploadedFile, content_type: str) -> bytes:
    try:
        return _photo_reencode(file, content_type)
    except _TooManyPixels as error:
        raise _problem(
            _("“%(name)s” is an image of %(pixels)d megapixels; send a copy of at most %(max)d.")
            % {"name": _shown_name(file), "pixels": error.pixels // 1_000_000, "max": MAX_PIXELS // 1_000_000}
        ) from None
    except _Unreadable:
        raise _problem(
            _("“%(name)s” cannot be read as an image; it may be damaged.") % {"name": _shown_name(file)}
        ) from None


def attachments_check(files: Iterable[UploadedFile]) -> None:
    """Refuse the batch unless every file may be attached and the batch is within the limits.

    Raises ValidationError({"attachments": [messages]}) naming each offending file, so a
    petitioner fixes everything at once. Photos are decoded here, so a damaged one is
    refused before the case is stored rather than half-way through storing its files.
    """
    files = list(files)
    most = settings.JIUFENG_ATTACHMENT_MAX_FILES
    if len(files) > most:
        raise _problem(
            ngettext(
                "Attach at most %(max)d file; you chose %(count)d.",
                "Attach at most %(max)d files; you chose %(count)d.",
                most,
            )
            % {"max": most, "count": len(files)}
        )
    messages = []
    for file in files:
        try:
            content_type = _file_type(file)
            if content_type in PHOTO_FORMATS:
                _photo(file, content_type)
        except ValidationError as error:
            messages += error.message_dict["attachments"]
    total = sum(file.size or 0 for file in files)
    limit = settings.JIUFENG_ATTACHMENT_MAX_TOTAL_BYTES
    if total > limit:
        messages.append(
            _("The files are %(size).1f MB together; at most %(max)d MB in all.")
            % {"size": total / _MB, "max": limit // _MB}
        )
    if messages:
        raise ValidationError({"attachments": messages})


def _stored_name(file: UploadedFile, extension: str) -> str:
    """The name shown and offered on download: safe characters, the extension of the real content."""
    try:
        name = get_valid_filename(posixpath.basename((file.name or "").replace("\\", "/")))
    except SuspiciousFileOperation:
        name = ""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem = name
    elif suffix.lower() in ({"jpg", "jpeg"} if extension == "jpg" else {extension}):
        extension = suffix
    # Dots and spaces around the stem would make a hidden file or an empty name.
    stem = stem.strip(". ") or _("attachment")
    return f"{stem[: _NAME_STORED - len(extension) - 1]}.{extension}"


def attachment_store(
    *,
    complaint: Complaint,
    file: UploadedFile,
    uploaded_by=None,
    message: Message | None = None,
    activity: Activity | None = None,
) -> Attachment:
    """Store one file on the case, in private storage under a random name; returns its row.

    Runs in the caller's transaction; caller has checked permission and checked the batch
    (attachments_check). The file's type is judged again here, so nothing unchecked is
    ever stored. ``uploaded_by`` None: the petitioner.
    """
    content_type = _file_type(file)
    content = ContentFile(_photo(file, content_type)) if content_type in PHOTO_FORMATS else file
    extension = EXTENSIONS[content_type]
    attachment = Attachment(
        complaint=complaint,
        message=message,
        activity=activity,
        original_name=_stored_name(file, extension),
        content_type=content_type,
        extension=extension,
        size=content.size,
        uploaded_by=uploaded_by,
    )
    attachment._history_user = uploaded_by
    attachment.file.save(attachment.original_name, content, save=False)
    # A row that fails to save must not leave an orphan file in private storage.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_response(attachment: Attachment, *, request: HttpRequest) -> HttpResponse:
    """Stream a stored attachment: photos shown inline, everything else downloaded.

    Does not check permissions: the caller has scoped the case to the user (staff) or
    matched the tracking code (petitioner). The type sent is the one detected at upload,
    and nosniff stops a browser from guessing another. The file is decrypted on the way
    (jiufeng.filecrypt); a damaged one is refused with a message (stored_file_response).
    """
    # Removed after the retention period (complaints.retention): the page says so.
    if attachment.purged_at is not None:
        raise Http404
    return stored_file_response(
        request,
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type not in PHOTO_FORMATS,
    )
