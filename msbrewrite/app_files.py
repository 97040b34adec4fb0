"""Run-time files: the runtime receives the app directory minus what is provably build-only.

A copy policy that adds known names (templates/, static/, string literals) loses every
convention it does not know: a `data/quotes.txt`, a `Rocket.toml`, a `configuration.yaml`.
So the policy is subtractive. The artifact stays precise (binary, jar, virtualenv, build
output, copied by the language), and each app directory (where the build copied the context)
reaches the runtime without:
- the language's own sources and build files (for compiled languages),
- VCS, CI, editor and Docker build files, tests, dependency caches,
- credential files (never shipped),
- the artifacts themselves (copied on their own).

The builder does the subtraction on a staged copy (`/tmp/msb-runtime/<app dir>`), so files the
build generated inside the app directory come along, and the same rule works without a
context. The staged copy lands in the runtime as a copied entry of its parent, so a runtime
user msb introduces owns the app directory itself, not only what is inside it.
"""
from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from dataclasses import dataclass

from .analysis import StageFacts, is_root_user
from .plan import BuildPlan
from .secrets import SECRET_RE

STAGE_ROOT = "/tmp/msb-runtime"
WHY = "the app directory without build-only files"
# what a build installs for itself only (the Node packages of a PHP or Rails asset build)
DEV_DEPENDENCIES = "dependencies of the build only"


@dataclass(frozen=True)
class Rule:
    pattern: str        # a name glob (any depth), or "./path" anchored at the app directory
    kind: str           # why it is build-only, for the report

    def matches(self, rel: str) -> bool:
        """Whether `rel` (a path relative to the app directory) or one of its parents matches."""
        parts = rel.split("/")
        if self.pattern.startswith("./"):
            anchored = self.pattern[2:]
            return any(fnmatch.fnmatchcase("/".join(parts[:i + 1]), anchored) for i in range(len(parts)))
        return any(fnmatch.fnmatchcase(part, self.pattern) for part in parts)


def _rules(kind: str, *patterns: str) -> list[Rule]:
    return [Rule(p, kind) for p in patterns]


COMMON = (
    _rules("VCS and CI files", ".git", ".gitignore", ".gitattributes", ".gitmodules", ".github", ".gitlab",
           ".gitlab-ci.yml", ".circleci", ".travis.yml", "Jenkinsfile*", ".drone.yml", "azure-pipelines.yml",
           ".pre-commit-config.yaml")
    + _rules("Docker build files", "Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", ".dockerignore",
             "docker-compose*.yml", "docker-compose*.yaml", "compose.yml", "compose.yaml")
    + _rules("editor files", ".idea", ".vscode", ".editorconfig", ".DS_Store")
    + _rules("tests", "./test", "./tests", "__tests__")
    + _rules("credential files", ".npmrc", ".pypirc", ".netrc", ".git-credentials", ".ssh", "id_rsa", "id_dsa",
             "id_ecdsa", "id_ed25519")
)

BUILD_ONLY = {
    "go": _rules("Go sources and build files", "*.go", "go.mod", "go.sum", "go.work", "go.work.sum", "./vendor",
                 "testdata", ".golangci.yml", ".golangci.yaml", ".goreleaser.yml", ".goreleaser.yaml", "./pkg/mod"),
    "rust": _rules("Rust sources and build files", "*.rs", "Cargo.toml", "Cargo.lock", "./target", "./.cargo",
                   "rust-toolchain", "rust-toolchain.toml", "./benches", "clippy.toml", "rustfmt.toml",
                   ".rustfmt.toml"),
    "java": _rules("Java sources and build files", "*.java", "*.kt", "pom.xml", "mvnw", "mvnw.cmd", "./.mvn",
                   "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradlew",
                   "gradlew.bat", "./gradle", "./.gradle", "./target", "./build", "./src/test"),
    "python": _rules("Python caches and local environments", "__pycache__", "*.pyc", ".pytest_cache",
                     ".mypy_cache", ".ruff_cache", ".tox", ".nox", "htmlcov", ".coverage", "./.venv", "./venv"),
    "node": _rules("dependencies (copied on their own)", "./node_modules"),
}
# tooling a Node project runs at development time only
NODE_TOOLING = (_rules("development tooling", ".husky", ".nyc_output", "./coverage", ".eslintrc*", ".eslintignore",
                       ".prettierrc*", ".prettierignore", "jest.config.*", "vitest.config.*", ".mocharc*")
                + _rules("tests", "./cypress", "./e2e"))
# build-only for a compiled language: the Makefile drives the compiler
MAKE = _rules("build scripts", "Makefile", "*.mk")
# dependency folders never worth staging twice: excluded from the staging archive at the top level
HEAVY = ("./.git", "./node_modules", "./target", "./vendor", "./.venv", "./venv", "./.gradle", "./pkg/mod", "./build")
ENV_FILE_RE = re.compile(r"^\.env(\.[\w.-]+)?$")
ENV_TEMPLATE_RE = re.compile(r"^\.env\.(example|sample|template|dist)$")
_SYSTEM = ("/", "/bin", "/sbin", "/lib", "/lib64", "/usr", "/etc", "/var", "/opt", "/home", "/root", "/tmp",
           "/proc", "/sys", "/dev", "/run", "/boot", "/mnt", "/media")


def rules_for(language: str) -> list[Rule]:
    out = list(COMMON) + BUILD_ONLY.get(language, [])
    if language in ("go", "rust", "java"):
        out += MAKE
    return out


def app_dirs(facts: StageFacts) -> list[str]:
    """Directories the build copied the context into (nested ones folded into their parent)."""
    found: list[str] = []
    for cp in facts.copies:
        if cp.from_stage or "$" in cp.dest:
            continue
        dest = posixpath.normpath(cp.dest)
        into_dir = cp.dest.endswith("/") or len(cp.sources) > 1
        for src in cp.sources:
            rel = posixpath.normpath(src.lstrip("/")) if src.strip("./") else "."
            if facts._is_dir_source(src, rel) or "*" in src:
                found.append(dest)
            elif into_dir:
                found.append(dest)
    out: list[str] = []
    for d in sorted(set(found), key=len):
        # a base image directory (`ADD main.go /`) is never copied whole: it cannot hold the app's own ones
        if not any(d == o or (d.startswith(o.rstrip("/") + "/") and not is_system_dir(o)) for o in out):
            out.append(d)
    return out


_SYSTEM_TREES = ("/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/include", "/usr/share",
                 "/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/local/include", "/usr/local/share",
                 "/etc", "/bin", "/sbin", "/lib", "/lib64", "/proc", "/sys", "/dev", "/var/lib", "/var/cache",
                 "/tmp", "/run", "/boot")


def is_system_dir(path: str) -> bool:
    """A directory the base image owns: never staged as an app directory."""
    return path in _SYSTEM or path in ("/usr/local", "/usr/src", "/var/www") or \
        any(path == t or path.startswith(t + "/") for t in _SYSTEM_TREES)


def stage(facts: StageFacts, plan: BuildPlan, language: str, appdirs: list[str] | None = None,
          extra: list[Rule] | None = None) -> list[str]:
    """Copy each app directory to the runtime minus its build-only files. Returns the directories staged."""
    rules = rules_for(language) + list(extra or [])
    staged = []
    todo = list(appdirs if appdirs is not None else app_dirs(facts))
    if "/" in todo:
        todo = _root_entries(facts, plan, rules, todo)
    for appdir in todo:
        if is_system_dir(appdir):
            if appdir == "/" and _only_build_inputs_in_root(facts, rules):
                continue        # `ADD main.go /`: nothing there for the runtime
            plan.warnings.append(f"the build copies files into {appdir}, a directory of the base image: it is "
                                 "not copied whole; list what the app reads there under extra-paths")
            continue
        skip = _artifacts_inside(plan, appdir)
        # what docker build sends under this directory (None without a context): read once, used below
        files = _context_files(facts, appdir) if facts.context else None
        drop_env, keep_env = _env_files(facts, appdir, files)
        if not _worth_staging(facts, appdir, files, rules, skip, language):
            plan.decisions.append(f"{appdir}: every file the context puts there is build-only; not copied")
            continue
        staging = STAGE_ROOT + appdir
        used = rules if files is None else _rules_in_play(files, rules)
        step = _stage_step(appdir, staging, used, skip, drop_env)
        plan.builder_append.append(step)
        # what the step reads, so a later clean-up of an excluded folder may run before it
        plan.extra.setdefault("staging_reads", {})[step] = (appdir, _excluded(appdir, used, skip))
        parent = posixpath.dirname(appdir)
        source = STAGE_ROOT + parent.rstrip("/") + "/"
        if source not in plan.produced:
            plan.copy(source, parent.rstrip("/") + "/", WHY)
        staged.append(appdir)
        plan.extra.setdefault("staged_app_dirs", []).append(appdir)
        _report(plan, appdir, files, rules, skip, keep_env)
    return staged


def _only_build_inputs_in_root(facts: StageFacts, rules: list[Rule]) -> bool:
    """Every file a COPY put directly into / is a build input by name (`main.go`, `go.mod`)."""
    names = [posixpath.basename(src) for cp in facts.copies if not cp.from_stage and posixpath.normpath(cp.dest) == "/"
             for src in cp.sources]
    return bool(names) and all(n and "*" not in n and not facts._is_dir_source(n, n) and
                               any(r.matches(n) for r in rules) for n in names)


_TOP_SYSTEM = {p.strip("/") for p in _SYSTEM + _SYSTEM_TREES if p.count("/") == 1} | {"srv", "usr", "var"}


def _root_entries(facts: StageFacts, plan: BuildPlan, rules: list[Rule], todo: list[str]) -> list[str]:
    """The context copied whole into / (`WORKDIR /` + `COPY . .`): / itself is the base image's, but each
    top-level entry of the context that holds a run-time file is the app's: a folder is staged like
    any app directory, a file copied on its own."""
    files = _context_files(facts, "/") if facts.context else None
    if not files:
        return todo
    skip = _artifacts_inside(plan, "/")
    names: dict[str, bool] = {}                      # top-level name -> is a folder
    for f in files:
        if not _build_only(f, rules, skip):
            head, _, rest = f.partition("/")
            names[head] = names.get(head, False) or bool(rest)
    if any(n in _TOP_SYSTEM for n in names):
        return todo                                  # it merges with the system's folders: keep the warning
    out = [d for d in todo if d != "/"]
    for name, folder in sorted(names.items()):
        path = "/" + name
        if folder:
            if path not in out:
                out.append(path)
        elif path not in plan.produced:
            plan.copy(path, path, "app source")
    plan.decisions.append("the context is copied into /: its top-level entries with run-time files are copied one "
                          f"by one ({', '.join(sorted(names))})")
    return out


def _stage_step(appdir: str, staging: str, rules: list[Rule], skip: list[str], drop_env: list[str]) -> str:
    """The builder step: copy the app directory to `staging`, then delete the build-only paths there."""
    anchored = [r.pattern for r in rules if r.pattern.startswith("./") and "*" not in r.pattern]
    # an artifact inside a folder a rule removes anyway needs no test of its own
    skip = [s for s in skip if not any(f"./{s}" == p or f"./{s}".startswith(p + "/") for p in anchored)]
    heavy = [r.pattern for r in rules if r.pattern in HEAVY] + [f"./{s}" for s in skip]
    groups: dict[str, list[str]] = {}

    def path_test(pattern: str) -> str:     # anchored at the staged copy ($s), not at a `cd`
        return f'-path "$s"/{shlex.quote(pattern[2:])}'

    for r in rules:
        test = path_test(r.pattern) if r.pattern.startswith("./") else f"-name {shlex.quote(r.pattern)}"
        groups.setdefault(r.kind, []).append(test)
    if skip:
        groups["artifacts (copied on their own)"] = [path_test("./" + s) for s in skip]
    if drop_env:
        groups[".env files"] = drop_env
    lines = [" -o ".join(tests) for tests in groups.values()]
    tar_ex = "".join(f" --exclude={shlex.quote(p)}" for p in dict.fromkeys(heavy))
    q_app, q_stage = shlex.quote(appdir), shlex.quote(staging)
    # no pipe and no cd: the step reads the same under hadolint's DL4006 and DL3003
    step = (f"# the runtime's copy of {appdir}: everything but what only the build needs\n"
            f"RUN s={q_stage} && mkdir -p \"$s\" \\\n"
            f"    && tar -C {q_app}{tar_ex} -cf /tmp/msb-runtime.tar . \\\n"
            f"    && tar -C \"$s\" -xf /tmp/msb-runtime.tar && rm /tmp/msb-runtime.tar")
    if lines:
        step += (" \\\n    && find \"$s\" -depth \\( " + " \\\n        -o ".join(lines)
                 + " \\) -exec rm -rf {} +")
    return step


def _excluded(appdir: str, rules: list[Rule], skip: list[str]) -> list[str]:
    """The absolute paths the staging archive leaves out (the step never reads them)."""
    heavy = [r.pattern[2:] for r in rules if r.pattern in HEAVY] + skip
    return [posixpath.join(appdir, p) for p in heavy]


def _rules_in_play(files: list[str], rules: list[Rule]) -> list[Rule]:
    """With the context, only the rules that match a file there, plus those for what a build writes
    (output folders, caches) and for credentials a RUN may create (without it, all of them apply)."""
    always = {"credential files", "Python caches and local environments", "dependencies (copied on their own)",
              DEV_DEPENDENCIES}
    generated = {"./target", "./build", "./.gradle", "./pkg/mod", "./vendor", "./.cargo"}
    return [r for r in rules if r.kind in always or r.pattern in generated or any(r.matches(f) for f in files)]


def _artifacts_inside(plan: BuildPlan, appdir: str) -> list[str]:
    """Artifacts under the app directory, relative to it: copied on their own, so left out of the stage."""
    prefix = appdir.rstrip("/") + "/"
    return sorted({a.source[len(prefix):].rstrip("/") for a in plan.artifacts
                   if a.source.startswith(prefix) and a.source[len(prefix):].strip("/")
                   and "*" not in a.source})


def _env_files(facts: StageFacts, appdir: str, files: list[str] | None) -> tuple[list[str], list[str]]:
    """(`find` tests that delete .env files, .env files kept as plain configuration).

    A .env file is configuration the app may read (viper, dotenv); it is kept only when the
    context shows it holds nothing that looks like a secret. Any other .env file (one the
    context holds secrets in, one a RUN step writes, every one when there is no context) is
    left out; templates such as .env.example stay.
    """
    keep = []
    root = facts.context_path(appdir) if files else ""
    for rel in files or []:
        name = posixpath.basename(rel)
        if ENV_FILE_RE.match(name) and not ENV_TEMPLATE_RE.match(name) and \
                not _holds_secrets(facts.context.read(rel if root in ("", ".") else posixpath.join(root, rel)) or ""):
            keep.append(rel)
    test = ("\\( \\( -name .env -o -name '.env.*' \\) ! -name .env.example ! -name .env.sample "
            "! -name .env.template ! -name .env.dist"
            + "".join(f' ! -path "$s"/{shlex.quote(k)}' for k in keep) + " \\)")
    return [test], keep


def _holds_secrets(text: str) -> bool:
    for line in text.splitlines():
        key, _, value = line.strip().removeprefix("export ").partition("=")
        if not value.strip():
            continue
        if SECRET_RE.search(key) or re.search(r"://[^/\s:@]+:[^/\s@]+@", value):
            return True
    return False


def _context_files(facts: StageFacts, appdir: str) -> list[str] | None:
    rel_root = facts.context_path(appdir)
    if rel_root is None:
        return None
    from .languages.node_pkg import dockerignored
    base = "" if rel_root in (".", "") else rel_root.rstrip("/") + "/"
    return [f[len(base):] for f in facts.context.files()
            if f.startswith(base) and not dockerignored(facts.context, f)]


def _worth_staging(facts: StageFacts, appdir: str, files: list[str] | None, rules: list[Rule], skip: list[str],
                   language: str) -> bool:
    """False when nothing under the app directory can be needed at run time: the context shows only
    build-only files there (or, without it, every COPY into it names build inputs: `Cargo.toml`,
    `src/` of a Rust or Java project), and no build step but the compiler could have written there."""
    if files is None:
        if not _copies_only_build_inputs(facts, appdir, rules, language):
            return True
    elif any(not _build_only(f, rules, skip) for f in files):
        return True
    programs = {c.program for s in facts.steps if s.ins.keyword == "RUN" for c in s.commands}
    return bool(programs - _QUIET_PROGRAMS)


def _copies_only_build_inputs(facts: StageFacts, appdir: str, rules: list[Rule], language: str) -> bool:
    prefix = appdir.rstrip("/") + "/"
    sources = [(src, cp) for cp in facts.copies if not cp.from_stage
               for src in cp.sources if posixpath.normpath(cp.dest) == appdir
               or posixpath.normpath(cp.dest).startswith(prefix)]
    if not sources:
        return False
    for src, cp in sources:
        name = posixpath.basename(posixpath.normpath(src))
        if src.strip("./") == "" or "*" in src or "$" in src:
            return False
        if language in ("rust", "java") and name == "src":
            continue
        if not any(r.matches(name) for r in rules if not r.pattern.startswith("./")):
            return False
    return True


# build steps that write nothing the app reads under its directory (only the artifact, caches, packages)
_QUIET_PROGRAMS = {"go", "cargo", "rustup", "rustc", "mvn", "./mvnw", "mvnw", "gradle", "./gradlew", "gradlew",
                   "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "mkdir", "cp", "mv", "install", "chmod",
                   "chown", "rm", "ls", "echo", "true", "strip", "upx", "useradd", "groupadd", "adduser",
                   "addgroup", "update-ca-certificates", "git", "export", "set", "cd", "test", "["}


def _build_only(rel: str, rules: list[Rule], skip: list[str]) -> bool:
    return any(r.matches(rel) for r in rules) or any(rel == s or rel.startswith(s + "/") for s in skip)


def _report(plan: BuildPlan, appdir: str, files: list[str] | None, rules: list[Rule], skip: list[str],
            kept_env: list[str]) -> None:
    if files is None:
        kinds = dict.fromkeys(r.kind for r in rules)
        plan.decisions.append(f"{appdir} is copied without build-only files, removed by name in the builder "
                              f"({'; '.join(kinds)}; .env files)")
        return
    left: dict[str, list[str]] = {}
    for f in files:
        rule = next((r for r in rules if r.matches(f)), None)
        if rule is not None:
            shown = _shown(f, rule)
            bucket = left.setdefault(rule.kind, [])
            if shown not in bucket:
                bucket.append(shown)
    kept = len([f for f in files if not _build_only(f, rules, skip)])
    parts = [f"{kind}: {', '.join(names[:5])}" + (f" and {len(names) - 5} more" if len(names) > 5 else "")
             for kind, names in left.items()]
    plan.decisions.append(f"{appdir} is copied ({kept} file(s) from the context and what the build wrote there)"
                          + (" without " + "; ".join(parts) if parts else ""))
    if kept_env:
        plan.decisions.append(f"{', '.join(kept_env)} kept: configuration with nothing that looks like a secret")


def _shown(rel: str, rule: Rule) -> str:
    """The path a rule removed, at the level it removed it (a directory, or a file pattern)."""
    parts = rel.split("/")
    for i in range(len(parts)):
        head = "/".join(parts[:i + 1])
        if rule.pattern.startswith("./") and fnmatch.fnmatchcase(head, rule.pattern[2:]):
            return head + ("/" if i < len(parts) - 1 else "")
        if not rule.pattern.startswith("./") and fnmatch.fnmatchcase(parts[i], rule.pattern):
            if i < len(parts) - 1:
                return head + "/"
            return rule.pattern if "*" in rule.pattern else head
    return rel


def owned_by_runtime_user(facts: StageFacts, plan: BuildPlan) -> None:
    """When msb chose the runtime user (the original ran as root, or as an account the runtime does
    not recreate), that user owns the app directories and state paths: the original could write there."""
    owner = _introduced_owner(facts, plan)
    if owner is None:
        return      # root, or the original's own account recreated with its uid: builder ownership is kept
    for art in plan.artifacts:
        if art.why == WHY and not art.chown:
            art.chown = owner


# artifacts a staged app directory already carries when they lie inside it
_REDUNDANT = ("read at run time", "config file named on the command line", "entrypoint script", "app source",
              "extra path from configuration")


def drop_redundant(plan: BuildPlan) -> None:
    """Remove single-file copies that a staged app directory already brings."""
    dirs = plan.extra.get("staged_app_dirs", [])
    plan.artifacts = [art for art in plan.artifacts
                      if not (art.why.startswith(_REDUNDANT) and art.source == art.dest and
                              any(art.source.startswith(d.rstrip("/") + "/") for d in dirs))]


# names of folders an app writes to at run time (logs, uploads, databases)
_STATE_NAME_RE = re.compile(r"^(data|logs?|uploads?|media|storage|db|database|files|sessions|cache|state|tmp|"
                            r"backups?|var|run|sqlite|attachments|downloads)$", re.I)
_NOT_STATE = ("/tmp", "/root", "/usr", "/etc", "/proc", "/sys", "/dev", "/bin", "/sbin", "/lib", "/lib64",
              "/var/lib/apt", "/var/lib/dpkg", "/var/cache", "/run", "/opt/venv", "/go", "/usr/local")


def carry_state_dirs(facts: StageFacts, plan: BuildPlan) -> None:
    """Folders the build made for the app to write in (`mkdir -p /data`, `chmod 777 /var/log/app`)
    exist in the runtime too, owned by the user msb introduced (a root original could write them)."""
    made: dict[str, str] = {}
    for c in facts.commands():
        if c.program == "mkdir":
            for w in c.argv[1:]:
                if not w.startswith("-") and "$" not in w and "*" not in w:
                    path = posixpath.normpath(posixpath.join(c.cwd, w))
                    if _STATE_NAME_RE.match(posixpath.basename(path)):
                        made.setdefault(path, "made by mkdir in the build")
        elif c.program == "chown" or (c.program == "chmod" and _grants_write(c.argv)):
            words = [w for w in c.argv[1:] if not w.startswith("-")][1:]
            for w in words:
                path = posixpath.normpath(posixpath.join(c.cwd, w))
                if "$" not in w and "*" not in w and posixpath.basename(path) and "." not in posixpath.basename(path):
                    made[path] = f"given to the app by {c.program} in the build"
    staged = plan.extra.get("staged_app_dirs", [])
    taken = {a.source.rstrip("/") for a in plan.artifacts} | {a.dest.rstrip("/") for a in plan.artifacts}
    owner = _introduced_owner(facts, plan)
    for path, why in sorted(made.items()):
        if path in ("/", "") or any(path == n or path.startswith(n + "/") for n in _NOT_STATE) or \
                any(path == d or path.startswith(d.rstrip("/") + "/") for d in staged) or path in taken or \
                any(t.startswith(path + "/") for t in taken):
            continue
        art = plan.copy(path, path, f"state folder ({why})")
        art.chown = owner
        plan.decisions.append(f"{path} exists in the runtime too ({why})" +
                              (f", owned by {owner}" if owner else ""))


def _grants_write(argv: list[str]) -> bool:
    """`chmod 777 DIR`, `chmod -R g+w DIR`: the build opened DIR for writing (not `chmod +x script`)."""
    words = [w for w in argv[1:] if not w.startswith("-")]
    mode = words[0] if words else ""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return any(d in "2367" for d in mode[-2:])
    return "w" in mode


def _introduced_owner(facts: StageFacts, plan: BuildPlan) -> str | None:
    user = plan.user
    recreated = facts.user and user == facts.user and plan.extra.get("account_created") != user.split(":")[0]
    if not user or is_root_user(user) or (not is_root_user(facts.user) and recreated):
        return None
    return user if ":" in user or user.isdigit() else f"{user}:{user}"
