"""Data a build step downloads into the builder's home for the app to read at run time.

`playwright install chromium` puts the browsers in `~/.cache/ms-playwright` and
`python -m nltk.downloader punkt` puts corpora in `~/nltk_data`: outside every app directory, so
the runtime stage would not have them, and the app fails at its first page or sentence. They are
copied to a fixed place in the runtime that every user can read (root's home cannot be read by
others) and the tool is told where, with the variable it reads.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts, is_root_user
from msbrewrite.model.package_json import read_package
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.quoting import env_line, sh
from msbrewrite.model.shell import Command, option_value
from msbrewrite.support.records import record


@record
class Download:
    what: str
    source: str          # builder path
    dest: str            # runtime path
    env: str | None      # variable that points the tool at `dest` (None: a default search path)
    line: int
    maybe: bool = False  # the download may not have happened: the builder makes the folder, so COPY works


def _playwright(c: Command) -> bool:
    argv = c.argv
    if c.program in ("npx", "pnpx", "bunx"):
        argv = argv[1:]
    elif c.program.startswith("python") and argv[1:3] == ["-m", "playwright"]:
        argv = argv[2:]
    return bool(argv) and posixpath.basename(argv[0]) == "playwright" and argv[1:2] == ["install"]


def _nltk(c: Command) -> bool:
    return c.program.startswith("python") and argv_has(c.argv, ["-m", "nltk.downloader"])


def argv_has(argv: list[str], seq: list[str]) -> bool:
    return any(argv[i:i + len(seq)] == seq for i in range(len(argv)))


def downloads(facts: StageFacts) -> tuple[list[Download], list[str]]:
    """What the build downloaded for run time, and warnings for what cannot be carried."""
    found, warnings = [], []
    users = [(i.index, i.args.split()[0] if i.args.split() else "") for i in facts.stage.instructions
             if i.keyword == "USER"]
    for step in facts.steps:
        for c in step.commands:
            kind = "playwright" if _playwright(c) else "nltk" if _nltk(c) else None
            if kind is None:
                continue
            user = next((u for idx, u in reversed(users) if idx < step.ins.index), None)
            home = c.env.get("HOME") or "/root"
            if user and not is_root_user(user) and "HOME" not in c.env:
                warnings.append(f"line {step.ins.lineno}: {kind} data downloaded as {user}, whose home is unknown: "
                                "the runtime does not carry it (add its folder under extra-paths)")
                continue
            if kind == "playwright":
                if "--with-deps" in c.argv:
                    warnings.append(f"line {step.ins.lineno}: `playwright install --with-deps` installed the "
                                    "browsers' system libraries in the builder only: run `playwright install-deps` "
                                    "in the runtime or keep the builder's image")
                source = c.env.get("PLAYWRIGHT_BROWSERS_PATH") or posixpath.join(home, ".cache/ms-playwright")
                if source == "0":   # browsers inside the package: they come with node_modules or the venv
                    continue
                found.append(Download("Playwright's browsers", source, "/opt/ms-playwright",
                                      "PLAYWRIGHT_BROWSERS_PATH", step.ins.lineno))
            else:
                target = option_value(c.argv, "-d")
                source = posixpath.join(step.workdir, target) if target else posixpath.join(home, "nltk_data")
                # a default place NLTK searches, readable by every user
                found.append(Download("NLTK data", posixpath.normpath(source), "/usr/local/share/nltk_data",
                                      None, step.ins.lineno))
    found += _puppeteer(facts, users, warnings)
    unique = {d.source: d for d in found}
    return list(unique.values()), warnings


def _puppeteer(facts: StageFacts, users, warnings: list[str]) -> list[Download]:
    """puppeteer 19+ downloads its Chrome into ~/.cache/puppeteer when npm installs it."""
    if not facts.context:
        return []
    text = facts.context_file(posixpath.join(facts.workdir, "package.json")) or facts.context.read("package.json")
    spec = read_package(text).deps().get("puppeteer")
    if not isinstance(spec, str):
        return []
    m = re.search(r"\d+", spec)
    if m and int(m.group()) < 19:
        return []       # older releases keep Chromium inside node_modules, which is copied
    env = facts.env
    if any(str(env.get(k, "")).lower() in ("1", "true", "yes") for k in
           ("PUPPETEER_SKIP_DOWNLOAD", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD", "PUPPETEER_SKIP_CHROME_DOWNLOAD")) or \
            env.get("PUPPETEER_EXECUTABLE_PATH"):
        return []
    install = next((s for s in facts.steps for c in s.commands
                    if c.program in ("npm", "yarn", "pnpm") and c.argv[1:2] in (["ci"], ["install"], ["i"], [])), None)
    if install is None:
        return []
    if any(f.startswith(".puppeteerrc") or f.startswith("puppeteer.config") for f in facts.context.listdir("")):
        warnings.append("puppeteer's configuration file decides where its Chrome is downloaded: the runtime does "
                        "not carry it (set PUPPETEER_EXECUTABLE_PATH to a browser the runtime installs)")
        return []
    user = next((u for idx, u in reversed(users) if idx < install.ins.index), None)
    if user and not is_root_user(user) and "HOME" not in env:
        warnings.append(f"puppeteer downloaded Chrome as {user}, whose home is unknown: the runtime does not carry it")
        return []
    source = env.get("PUPPETEER_CACHE_DIR") or posixpath.join(env.get("HOME") or "/root", ".cache/puppeteer")
    if any("--ignore-scripts" in c.argv for c in install.commands):
        return []       # no install scripts, no download
    return [Download("puppeteer's Chrome", source, "/opt/puppeteer", "PUPPETEER_CACHE_DIR", install.ins.lineno,
                     maybe=True)]


def carry(facts: StageFacts, plan: BuildPlan) -> None:
    items, warnings = downloads(facts)
    plan.warnings += warnings
    staged = plan.extra.get("staged_app_dirs", [])
    for d in items:
        if d.source in plan.produced or any(d.source == a or d.source.startswith(a.rstrip("/") + "/") for a in staged):
            continue    # copied already, with the app directory it lies in
        if not d.source.startswith(("/root/", "/home/")):
            d.dest, d.env = d.source, None     # a place every user can read: the same path
        if d.maybe:
            plan.builder_append.append(f"# the folder {d.what} is downloaded to (empty when the download was skipped)\n"
                                       f"RUN mkdir -p {sh(d.source)}")
        plan.copy(d.source, d.dest, f"{d.what}, downloaded by line {d.line}")
        if d.env and not any(line.startswith(f"ENV {d.env}=") for line in plan.runtime_env):
            plan.runtime_env.append(env_line([(d.env, d.dest)]))
        where = f", with {d.env} pointing there" if d.env else \
            " (a folder NLTK searches)" if d.dest != d.source else ""
        plan.decisions.append(f"{d.what} (line {d.line}) live in {d.source}, outside the app: copied to {d.dest}{where}")
