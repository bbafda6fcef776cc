"""The join link and its QR code, shown on the trainer's page so 30 phones can join by scanning.

The link is the participants' page with the join code in the URL fragment (``http://HOST:PORT/#code=K7QW...``):
the fragment is never sent to the server in a request line or a referrer, and the participant page moves it
into the join form and removes it from the address bar. Because the link carries the join code, a secret of
the class, it is only ever sent to the trainer (in the answer to a valid trainer hello), never served by an
HTTP route. The QR code is an SVG drawn by ``segno`` (pure Python, no network).
"""

from __future__ import annotations

import base64
import io
from urllib.parse import quote


def join_link(base_url: str, join_code: str) -> str:
    """The participants' page of ``base_url`` with ``join_code`` in the fragment, e.g.
    ``join_link("http://10.0.0.2:8000", "K7QW")`` → ``"http://10.0.0.2:8000/#code=K7QW"``."""
    return base_url.rstrip("/") + "/#code=" + quote(join_code, safe="")


def qr_svg(text: str) -> str:
    """An SVG document of the QR code of ``text`` (error correction M, 4 modules of quiet zone, black on
    white, scale 1 with a viewBox so the page sizes it). The same text always gives the same SVG."""
    import segno

    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="svg", scale=1, border=4, xmldecl=False, svgns=True,
                                         omitsize=True, dark="#000", light="#fff")
    return out.getvalue().decode("ascii")


def qr_data_uri(text: str) -> str:
    """``qr_svg(text)`` as a ``data:image/svg+xml;base64,...`` URI (shown in an ``<img>``: the page's
    Content-Security-Policy allows ``data:`` images and no inline markup is parsed)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text).encode("ascii")).decode("ascii")


__all__ = ["join_link", "qr_data_uri", "qr_svg"]
