"""JSON with comments and trailing commas (tsconfig.json, .vscode files), read in one pass.

tsconfig files are JSONC: `//` and `/* */` comments and a comma before `}` or `]` are allowed. A
single linear scan drops them outside strings, then the standard JSON reader does the rest; no
regular expression runs over the file, so a crafted file costs no more than its length.
"""
from __future__ import annotations

import json


def strip(text: str) -> str:
    """`text` without comments and trailing commas (strings untouched)."""
    out: list[str] = []
    i, n = 0, len(text)
    pending_comma = -1          # index in `out` of a comma that may turn out to be trailing
    while i < n:
        ch = text[i]
        if ch == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i:end + 1])
            pending_comma = -1
            i = end + 1
            continue
        if ch == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if ch in "}]" and pending_comma >= 0:
            out[pending_comma] = ""
        if ch == ",":
            pending_comma = len(out)
        elif not ch.isspace():
            pending_comma = -1
        out.append(ch)
        i += 1
    return "".join(out)


def loads(text: str):
    """The value of a JSONC document, or None when it is not one."""
    try:
        return json.loads(strip(text))
    except (ValueError, RecursionError):
        return None
