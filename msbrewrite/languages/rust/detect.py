"""Rust: how strongly a stage looks like a Rust build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection, Evidence


NAME = "rust"
MUSL_IMAGES = ("rust-musl-builder", "muslrust", "rust-musl-cross")


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    if facts.image_name in ("rust",) or any(m in facts.image for m in MUSL_IMAGES) or "rustlang/rust" in facts.image:
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        if any(c.program == "cargo" and len(c.argv) > 1 and c.argv[1] in ("build", "install") for c in step.commands):
            ev.append(Evidence("cargo build/install", f"Dockerfile:{step.ins.lineno}", 2))
            break
    for ins in (facts.entrypoint, facts.cmd):
        if ins is not None and re.search(r"\bcargo\b.*\brun\b", ins.args):
            ev.append(Evidence("cargo run at start-up", f"Dockerfile:{ins.lineno}", 2))
            break
        if ins is not None and re.search(r"\btarget/([\w.-]+/)?(release|debug)/[\w-]+", ins.args):
            ev.append(Evidence("start command runs a binary from cargo's target/", f"Dockerfile:{ins.lineno}", 2))
            break
    if facts.context.exists("Cargo.toml"):
        ev.append(Evidence("Cargo.toml", "context:Cargo.toml", 1.5))
    return Detection(NAME, sum(e.weight for e in ev), ev)
