"""QR codes as inline SVG: one path, no style attribute or script, so the strict CSP holds."""

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, css_class: str = "") -> SafeString:
    """An <svg> of ``data`` to put in a page (many on one page: no id); its size is the stylesheet's."""
    # A fixed mask pattern skips trying all eight, the slowest part; any mask reads the same.
    code = qrcode.QRCode(
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
        mask_pattern=0,
    )
    code.add_data(data)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    svg = svg.replace(' id="qr-path"', "").replace('width="', 'data-width="').replace('height="', 'data-height="')
    svg = svg.replace("<svg ", f'<svg class="{escape(css_class)}" aria-hidden="true" focusable="false" ', 1)
    # qrcode writes the markup from the data's modules: nothing of ``data`` is in it as text.
    return mark_safe(svg)  # noqa: S308
