"""The practice's colour and the text on it (WCAG contrast, exact figures)."""

from __future__ import annotations

import pytest

from kapbot.web import colors


def test_parse_hex_forms_and_refusals() -> None:
    assert colors.parse("#6b4fbb") == (0x6B, 0x4F, 0xBB)
    assert colors.parse("6B4FBB") == (0x6B, 0x4F, 0xBB)
    assert colors.parse("#fa0") == (0xFF, 0xAA, 0x00)
    for bad in ("", "red", "#12345", "#6b4fbb80", "url(x)", "#ggg", "#6b4fbb;x"):
        assert colors.parse(bad) is None, bad


def test_luminance_and_contrast_match_wcag() -> None:
    assert colors.luminance((0, 0, 0)) == 0.0
    assert colors.luminance((255, 255, 255)) == pytest.approx(1.0)
    assert colors.contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert colors.contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)  # symmetric
    # WebAIM's checker: #767676 on white is 4.54:1, #777777 4.48:1
    assert round(colors.contrast((0x76, 0x76, 0x76), (255, 255, 255)), 2) == 4.54
    assert round(colors.contrast((0x77, 0x77, 0x77), (255, 255, 255)), 2) == 4.48
    assert round(colors.contrast((0x6B, 0x4F, 0xBB), (255, 255, 255)), 2) == 6.07


def test_white_text_only_at_4_5_to_1() -> None:
    assert colors.text_on((0x76, 0x76, 0x76)) == colors.WHITE  # 4.54
    assert colors.text_on((0x77, 0x77, 0x77)) == colors.DARK_TEXT  # 4.48
    assert colors.text_on((0xFF, 0xD4, 0x00)) == colors.DARK_TEXT  # yellow
    assert colors.text_on((0x1E, 0x88, 0xE5)) == colors.DARK_TEXT  # 3.68
    assert colors.text_on((0x0A, 0x7D, 0x32)) == colors.WHITE  # 5.26


def test_theme_falls_back_to_the_default() -> None:
    assert colors.theme("#FFD400") == ("#ffd400", colors.DARK_TEXT)
    assert colors.theme(None) == (colors.DEFAULT, colors.WHITE)
    assert colors.theme("expression(alert(1))") == (colors.DEFAULT, colors.WHITE)
