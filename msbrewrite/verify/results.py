"""Read a folder of `msb verify --json` outputs and match each report to a migrated file.

A report names its Dockerfile as verify was given it (absolute, or relative to where verify ran),
so a relative name matches the migrated file whose path ends with it, when exactly one does.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024


def load(directory: str | Path) -> tuple[list[dict], list[str]]:
    """(reports, notes): every verify report in the folder's *.json files, and one note per file
    that is not verify output (named, then passed over)."""
    reports, notes = [], []
    for path in sorted(Path(directory).glob("*.json")):
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ValueError("larger than any verify report")
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            notes.append(f"{path.name}: not read ({type(exc).__name__}: {str(exc)[:120]})")
            continue
        found = [d for d in (data if isinstance(data, list) else [data])
                 if isinstance(d, dict) and isinstance(d.get("dockerfile"), str) and "verdict" in d]
        if not found:
            notes.append(f"{path.name}: not msb verify --json output")
        reports.extend(found)
    return reports, notes


def match(paths: list[str], reports: list[dict], cwd: str | None = None) -> dict[str, dict]:
    """Migrated path (absolute) -> its verify report; the last report of a file wins."""
    out: dict[str, dict] = {}
    wanted = {os.path.normpath(p): p for p in paths}
    for report in reports:
        name = os.path.normpath(report["dockerfile"])
        if os.path.isabs(name):
            hit = wanted.get(name)
        else:
            here = os.path.normpath(os.path.join(cwd or os.getcwd(), name))
            hit = wanted.get(here)
            if hit is None:
                tails = [p for n, p in wanted.items() if n.endswith(os.sep + name)]
                hit = tails[0] if len(tails) == 1 else None
        if hit is not None:
            out[hit] = report
    return out
