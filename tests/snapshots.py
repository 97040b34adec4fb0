"""Snapshot cases: fixtures/convert/<case>/ holds

    Dockerfile            the input
    context/              optional build context (absent = converted without context)
    options.json          optional Options fields, e.g. {"runtime": "slim"}
    expected.Dockerfile   the exact expected output, or
    expected.refusal      for refusals: first line "<exit code> <reason code>"

Set MSB_UPDATE_SNAPSHOTS=1 to rewrite expected files, then review every diff by hand.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from msbrewrite import Options, convert

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "convert"


def cases(prefix: str = "") -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir() and p.name.startswith(prefix)) if CASES.is_dir() else []


def run_case(case: Path):
    with open(case / "Dockerfile", encoding="utf-8", newline="") as fh:
        text = fh.read()
    ctx = case / "context"
    opts = Options(**json.loads((case / "options.json").read_text())) if (case / "options.json").exists() else Options()
    return text, convert(text, ctx if ctx.is_dir() else None, opts)


def check_case(case: Path) -> None:
    text, result = run_case(case)
    expected = case / "expected.Dockerfile"
    refusal = case / "expected.refusal"
    update = os.environ.get("MSB_UPDATE_SNAPSHOTS") == "1"
    if result.status == "refused" or refusal.exists():
        got = f"{result.exit_code} {result.reason_code}\n{result.reason}\n"
        if update and result.status == "refused":
            refusal.write_text(got)
            expected.unlink(missing_ok=True)
        assert refusal.exists(), f"{case.name}: unexpected refusal: {result.reason}"
        want = refusal.read_text().splitlines()[0]
        assert got.splitlines()[0] == want, f"{case.name}: {got}"
        return
    if update:
        expected.write_text(result.text, encoding="utf-8", newline="")
    assert expected.exists(), f"{case.name}: no expected.Dockerfile (status {result.status})"
    with open(expected, encoding="utf-8", newline="") as fh:
        assert result.text == fh.read(), case.name
    _read_alike_by_both_parsers(result.text, case.name)
    # nothing lost: every original instruction has exactly one fate
    if result.status == "converted":
        from msbrewrite.model.dockerfile import parse
        assert len(result.fates) == len(parse(text).instructions)
        assert all(f.reason for f in result.fates if f.fate == "removed")


def _read_alike_by_both_parsers(text: str, name: str) -> None:
    """BuildKit's parser and dockerfile-parse (the one Python tools around the image use) read
    the same instructions in every expected output as msb's own parser."""
    import io

    import dockerfile
    from dockerfile_parse import DockerfileParser

    from msbrewrite.model.dockerfile import parse
    ours = [i.keyword for i in parse(text).instructions]
    assert [c.cmd.upper() for c in dockerfile.parse_string(text)] == ours, name
    structure = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8"))).structure
    assert [entry["instruction"] for entry in structure if entry["instruction"] != "COMMENT"] == ours, name
