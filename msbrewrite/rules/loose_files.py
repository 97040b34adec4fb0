"""Files a COPY names one by one, outside the app folders the staging step copies.

Beside a staged folder (`COPY server.js /app/server.js` next to `COPY routes/ /app/routes/`) or
anywhere else (`COPY shop.yaml /etc/shop/shop.yaml`, `COPY helper.py /helper.py`): the original
image shipped them, so the runtime does too, unless the file only served the build or is a
secret-looking file the app does not read.
"""
from __future__ import annotations

import fnmatch
import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Artifact, BuildPlan
from msbrewrite.rules.app_matching import Rule, build_only
from msbrewrite.rules.app_ownership import introduced_owner
from msbrewrite.rules.secret_files import decide, keeps, record_kept
from msbrewrite.rules.staging_step import STAGE_ROOT
from msbrewrite.rules.system_config import etc_build_only
from msbrewrite.rules.system_dirs import is_system_dir


def beside_folders(facts: StageFacts, plan: BuildPlan, staged: list[str], rules: list[Rule]) -> None:
    """Files a COPY names by their own destination (`COPY server.js /app/server.js`) beside a staged
    folder (`COPY routes/ /app/routes/`): no folder copy holds them, and the app's entry file is
    often one. Build-only files stay out, and so does a secret-looking file the app does not read."""
    homes = {posixpath.dirname(d) for d in staged}
    for cp, rel, dest, _ in file_copies(facts):
        if cp.dest.endswith("/") or len(cp.sources) != 1 or posixpath.dirname(dest) not in homes:
            continue
        carry_file(facts, plan, rel, dest, f"a file the build copied beside the app's folders (line {cp.ins.lineno})",
                   cp.ins.lineno, rules)


def files_copied_elsewhere(facts: StageFacts, plan: BuildPlan) -> None:
    """Files a COPY put anywhere else, one by one (`COPY config.yaml /etc/shop/config.yaml`, `COPY
    helper.py /helper.py`, `COPY shop.service /etc/systemd/system/`): the original image shipped them,
    so the runtime does too, unless the file only served the build (a build-only name, an install's
    dependency list, scratch in /tmp, installer settings, removed by a later `rm`). Runs after every
    other rule, so a file one of them copies keeps that rule's reason."""
    rules = plan.extra.get("app_file_rules")
    if rules is None:
        return      # the language stages no app folders: its runtime takes only its artifact
    inside = [d.rstrip("/") for d in plan.extra.get("app_dirs_seen", [])] + \
        [a.dest.rstrip("/") for a in plan.artifacts if not a.source.startswith(STAGE_ROOT)]
    removed = removed_paths(facts)
    owner = introduced_owner(facts, plan)
    for cp, rel, dest, into_dir in file_copies(facts):
        if (_within(dest, inside) or _within(dest, removed) or _serves_the_build(dest)
                or not _surely_a_file(facts, rel, dest, into_dir)):
            continue
        art = carry_file(facts, plan, rel, dest, f"a file the build copied from the context by its own path "
                         f"(line {cp.ins.lineno})", cp.ins.lineno, rules)
        if art is not None and owner and not is_system_dir(posixpath.dirname(dest)):
            # the root original could write it (a JSON store in /data): so can the user msb introduced
            art.chown = owner


def file_copies(facts: StageFacts):
    """(copy line, context path, destination, into a folder?) of each file a COPY/ADD names (no glob,
    URL or folder source)."""
    for cp in facts.copies:
        if cp.from_stage or "$" in cp.dest:
            continue
        into_dir = cp.dest.endswith("/") or len(cp.sources) > 1
        for src in cp.sources:
            rel = posixpath.normpath(src.lstrip("/"))
            if any(ch in src for ch in "*?[") or "://" in src or not src.strip("./") or facts._is_dir_source(src, rel):
                continue
            yield cp, rel, posixpath.normpath(posixpath.join(cp.dest, posixpath.basename(rel)) if into_dir
                                              else cp.dest), into_dir


def carry_file(facts: StageFacts, plan: BuildPlan, rel: str, dest: str, why: str, lineno: int,
               rules: list[Rule] | None = None) -> Artifact | None:
    """Copy the file a COPY put at `dest` (context path `rel`) to the runtime, unless its name is
    build-only by `rules` or it is a secret-looking file the app does not read (one that it reads
    stays, named in a warning)."""
    if dest in plan.produced or build_only(posixpath.basename(dest), rules or [], []):
        return None
    found = decide(facts, [rel], ".") if facts.context else []
    if found and not keeps(facts, found[0]):
        plan.decisions.append(f"{dest}: left out, as a secret-looking file the app does not read")
        return None
    if found:
        record_kept(facts, plan, dest, found[0], lineno)
    return plan.copy(dest, dest, why)


# what the build alone reads: its scratch, the installers' settings and caches, the dependency lists
# an install reads (outside the app's folders they are only that install's input)
_BUILD_SCRATCH = ("/tmp", "/var/tmp", "/root/.m2", "/root/.gradle", "/root/.npm", "/root/.cache", "/root/.cargo",
                  "/usr/local/cargo", "/go/pkg")
_INSTALL_INPUTS = ("requirements*.txt", "constraints*.txt", "Pipfile", "Pipfile.lock", "poetry.lock",
                   "pyproject.toml", "setup.py", "setup.cfg", "uv.lock", "pdm.lock", "package.json",
                   "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", ".yarnrc*",
                   "bun.lock", "bun.lockb", "Gemfile", "Gemfile.lock", "composer.json", "composer.lock")


def _serves_the_build(path: str) -> bool:
    name = posixpath.basename(path)
    # /etc: installer settings, and the accounts and files the runtime stage and the engine make
    return (_within(path, _BUILD_SCRATCH) or etc_build_only(path)
            or any(fnmatch.fnmatchcase(name, p) for p in _INSTALL_INPUTS))


def _surely_a_file(facts: StageFacts, rel: str, dest: str, into_dir: bool) -> bool:
    """Whether the copy put a file at `dest`: the context shows a file (without it, a name with a
    suffix), landing under its own name, a file's name or outside the base image's folders (`COPY
    nginx.conf /etc/nginx` puts the file into the base's /etc/nginx folder, not at /etc/nginx)."""
    ctx = facts.context
    if not (ctx.exists(rel) and not ctx.is_dir(rel) if ctx else "." in posixpath.basename(rel)):
        return False
    name = posixpath.basename(dest)
    # a name with a suffix is a file's (`shop.yaml`), except a configuration folder's (`conf.d`)
    suffixed = "." in name.strip(".") and not name.endswith(".d")
    return into_dir or name == posixpath.basename(rel) or suffixed or not is_system_dir(posixpath.dirname(dest))


def _within(path: str, roots) -> bool:
    return any(r and (path == r or path.startswith(r.rstrip("/") + "/")) for r in roots)


def removed_paths(facts: StageFacts) -> list[str]:
    """Paths a RUN's `rm` removes (absolute, or relative to its working folder)."""
    return [posixpath.normpath(posixpath.join(c.cwd, w)) for c in facts.commands() if c.program == "rm"
            for w in c.argv[1:] if not w.startswith("-") and "$" not in w]
