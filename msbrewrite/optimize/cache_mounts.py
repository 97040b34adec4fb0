"""BuildKit cache mounts for package-manager and compiler caches.

`RUN --mount=type=cache,target=DIR` keeps DIR between builds without putting it in a layer: a
rebuild finds its downloads and compiled objects again. Docker Engine 20.10's built-in BuildKit
reads the flag without a `# syntax=` line; the classic builder cannot build it.

Some caches are only caches (Go's build cache, ~/.npm, pip's cache): a step that runs without the
mount just works harder. Others hold state that later steps read (Go's module cache, Maven's local
repository, Cargo's registry): every step that may read them needs the mount, so they are mounted
only when each later step runs the tool itself or only programs that never call it.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.shell import Command
from msbrewrite.optimize.edits import SEP, Builder, RunStep, add_run_flags, command_spans, shell_form, under
from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

# programs that never start a language tool behind the scenes
SAFE_PROGRAMS = {
    "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "dpkg", "cp", "mv", "rm", "mkdir", "chmod", "chown",
    "ln", "echo", "printf", "touch", "test", "[", "true", "false", "ls", "cat", "install", "useradd",
    "groupadd", "adduser", "addgroup", "usermod", "strip", "upx", "sed", "find", "tar", "gzip", "unzip",
    "curl", "wget", "git", "cd", "set", "export", "update-ca-certificates", "setcap", "tee", "xargs",
}


@record(frozen=True)
class Cache:
    tool: str
    target: str
    state: bool          # later steps read it, not only a cache

    @property
    def flag(self) -> str:
        return f"--mount=type=cache,target={self.target}"


def tool_of(cmd: Command) -> str | None:
    """The package manager or compiler a command runs, when it has a cache msb knows."""
    prog, argv = cmd.program, cmd.argv
    sub = argv[1] if len(argv) > 1 else ""
    if prog == "go" and sub in ("build", "install", "mod", "test", "generate", "vet", "get", "list"):
        return "go"
    if prog == "npm" and sub in ("ci", "install", "i"):
        return "npm"
    if prog == "yarn" and sub in ("", "install"):
        return "yarn"
    if prog == "pnpm" and sub in ("install", "i", "fetch"):
        return "pnpm"
    if re.fullmatch(r"pip(3(\.\d+)?)?", prog) and sub == "install":
        return "pip"
    if re.fullmatch(r"python(3(\.\d+)?)?", prog) and argv[1:4] == ["-m", "pip", "install"]:
        return "pip"
    if prog == "uv" and (sub == "sync" or argv[1:3] == ["pip", "install"]):
        return "uv"
    if prog == "poetry" and sub == "install":
        return "poetry"
    if prog == "pipenv" and sub in ("install", "sync"):
        return "pipenv"
    if prog in ("mvn", "mvnw"):
        return "maven"
    if prog in ("gradle", "gradlew"):
        return "gradle"
    if prog == "cargo" and sub in ("build", "install", "fetch", "test", "b"):
        return "cargo"
    return None


def caches(builder: Builder, tool: str, cmd: Command | None = None) -> list[Cache]:
    env, home = builder.facts.env, builder.home()
    if tool == "go":
        gopath = env.get("GOPATH") or posixpath.join(home, "go")
        return [Cache(tool, env.get("GOMODCACHE") or posixpath.join(gopath, "pkg/mod"), True),
                Cache(tool, env.get("GOCACHE") or posixpath.join(home, ".cache/go-build"), False)]
    if tool == "npm":
        return [Cache(tool, env.get("npm_config_cache") or env.get("NPM_CONFIG_CACHE") or posixpath.join(home, ".npm"), False)]
    if tool == "yarn":
        if builder.facts.context.exists(".yarnrc.yml"):
            return []       # Yarn 2+: the cache lives in the project
        return [Cache(tool, env.get("YARN_CACHE_FOLDER") or "/usr/local/share/.cache/yarn", False)]
    if tool == "pnpm":
        return [Cache(tool, posixpath.join(home, ".local/share/pnpm/store"), False)]
    if tool == "pip":
        if env.get("PIP_NO_CACHE_DIR", "").lower() in ("1", "true", "yes", "on"):
            return []
        return [Cache(tool, env.get("PIP_CACHE_DIR") or posixpath.join(home, ".cache/pip"), False)]
    if tool == "uv":
        if env.get("UV_NO_CACHE"):
            return []
        return [Cache(tool, env.get("UV_CACHE_DIR") or posixpath.join(home, ".cache/uv"), False)]
    if tool == "poetry":
        return [Cache(tool, env.get("POETRY_CACHE_DIR") or posixpath.join(home, ".cache/pypoetry"), False)]
    if tool == "pipenv":
        # pipenv keeps its own cache and installs through pip, which keeps one too
        return [Cache(tool, env.get("PIPENV_CACHE_DIR") or posixpath.join(home, ".cache/pipenv"), False),
                Cache(tool, env.get("PIP_CACHE_DIR") or posixpath.join(home, ".cache/pip"), False)]
    if tool == "maven":
        if cmd is not None and any(w.startswith("-Dmaven.repo.local") for w in cmd.argv):
            return []
        return [Cache(tool, posixpath.join(home, ".m2/repository"), True)]
    if tool == "gradle":
        gradle_home = env.get("GRADLE_USER_HOME") or posixpath.join(home, ".gradle")
        out = [Cache(tool, posixpath.join(gradle_home, "caches"), True)]
        if cmd is not None and cmd.program == "gradlew":
            out.append(Cache(tool, posixpath.join(gradle_home, "wrapper"), True))
        return out
    if tool == "cargo":
        cargo_home = env.get("CARGO_HOME") or posixpath.join(home, ".cargo")
        return [Cache(tool, posixpath.join(cargo_home, "registry"), True),
                Cache(tool, posixpath.join(cargo_home, "git"), True)]
    return []


WHY = {
    "go": "Go's module and build caches",
    "npm": "npm's download cache",
    "yarn": "Yarn's package cache",
    "pnpm": "pnpm's store",
    "pip": "pip's download and wheel cache",
    "uv": "uv's cache",
    "poetry": "Poetry's cache",
    "pipenv": "Pipenv's and pip's caches",
    "maven": "Maven's local repository",
    "gradle": "Gradle's caches",
    "cargo": "Cargo's registry and git checkouts",
}


# a cache folder that can stand in `--mount=type=cache,target=...` as written (no blank, comma,
# quote or variable): the folder comes from the builder's ENV (PIP_CACHE_DIR, GOMODCACHE...)
_PLAIN_TARGET = lazy_re.compile(r"/[\w./@%+:-]*")


class Mounts:
    """Which cache mounts each builder RUN gets; decided once, used by every optimisation."""

    def __init__(self, builder: Builder):
        self.builder = builder
        self.by_tool: dict[str, list[Cache]] = {}
        self.skipped: dict[str, str] = {}       # tool -> why it gets no mount
        self._decide()

    def _decide(self) -> None:
        runs = self.builder.runs()
        used: dict[str, list[tuple[RunStep, Command]]] = {}
        for run in runs:
            for cmd in run.step.commands:
                tool = tool_of(cmd)
                if tool:
                    used.setdefault(tool, []).append((run, cmd))
        for tool, hits in used.items():
            if not all(run.root for run, _ in hits):
                self.skipped[tool] = "the builder runs it as a non-root USER (cache mounts belong to root)"
                continue
            kinds = {tuple(caches(self.builder, tool, cmd)) for _, cmd in hits}
            if len(kinds) != 1:
                continue    # the commands disagree about where the cache is (e.g. one sets a local repo)
            found = kinds.pop()
            odd = next((c.target for c in found if not _PLAIN_TARGET.fullmatch(c.target)), None)
            if odd is not None:
                # the flag is a comma-separated list ended by a blank: such a path cannot be written there
                self.skipped[tool] = f"its cache folder {odd!r} cannot be named in a --mount flag"
                continue
            chosen = [c for c in found if self._safe(c, runs, hits)]
            if chosen:
                self.by_tool[tool] = chosen

    def _safe(self, cache: Cache, runs: list[RunStep], hits) -> bool:
        plan = self.builder.plan
        if any(under(a.source, cache.target) for a in plan.artifacts):
            return False
        if any(cache.target in block for block in plan.builder_append + plan.builder_after_from):
            return False
        if not cache.state:
            return True
        first = min(run.ins.index for run, _ in hits)
        with_tool = {run.ins.index for run, _ in hits}
        for run in runs:
            if run.ins.index <= first or run.ins.index in with_tool:
                continue
            if any(cmd.program not in SAFE_PROGRAMS for cmd in run.step.commands):
                return False    # it may run the tool through a script or a Makefile
        return all(self._appended_safe(block, cache.tool) for block in plan.builder_append)

    @staticmethod
    def _appended_safe(block: str, tool: str) -> bool:
        names = {"go": "go", "maven": "mvn", "gradle": "gradle", "cargo": "cargo"}
        name = names.get(tool)
        # the tool where a command starts (line start, RUN, after ; & | or a parenthesis), not a name
        # such as `.cargo`, `go.mod` or the `-path "$s"/gradle` of msb's own staging step
        return not name or not re.search(rf"(?:^|[;&|(]|\bRUN(?:\s+--\S+)*)\s*(?:\S*/)?{name}(?=\s|$)", block, re.M)

    def flags(self, tool: str) -> list[str]:
        return [c.flag for c in self.by_tool.get(tool, [])]

    def apply(self) -> None:
        """Add the mounts to every RUN that runs a tool with a chosen cache."""
        added: dict[str, int] = {}
        for run in self.builder.runs():
            ins = run.ins
            if not self.builder.editable(ins):
                continue
            tools = []
            for cmd in run.step.commands:
                tool = tool_of(cmd)
                if tool in self.by_tool and tool not in tools:
                    tools.append(tool)
            text = self.builder.text(ins)
            flags = []
            for tool in tools:
                if tool == "pip":
                    if not shell_form(ins):
                        continue    # an exec-form --no-cache-dir cannot be edited: the mount would stay empty
                    text = drop_no_cache_dir(text)
                flags += [f for f in self.flags(tool) if not _mounted(ins, f) and f not in flags]
            if not flags:
                continue
            self.builder.set_text(ins, add_run_flags(text, flags),
                                  "cache mount for " + ", ".join(WHY[t] for t in tools))
            for tool in tools:
                added[tool] = added.get(tool, 0) + 1
        for tool, count in added.items():
            targets = ", ".join(c.target for c in self.by_tool[tool])
            extra = " (--no-cache-dir dropped: the cache now lives outside the image)" if tool == "pip" else ""
            self.builder.decide(f"{WHY[tool]} ({targets}) on a BuildKit cache mount in {count} RUN "
                                f"step(s): a rebuild reuses them instead of starting over{extra}")
        for tool, why in self.skipped.items():
            self.builder.decide(f"no cache mount for {WHY[tool]}: {why}")


def _mounted(ins, flag: str) -> bool:
    target = flag.split("target=", 1)[1]
    return any(name == "mount" and f"target={target}" in value for name, value in ins.flag_list)


def drop_no_cache_dir(text: str) -> str:
    out = text
    for start, end in reversed(command_spans(text, r"(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?" + SEP + "-m" + SEP + "pip)"
                                              + SEP + "install")):
        segment = re.sub(SEP + r"--no-cache-dir(?![\w-])", "", out[start:end])
        out = out[:start] + segment + out[end:]
    return out
