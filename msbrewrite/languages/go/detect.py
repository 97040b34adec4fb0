"""Go: how strongly a stage looks like a Go build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.languages.common import copies_whole_context


NAME = "go"


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    if facts.image_name in ("golang", "go"):
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        for c in step.commands:
            if c.program == "go" and len(c.argv) > 1 and c.argv[1] in ("build", "install", "run"):
                ev.append(Evidence(f"go {c.argv[1]}", f"Dockerfile:{step.ins.lineno}", 2))
                break
    argv = command_argv(facts.cmd) or []
    if argv[:2] == ["go", "run"]:
        ev.append(Evidence("CMD go run", f"Dockerfile:{facts.cmd.lineno}", 2))
    if facts.context.exists("go.mod") or facts.context.glob("*/go.mod"):
        # a go.mod the image never receives (FROM alpine next to a Go repository) says little
        copied = "go.mod" in facts.copied_names() or copies_whole_context(facts)
        ev.append(Evidence("go.mod" if copied else "go.mod (not copied into the image)", "context:go.mod",
                           1.5 if copied else 0.5))
    if facts.context.exists("go.work"):
        ev.append(Evidence("go.work", "context:go.work", 1))
    return Detection(NAME, sum(e.weight for e in ev), ev)
