"""StageFacts for unit tests: a Dockerfile text plus, optionally, context files written to tmp_path."""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts, analyse
from msbrewrite.model.context import Context
from msbrewrite.core.convert import load


def stage_facts(tmp_path, dockerfile: str, files: dict[str, str] | None = None) -> StageFacts:
    ctx = None
    if files is not None:
        for rel, text in files.items():
            p = tmp_path / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        ctx = tmp_path
    df = load(dockerfile)
    return analyse(df, df.stages[-1], Context(ctx))
