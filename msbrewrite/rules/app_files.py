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

import bisect
import fnmatch
import posixpath
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

from msbrewrite.model.analysis import StageFacts, is_root_user
from msbrewrite.model.plan import BuildPlan
from msbrewrite.rules.secret_files import DOTENV, decide, is_dotenv, keeps, record_dropped_dotenv, record_kept

STAGE_ROOT = "/tmp/msb-runtime"
WHY = "the app directory without build-only files"
BUILD_OUTPUT = "build output"      # a rule's kind for what a build writes (never in the context)
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
            return any(_name_match("/".join(parts[:i + 1]), anchored) for i in range(len(parts)))
        return any(_name_match(part, self.pattern) for part in parts)


@lru_cache(maxsize=65536)
def _name_match(name: str, pattern: str) -> bool:
    # a context holds the same names over and over (index.js, __init__.py): each pair is decided once
    return fnmatch.fnmatchcase(name, pattern)


class RuleMatcher:
    """Which of a list of rules match a path, at the cost of the path's depth: a name is tried
    against the name rules once per distinct name (a context repeats names), not once per file."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self._names = [(i, r.pattern) for i, r in enumerate(rules) if not r.pattern.startswith("./")]
        self._anchored = [(i, r.pattern[2:]) for i, r in enumerate(rules) if r.pattern.startswith("./")]
        self._by_name: dict[str, tuple[int, ...]] = {}

    def _name(self, name: str) -> tuple[int, ...]:
        hit = self._by_name.get(name)
        if hit is None:
            hit = self._by_name[name] = tuple(i for i, p in self._names if _name_match(name, p))
        return hit

    def matching(self, rel: str, names_only: bool = False) -> set[int]:
        """Indexes of the rules that match `rel` or one of its parents."""
        parts = rel.split("/")
        out = {i for part in parts for i in self._name(part)}
        if not names_only:
            prefixes = ["/".join(parts[:n + 1]) for n in range(len(parts))]
            out |= {i for i, pattern in self._anchored if any(_name_match(p, pattern) for p in prefixes)}
        return out

    def any(self, rel: str) -> bool:
        return bool(self.matching(rel))

    def first(self, rel: str) -> Rule | None:
        hit = self.matching(rel)
        return self.rules[min(hit)] if hit else None


_MATCHERS: dict[int, tuple[list[Rule], RuleMatcher]] = {}


def matcher(rules: list[Rule]) -> RuleMatcher:
    """The matcher of this very list of rules (kept while the list lives in the cache)."""
    entry = _MATCHERS.get(id(rules))
    if entry is None or entry[0] is not rules:
        if len(_MATCHERS) > 64:
            _MATCHERS.clear()
        entry = _MATCHERS[id(rules)] = (rules, RuleMatcher(rules))
    return entry[1]


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
# junk of every language, left out when the context shows it (without the context the language's own
# rules run alone, so a conversion without one stays as it was)
SHOWN_JUNK = (
    _rules("caches", "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".ipynb_checkpoints",
           ".sass-cache", ".eslintcache")
    + _rules("VCS and CI files", ".buildkite", "bitbucket-pipelines.yml", "appveyor.yml", ".appveyor.yml",
             ".woodpecker.yml", ".woodpecker", "codecov.yml", ".codecov.yml", "renovate.json", ".renovaterc*",
             ".mergify.yml", ".hadolint.yaml")
    + _rules("editor files", "*.swp", "*.swo", ".history", ".fleet", "*.code-workspace", ".devcontainer",
             "Thumbs.db")
)
# left out only when nothing the app runs or reads names them (the context shows it)
UNREAD_FOLDERS = ("docs", "doc")
NOTEBOOK_SUFFIX = ".ipynb"
FOREIGN_BINARY_SUFFIXES = (".exe", ".dll", ".msi", ".dylib", ".dmg")
# files whose text says what the app opens: code, templates and configuration (not prose such as a README)
_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".java", ".kt", ".scala",
                  ".groovy", ".rb", ".php", ".sh", ".html", ".htm", ".j2", ".jinja", ".tmpl", ".json", ".yaml",
                  ".yml", ".toml", ".ini", ".cfg", ".conf", ".properties", ".xml", ".env", ".vue", ".svelte")
_MAX_SCANNED = 3000
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
            if facts._is_dir_source(src, rel) or ("*" in src and _glob_names_dir(facts, rel)):
                found.append(dest)
            elif into_dir:
                found.append(dest)
    out: list[str] = []
    kept: set[str] = set()
    for d in sorted(set(found), key=len):
        # a base image directory (`ADD main.go /`) is never copied whole: it cannot hold the app's own ones;
        # the parents of d are looked up (a set), not every directory kept so far: linear in the COPY lines
        if not any(p in kept and not is_system_dir(p) for p in _parents(d)):
            out.append(d)
            kept.add(d)
    return out


def _parents(path: str) -> list[str]:
    """`/a/b/c` -> `/a/b`, `/a`, `/`."""
    out = []
    while path not in ("/", ""):
        path = posixpath.dirname(path)
        out.append(path or "/")
    return out


def _glob_names_dir(facts: StageFacts, pattern: str) -> bool:
    """Whether a COPY glob may match a directory, whose contents then fill the destination. A glob of
    files (`build/libs/*SNAPSHOT.jar` onto `app.jar`) makes the destination a file: never an app directory."""
    parent, name = posixpath.split(pattern)
    if not facts.context or "*" in parent or "?" in parent:
        return "." not in name      # `*.jar` names files; `conf*` may be a folder
    ctx = facts.context
    return any(fnmatch.fnmatchcase(e, name) and ctx.is_dir(posixpath.join(parent, e)) for e in ctx.listdir(parent))


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
        dir_rules = rules if files is None else _with_shown_junk(rules)
        dir_rules = dir_rules if files is None else dir_rules + _unread(facts, appdir, files, dir_rules)
        secrets = _secrets(facts, plan, appdir, files, dir_rules, skip)
        if not _worth_staging(facts, appdir, files, dir_rules, skip, language):
            plan.decisions.append(f"{appdir}: every file the context puts there is build-only; not copied")
            continue
        staging = STAGE_ROOT + appdir
        used = rules if files is None else _rules_in_play(files, dir_rules)
        step = _stage_step(appdir, staging, used, skip, secrets)
        plan.builder_append.append(step)
        # what the step reads, so a later clean-up of an excluded folder may run before it
        plan.extra.setdefault("staging_reads", {})[step] = (appdir, _excluded(appdir, used, skip))
        parent = posixpath.dirname(appdir)
        source = STAGE_ROOT + parent.rstrip("/") + "/"
        if source not in plan.produced:
            plan.copy(source, parent.rstrip("/") + "/", WHY)
        staged.append(appdir)
        plan.extra.setdefault("staged_app_dirs", []).append(appdir)
        _report(plan, appdir, files, dir_rules, skip, secrets)
    return staged


def _with_shown_junk(rules: list[Rule]) -> list[Rule]:
    have = {r.pattern for r in rules}
    return rules + [r for r in SHOWN_JUNK if r.pattern not in have]


def _unread(facts: StageFacts, appdir: str, files: list[str], rules: list[Rule]) -> list[Rule]:
    """Docs folders, notebooks and binaries for another platform that no code, template or configuration
    file of the app (nor the Dockerfile) names: the app never opens them. Any mention keeps them."""
    candidates: dict[str, str] = {}      # path relative to the app directory -> kind
    for f in files:
        head = f.split("/", 1)[0]
        if head in UNREAD_FOLDERS and "/" in f:
            candidates[head] = "docs the app never reads"
        elif f.endswith(NOTEBOOK_SUFFIX):
            candidates[f] = "notebooks the app never opens"
        elif f.lower().endswith(FOREIGN_BINARY_SUFFIXES):
            candidates[f] = "binaries for another platform"
    candidates = {c: k for c, k in candidates.items() if not matcher(rules).any(c)}
    if not candidates:
        return []
    text = _app_text(facts, appdir, files, set(candidates))
    return [Rule("./" + c, kind) for c, kind in sorted(candidates.items()) if not _named_in(posixpath.basename(c), text)]


def _app_text(facts: StageFacts, appdir: str, files: list[str], candidates: set[str]) -> str:
    """The text of the app's code, templates and configuration files, and of the Dockerfile."""
    root = facts.context_path(appdir) or ""
    parts = [facts.dockerfile.text]
    for f in [f for f in files if f.lower().endswith(_CODE_SUFFIXES)][:_MAX_SCANNED]:
        if f in candidates or f.split("/", 1)[0] in candidates:
            continue
        parts.append(facts.context.read(f if root in ("", ".") else posixpath.join(root, f)) or "")
    return "\n".join(parts)


def _named_in(name: str, text: str) -> bool:
    """`docs` in `"docs/index.html"` or `send_from_directory("docs", ...)`, not inside `mydocs` or `docs_url`."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def _only_build_inputs_in_root(facts: StageFacts, rules: list[Rule]) -> bool:
    """Every file a COPY put directly into / is a build input by name (`main.go`, `go.mod`)."""
    names = [posixpath.basename(src) for cp in facts.copies if not cp.from_stage and posixpath.normpath(cp.dest) == "/"
             for src in cp.sources]
    return bool(names) and all(n and "*" not in n and not facts._is_dir_source(n, n) and
                               matcher(rules).any(n) for n in names)


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


def _stage_step(appdir: str, staging: str, rules: list[Rule], skip: list[str], secrets: "Secrets") -> str:
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
        spared = _spared(r, secrets.keep) if r.kind == CREDENTIALS else []
        if spared:
            # a credential file the app reads stays: the name rule skips it (and its folder)
            test = "\\( " + test + "".join(f' ! -path "$s"/{shlex.quote(k)}' for k in spared) + " \\)"
        groups.setdefault(r.kind, []).append(test)
    if skip:
        groups["artifacts (copied on their own)"] = [path_test("./" + s) for s in skip]
    if secrets.drop:
        groups["secret-looking files the app does not read"] = [path_test("./" + d) for d in secrets.drop]
    groups[".env files"] = [secrets.env_test]
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
              BUILD_OUTPUT, DEV_DEPENDENCIES}
    generated = {"./target", "./build", "./.gradle", "./pkg/mod", "./vendor", "./.cargo"}
    # the context walk never lists __pycache__ folders: Python sources there are the sign of them
    beside_python = {"__pycache__", "*.pyc"} if any(f.endswith(".py") for f in files) else set()
    match = matcher(rules)
    shown = set().union(*(match.matching(f) for f in files)) if files else set()
    return [r for i, r in enumerate(rules) if r.kind in always or r.pattern in generated | beside_python
            or i in shown]


def _artifacts_inside(plan: BuildPlan, appdir: str) -> list[str]:
    """Artifacts under the app directory, relative to it: copied on their own, so left out of the stage."""
    prefix = appdir.rstrip("/") + "/"
    return sorted({a.source[len(prefix):].rstrip("/") for a in plan.artifacts
                   if a.source.startswith(prefix) and a.source[len(prefix):].strip("/")
                   and "*" not in a.source})


CREDENTIALS = "credential files"
ENV_TEST = ("\\( \\( -name .env -o -name '.env.*' \\) ! -name .env.example ! -name .env.sample "
            "! -name .env.template ! -name .env.dist")


@dataclass
class Secrets:
    env_test: str                   # the `find` test that deletes .env files (but those kept)
    keep: list[str]                 # secret-looking files the app reads (relative to the app directory)
    drop: list[str]                 # the others, no name rule removes them
    plain_env: list[str]            # .env files with nothing secret: configuration, kept


def _secrets(facts: StageFacts, plan: BuildPlan, appdir: str, files: list[str] | None, rules: list[Rule],
             skip: list[str]) -> Secrets:
    """What the staging step does with secret-looking files (see secret_files for the rule).

    Without the context every .env file is left out (its content is unknown); templates such as
    .env.example stay.
    """
    if files is None:
        return Secrets(ENV_TEST + " \\)", [], [], [])
    root = facts.context_path(appdir) or ""
    others = [r for r in rules if r.kind != CREDENTIALS]
    # what another rule removes anyway (tests, sources) is never the app's
    candidates = [f for f in files if not _build_only(f, others, skip)]
    found = decide(facts, candidates, root)
    secret_paths = {s.path for s in found}
    plain = [f for f in candidates if is_dotenv(posixpath.basename(f)) and f not in secret_paths]
    keep, drop = [], []
    line = _copy_line(facts, appdir)
    for s in found:
        where = posixpath.join(appdir, s.path)
        if keeps(facts, s):
            keep.append(s.path)
            record_kept(facts, plan, where, s, line)
            continue
        if s.kept:
            record_dropped_dotenv(plan, where, s)
        if s.kind != DOTENV and not matcher(rules).any(s.path):
            drop.append(s.path)
    kept_env = [k for k in plain + keep if is_dotenv(posixpath.basename(k))]
    env_test = ENV_TEST + "".join(f' ! -path "$s"/{shlex.quote(k)}' for k in kept_env) + " \\)"
    return Secrets(env_test, keep, drop, plain)


def _spared(rule: Rule, keep: list[str]) -> list[str]:
    """The kept files (and their folders) a credential name rule would remove."""
    out = []
    for k in keep:
        parts = k.split("/")
        for i in range(len(parts)):
            if fnmatch.fnmatchcase(parts[i], rule.pattern):
                out.append("/".join(parts[:i + 1]))
    return list(dict.fromkeys(out))


def _copy_line(facts: StageFacts, appdir: str) -> int | None:
    """The line of the first COPY from the context into the app directory (where a finding points)."""
    for cp in facts.copies:
        dest = posixpath.normpath(cp.dest)
        if not cp.from_stage and (dest == appdir or dest.startswith(appdir.rstrip("/") + "/")):
            return cp.ins.lineno
    return None


def _context_files(facts: StageFacts, appdir: str) -> list[str] | None:
    rel_root = facts.context_path(appdir)
    if rel_root is None:
        return None
    from msbrewrite.model.package_json import dockerignored
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
    return bool(programs - _QUIET_PROGRAMS - _QUIET_BY_LANGUAGE.get(language, set()))


def _copies_only_build_inputs(facts: StageFacts, appdir: str, rules: list[Rule], language: str) -> bool:
    sources = _copies_under(facts, appdir)
    if not sources:
        return False
    for src, cp in sources:
        name = posixpath.basename(posixpath.normpath(src))
        if language == "cpp" and "*" in name and "/" not in src.strip("/") and \
                any(r.matches(name) for r in rules if not r.pattern.startswith("./")):
            continue    # `COPY *.c ./`: a glob of sources only
        if src.strip("./") == "" or "*" in src or "$" in src:
            return False
        if (language in ("rust", "java") and name == "src") or (language == "cpp" and name in ("src", "include")):
            continue
        if not matcher(rules).matching(name, names_only=True):
            return False
    return True


def _copies_under(facts: StageFacts, appdir: str) -> list[tuple[str, object]]:
    """(source, copy) of every context COPY into `appdir` or below: a range of the copies sorted by
    destination, so a file of thousands of COPY lines into as many folders stays linear."""
    index = getattr(facts, "_copies_by_dest", None)
    if index is None:
        rows = sorted(((posixpath.normpath(cp.dest), src, cp) for cp in facts.copies if not cp.from_stage
                       for src in cp.sources), key=lambda r: r[0])
        index = facts._copies_by_dest = ([r[0] for r in rows], rows)
    keys, rows = index
    prefix = appdir.rstrip("/") + "/"
    out = [] if appdir == "/" else \
        [(src, cp) for _, src, cp in rows[bisect.bisect_left(keys, appdir):bisect.bisect_right(keys, appdir)]]
    start = bisect.bisect_left(keys, prefix)
    out += [(src, cp) for _, src, cp in rows[start:bisect.bisect_left(keys, prefix + "\U0010ffff")]]
    return out


# build steps that write nothing the app reads under its directory (only the artifact, caches, packages)
_QUIET_PROGRAMS = {"go", "cargo", "rustup", "rustc", "mvn", "./mvnw", "mvnw", "gradle", "./gradlew", "gradlew",
                   "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "mkdir", "cp", "mv", "install", "chmod",
                   "chown", "rm", "ls", "echo", "true", "strip", "upx", "useradd", "groupadd", "adduser",
                   "addgroup", "update-ca-certificates", "git", "export", "set", "cd", "test", "["}

# a compiler or make in a C/C++ build writes the binary and its objects, nothing the app reads
_QUIET_BY_LANGUAGE = {"cpp": {"gcc", "g++", "cc", "c++", "clang", "clang++", "cmake", "make", "gmake", "ninja",
                              "meson", "configure", "autoreconf", "autoconf", "automake", "aclocal", "autoheader",
                              "libtoolize", "autogen.sh"}}


def _build_only(rel: str, rules: list[Rule], skip: list[str]) -> bool:
    return matcher(rules).any(rel) or any(rel == s or rel.startswith(s + "/") for s in skip)


def _report(plan: BuildPlan, appdir: str, files: list[str] | None, rules: list[Rule], skip: list[str],
            secrets: Secrets) -> None:
    if files is None:
        kinds = dict.fromkeys(r.kind for r in rules)
        plan.decisions.append(f"{appdir} is copied without build-only files, removed by name in the builder "
                              f"({'; '.join(kinds)}; .env files)")
        return
    left: dict[str, list[str]] = {}
    for f in files:
        rule = matcher(rules).first(f)
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
    if secrets.plain_env:
        plan.decisions.append(f"{', '.join(secrets.plain_env)} kept: configuration with nothing that looks like a secret")
    if secrets.drop:
        plan.decisions.append(f"{appdir}: left out, as secret-looking files the app does not read: "
                              + ", ".join(secrets.drop))


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


def introduced_owner(facts: StageFacts, plan: BuildPlan) -> str | None:
    """The runtime user msb introduced, as uid:gid or name:name (None: root, or the original's own account)."""
    return _introduced_owner(facts, plan)


def _introduced_owner(facts: StageFacts, plan: BuildPlan) -> str | None:
    user = plan.user
    recreated = facts.user and user == facts.user and plan.extra.get("account_created") != user.split(":")[0]
    if not user or is_root_user(user) or (not is_root_user(facts.user) and recreated):
        return None
    return user if ":" in user or user.isdigit() else f"{user}:{user}"
