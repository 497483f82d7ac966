"""The practice's colour (``data-color`` on the widget's script tag) and the text drawn on it.
Pure. WCAG 2.x: text on the colour needs a contrast ratio of at least 4.5:1; white is used when
it has that, else dark text (``DARK_TEXT``)."""

from __future__ import annotations

import re

DEFAULT = "#6b4fbb"
WHITE = "#ffffff"
DARK_TEXT = "#1a1a1a"
MIN_CONTRAST = 4.5
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse(color: str) -> tuple[int, int, int] | None:
    """``#rgb`` or ``#rrggbb`` (the ``#`` optional) as (r, g, b) 0-255; anything else: None."""
    match = _HEX.fullmatch(color.strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def hex_of(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(color: tuple[int, int, int]) -> str:
    """White when it reaches ``MIN_CONTRAST`` on ``color``, else ``DARK_TEXT``."""
    white = parse(WHITE)
    assert white is not None
    return WHITE if contrast(color, white) >= MIN_CONTRAST else DARK_TEXT


def theme(color: str | None) -> tuple[str, str]:
    """(background, text) for a requested colour: the request when it is a hex colour, else
    ``DEFAULT``; the text white or dark by contrast."""
    rgb = parse(color or "") or parse(DEFAULT)
    assert rgb is not None
    return hex_of(rgb), text_on(rgb)
