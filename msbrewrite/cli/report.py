"""Human and machine renderings of a Result."""
from __future__ import annotations

import json

from msbrewrite.model.plan import Result
from msbrewrite.support.printable import printable


def human(result: Result, name: str, config: str | None = None) -> str:
    """The report on stderr; every line is one line, whatever the input's file name or text holds.
    `config` names the configuration file the options came from."""
    return "\n".join(printable(line) for line in _lines(result, name, config))


def _lines(result: Result, name: str, config: str | None = None) -> list[str]:
    lines = []
    if result.status in ("refused", "unchanged"):
        return [f"msb: {name}: {result.reason}"]
    det = result.detection
    lines.append(f"msb: {name}: {det.language} ({det.confidence}) -> runtime {result.runtime_base}")
    if config:
        lines.append(f"  config {config}")
    for art in result.artifacts:
        lines.append(f"  copy   {art.source} -> {art.dest}" + (f"  ({art.why})" if art.why else ""))
    for d in result.decisions:
        lines.append(f"  decide {d}")
    for w in result.warnings:
        lines.append(f"  warn   {w}")
    changed = [f for f in result.fates if f.fate in ("rewritten", "removed")]
    for f in changed:
        lines.append(f"  {f.fate:<9} line {f.line}: {f.instruction}" + (f" ({f.reason})" if f.reason else ""))
    return lines


def as_json(result: Result, name: str, config: str | None = None, config_warnings: list[str] | None = None) -> str:
    data = result.to_dict()
    data["file"] = name
    data["config"] = config
    from msbrewrite.support.version import version
    data["msb"] = version()
    if config_warnings:
        data["warnings"] = [*config_warnings, *data.get("warnings", [])]
    return json.dumps(data, indent=2)


def unified_diff(before: str, after: str, name: str) -> str:
    import difflib
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))
