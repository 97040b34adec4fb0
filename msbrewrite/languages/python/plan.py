"""Python: dependencies in a virtualenv at /opt/venv, the app source, a slim interpreter base.

The builder keeps the user's steps; a virtualenv created right after FROM (and put on
PATH) makes their own `pip install` land in /opt/venv, and poetry, pipenv and uv are
pointed at it (VIRTUAL_ENV, UV_PROJECT_ENVIRONMENT). The runtime is the same Python
(`python:<version>-slim`, or the distribution image the builder used), with the venv
copied whole and the app directory copied minus build-only files (app_files): imports
name the code an app runs, not the data files and folders it opens by name.
"""
from __future__ import annotations

import dataclasses
import posixpath
import re

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv, is_root_user, source_is_dir
from msbrewrite.model.bases import describe
from msbrewrite.model.dockerfile import parse_key_values
from msbrewrite.model.options import Options
from msbrewrite.model.plan import REWRITTEN, BuildPlan, Detection, Evidence, Refusal
from msbrewrite.model.quoting import MAX_GENERATED_LINE, env_value, sh
from msbrewrite.model.shell import Command, resolve, shell_form_to_argv
from msbrewrite.languages.common import native_libs, runtime_libraries
from msbrewrite.languages.python.deps import dependency_names, install_args, install_packages, is_installer, is_pip_install
from msbrewrite.languages.python.entry import Entry, parse_entry, strip_runner
from msbrewrite.languages.python.detect import IMAGE_PY_RE, NAME

VENV = "/opt/venv"
BUILD_ENV_PREFIXES = ("PIP_", "POETRY_", "PIPENV_", "UV_", "PDM_", "HATCH_")
BUILD_ENV = {"VIRTUAL_ENV", "PYTHONUSERBASE"}
# installers that are build tools, not app dependencies: they stay out of the runtime venv
TOOLS = {"poetry", "pipenv", "uv", "pip-tools", "poetry-plugin-export", "pdm", "hatch", "virtualenv", "pipx"}
BOOTSTRAP = {"pip", "setuptools", "wheel"}
DISTROS = ("bookworm", "bullseye", "buster", "trixie", "stretch")
# apt/apk packages used only to fetch or build things
BUILD_PACKAGES = {"curl", "wget", "git", "gnupg", "gnupg2", "dirmngr", "apt-transport-https", "apt-utils",
                  "software-properties-common", "lsb-release", "unzip", "xz-utils", "bzip2", "openssh-client",
                  "ssh", "vim", "nano", "less", "autoconf", "automake", "libtool", "swig", "gfortran",
                  "clang", "llvm", "rustc", "cargo", "cython3", "gettext", "build-base", "alpine-sdk", "bash",
                  "python3-pip", "python3-venv", "python3-setuptools", "python3-wheel", "python3-distutils",
                  "python3-virtualenv", "py3-pip", "py3-setuptools", "py3-wheel", "python3-dev", "python-dev",
                  "postgresql-client-common", "pipenv", "python3-poetry"}
# libraries a python:*-slim image already carries (its interpreter links them)
SLIM_HAS = {"libssl3", "libffi8", "zlib1g", "libsqlite3-0", "libbz2-1.0", "liblzma5", "libc6", "libgcc-s1",
            "ca-certificates", "tzdata", "netbase", "libexpat1", "libuuid1", "libncursesw6", "libreadline8"}
# images that are the official python image plus a packaging tool, nothing the app runs
TOOLCHAIN_IMAGES = ("astral-sh/uv",)
PRUNE = (".git", "tests", "test", "docs", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", "htmlcov",
         ".coverage", ".github")
SYSTEM_DIRS = {"bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run",
               "sbin", "srv", "sys", "tmp", "usr", "var"}
_PKG_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9+._-]*$")
# `uv run --frozen ` in front of a shell command (flags without values only)
RUNNER_TEXT_RE = re.compile(r"^(\s*(?:exec\s+)?)((?:uv|poetry|pipenv|pdm|hatch|rye)\s+run\s+(?:--?[\w-]+(?:=\S+)?\s+)*)")


# ------------------------------------------------------------------ detection


# ------------------------------------------------------------------ the context as the builder sees it


_MANIFESTS = ("requirements.txt", "requirements-dev.txt", "setup.py", "setup.cfg", "pyproject.toml", "Pipfile",
              "Pipfile.lock", "poetry.lock", "uv.lock")


def _venv_path(venv: str) -> str:
    """`PATH` with the venv's bin first: the venv's path taken literally, `$PATH` still expanded."""
    bin_dir = f"{venv}/bin"
    return f'"{bin_dir}:$PATH"' if env_value(bin_dir) == bin_dir else f"{env_value(bin_dir)}:$PATH"


class BuilderTree:
    """Builder paths, answered from the build context through the stage's COPY lines."""

    def __init__(self, facts: StageFacts):
        self.facts = facts

    def rel(self, path: str) -> str | None:
        rel = self.facts.context_path(path)
        if rel is None or self.ignored(rel):
            return None
        return rel

    def ignored(self, rel: str) -> bool:
        return self.facts.context.ignored(rel)

    def read(self, path: str) -> str | None:
        rel = self.rel(path)
        return self.facts.context.read(rel) if rel is not None else None

    def is_dir(self, path: str) -> bool:
        rel = self.rel(path)
        return rel is not None and self.facts.context.is_dir(rel)

    def is_file(self, path: str) -> bool:
        rel = self.rel(path)
        return rel is not None and self.facts.context.exists(rel) and not self.facts.context.is_dir(rel)

    def listdir(self, path: str) -> list[str]:
        rel = self.rel(path)
        if rel is None:
            return []
        return [n for n in self.facts.context.listdir(rel) if not self.ignored(posixpath.join(rel, n))]


# ------------------------------------------------------------------ planner


class PythonPlanner:
    def __init__(self, facts: StageFacts, detection: Detection, options: Options):
        self.facts = facts
        self.detection = detection
        self.options = options
        self.plan = BuildPlan(NAME, "python.Dockerfile.j2", "python:3-slim")
        self.venv: str | None = None        # virtualenv the runtime copies
        self.distro = False                  # Python from the distribution's packages
        self.installs = [c for c in facts.commands() if is_installer(c)]
        self.app_root: str | None = None
        self.staged: list[str] = []
        self.venv_owner: str | None = None   # a non-root build user the venv was handed to

    # -------------------------------------------------------------- base image
    def runtime_base(self) -> str:
        facts = self.facts
        name, tag = facts.image_name, facts.image_tag
        if re.search(r"(?i)conda|mamba", facts.image) or facts.find("conda") or facts.find("mamba"):
            raise Refusal("conda environments are not supported (their interpreter and libraries live in the "
                          "conda prefix, not in a python image)", reason="python-conda")
        if name == "python" and "$" in facts.image:
            return self.templated_base()
        if name == "python":
            m = re.match(r"^(\d+(?:\.\d+)*)?-?(.*)$", tag if tag != "latest" else "")
            version, variant = m.group(1), m.group(2)
            if "alpine" in variant:
                return f"python:{tag}"
            distro = next((d for d in DISTROS if d in variant), None)
            parts = [p for p in (version, "slim", distro) if p]
            return "python:" + "-".join(parts)
        m = IMAGE_PY_RE.search(tag)
        if m:
            version = f"{m.group(1)}.{m.group(2)}"
            if "alpine" in tag:
                return f"python:{version}-alpine"
            if facts.cmd is None and facts.entrypoint is None:
                raise Refusal(f"{facts.image} starts the app with its own command, which python:{version}-slim "
                              "does not have; add a CMD naming the server", reason="python-base-command")
            if facts.image.split("@")[0].split(":")[0].endswith(TOOLCHAIN_IMAGES):
                distro = next((d for d in DISTROS if d in tag), None)
                self.plan.decisions.append(f"{facts.image} is the official python image plus a packaging tool: "
                                           f"runtime python:{version}-slim")
                return f"python:{version}-slim" + (f"-{distro}" if distro else "")
            # not a plain toolchain: its own packages (a server, a framework) sit outside the build's
            # virtualenv, and a python:slim runtime would not have them
            raise Refusal(f"{facts.image} brings Python packages of its own, installed outside this build; a "
                          f"python:{version}-slim runtime would lack them: build FROM python:{version} and install "
                          "them in the Dockerfile, then convert", reason="python-base-packages")
        if name in ("debian", "ubuntu") and (self.interpreter_packages() or "python3-pip" in self.package_names()):
            self.distro = True
            return self.distro_base()
        raise Refusal(f"Python found, but not where its interpreter comes from ({facts.image} is not a python "
                      "image and installs no python3 package); use a python:<version> base",
                      reason="python-interpreter-unknown")

    def templated_base(self) -> str:
        """FROM python:${PY_VERSION}: the runtime follows the same build argument."""
        raw = self.facts.image.split("@")[0]
        repo, _, tag = raw.rpartition(":") if ":" in raw.rsplit("/", 1)[-1] else (raw, "", "latest")
        if "slim" in tag or "alpine" in tag:
            runtime_tag = tag
        else:
            distro = next((d for d in DISTROS if tag.endswith("-" + d)), None)
            runtime_tag = f"{tag[:-len(distro) - 1]}-slim-{distro}" if distro else f"{tag}-slim"
        self.plan.decisions.append(f"runtime python:{runtime_tag} follows the builder's build argument")
        return f"{repo}:{runtime_tag}"

    def package_names(self) -> list[str]:
        return [p.split("=")[0] for p in self.facts.packages]

    def interpreter_packages(self) -> list[str]:
        return [p.split("=")[0] for p in self.facts.packages
                if re.fullmatch(r"python3(\.\d+)?", p.split("=")[0])]

    def distro_base(self) -> str:
        facts = self.facts
        if facts.image_name == "debian" and not facts.image_tag.endswith("slim") and facts.image_tag != "latest":
            return f"debian:{facts.image_tag}-slim"
        return facts.image.split("@")[0] if "$" not in facts.image else f"{facts.image_name}:{facts.image_tag}"

    # -------------------------------------------------------------- virtualenv
    def user_venv(self) -> str | None:
        """A virtualenv the user already creates (python -m venv DIR, virtualenv DIR, uv venv)."""
        facts = self.facts
        for c in facts.commands():
            argv = c.argv
            if re.fullmatch(r"python3?(\.\d+)?", c.program) and argv[1:3] == ["-m", "venv"]:
                dirs = [w for w in argv[3:] if not w.startswith("-")]
                if dirs:
                    return resolve(dirs[-1], c.cwd)
            if c.program == "virtualenv":
                dirs = [w for w in argv[1:] if not w.startswith("-")]
                if dirs:
                    return resolve(dirs[-1], c.cwd)
            if c.program == "uv" and argv[1:2] == ["venv"]:
                dirs = [w for w in argv[2:] if not w.startswith("-")]
                return resolve(dirs[-1] if dirs else ".venv", c.cwd)
        if facts.env.get("UV_PROJECT_ENVIRONMENT"):
            return resolve(facts.env["UV_PROJECT_ENVIRONMENT"], facts.workdir)
        return None

    def setup_venv(self) -> None:
        facts, plan = self.facts, self.plan
        own = self.user_venv()
        if own:
            self.venv = own
            plan.decisions.append(f"the build already uses the virtualenv {own}: copied whole")
            return
        if not self.installs:
            plan.decisions.append("no dependencies are installed: no virtualenv")
            return
        python = "python3" if self.distro else "python"
        if self.distro and not any(re.search(r"venv|virtualenv", p) for p in facts.packages):
            plan.decisions.append("the distribution's python3 has no venv module installed: pip installs into "
                                  "/usr/local, which the runtime copies")
            return
        self.venv = VENV
        env = [f"VIRTUAL_ENV={VENV}", f'PATH="{VENV}/bin:$PATH"']
        if facts.find("uv", "sync"):
            env.insert(1, f"UV_PROJECT_ENVIRONMENT={VENV}")
        lines = [f"RUN {python} -m venv {VENV}", "ENV " + " ".join(env)]
        lines = ["# dependencies go to a virtualenv, copied whole to the runtime stage"] + lines
        first = self._first_install_step()
        if self.distro:
            ins = first
            plan.builder_replace[ins.index] = "\n".join(lines) + "\n" + plan.builder_replace.get(ins.index, ins.raw)
        else:
            plan.builder_after_from.extend(lines)
        tools = [c.program for c in self.installs if c.program in ("poetry", "pipenv", "uv", "pdm")]
        how = f"; {', '.join(sorted(set(tools)))} install{'s' if len(set(tools)) == 1 else ''} into it " \
              "(VIRTUAL_ENV" + (", UV_PROJECT_ENVIRONMENT" if "uv" in tools else "") + ")" if tools else ""
        plan.decisions.append(f"dependencies installed into the virtualenv {VENV}{how}")
        self._venv_owner(first)

    def _first_install_step(self):
        for step in self.facts.steps:
            if any(is_installer(c) for c in step.commands):
                return step.ins
        return self.facts.stage.from_

    def _venv_owner(self, first) -> None:
        """A non-root USER before the installs must own the venv, or pip cannot write to it."""
        facts, plan = self.facts, self.plan
        user_ins = None
        for ins in facts.stage.instructions:
            if ins.index >= first.index:
                break
            if ins.keyword == "USER":
                user_ins = ins
        if user_ins is None:
            return
        user = user_ins.args.strip().split(":")[0]
        if is_root_user(user):
            return
        raw = plan.builder_replace.get(user_ins.index, user_ins.raw)
        plan.builder_replace[user_ins.index] = f"RUN chown -R {sh(user_ins.args.strip())} {VENV}\n" + raw
        self.venv_owner = user_ins.args.strip()
        plan.decisions.append(f"the virtualenv is handed to {user} before USER {user}, so its installs can write it")

    # -------------------------------------------------------------- builder rewrites
    def rewrite_installs(self) -> None:
        """Edits that make the user's install commands fill the virtualenv and nothing else."""
        if self.venv != VENV:
            return
        facts, plan = self.facts, self.plan
        for step in facts.steps:
            if step.ins.keyword != "RUN":
                continue
            raw = plan.builder_replace.get(step.ins.index, step.ins.raw)
            new = raw
            notes = []
            for c in step.commands:
                if is_pip_install(c):
                    args = install_args(c)
                    pkgs = install_packages(args)
                    if "--user" in args:
                        new = re.sub(r"(pip3?(?:\.\d+)?\s+install\b(?:[^\n&;|]|\\\n)*?\s)--user\b[ \t]*", r"\1", new)
                        notes.append("--user dropped (a --user install is refused inside a virtualenv)")
                    if pkgs and set(pkgs) <= TOOLS | BOOTSTRAP and set(pkgs) & TOOLS and not self.distro:
                        new, n = self._system_pip(new, c)
                        if n:
                            notes.append(f"{', '.join(sorted(set(pkgs) & TOOLS))} installed with the image's pip "
                                         "(a build tool, kept out of the runtime virtualenv)")
                    elif pkgs and not set(pkgs) <= BOOTSTRAP and c.argv[0].startswith("/usr/local/bin/"):
                        new = new.replace(c.argv[0], f"{VENV}/bin/{posixpath.basename(c.argv[0])}", 1)
                        notes.append(f"{c.argv[0]} now points into the virtualenv")
                if c.program == "uv" and c.argv[1:3] == ["pip", "install"] and "--system" in c.argv:
                    new = re.sub(r"(uv\s+pip\s+install\b(?:[^\n&;|]|\\\n)*?\s)--system\b[ \t]*", r"\1", new)
                    notes.append("uv pip --system dropped (uv installs into VIRTUAL_ENV)")
            if new != raw:
                plan.builder_replace[step.ins.index] = new
                plan.fate(step.ins, REWRITTEN, "; ".join(dict.fromkeys(notes)))
                for note in dict.fromkeys(notes):
                    plan.decisions.append(f"line {step.ins.lineno}: {note}")

    def _system_pip(self, text: str, c: Command) -> tuple[str, int]:
        prog = c.argv[0]
        if re.fullmatch(r"python3?(\.\d+)?", prog):
            pattern = rf"(?<![\w/.-]){re.escape(prog)}(\s+-m\s+pip\s+install\b)"
            return re.subn(pattern, rf"/usr/local/bin/{prog}\1", text, count=1)
        if "/" in prog:
            return text, 0
        pattern = rf"(?<![\w/.-]){re.escape(prog)}(\s+install\b)"
        return re.subn(pattern, rf"/usr/local/bin/{prog}\1", text, count=1)

    def install_targets(self) -> None:
        """pip --target/--prefix trees live outside the venv: copy them too."""
        for c in self.installs:
            if not is_pip_install(c):
                continue
            args = install_args(c)
            for i, word in enumerate(args):
                key, eq, value = word.partition("=")
                if key in ("-t", "--target", "--prefix", "--root"):
                    value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
                    if value and "$" not in value:
                        path = resolve(value, c.cwd)
                        if path not in self.plan.produced:
                            self.plan.copy(path, path, f"packages pip installs with {key}")

    # -------------------------------------------------------------- app source
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
        argv = (command_argv(facts.entrypoint) or []) + (command_argv(facts.cmd) or [])
        if facts.entrypoint is not None and facts.cmd is not None and facts.cmd.index < facts.entrypoint.index:
            argv = command_argv(facts.entrypoint) or []     # a CMD before ENTRYPOINT is reset by it
        if not argv:
            return None, []
        if not (facts.entrypoint and facts.entrypoint.is_json or facts.cmd and facts.cmd.is_json):
            text = (facts.entrypoint or facts.cmd).args
            if shell_form_to_argv(text) is None and not (facts.entrypoint and facts.cmd):
                e = Entry(why_imprecise="a shell command")
                return e, argv
        return parse_entry(argv, facts.env), argv

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
                self._copy_top_level(root)
                plan.decisions.append(f"app source: every top-level entry of the context copied to / ({reason})")
                return
            parts = self._parts_in(root)
            if parts:
                for path in parts:
                    plan.copy(path, path, "app source")
                plan.decisions.append(f"app source: what the build copied into / ({', '.join(parts)}), each on its own")
                return
            raise Refusal("the app source is copied to / (no WORKDIR) and the build context is absent: its files "
                          "cannot be told apart from the system's; pass --context or set a WORKDIR",
                          reason="python-source-at-root")
        dirs = [root] + [d for d in app_files.app_dirs(facts) if not d.startswith(root.rstrip("/") + "/")
                         and d != root]
        self.staged = app_files.stage(facts, plan, NAME, dirs)
        if entry is not None and not entry.why_imprecise and facts.context:
            plan.decisions.append(f"app source: the whole of {root} (files it reads at run time cannot all be "
                                  "found by following imports)")

    def _user_at_end(self) -> bool:
        """The builder still runs as the original USER at its end (not moved to the runtime)."""
        ins = self.facts.user_ins
        return ins is not None and ins.index not in self.plan.builder_drop

    def _copy_top_level(self, root: str) -> None:
        tree = BuilderTree(self.facts)
        for name in tree.listdir(root):
            if name in PRUNE or name in ("Dockerfile", ".dockerignore", ".gitignore") or name.startswith("Dockerfile"):
                continue
            path = posixpath.join(root, name)
            self.plan.copy(path, path, "app source")

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

    # -------------------------------------------------------------- runtime packages
    def table_fits(self) -> bool:
        """The -dev -> library table names Debian 12 packages; other releases name their libraries differently."""
        facts = self.facts
        if facts.is_alpine:
            return True
        if self.distro:
            return facts.image_name == "debian" and re.match(r"^(bookworm|12)", facts.image_tag) is not None
        return not any(d in facts.image_tag for d in ("bullseye", "buster", "stretch"))

    def runtime_packages(self) -> None:
        facts, plan = self.facts, self.plan
        family = "alpine" if facts.is_alpine else "debian"
        pkgs = [p for p in self.package_names() if _PKG_NAME_RE.match(p)]
        table = native_libs().get(family, {})
        python_build = re.compile(r"(lib)?python3(\.\d+)?-(dev|venv|distutils|pip|setuptools|wheel)|py3-.*")
        dev = [p for p in pkgs if not python_build.fullmatch(p)]
        if self.table_fits():
            libs = set(runtime_libraries(dev, family))
            unknown = [p for p in dev if p.endswith("-dev") and p not in table]
            if unknown:
                plan.warnings.append(f"no runtime counterpart known for {', '.join(sorted(set(unknown)))}: if a "
                                     "compiled package links it, add its runtime library")
        else:
            # library names differ by release: the -dev package pulls in the right one
            libs = {p for p in dev if p.endswith("-dev") and table.get(p) != ""}
            if libs:
                plan.decisions.append(f"{facts.image} names its libraries differently from Debian 12: the -dev "
                                      "packages are installed in the runtime (they pull in the libraries)")
        extra = [p for p in pkgs if p not in table and not p.endswith(("-dev", "-devel")) and p not in BUILD_PACKAGES
                 and not python_build.fullmatch(p)]
        if not self.distro:
            extra = [p for p in extra if not re.fullmatch(r"python3?(\.\d+)?", p)]
        elif not self.interpreter_packages() or "python3-pip" in pkgs:
            extra.append("python3")
        source_built = native_libs().get(f"pypi-{family}", {})
        for name in sorted(dependency_names(facts)):
            if name in source_built:
                found = set(source_built[name].split()) - libs
                if found:
                    libs |= found
                    plan.decisions.append(f"{name} builds against a system library: {' '.join(sorted(found))} "
                                          "in the runtime")
        if not self.distro:
            libs -= SLIM_HAS
        dev_libs = set(runtime_libraries(dev, family)) & libs
        if dev_libs and self.table_fits():
            plan.decisions.append("runtime libraries for the -dev packages of the build: " + " ".join(sorted(dev_libs)))
        if extra:
            plan.decisions.append(f"packages the app may use at run time installed too: {' '.join(sorted(set(extra)))}")
        plan.runtime_packages += sorted(libs | set(extra))
        if facts.find("crontab"):
            plan.warnings.append("crontab entries installed in the builder are not in the runtime stage: "
                                 "install them there (or run the job from the orchestrator)")

    # -------------------------------------------------------------- entry rewrite
    def rewrite(self, argv: list[str]) -> list[str] | None:
        new = strip_runner(argv)
        if new != argv:
            self.plan.decisions.append(f"{' '.join(argv[:len(argv) - len(new)])} dropped from the command: "
                                       "the runtime has the environment on PATH, not the tool")
        if new and self.venv:
            first = new[0]
            if re.match(r"^(/home/[^/]+|/root)/\.local/bin/", first) or (
                    first.startswith("/usr/local/bin/") and not self.distro):
                new = [f"{self.venv}/bin/{posixpath.basename(first)}", *new[1:]]
        return new if new != argv else None

    def entry_commands(self) -> None:
        """runtime.entry for exec-form commands; a shell command loses its runner prefix as text."""
        facts, plan = self.facts, self.plan
        shell = {ins.index for ins in (facts.entrypoint, facts.cmd)
                 if ins is not None and not ins.is_json and shell_form_to_argv(ins.args) is None}
        calls = iter([ins for ins in (facts.entrypoint, facts.cmd)
                      if ins is not None and not (ins.is_json and not ins.json_args)])

        def rewrite(argv: list[str]) -> list[str] | None:
            ins = next(calls, None)
            return None if ins is not None and ins.index in shell else self.rewrite(argv)

        runtime.entry(facts, plan, rewrite)
        for ins, attr in ((facts.entrypoint, "entrypoint"), (facts.cmd, "cmd")):
            if ins is not None and ins.index in shell:
                m = RUNNER_TEXT_RE.match(ins.args)
                if m:
                    setattr(plan, attr, ins.args[:m.start(2)] + ins.args[m.end():])
                    plan.fate(ins, REWRITTEN, f"{m.group(2).strip()} dropped: the runtime has the environment "
                              "on PATH, not the tool")

    # -------------------------------------------------------------- assemble
    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        build_env = set(BUILD_ENV) | {k for k in facts.env if k.startswith(BUILD_ENV_PREFIXES)}
        for ins in facts.stage.instructions:
            if ins.keyword == "ENV":
                build_env |= {k for k, _ in parse_key_values(ins.args) if k.startswith(BUILD_ENV_PREFIXES)}
        runtime.start(facts, plan, build_env)
        plan.extra["venv"] = None
        plan.runtime_base = self.runtime_base()
        self.setup_venv()
        self.rewrite_installs()
        plan.extra["venv"] = self.venv
        if self.venv:
            plan.copy(self.venv, self.venv, "the virtualenv with the app's dependencies")
        elif self.distro and self.installs:
            for path in ("/usr/local/lib", "/usr/local/bin"):
                plan.copy(path, path, "packages pip installed into the system Python")
        self.install_targets()
        if self.venv == VENV:
            site = f"{VENV}/lib/python3*/site-packages"
            # activation scripts for PowerShell, csh and fish: no container shell sources them
            plan.builder_append.append("# pip only installs: the runtime's virtualenv goes without it\n"
                                       f"RUN rm -rf {VENV}/bin/pip {VENV}/bin/pip3* {site}/pip {site}/pip-*.dist-info "
                                       f"{VENV}/bin/Activate.ps1 {VENV}/bin/activate.csh {VENV}/bin/activate.fish")
            plan.decisions.append("pip removed from the virtualenv at the end of the build (not needed at run time), "
                                  "with the activation scripts of shells the image has not (PowerShell, csh, fish)")
        self.copy_source()
        self._venv_inside_source()
        self._drop_build_tools()
        user = facts.user
        if (plan.builder_append and user and not is_root_user(user) and self._user_at_end()
                and (self.venv_owner != user or any(a.source == self.app_root for a in plan.artifacts))):
            # the clean-up msb appends touches files the build's own user does not own
            plan.builder_append[0] = ("# the clean-up below runs as root: the files belong to root\n"
                                      "USER root\n" + plan.builder_append[0])
            plan.builder_append[-1] += f"\nUSER {user}"
        self.runtime_packages()
        self.runtime_env()
        argv = command_argv(facts.entrypoint) or command_argv(facts.cmd)
        self._entry_script(argv)
        self.entry_commands()
        if plan.cmd is None and plan.entrypoint is None:
            plan.base_has_cmd = True
            plan.decisions.append("no CMD: the base image's default (python3) stays, as in the original")
        self.choose_flavour()
        if self.app_root == "/" and options.user is None and facts.user is None:
            # only root can create files in /: a non-root user could not write next to the app there
            options = dataclasses.replace(options, user="root")
            plan.decisions.append("runtime runs as root: the app lives in /, where only root can write (set a "
                                  "WORKDIR to run it as a non-root user)")
        runtime.finish(facts, plan, options, shell_base=plan.runtime_base)
        self.owner_of_data()
        self.warn_preinstalled()
        return plan

    def _drop_build_tools(self) -> None:
        """setuptools, pkg_resources and wheel leave msb's virtualenv unless the build shows a use
        (a step in the builder decides: only there is it known what was installed).

        Only where the runtime keeps the original's own base: there the virtualenv's copy of them is
        what would make the converted image larger than the original. On a smaller base the saving
        dwarfs their 9 MB, and the Dockerfile stays without a check step to review."""
        if self.venv != VENV or not same_image(self.plan.runtime_base, self.facts.image):
            return
        from msbrewrite.languages.python.build_tools import drop_step
        roots = [a.source for a in self.plan.artifacts if a.source != self.venv]
        step = drop_step(self.venv, roots)
        if len(step.encode()) > MAX_GENERATED_LINE:
            self.plan.decisions.append("setuptools and wheel stay in the virtualenv: the app is copied in too "
                                       "many pieces for one check step")
            return
        self.plan.builder_append.append(step)
        self.plan.decisions.append("setuptools, pkg_resources and wheel removed from the virtualenv at the end of "
                                   "the build unless an installed package or the app imports them")

    def _venv_inside_source(self) -> None:
        """A venv under the app directory comes with the whole-directory copy: do not copy it twice."""
        plan, root = self.plan, self.app_root
        if not self.venv or not root or root == "/" or not self.venv.startswith(root.rstrip("/") + "/"):
            return
        if root in self.staged:
            plan.decisions.append(f"the virtualenv {self.venv} is copied on its own, apart from {root}")
            return
        if any(a.source == root for a in plan.artifacts):
            plan.artifacts = [a for a in plan.artifacts if a.source != self.venv]
            plan.decisions.append(f"the virtualenv {self.venv} comes with the copy of {root}")

    def _entry_script(self, argv: list[str] | None) -> None:
        """An entrypoint script inside the copied app dir needs no copy of its own."""
        if not argv:
            return
        first = argv[1] if argv[0] in ("sh", "bash", "/bin/sh", "/bin/bash") and len(argv) > 1 else argv[0]
        path = posixpath.normpath(posixpath.join(self.facts.workdir, first))
        if self.app_root and self.app_root != "/" and path.startswith(self.app_root.rstrip("/") + "/") \
                and (self.app_root in self.plan.produced or self.app_root in self.staged):
            if first.endswith((".sh", ".bash")):
                self.plan.needs_shell = True
                self.plan.decisions.append(f"entrypoint script {first} comes with the app source; the runtime "
                                           "keeps a shell to run it")
            return
        runtime.entry_script(self.facts, self.plan, argv)

    def runtime_env(self) -> None:
        facts, plan = self.facts, self.plan
        lines = []
        if self.venv:
            lines += [f"VIRTUAL_ENV={env_value(self.venv)}", "PATH=" + _venv_path(self.venv)]
        for key in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
            if key not in facts.env:
                lines.append(f"{key}=1")
        if lines:
            plan.runtime_env.insert(0, "ENV " + " \\\n    ".join(lines))

    def choose_flavour(self) -> None:
        plan = self.plan
        flavour = self.options.flavour(NAME)
        if flavour in ("distroless",) or (flavour == "auto" and self.distro):
            interpreter = {"python3", "python3.11"}
            ok = (self.distro and self.venv and self.facts.image_name == "debian"
                  and re.match(r"^(bookworm|12)", self.facts.image_tag)
                  and not plan.needs_shell and set(plan.runtime_packages) <= interpreter)
            if ok:
                plan.runtime_packages = [p for p in plan.runtime_packages if p not in interpreter]
                plan.decisions = [d for d in plan.decisions if not d.startswith("packages the app may use")]
                plan.runtime_base = "gcr.io/distroless/python3-debian12"
                if plan.entrypoint is None and plan.cmd is not None:
                    plan.entrypoint = []    # the base's ENTRYPOINT is python3.11: CMD must not be its argument
                plan.decisions.append("distroless python3-debian12: the builder's Debian 12 python3 is the same "
                                      "interpreter at the same path, and nothing needs a shell")
            elif flavour == "distroless":
                plan.decisions.append(f"distroless python refused: its interpreter is Debian's python3.11 at "
                                      f"/usr/bin, the virtualenv was made for {self.facts.image}; {plan.runtime_base} kept")
        elif flavour in ("alpine", "scratch") and not self.facts.is_alpine:
            plan.decisions.append(f"{flavour} runtime refused: the virtualenv holds glibc builds for "
                                  f"{self.facts.image}; {plan.runtime_base} kept")

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

    def warn_preinstalled(self) -> None:
        """Full python images carry -dev libraries a source build may link without any apt line."""
        facts = self.facts
        if facts.context or not self.installs or self.distro or facts.is_alpine or "slim" in facts.image_tag:
            return
        self.plan.warnings.append(f"{facts.image} ships -dev libraries; without the build context the requirements "
                                  "were not read, so a package compiled against one (psycopg2 needs libpq5, "
                                  "mysqlclient libmariadb3) may need its library added to the runtime")


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return PythonPlanner(facts, detection, options).build()


def same_image(runtime: str, builder: str) -> bool:
    """Whether the runtime base is the builder's own image (a mirror or a digest aside)."""
    runtime, builder = runtime.split("@")[0], builder.split("@")[0]
    return runtime == builder or runtime.endswith("/" + builder)
