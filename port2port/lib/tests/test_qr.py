from __future__ import annotations

import re

import segno
import zxingcpp

from port2port.lib.qr import qr_svg


def svg_modules(svg: str) -> list[list[bool]]:
    """Read back the dark modules of a QR code from the SVG that draws it.

    The dark modules are one path of horizontal strokes: ``M x y`` moves to a
    point, ``m dx dy`` moves by an offset and ``h n`` draws ``n`` modules.
    """
    match = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert match is not None
    size = int(match.group(1))
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg)
    assert path is not None
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path.group(1)):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            for column in range(int(x), int(x + numbers[0])):
                grid[int(y)][column] = True
            x += numbers[0]
    return grid


def qr_read(svg: str, *, scale: int = 4) -> str:
    """Scan the QR code an SVG draws, as a gate's scanner would, and return its text."""
    grid = svg_modules(svg)
    size = len(grid) * scale
    pixels = bytearray()
    for row in grid:
        line = b"".join((b"\x00" if dark else b"\xff") * scale for dark in row)
        pixels += line * scale
    found = zxingcpp.read_barcode(memoryview(bytes(pixels)).cast("B", (size, size)))
    assert found is not None, "no QR code found"
    return str(found.text)


def _expected(data: str) -> list[list[bool]]:
    code = segno.make(data, error="m", micro=False, boost_error=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(border=4)]


def test_the_svg_draws_the_qr_code_of_the_data() -> None:
    token = "ImFiYzEyMyI:1u2v3w:Zm9vYmFyYmF6cXV4"
    svg = qr_svg(token)
    assert svg.startswith('<svg viewBox="0 0 ')
    assert 'class="qr"' in svg
    assert svg_modules(svg) == _expected(token)
    assert svg_modules(svg) != _expected(token + "x")
    assert qr_read(svg) == token


def test_the_title_is_escaped() -> None:
    svg = qr_svg("P2P", title='Day pass <script>"')
    assert "<title>Day pass &lt;script&gt;" in svg
    assert "<script>" not in svg
