"""Deno: how strongly a stage looks like a Deno build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.languages.scripting import image_repo, program, start_argv


NAME = "deno"
SUBCOMMANDS = {"run", "serve", "task", "eval", "repl", "test", "bench", "check", "info", "fmt", "lint"}
MANIFESTS = ("deno.json", "deno.jsonc", "deno.lock")


def is_deno_image(facts: StageFacts) -> bool:
    repo = image_repo(facts)
    return repo == "denoland/deno" or repo.endswith("/deno") or repo == "deno"


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    if is_deno_image(facts):
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        if any(c.program == "deno" for c in step.commands):
            ev.append(Evidence("deno command in the build", f"Dockerfile:{step.ins.lineno}", 1.5))
            break
    argv = start_argv(facts)
    ins = facts.entrypoint or facts.cmd
    if program(argv) == "deno":
        ev.append(Evidence(f"{ins.keyword} runs deno", f"Dockerfile:{ins.lineno}", 3))
    elif argv and argv[0] in SUBCOMMANDS and is_deno_image(facts) and facts.entrypoint is None:
        ev.append(Evidence(f"CMD runs deno {argv[0]}", f"Dockerfile:{ins.lineno}", 1.5))
    for name in MANIFESTS:
        if facts.context.exists(name):
            ev.append(Evidence(name, f"context:{name}", 1))
            break
    return Detection(NAME, sum(e.weight for e in ev), ev)
