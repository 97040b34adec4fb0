"""The app source: which builder directory holds the app, and how it reaches the runtime.

The app's directory is where the build copied the context (or its parts); it is copied whole
(app_files stages it minus build-only files), because files read at run time cannot all be found
from the imports. An app at / is copied entry by entry, and refused where its folders merge with
the system's. A root original that wrote a SQLite database next to its code keeps the files owned
by the runtime user.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import app_files
from msbrewrite.model.analysis import command_argv, source_is_dir
from msbrewrite.model.bases import describe
from msbrewrite.model.plan import Refusal
from msbrewrite.model.quoting import sh
from msbrewrite.model.shell import plain_start_argv, start_assignments
from msbrewrite.languages.python.deps import dependency_names
from msbrewrite.languages.python.detect import NAME
from msbrewrite.languages.python.entry import Entry, parse_entry
from msbrewrite.languages.python.tree import BuilderTree

SYSTEM_DIRS = {"bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run",
               "sbin", "srv", "sys", "tmp", "usr", "var"}

_MANIFESTS = ("requirements.txt", "requirements-dev.txt", "setup.py", "setup.cfg", "pyproject.toml", "Pipfile",
              "Pipfile.lock", "poetry.lock", "uv.lock")


class AppSource:
    """PythonPlanner's copy of the app source (uses self.facts, self.plan, self.detection, self.venv;
    sets self.app_root and self.staged)."""

    def source_root(self) -> str:
        """Builder directory holding the app: where the context (or the main source) was copied."""
        facts = self.facts
        best = None
        for cp in facts.copies:
            if cp.from_stage:
                continue
            for src in cp.sources:
                whole = src.strip("./") == "" or src in (".", "./")
                dest = posixpath.normpath(cp.dest)
                if whole:
                    return dest
                if best is None and (src.endswith("/") or facts.context.is_dir(src.strip("/"))):
                    best = dest
        # parts copied one by one (`COPY api /code/api`) make up the working directory
        parts = self._parts_root()
        return parts if parts != "/" or best is None or self._parts_in(parts) else best

    def _parts_root(self) -> str:
        """The directory the app's parts were copied into: the final WORKDIR when they lie there, else the
        WORKDIR of the copies (`WORKDIR /` + `ADD bot.py .`, then `WORKDIR /data` for what the app writes)."""
        facts = self.facts
        wd = facts.workdir
        if wd == "/":
            # no WORKDIR: every path lies under `/`, so the copies' own folder is the app's
            # (`COPY app.py /app/`, `COPY lib /app/lib`) when they share one
            folders = [posixpath.normpath(cp.dest) if cp.dest.endswith("/") or len(cp.sources) > 1
                       or any(source_is_dir(facts.context, src) for src in cp.sources)
                       else posixpath.dirname(posixpath.normpath(cp.dest))
                       for cp in facts.copies if not cp.from_stage]
            common = posixpath.commonpath(folders) if folders else "/"
            if common != "/":
                return common
        if not facts.copies or any(posixpath.normpath(cp.dest) == wd or cp.dest.startswith(wd.rstrip("/") + "/")
                                   for cp in facts.copies if not cp.from_stage):
            return wd
        last = [cp for cp in facts.copies if not cp.from_stage]
        return next((s.workdir for s in facts.steps if last and s.ins is last[-1].ins), wd)

    def _parts_in(self, root: str) -> list[str]:
        """Builder paths of what the context COPY lines put directly into `root` (dependency manifests too)."""
        out, loose = [], False
        for cp in self.facts.copies:
            if cp.from_stage:
                continue
            dest = posixpath.normpath(cp.dest)
            for src in cp.sources:
                if "*" in src or src.strip("./") == "":
                    continue
                into = cp.dest.endswith("/") or len(cp.sources) > 1
                path = posixpath.join(dest, posixpath.basename(src.rstrip("/"))) if into else dest
                if posixpath.dirname(path) == root and path not in out:
                    out.append(path)
                    loose |= not source_is_dir(self.facts.context, src) and posixpath.basename(path) not in _MANIFESTS
        # folders (`COPY app /app`) and manifests alone do not make / the app's home: a loose source file does
        return out if loose else []

    def entry(self) -> tuple[Entry | None, list[str]]:
        facts = self.facts
        (entry_argv, entry_env), (cmd_argv, cmd_env) = _start_words(facts.entrypoint), _start_words(facts.cmd)
        argv = entry_argv + cmd_argv
        if facts.entrypoint is not None and facts.cmd is not None and facts.cmd.index < facts.entrypoint.index:
            argv = entry_argv     # a CMD before ENTRYPOINT is reset by it
        if not argv:
            return None, []
        if not (facts.entrypoint and facts.entrypoint.is_json or facts.cmd and facts.cmd.is_json):
            text = (facts.entrypoint or facts.cmd).args
            if plain_start_argv(text) is None and not (facts.entrypoint and facts.cmd):
                e = Entry(why_imprecise="a shell command")
                return e, argv
        # `FLASK_APP=app.py flask run`: the variables the start line sets name the app too
        return parse_entry(argv, {**facts.env, **entry_env, **cmd_env}), argv

    def copy_source(self) -> None:
        facts, plan = self.facts, self.plan
        root = self.source_root()
        self.app_root = root
        entry, argv = self.entry()
        if entry and entry.framework and not self.detection.framework:
            self.detection.framework = entry.framework
        reason = self._why_whole(entry)
        if root == "/":
            clash = sorted(set(BuilderTree(facts).listdir("/")) & SYSTEM_DIRS) if facts.context else []
            if clash:
                raise Refusal(f"the app source is copied to / and its {clash[0]}/ merges with the system's "
                              f"/{clash[0]}: it cannot be copied apart; set a WORKDIR", reason="python-source-at-root")
            if facts.context and BuilderTree(facts).listdir(root):
                # the shared rules leave out what only the build used (tests, CI, editor and Docker files)
                self.staged = app_files.stage(facts, plan, NAME, [root])
                plan.decisions.append(f"app source: the context's top-level entries copied to / ({reason})")
                return
            parts = self._parts_in(root)
            if parts:
                for path in parts:
                    plan.copy(path, path, "app source")
                plan.decisions.append(f"app source: what the build copied into / ({', '.join(parts)}), each on its own")
                return
            raise Refusal("the app source is copied to / (no WORKDIR)" + (
                "" if facts.context else " and the build context is absent") + ": its files cannot be told apart "
                "from the system's; " + ("set a WORKDIR" if facts.context else "pass --context or set a WORKDIR"),
                reason="python-source-at-root")
        dirs = [root] + [d for d in app_files.app_dirs(facts) if not d.startswith(root.rstrip("/") + "/")
                         and d != root]
        self.staged = app_files.stage(facts, plan, NAME, dirs)
        if entry is not None and not entry.why_imprecise and facts.context:
            plan.decisions.append(f"app source: the whole of {root} (files it reads at run time cannot all be "
                                  "found by following imports)")

    def _why_whole(self, entry: Entry | None) -> str:
        """Why the app directory is copied whole (framework detection rides along)."""
        if entry is None:
            return "no CMD or ENTRYPOINT to start from"
        facts = self.facts
        if entry.django or (entry.framework in ("gunicorn", "uvicorn", "daphne") and entry.module and
                            (entry.module.endswith((".wsgi", ".asgi")) and "django" in dependency_names(facts))):
            self.detection.framework = "django"
            return "Django finds apps, settings, templates and migrations by name at run time"
        return entry.why_imprecise or "files read at run time cannot all be found from the imports"

    def owner_of_data(self) -> None:
        """The original ran as root and wrote next to its code (SQLite files): keep that possible."""
        plan, facts = self.plan, self.facts
        if not plan.user or facts.user or self.staged:
            return      # a staged app directory is the runtime user's already (app_files)
        sources = [a for a in plan.artifacts if "app source" in a.why]
        data_re = re.compile(r"\.(db|sqlite3?)$")
        hint = next((f for f in (facts.context.files()[:5000] if facts.context else []) if data_re.search(f)), None)
        hint = hint or next((n for n in sorted(facts.copied_names()) if data_re.search(n)), None)
        if not hint and any(c.argv[1:3] == ["manage.py", "migrate"] for c in facts.commands()):
            hint = "manage.py migrate runs in the build"
        if sources and hint:
            for a in sources:
                a.chown = plan.user
            if plan.workdir and describe(plan.runtime_base).shell:
                # SQLite writes its journal next to the database: the directory must be the user's too
                owner = plan.user.split(":")[0]
                plan.runtime_setup.append(f"RUN install -d -o {sh(owner)} -g {sh(owner)} {sh(plan.workdir)}")
            plan.decisions.append(f"app files owned by {plan.user}: the app writes a SQLite database next to its "
                                  f"code ({hint}), as the root original could")


def _start_words(ins) -> tuple[list[str], dict[str, str]]:
    """A start command's words from its program on, and the literal variables it sets before it."""
    moved = start_assignments(ins.args) if ins is not None and not ins.is_json else None
    return command_argv(ins) or [], dict(moved[0]) if moved else {}
