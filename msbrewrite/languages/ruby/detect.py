"""Ruby: how strongly a stage looks like a Ruby build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.model.shell import Command
from msbrewrite.languages.scripting import program, start_argv


NAME = "ruby"
STARTERS = {"ruby", "bundle", "rails", "puma", "rackup", "unicorn", "thin", "falcon", "sidekiq", "rake", "iodine",
            "passenger", "hanami"}


def is_bundle_install(c: Command) -> bool:
    return c.program == "bundle" and (len(c.argv) == 1 or c.argv[1] == "install")


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    if facts.image_name == "ruby":
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        if any(is_bundle_install(c) for c in step.commands):
            ev.append(Evidence("bundle install", f"Dockerfile:{step.ins.lineno}", 1.5))
            break
    if facts.context.exists("Gemfile") or "Gemfile" in facts.copied_names():
        ev.append(Evidence("Gemfile", "context:Gemfile", 1.5))
    argv = start_argv(facts)
    if program(argv) in STARTERS or argv[:1] == ["bin/rails"]:
        ins = facts.entrypoint or facts.cmd
        ev.append(Evidence(f"{ins.keyword} runs {argv[0]}", f"Dockerfile:{ins.lineno}", 1.5))
    return Detection(NAME, sum(e.weight for e in ev), ev, _framework(facts))


def _framework(facts: StageFacts) -> str | None:
    words = start_argv(facts)
    if "rails" in [posixpath.basename(w) for w in words] or any(c.argv[1:2] == ["assets:precompile"]
                                                                  for c in facts.commands()):
        return "rails"
    gems = (facts.context.read("Gemfile") or "") if facts.context else ""
    return next((fw for fw in ("rails", "sinatra", "hanami", "roda") if f'"{fw}"' in gems or f"'{fw}'" in gems),
                None)
