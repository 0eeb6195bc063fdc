"""The one neutralising function: text from the diary or a file made inert before it reaches a terminal,
a CSV or a calendar.

Control characters could retitle the terminal (OSC 0), write the clipboard (OSC 52), clear the
screen (CSI) or start a new spreadsheet row (a bare CR); bidirectional overrides reorder what is
shown ("Trojan Source"). Each is drawn as a visible symbol instead (ESC -> ␛, 0x9b -> \\x9b,
U+202E -> <U+202E>); newline and tab stay. Standard library only, so every command can print
through it at no start-up cost.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))

_VISIBLE = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_VISIBLE[0x7F] = "\u2421"
_VISIBLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
_VISIBLE.update({code: f"<U+{code:04X}>" for code in BIDI_CONTROLS})
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Stored or file-derived text made safe to print: control characters shown, never sent raw."""
    return text.translate(_VISIBLE) if _ACTIVE.search(text) else text


def is_inert(text: str) -> bool:
    """True when ``visible`` would change nothing: no control character or bidi override."""
    return _ACTIVE.search(text) is None
