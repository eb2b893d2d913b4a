"""Real files of every kind a petitioner might attach, made in memory for the tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import ExifTags, Image

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Word 97 and Excel 97 files: the compound-file header and each one's marker at 512.
DOC = OLE + b"\x00" * 504 + b"\xec\xa5\xc1\x00" + b"\x00" * 600
XLS = OLE + b"\x00" * 504 + b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\x00" * 600
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML = b"<html><script>alert(document.cookie)</script></html>"
# An ISO-BMFF header with the 'heic' brand, as an iPhone writes it.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
GPS_LATITUDE = (30.0, 15.0, 7.0)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    # The claimed type is deliberately meaningless: only the content counts.
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(image_format: str = "JPEG", *, size=(40, 20), orientation: int | None = None, **options) -> bytes:
    """A photo as a phone leaves it: camera model and GPS position in its EXIF."""
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "PhoneModelX"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    buffer = io.BytesIO()
    image.save(buffer, image_format, exif=exif, **options)
    return buffer.getvalue()


def animated_gif(frames: int = 3) -> bytes:
    images = [Image.new("RGB", (16, 16), (40 * n, 0, 255 - 40 * n)) for n in range(frames)]
    buffer = io.BytesIO()
    images[0].save(
        buffer, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0, comment=b"made by PhoneModelX"
    )
    return buffer.getvalue()


def ooxml(main_part: str, content_type: str, *, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/{main_part}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr(main_part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return ooxml("word/document.xml", WORD_MAIN)


def xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "收费明细"
    workbook.save(buffer)
    return buffer.getvalue()
