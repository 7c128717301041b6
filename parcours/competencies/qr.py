"""QR codes as SVG (pure Python, no image library): the attestation's verification link."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg


def qr_svg(url: str) -> str:
    """An SVG document (one path) encoding ``url``, medium error correction."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(url)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


def qr_data_url(url: str) -> str:
    """The QR code of ``url`` as a ``data:`` URL, for an ``<img>`` (HTML page or PDF)."""
    svg = qr_svg(url).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
