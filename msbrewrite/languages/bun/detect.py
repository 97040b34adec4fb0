"""Bun: how strongly a stage looks like a Bun build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.languages.scripting import image_repo, program, start_argv


NAME = "bun"


def is_bun_image(facts: StageFacts) -> bool:
    repo = image_repo(facts)
    return repo == "oven/bun" or repo.endswith("/bun")


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    image = is_bun_image(facts)
    if image:
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        if any(c.program == "bun" and c.argv[1:2] in (["install"], ["i"], ["add"]) for c in step.commands):
            ev.append(Evidence("bun install", f"Dockerfile:{step.ins.lineno}", 1.5))
            break
    argv = start_argv(facts)
    if program(argv) in ("bun", "bunx"):
        ins = facts.entrypoint or facts.cmd
        # on another image (node with a global bun), Node's planner carries bun as a tool
        ev.append(Evidence(f"{ins.keyword} runs {argv[0]}", f"Dockerfile:{ins.lineno}", 3 if image else 1.5))
    for name in ("bun.lockb", "bun.lock", "bunfig.toml"):
        if facts.context.exists(name) or name in facts.copied_names():
            ev.append(Evidence(name, f"context:{name}", 1.5))
            break
    return Detection(NAME, sum(e.weight for e in ev), ev)
