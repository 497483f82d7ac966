"""The fix for the commonest kapbot.toml mistake, named in the "not valid TOML" error: a text
value without its double quotes (``booking_label = Book a consultation``)."""

from __future__ import annotations

import re
from pathlib import Path

_BARE = re.compile(r"""^\s*(\w+)\s*=\s*([^"'\s\d\[{+-].*?)\s*$""")


def toml_hint(path: Path) -> str:
    """The fix for the commonest mistake: a text value without its quotes."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    for number, line in enumerate(lines, 1):
        bare = _BARE.match(line)
        if bare and not line.lstrip().startswith("#") and bare[2] not in ("true", "false"):
            quoted = '"' + bare[2].replace("\\", "\\\\").replace('"', '\\"') + '"'
            return (f". Line {number}: the value of {bare[1]} is text, so it needs double "
                    f"quotes: {bare[1]} = {quoted}")
    return ""
