"""Python: how strongly a stage looks like a Python build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

import re

from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.languages.python.deps import dependency_names, is_installer
from msbrewrite.languages.python.entry import parse_entry, strip_runner
from msbrewrite.support import lazy_re


NAME = "python"
MANIFESTS = ("requirements.txt", "pyproject.toml", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock",
             "setup.py", "setup.cfg")
IMAGE_PY_RE = lazy_re.compile(r"(?:^|[-_.])py(?:thon)?-?(\d)\.?(\d{1,2})(?=$|[^\d])")


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    at = f"Dockerfile:{facts.stage.from_.lineno}"
    if facts.image_name == "python" or facts.image_name.startswith("python"):
        ev.append(Evidence(f"base image {facts.image}", at, 3))
    elif IMAGE_PY_RE.search(facts.image_tag):
        ev.append(Evidence(f"base image {facts.image} carries Python", at, 2))
    for step in facts.steps:
        found = next((c for c in step.commands if is_installer(c)), None)
        if found:
            ev.append(Evidence(" ".join(found.argv[:3]), f"Dockerfile:{step.ins.lineno}", 2))
            break
    for ins in (facts.entrypoint, facts.cmd):
        argv = strip_runner(command_argv(ins) or [])
        if argv:
            entry = parse_entry(argv, facts.env)
            if entry.framework or entry.script or entry.module:
                ev.append(Evidence(f"{ins.keyword} {' '.join(argv[:2])}", f"Dockerfile:{ins.lineno}", 1.5))
                break
    for name in MANIFESTS:
        if facts.context.exists(name) or (not facts.context and name in facts.copied_names()):
            ev.append(Evidence(name, f"context:{name}", 1.5))
            break
    if any(re.fullmatch(r"python3(\.\d+)?", p.split("=")[0]) for p in facts.packages):
        ev.append(Evidence("python3 installed from packages", "Dockerfile", 1))
    det = Detection(NAME, sum(e.weight for e in ev), ev)
    det.framework = _framework(facts) if det.score else None
    return det


SERVER_NAMES = {"gunicorn", "uvicorn", "hypercorn", "daphne", "waitress", "granian"}
WEB_FRAMEWORKS = ("django", "fastapi", "flask", "starlette", "quart", "streamlit", "aiohttp")


def _framework(facts: StageFacts) -> str | None:
    """`flask (gunicorn)`: the framework from the dependencies, the server from the command."""
    server = None
    for ins in (facts.entrypoint, facts.cmd):
        entry = parse_entry(command_argv(ins) or [], facts.env)
        if entry.framework:
            server = entry.framework
            break
    names = dependency_names(facts)
    framework = next((fw for fw in WEB_FRAMEWORKS if fw in names), None)
    if server and server not in SERVER_NAMES:
        return server
    if framework and server and framework != server:
        return f"{framework} ({server})"
    return framework or server
