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

This module decides which directories are the app's (`app_dirs`), holds the rules table (what is
build-only for every language and for each one) and runs `stage`, the step every language calls.
The pieces it puts together: app_matching (which rules match a path), system_dirs (the base
image's folders), loose_files (files a COPY names one by one), unread_files (docs and
notebooks nothing reads), staging_secrets (secret-looking files), worth_staging (whether a directory
holds anything for run time), staging_step (the builder step's text), staging_report (what the
report says); app_ownership settles the owner and the state folders once the runtime user is known.
"""
from __future__ import annotations

import fnmatch
import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import BuildPlan
from msbrewrite.rules.app_matching import Rule, build_only, matcher
from msbrewrite.rules.asset_folders import asset_folders, asset_paths
from msbrewrite.rules.staging_report import report
from msbrewrite.rules.staging_secrets import staging_secrets
from msbrewrite.rules.staging_step import STAGE_ROOT, WHY, excluded, stage_loop, stage_step, step_key
from msbrewrite.rules.unread_files import unread
from msbrewrite.rules.loose_files import beside_folders, removed_paths
from msbrewrite.rules.system_dirs import TOP_SYSTEM, is_system_dir
from msbrewrite.rules.worth_staging import worth_staging

BUILD_OUTPUT = "build output"      # a rule's kind for what a build writes (never in the context)
# what a build installs for itself only (the Node packages of a PHP or Rails asset build)
DEV_DEPENDENCIES = "dependencies of the build only"


def _rules(kind: str, *patterns: str) -> list[Rule]:
    return [Rule(p, kind) for p in patterns]


COMMON = (
    _rules("VCS and CI files", ".git", ".gitignore", ".gitattributes", ".gitmodules", ".github", ".gitlab",
           ".gitlab-ci.yml", ".circleci", ".travis.yml", "Jenkinsfile*", ".drone.yml", "azure-pipelines.yml",
           ".pre-commit-config.yaml")
    + _rules("Docker build files", "Dockerfile", "Dockerfile.*", "*.Dockerfile", "dockerfile", "*.dockerfile",
             "Containerfile", ".dockerignore",
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
    for d in sorted(dict.fromkeys(found), key=len):     # same length: in the order the build copied them
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


def stage(facts: StageFacts, plan: BuildPlan, language: str, appdirs: list[str] | None = None,
          extra: list[Rule] | None = None) -> list[str]:
    """Copy each app directory to the runtime minus its build-only files. Returns the directories staged."""
    rules = rules_for(language) + list(extra or []) + _installed_debs(facts)
    staged = []
    steps: dict[tuple[str, str], list] = {}          # one builder step per set of paths left out
    todo = list(appdirs if appdirs is not None else app_dirs(facts))
    if "/" in todo:
        todo = _root_entries(facts, plan, rules, todo)
    for appdir in todo:
        if is_system_dir(appdir):
            if appdir == "/" and _only_build_inputs_in_root(facts, rules):
                continue        # `ADD main.go /`: nothing there for the runtime
            if appdir != "/" and _copied_one_by_one(facts, plan, rules, appdir, todo):
                continue
            plan.warnings.append(f"the build copies files into {appdir}, a directory of the base image: it is "
                                 "not copied whole; list what the app reads there under extra-paths")
            continue
        skip = _artifacts_inside(plan, appdir)
        # what docker build sends under this directory (None without a context): read once, used below
        files = _context_files(facts, appdir) if facts.context else None
        dir_rules = rules if files is None else _with_shown_junk(rules)
        dir_rules = dir_rules if files is None else dir_rules + unread(facts, appdir, files, dir_rules)
        secrets = staging_secrets(facts, plan, appdir, files, dir_rules, skip)
        if not worth_staging(facts, appdir, files, dir_rules, skip, language):
            plan.decisions.append(f"{appdir}: every file the context puts there is build-only; not copied")
            continue
        used = rules if files is None else _rules_in_play(files, dir_rules)
        steps.setdefault(step_key(used, skip, secrets), []).append((appdir, used, skip, secrets))
        parent = posixpath.dirname(appdir)
        source = STAGE_ROOT + parent.rstrip("/") + "/"
        if source not in plan.produced:
            plan.copy(source, parent.rstrip("/") + "/", WHY)
        staged.append(appdir)
        plan.extra.setdefault("staged_app_dirs", []).append(appdir)
        unlisted = asset_paths(facts, appdir, dir_rules, skip) if files is not None else []
        report(plan, appdir, files, dir_rules, skip, secrets, unlisted)
    for group in steps.values():
        # directories that leave out the same paths share one step (one layer, one copy of the rules)
        appdir, used, skip, secrets = group[0]
        step = (stage_step(appdir, STAGE_ROOT + appdir, used, skip, secrets) if len(group) == 1
                else stage_loop([g[0] for g in group], used, skip, secrets))
        plan.builder_append.append(step)
        # what the step reads, so a later clean-up of an excluded folder may run before it
        plan.extra.setdefault("staging_reads", {})[step] = [(d, excluded(d, u, k)) for d, u, k, _ in group]
    beside_folders(facts, plan, staged, rules)
    plan.extra["app_file_rules"] = rules
    plan.extra.setdefault("app_dirs_seen", []).extend(todo)
    return staged


def _installed_debs(facts: StageFacts) -> list[Rule]:
    """The .deb files the build installs: the runtime gets the packages' files (local_packages),
    never the archive."""
    from msbrewrite.rules.local_packages import local_debs
    return [Rule(posixpath.basename(d), "a package the build installs (its files are carried)")
            for d in local_debs(facts)]


def _with_shown_junk(rules: list[Rule]) -> list[Rule]:
    have = {r.pattern for r in rules}
    return rules + [r for r in SHOWN_JUNK if r.pattern not in have]


def _only_build_inputs_in_root(facts: StageFacts, rules: list[Rule]) -> bool:
    """Every file a COPY put directly into / is a build input by name (`main.go`, `go.mod`)."""
    names = [posixpath.basename(src) for cp in facts.copies if not cp.from_stage and posixpath.normpath(cp.dest) == "/"
             for src in cp.sources]
    return bool(names) and all(n and "*" not in n and not facts._is_dir_source(n, n) and
                               matcher(rules).any(n) for n in names)


def _root_entries(facts: StageFacts, plan: BuildPlan, rules: list[Rule], todo: list[str]) -> list[str]:
    """The context copied whole into / (`WORKDIR /` + `COPY . .`): / itself is the base image's, but each
    top-level entry of the context that holds a run-time file is the app's: a folder is staged like
    any app directory, a file copied on its own."""
    files = _context_files(facts, "/") if facts.context else None
    if not files:
        return todo
    skip = _artifacts_inside(plan, "/")
    names: dict[str, bool] = {}                      # top-level name -> is a folder
    left_out: dict[str, str] = {}                    # top-level name -> why (every file under it is build-only)
    for f in files:
        head, _, rest = f.partition("/")
        if not build_only(f, rules, skip):
            names[head] = names.get(head, False) or bool(rest)
        elif head not in skip:
            rule = matcher(rules).first(f)
            left_out.setdefault(head, rule.kind if rule else "build-only")
    for head in asset_folders(facts, "/", rules, skip):
        names[head] = True
    if any(n in TOP_SYSTEM for n in names):
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
    gone = sorted(n for n in left_out if n not in names)
    if gone:
        kinds = ", ".join(dict.fromkeys(left_out[n] for n in gone))
        plan.decisions.append(f"/: left out of the runtime, as only the build uses them ({kinds}): {', '.join(gone)}")
    return out


# names a base image's own folders hold (/usr/local/bin, /usr/src/linux): an app entry by one of
# these names merges with the system's files, so the folder is not split into entries
_BASE_NAMES = {"bin", "sbin", "lib", "lib64", "libexec", "share", "include", "etc", "src", "games", "man", "local",
               "html", "linux"}


def _copied_one_by_one(facts: StageFacts, plan: BuildPlan, rules: list[Rule], appdir: str,
                       todo: list[str]) -> bool:
    """The app in a folder of the base image (`WORKDIR /usr/src` + `COPY app.py .`): the folder is
    the system's, but what the build's COPY lines put there is the app's: a folder is staged like any
    app directory (appended to `todo`), a file copied on its own. False when that cannot be told."""
    if appdir in ("/tmp", "/var/tmp") or appdir.startswith(("/tmp/", "/var/tmp/")):
        plan.decisions.append(f"{appdir}: what the build copied there is scratch for the build; not copied")
        return True
    entries = _copied_entries(facts, appdir)
    if not entries or any(n in _BASE_NAMES for n in entries):
        return False
    skip = _artifacts_inside(plan, appdir)
    removed = set(removed_paths(facts))
    kept = []
    for name, folder in sorted(entries.items()):
        path = posixpath.join(appdir, name)
        if name in skip or path in removed or (not folder and build_only(name, rules, skip)):
            continue
        kept.append(name)
        if folder:
            if path not in todo:
                todo.append(path)
        elif path not in plan.produced:
            plan.copy(path, path, "app source")
    plan.decisions.append(f"{appdir} is a folder of the base image: what the build copied there is copied one by "
                          f"one ({', '.join(kept) or 'nothing the app runs'})")
    return True


def _copied_entries(facts: StageFacts, appdir: str) -> dict[str, bool] | None:
    """Top-level names the build's COPY/ADD lines put into `appdir`, each with whether it is a folder;
    None when a line into it cannot be read that far (a glob, a variable, a folder source without the
    context). Lines into other folders do not matter."""
    out: dict[str, bool] = {}
    prefix = appdir.rstrip("/") + "/"
    for cp in facts.copies:
        dest = posixpath.normpath(cp.dest)
        if cp.from_stage or not (dest == appdir or dest.startswith(prefix)):
            continue
        into_dir = cp.dest.endswith("/") or len(cp.sources) > 1
        for src in cp.sources:
            if "$" in src or "$" in cp.dest or any(ch in src for ch in "*?[") or "://" in src:
                return None
            rel = posixpath.normpath(src.lstrip("/")) if src.strip("./") else "."
            if facts._is_dir_source(src, rel):
                if dest == appdir:
                    files = _context_files(facts, appdir) if facts.context else None
                    if files is None:
                        return None
                    for f in files:
                        head, _, rest = f.partition("/")
                        out[head] = out.get(head, False) or bool(rest)
                    continue
                target, folder = dest, True
            else:
                target, folder = (posixpath.join(dest, posixpath.basename(rel)) if into_dir else dest), False
            if target.startswith(prefix):
                head, _, rest = target[len(prefix):].partition("/")
                out[head] = out.get(head, False) or bool(rest) or folder
    return out


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


def _context_files(facts: StageFacts, appdir: str) -> list[str] | None:
    rel_root = facts.context_path(appdir)
    if rel_root is None:
        return None
    from msbrewrite.model.package_json import dockerignored
    base = "" if rel_root in (".", "") else rel_root.rstrip("/") + "/"
    return [f[len(base):] for f in facts.context.files()
            if f.startswith(base) and not dockerignored(facts.context, f)]
