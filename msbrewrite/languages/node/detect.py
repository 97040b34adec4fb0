"""Node: how strongly a stage looks like a Node build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

import fnmatch
import posixpath

from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.model.shell import Command
from msbrewrite.model.package_json import Package, read_package


NAME = "node"
MANAGERS = ("npm", "yarn", "pnpm", "bun")
# server frameworks, by the package that gives them away
FRAMEWORKS = {"@nestjs/core": "nest", "next": "next", "express": "express", "fastify": "fastify", "koa": "koa",
              "@hapi/hapi": "hapi", "hapi": "hapi", "restify": "restify", "@apollo/server": "apollo",
              "apollo-server": "apollo", "nuxt": "nuxt", "@remix-run/serve": "remix", "socket.io": "socket.io",
              "@sveltejs/adapter-node": "sveltekit"}


# --------------------------------------------------------------------------- detect
def _install(c: Command) -> tuple[str, bool] | None:
    """(manager, global) when a command installs packages with npm, yarn or pnpm."""
    prog, args = c.program, c.argv[1:]
    if prog not in MANAGERS:
        return None
    sub = args[0] if args else ""
    is_global = "-g" in args or "--global" in args or sub == "global"
    if prog == "npm" and sub in ("install", "i", "ci", "add", "isntall", "clean-install"):
        return prog, is_global
    if prog == "yarn" and (not args or sub in ("install", "add", "global") or sub.startswith("-")):
        return prog, is_global
    if prog in ("pnpm", "bun") and sub in ("install", "i", "add"):
        return prog, is_global
    return None


def _package(facts: StageFacts, cwd: str) -> Package:
    text = facts.context_file(posixpath.join(cwd, "package.json"))
    if text is None and facts.context_path(posixpath.join(cwd, "package.json")) is None:
        text = facts.context.read("package.json")
    return read_package(text)


def in_image(facts: StageFacts, path: str) -> bool:
    """Whether a COPY/ADD of the stage may have put the context file at `path` into the image
    (`COPY . .`, `COPY package*.json ./`, `COPY package.json /app/`); a line msb cannot read that
    far (a variable, a URL) counts as yes. A project file no line copies is not the image's."""
    folder, name = posixpath.split(posixpath.normpath(path))
    if facts.context_path(path) is not None:
        return True
    for cp in facts.copies:
        if cp.from_stage:
            continue
        if "$" in cp.dest or any("$" in s or "://" in s for s in cp.sources):
            return True
        into = posixpath.normpath(cp.dest) if cp.dest.endswith("/") or len(cp.sources) > 1 else None
        if into == folder and any(fnmatch.fnmatchcase(name, posixpath.basename(s)) for s in cp.sources):
            return True
    return False


def _static_frontend(facts: StageFacts) -> tuple[bool, str]:
    try:
        from msbrewrite.languages.frontend.detect import is_static_frontend
    except ImportError:
        return False, ""
    try:
        return is_static_frontend(facts)
    except Exception:   # a frontend bug must not break Node detection
        return False, ""


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    if facts.image_name == "node":
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        if any(_install(c) and not _install(c)[1] for c in step.commands):
            ev.append(Evidence("package install (npm/yarn/pnpm)", f"Dockerfile:{step.ins.lineno}", 1.5))
            break
    argv = command_argv(facts.entrypoint) or command_argv(facts.cmd) or []
    if argv and posixpath.basename(argv[0]) in ("node", "npm", "yarn", "pnpm", "npx", "nodemon", "pm2-runtime"):
        ins = facts.entrypoint if command_argv(facts.entrypoint) else facts.cmd
        ev.append(Evidence(f"{ins.keyword} runs {argv[0]}", f"Dockerfile:{ins.lineno}", 1.5))
    pkg = _package(facts, facts.workdir)
    if facts.context.exists("package.json") or pkg.data:
        ev.append(Evidence("package.json", "context:package.json", 1))
    framework = next((fw for dep, fw in FRAMEWORKS.items() if dep in pkg.deps()), None)
    if framework:
        ev.append(Evidence(f"{framework} server dependency", "context:package.json", 0.5))
    det = Detection(NAME, sum(e.weight for e in ev), ev, framework)
    static, why = _static_frontend(facts)
    if static and det.score:
        # a static build served by a web server belongs to the frontend module
        det.score = min(det.score, 1.0)
        det.evidence.append(Evidence(f"static frontend build ({why}): not a Node server", "frontend", 0))
    return det
