"""QR codes as inline SVG: one path, no style attribute or script, so the strict CSP holds."""

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str) -> SafeString:
    """An <svg> of ``data`` to put in a page; its size comes from the CSS around it."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    # qrcode writes the markup itself from the data's modules: nothing of ``data`` is in it as text.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
