"""QR codes drawn as SVG, for passes that are shown on a phone or printed."""

from __future__ import annotations

import segno


def qr_svg(data: str, *, title: str = "") -> str:
    """Return an inline SVG QR code of ``data`` that scales to its container.

    Error correction level M still reads from a creased or smudged printout;
    the quiet zone of four modules is the minimum the standard asks, and the
    light background keeps the code readable on a dark screen.
    """
    code = segno.make(data, error="m", micro=False, boost_error=False)
    return str(
        code.svg_inline(
            scale=1,
            border=4,
            dark="#000",
            light="#fff",
            omitsize=True,
            title=title or None,
            svgclass="qr",
            lineclass=None,
        )
    )
