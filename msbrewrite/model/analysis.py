"""What a stage does, step by step: working directory, variables, commands, copies.

Language modules read these facts instead of re-walking the Dockerfile. This module decides
the facts (`StageFacts`) and walks a stage into them (`analyse`); the variable scope each
instruction sees is `msbrewrite.model.scope`, the packages a RUN installs
`msbrewrite.model.package_installs`.
"""
from __future__ import annotations

import posixpath
import re
from collections import ChainMap

from msbrewrite.model.bases import image_parts
from msbrewrite.model.context import Context
from msbrewrite.model.dockerfile import expand, parse_key_values, unquote
from msbrewrite.model.instructions import Dockerfile, Instruction, Stage
from msbrewrite.model.package_installs import PKG_INSTALL, package_words
from msbrewrite.model.scope import ScopeHistory
from msbrewrite.model.shell import (Command, canonical_argv, is_assignment, split_commands, split_words,
                                    start_assignments)
from msbrewrite.support import lazy_re
from msbrewrite.support.records import field, record

# default environment of common builder images, so $GOPATH or $CARGO_HOME resolve
IMAGE_ENV = {
    "golang": {"GOPATH": "/go", "PATH": "/go/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin"},
    "rust": {"CARGO_HOME": "/usr/local/cargo", "RUSTUP_HOME": "/usr/local/rustup"},
    "node": {},
    "python": {},
    "php": {"PHP_INI_DIR": "/usr/local/etc/php"},
    "ruby": {"GEM_HOME": "/usr/local/bundle", "BUNDLE_APP_CONFIG": "/usr/local/bundle"},
}

# default WORKDIR of common builder images (relative paths in the build resolve against it)
IMAGE_WORKDIR = {"golang": "/go", "gradle": "/home/gradle", "pytorch/pytorch": "/workspace",
                 "oven/bun": "/home/bun/app", "nodered/node-red": "/usr/src/node-red", "denoland/deno": "/"}
# image families whose images all set a WORKDIR of their own
IMAGE_WORKDIR_PREFIXES = {"tiangolo/": "/app", "bitnami/": "/app", "jupyter/": "/home/jovyan",
                          "quay.io/jupyter/": "/home/jovyan", "nvcr.io/nvidia/": "/workspace"}


def image_workdir(image: str) -> str:
    """The WORKDIR an image sets itself (relative COPY and RUN paths resolve against it)."""
    repo = image.split("@")[0].lower()
    if ":" in repo.rsplit("/", 1)[-1]:
        repo = repo.rsplit(":", 1)[0]
    repo = repo.removeprefix("docker.io/").removeprefix("library/")
    for name in (repo, repo.rsplit("/", 1)[-1]):
        if name in IMAGE_WORKDIR:
            return IMAGE_WORKDIR[name]
    return next((wd for prefix, wd in IMAGE_WORKDIR_PREFIXES.items() if repo.startswith(prefix)), "/")


@record
class Step:
    ins: Instruction
    workdir: str
    env: dict[str, str]
    commands: list[Command] = field(default_factory=list)


@record
class CopyStep:
    ins: Instruction
    sources: list[str]
    dest: str           # absolute, resolved against WORKDIR
    from_stage: str | None


@record
class StageFacts:
    dockerfile: Dockerfile
    stage: Stage
    context: Context
    steps: list[Step]
    copies: list[CopyStep]
    workdir: str
    env: dict[str, str]             # ENV values at the end of the stage
    args: dict[str, str]            # ARG defaults the stage sees (a global ARG only once redeclared)
    arg_instructions: dict[str, Instruction]
    user: str | None
    user_ins: Instruction | None
    cmd: Instruction | None
    entrypoint: Instruction | None
    packages: list[str]             # apt/apk packages the build installs
    # a start command that builds first (`go build -o app . && ./app`): (instruction, build, run)
    start_build: tuple[Instruction, str, str] | None = None
    # derived facts several detectors ask for (the frontend site), computed once per conversion
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    from_args: dict[str, str] = field(default_factory=dict)    # global ARG defaults, which FROM sees

    @property
    def image(self) -> str:
        return self.stage.image

    @property
    def image_name(self) -> str:
        """Image repository without registry, tag or digest: 'golang', 'rust', 'node'."""
        return image_parts(expand(self.stage.image, self.from_args))[0].lower()

    @property
    def image_tag(self) -> str:
        return image_parts(expand(self.stage.image, self.from_args))[1] or "latest"

    @property
    def is_alpine(self) -> bool:
        return "alpine" in self.image_tag or self.image_name == "alpine"

    def commands(self) -> list[Command]:
        """Every command of every RUN, in order (computed once: planners ask for it per build)."""
        if "commands" not in self.memo:
            self.memo["commands"] = [c for s in self.steps for c in s.commands]
        return list(self.memo["commands"])

    def find(self, program: str, sub: str | None = None) -> list[Command]:
        out = []
        for c in self.commands():
            if c.program == program and (sub is None or (len(c.argv) > 1 and c.argv[1] == sub)):
                out.append(c)
        return out

    def context_path(self, builder_path: str) -> str | None:
        """The context file a builder path came from, through the stage's COPY/ADD lines."""
        builder_path = posixpath.normpath(builder_path)
        for cp in reversed(self.copies):
            if cp.from_stage:
                continue
            dest = posixpath.normpath(cp.dest)
            into_dir = cp.dest.endswith("/") or len(cp.sources) > 1
            for src in cp.sources:
                src_rel = posixpath.normpath(src.lstrip("/")) if src.strip("./") else "."
                if self._is_dir_source(src, src_rel):
                    # a directory's contents land under dest
                    if builder_path == dest:
                        return src_rel
                    if builder_path.startswith(dest.rstrip("/") + "/"):
                        rest = builder_path[len(dest.rstrip("/")) + 1:]
                        return posixpath.normpath(posixpath.join(src_rel, rest))
                elif into_dir:
                    if builder_path == posixpath.join(dest, posixpath.basename(src_rel)):
                        return src_rel
                elif builder_path == dest:
                    return src_rel
        return None

    def _is_dir_source(self, src: str, src_rel: str) -> bool:
        return source_is_dir(self.context, src, src_rel)

    def context_file(self, builder_path: str) -> str | None:
        rel = self.context_path(builder_path)
        return self.context.read(rel) if rel is not None else None

    def project_dir(self, marker: str, cwd: str) -> str | None:
        """Context-relative directory holding `marker` (go.mod, Cargo.toml...) for a build in cwd."""
        rel = self.context_path(posixpath.join(cwd, marker))
        if rel is not None and self.context.exists(rel):
            return posixpath.dirname(rel)
        if self.context.exists(marker):
            return ""
        return None

    def copied_names(self) -> set[str]:
        """Basenames of everything the stage copies from the context."""
        return {posixpath.basename(s.rstrip("/")) for cp in self.copies if not cp.from_stage for s in cp.sources}


def source_is_dir(context: Context, src: str, src_rel: str | None = None) -> bool:
    """A COPY source that is a directory of the context (without a context: a name with no extension)."""
    if src_rel is None:
        src_rel = posixpath.normpath(src.lstrip("/")) if src.strip("./") else "."
    if src_rel == "." or src.endswith("/") or src.endswith("/."):
        return True
    if context:
        return context.is_dir(src_rel)
    return "." not in posixpath.basename(src_rel) and "*" not in src_rel


def _with_parents(paths: set[str]) -> set[str]:
    out = {"/"}
    for p in paths:
        while p not in ("/", "", "."):
            out.add(p)
            p = posixpath.dirname(p)
    return out


def is_root_user(user: str | None) -> bool:
    """USER root, 0, root:root, 0:0 ... (None, no USER, is not counted: callers decide what it means)."""
    return user is not None and user.split(":")[0] in ("root", "0")


def _image_env(image: str) -> dict[str, str]:
    return dict(IMAGE_ENV.get(image_parts(image)[0].lower(), {}))


def analyse(df: Dockerfile, stage: Stage, context: Context) -> StageFacts:
    from_args: dict[str, str] = {}
    for ins in df.global_args:
        if ins.keyword == "ARG":
            for k, v in parse_key_values(ins.args):
                from_args[k] = expand(v, from_args) if v else from_args.get(k, "")
    # Docker: a global ARG is seen inside the stage only once an `ARG NAME` there redeclares it
    args: dict[str, str] = {}
    arg_ins: dict[str, Instruction] = {}
    env = _image_env(expand(stage.image, from_args))
    workdir = image_workdir(expand(stage.image, from_args))
    user = None
    user_ins = None
    cmd = entrypoint = None
    steps: list[Step] = []
    copies: list[CopyStep] = []
    packages: list[str] = []
    history = ScopeHistory({**args, **env})
    # directories known to exist: `COPY main.go /app` puts main.go INTO /app when /app is one
    dirs = _with_parents({workdir})
    for pos, ins in enumerate(stage.instructions):
        # the variables as this instruction sees them: a view, not a copy (10,000 ENV lines
        # would otherwise hold 10,000 copies of a growing dictionary)
        scope = history.view(pos)
        kw = ins.keyword
        step = Step(ins, workdir, scope)
        if kw == "WORKDIR":
            # BuildKit strips quotes: WORKDIR '/app' is /app
            workdir = posixpath.normpath(posixpath.join(workdir, expand(unquote(ins.args.strip()), scope)))
            step.workdir = workdir
            dirs |= _with_parents({workdir})
        elif kw == "ENV":
            for k, v in parse_key_values(ins.args):
                env[k] = expand(v, scope)
                history.set(k, env[k], pos)
        elif kw == "ARG":
            for k, v in parse_key_values(ins.args):
                if k not in args or v:
                    args[k] = expand(v, scope) if v else args.get(k, from_args.get(k, ""))
                    if k not in env:      # ENV wins over ARG, whatever their order
                        history.set(k, args[k], pos)
                arg_ins[k] = ins
        elif kw == "USER":
            user = expand(ins.args.strip(), scope)
            user_ins = ins
        elif kw == "CMD":
            cmd = ins
            ins.workdir = workdir
        elif kw == "ENTRYPOINT":
            entrypoint = ins
            ins.workdir = workdir
        elif kw == "RUN":
            text = " ".join(ins.json_args) if ins.is_json else ins.args
            if ins.heredocs:
                text = "\n".join(h.rsplit("\n", 2)[0] for h in ins.heredocs)
            step.commands = split_commands(expand_soft(text, scope), workdir)
            for c in step.commands:
                c.env = ChainMap(c.env, scope) if c.env else scope
                # options may come before the subcommand: `yum -y install gcc`
                words = package_words(c)
                if words and (c.program, words[0]) in PKG_INSTALL:
                    packages += words[1:]
                if c.program == "mkdir":
                    dirs |= _with_parents({posixpath.normpath(posixpath.join(c.cwd, w)) for w in c.argv[1:]
                                           if not w.startswith("-") and "$" not in w and "*" not in w})
        elif kw in ("COPY", "ADD"):
            words = list(ins.json_args) if ins.is_json else split_words(ins.args)
            if len(words) >= 2:
                dest = expand(words[-1], scope)
                dest_abs = posixpath.join(workdir, dest)
                if dest in (".", "..") or dest.endswith(("/.", "/..")):
                    dest_abs = posixpath.normpath(dest_abs).rstrip("/") + "/"     # `COPY app.py .` copies into a directory
                if dest.endswith("/") and not dest_abs.endswith("/"):
                    dest_abs += "/"
                sources = [expand(w, scope) for w in words[:-1]]
                if not dest_abs.endswith("/") and posixpath.normpath(dest_abs) in dirs:
                    dest_abs = posixpath.normpath(dest_abs).rstrip("/") + "/"
                if dest_abs.endswith("/") or len(sources) > 1 or \
                        any(source_is_dir(context, s) for s in sources):
                    dirs |= _with_parents({posixpath.normpath(dest_abs)})
                else:
                    dirs |= _with_parents({posixpath.dirname(posixpath.normpath(dest_abs))})
                if _keeps_parents(ins):
                    copies += _with_parent_dirs(ins, sources, dest_abs)
                    dirs |= _with_parents({posixpath.normpath(c.dest) for c in copies[-len(sources):]})
                else:
                    copies.append(CopyStep(ins, sources,
                                           dest_abs if dest_abs.endswith("/") else posixpath.normpath(dest_abs),
                                           ins.flags.get("from")))
        steps.append(step)
    start_build = _start_build(entrypoint or cmd)
    if start_build:
        ins, build, _ = start_build
        cwd = ins.workdir or workdir
        steps.append(Step(ins, cwd, dict(env), [Command(c.argv, {**env, **c.env}, c.cwd)
                                                for c in split_commands(build, cwd)]))
    return StageFacts(df, stage, context, steps, copies, workdir, env, args, arg_ins,
                      user, user_ins, cmd, entrypoint, packages, start_build=start_build, from_args=from_args)


def _keeps_parents(ins: Instruction) -> bool:
    return "parents" in ins.flags and ins.flags["parents"].lower() not in ("false", "0")


def _with_parent_dirs(ins: Instruction, sources: list[str], dest: str) -> list[CopyStep]:
    """`COPY --parents config/app.yaml /etc/` puts the file at /etc/config/app.yaml: one copy per
    source into the directory its kept parents make (the part after a `/./` when there is one)."""
    out = []
    for src in sources:
        rel = posixpath.normpath(src.lstrip("/"))
        pivot = src.rfind("/./")
        kept = posixpath.normpath(src[pivot + 3:]) if pivot >= 0 else rel
        into = posixpath.join(dest, posixpath.dirname(kept)) if posixpath.dirname(kept) else dest
        out.append(CopyStep(ins, [src], posixpath.normpath(into).rstrip("/") + "/", ins.flags.get("from")))
    return out


_START_BUILD_RE = lazy_re.compile(r"\s*((?:go|cargo)\s+(?:build|install)\b[^;&|`$]*?)\s*&&\s*(\S.*)\Z", re.S)


def _start_build(ins: Instruction | None) -> tuple[Instruction, str, str] | None:
    """`go build -o app . && ./app` as a start command: the build belongs in the builder."""
    if ins is None or ins.is_json:
        return None
    m = _START_BUILD_RE.match(ins.args)
    return (ins, m.group(1).strip(), m.group(2).strip()) if m else None


_SOFT_VAR_RE = lazy_re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)"
                               r"|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+])([^{}]*)\}")


def expand_soft(text: str, scope: dict[str, str]) -> str:
    """Expand only variables we know; leave the rest for the shell (e.g. $(nproc)). `${VAR:-x}` and
    `${VAR:+x}` are resolved as the shell would when VAR is known, else left whole."""
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in scope:
            return m.group(0)
        if not m.group(3):
            return scope[name]
        op, word, value = m.group(4), m.group(5), scope[name]
        if value == "" and not op.startswith(":"):
            return m.group(0)   # an ARG without a value is unset in RUN, not empty: left to the shell
        empty = value == "" and op.startswith(":")
        if op.endswith("-"):
            return expand_soft(word, scope) if empty else value
        return "" if empty else expand_soft(word, scope)
    return _SOFT_VAR_RE.sub(sub, text)


def command_argv(ins: Instruction | None, scope: dict[str, str] | None = None) -> list[str] | None:
    """argv of a CMD/ENTRYPOINT: JSON form as is, shell form split into words from its program on
    (`FLASK_APP=app.py flask run` runs flask: the variables it sets first are not the program)."""
    if ins is None:
        return None
    argv = list(ins.json_args) if ins.is_json else split_words(ins.args)
    if not ins.is_json:
        while len(argv) > 1 and is_assignment(argv[0]):
            argv.pop(0)
    return canonical_argv(argv, ins.workdir or "/")


def start_argv(facts: StageFacts) -> list[str]:
    """The words the original starts with: its ENTRYPOINT's, then its CMD's."""
    return (command_argv(facts.entrypoint) or []) + (command_argv(facts.cmd) or [])


def start_line_env(facts: StageFacts) -> dict[str, str]:
    """The literal variables a shell-form ENTRYPOINT/CMD sets before its program
    (`NODE_ENV=production node server.js`), which the runtime sets with ENV."""
    env: dict[str, str] = {}
    for ins in (facts.entrypoint, facts.cmd):
        moved = start_assignments(ins.args) if ins is not None and not ins.is_json else None
        env.update(moved[0] if moved else ())
    return env
