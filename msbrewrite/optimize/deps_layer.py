"""Dependency layer first: copy only the manifests, install, then copy the rest.

When the original copies its sources before installing dependencies, every source change
reinstalls them. The fix an expert makes: above that copy, copy the manifests the install reads
and run the install (or a download-only step), so the layer is rebuilt only when a manifest
changes. Applied only when the manifests are known (read from the context) and the install does
not need the sources; the report says why it was left out otherwise.
"""
from __future__ import annotations

import json
import posixpath
import re

from msbrewrite.languages.rust.manifest import manifest_problem
from msbrewrite.model.shell import Command
from msbrewrite.optimize.cache_mounts import Mounts
from msbrewrite.model.quoting import sh, sh_words
from msbrewrite.optimize.deps_common import Skip, copy_line, emit, locate, move_install, need_context, read_toml, shell_words, usable
from msbrewrite.optimize.deps_gradle import gradle_layer
from msbrewrite.optimize.deps_python import python_layer
from msbrewrite.optimize.edits import SEP, Builder, command_spans

_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare", "prepublish")


def dependency_layer(builder: Builder, mounts: Mounts) -> None:
    handler = {"go": _go, "node": _node, "frontend": _node, "python": python_layer, "java": _java,
               "rust": _rust}.get(builder.plan.language)
    if handler is None:
        return
    try:
        handler(builder, mounts)
    except Skip as exc:
        if str(exc):
            builder.decide(f"no dependency layer: {exc}")


# -- Go --------------------------------------------------------------------------------------

def _go(builder: Builder, mounts: Mounts) -> None:
    wanted = lambda c: c.program == "go" and len(c.argv) > 1 and c.argv[1] in ("build", "install", "test", "generate",
                                                                                "vet", "mod", "run")  # noqa: E731
    found = locate(builder, wanted, {"go.mod", "go.sum"})
    if found is None:
        return
    source, step, run, cmd = found
    need_context(builder, "module files (go.mod, go.sum)")
    facts = builder.facts
    if "-mod=vendor" in facts.env.get("GOFLAGS", ""):
        raise Skip("the build uses the vendor directory")
    gomod = facts.context_path(posixpath.join(cmd.cwd, "go.mod"))
    if not usable(builder, gomod):
        raise Skip("no go.mod where the build runs")
    folder = posixpath.dirname(gomod)
    text = facts.context.read(gomod) or ""
    if re.search(r"=>\s*(\.{1,2}/|/)", text):
        raise Skip("go.mod replaces modules with local directories (the download needs the sources)")
    if facts.context.is_dir(posixpath.join(folder, "vendor")) or facts.context.exists(posixpath.join(folder, "go.work")):
        raise Skip("the module is vendored or in a go.work workspace")
    files = [gomod] + [p for p in [posixpath.join(folder, "go.sum")] if usable(builder, p)]
    flags = " ".join(mounts.flags("go"))
    emit(builder, source, files, [f"RUN {flags + ' ' if flags else ''}go mod download"], "go mod download")


# -- Node ------------------------------------------------------------------------------------

def _node_install(c: Command) -> bool:
    if c.program not in ("npm", "yarn", "pnpm"):
        return False
    sub = c.argv[1] if len(c.argv) > 1 else ""
    if c.program == "npm" and sub not in ("ci", "install", "i"):
        return False
    if c.program == "yarn" and sub not in ("", "install"):
        return False
    if c.program == "pnpm" and sub not in ("install", "i"):
        return False
    return not [w for w in c.argv[2:] if not w.startswith("-")]


def _node(builder: Builder, mounts: Mounts) -> None:
    names = {"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", ".npmrc", ".yarnrc",
             ".yarnrc.yml", ".yarn"}
    found = locate(builder, _node_install, names)
    if found is None:
        return
    source, step, run, cmd = found
    need_context(builder, "package manifests")
    facts = builder.facts
    pkg_rel = facts.context_path(posixpath.join(cmd.cwd, "package.json"))
    if not usable(builder, pkg_rel):
        raise Skip("no package.json where the install runs")
    try:
        pkg = json.loads(facts.context.read(pkg_rel) or "")
    except ValueError:
        raise Skip("package.json cannot be read") from None
    if not isinstance(pkg, dict):
        raise Skip("package.json cannot be read")
    scripts = pkg.get("scripts") if isinstance(pkg.get("scripts"), dict) else {}
    hooks = [s for s in _INSTALL_SCRIPTS if s in scripts]
    if hooks:
        raise Skip(f"the install runs package.json's {hooks[0]} script, which may need the sources")
    if pkg.get("workspaces"):
        raise Skip("npm/yarn workspaces need every member's package.json")
    for table in ("dependencies", "devDependencies", "optionalDependencies"):
        deps = pkg.get(table) if isinstance(pkg.get(table), dict) else {}
        if any(isinstance(v, str) and v.startswith(("file:", "link:", "workspace:")) for v in deps.values()):
            raise Skip("a dependency is a local directory (file:/link:)")
    folder = posixpath.dirname(pkg_rel)
    if facts.context.exists(posixpath.join(folder, "pnpm-workspace.yaml")):
        raise Skip("a pnpm workspace: the install reads every member's package.json")
    berry = cmd.program == "yarn" and facts.context.exists(posixpath.join(folder, ".yarnrc.yml"))
    locks = {"npm": ("package-lock.json", "npm-shrinkwrap.json", ".npmrc"), "yarn": ("yarn.lock", ".yarnrc", ".npmrc"),
             "pnpm": ("pnpm-lock.yaml", ".npmrc")}[cmd.program]
    if berry:
        locks = ("yarn.lock", ".yarnrc.yml")
    files = [pkg_rel] + [p for p in (posixpath.join(folder, n) for n in locks) if usable(builder, p)]
    # what the install writes, when the context holds it too, would be laid over the fresh install by the copy
    output = ("node_modules", ".pnp.cjs", ".pnp.loader.mjs", ".yarn/install-state.gz", ".yarn/unplugged")
    stale = next((n for n in output if usable(builder, posixpath.join(folder, n))), None)
    if stale:
        raise Skip(f"the context holds {stale}, which the source copy would lay over the installed dependencies")
    dirs = _berry_dirs(builder, pkg, folder) if berry else []
    moved = move_install(builder, source, run, lambda c: _node_install(c) or c.program == "corepack"
                  or (c.program in ("npm", "yarn", "pnpm") and len(c.argv) > 1 and c.argv[1] == "config"))
    lines = [copy_line(source, [d], f"./{posixpath.relpath(d, folder) if folder else d}") for d in dirs]
    also = f"{', '.join(posixpath.relpath(d, folder) if folder else d for d in dirs)} copied, then " if dirs else ""
    emit(builder, source, files, lines + moved, f"{also}line {run.ins.lineno}'s install"
         f"{' (Yarn 2+: .yarnrc.yml and the project-local Yarn files)' if berry else ''}")


def _berry_dirs(builder: Builder, pkg: dict, folder: str) -> list[str]:
    """Yarn 2+ reads its own release, plugins and patches from .yarn/ (and a committed cache for a
    zero-install): those folders come with the manifests; anything the install reads elsewhere stops it."""
    ctx = builder.facts.context
    join = lambda p: posixpath.join(folder, p) if folder else p  # noqa: E731
    rc = ctx.read(join(".yarnrc.yml")) or ""
    for key, value in re.findall(r"^[ \t]*-?\s*(yarnPath|path):\s*['\"]?([^'\"\s#]+)", rc, re.M):
        if not posixpath.normpath(value).startswith(".yarn/"):
            raise Skip(f".yarnrc.yml's {key} ({value}) lies outside .yarn/")
    specs = []
    for table in ("dependencies", "devDependencies", "optionalDependencies", "resolutions"):
        deps = pkg.get(table) if isinstance(pkg.get(table), dict) else {}
        specs += [v for v in deps.values() if isinstance(v, str)]
    for spec in specs:
        if spec.startswith("portal:"):
            raise Skip("a dependency is a local directory (portal:)")
        if spec.startswith("patch:"):
            patch = spec.split("#", 1)[1] if "#" in spec else ""
            patch = patch.split("::", 1)[0]
            if patch and not posixpath.normpath(patch).startswith(".yarn/patches/") and not patch.startswith("~builtin"):
                raise Skip(f"a patch ({patch}) lies outside .yarn/patches")
    return [join(d) for d in (".yarn/releases", ".yarn/plugins", ".yarn/patches", ".yarn/cache")
            if ctx.is_dir(join(d)) and usable(builder, join(d))]


# -- Java ------------------------------------------------------------------------------------

def _java(builder: Builder, mounts: Mounts) -> None:
    if any(c.program in ("gradle", "gradlew") for run in builder.runs() for c in run.step.commands):
        gradle_layer(builder, mounts)
    else:
        _maven(builder, mounts)


def _maven(builder: Builder, mounts: Mounts) -> None:
    found = locate(builder, lambda c: c.program in ("mvn", "mvnw"), {"pom.xml", "mvnw", ".mvn"})
    if found is None:
        return
    source, step, run, cmd = found
    need_context(builder, "Maven modules")
    facts = builder.facts
    if any(w in ("-s", "--settings", "-f", "--file", "-pl", "--projects", "-gs") or
           w.startswith(("--settings=", "--file=", "-Dmaven.repo.local")) for w in cmd.argv):
        raise Skip("the Maven command names other files or modules")
    pom = facts.context_path(posixpath.join(cmd.cwd, "pom.xml"))
    if not usable(builder, pom):
        raise Skip("no pom.xml where Maven runs")
    if "<modules>" in (facts.context.read(pom) or ""):
        raise Skip("a multi-module build needs every module's pom.xml")
    files = [pom]
    folder = posixpath.dirname(pom)
    lines = []
    if cmd.program == "mvnw":
        files.append(posixpath.join(folder, "mvnw"))
        lines.append(copy_line(source, [posixpath.join(folder, '.mvn')], "./.mvn"))
    options = [w for w in cmd.argv[1:] if re.fullmatch(r"-D.+|-P.+|-B|--batch-mode|-q|--quiet|-U|-o|--offline", w, re.S)]
    if not any(w in ("-B", "--batch-mode") for w in options):
        options.insert(0, "-B")
    flags = " ".join(mounts.flags("maven"))
    words = shell_words([cmd.argv[0], *options], f"line {run.ins.lineno}'s Maven command")
    lines.append(f"RUN {flags + ' ' if flags else ''}{words} dependency:go-offline")
    emit(builder, source, files, lines, "mvn dependency:go-offline")


# -- Rust ------------------------------------------------------------------------------------

def _rust(builder: Builder, mounts: Mounts) -> None:
    wanted = lambda c: c.program == "cargo" and len(c.argv) > 1 and c.argv[1] in ("build", "b", "install")  # noqa: E731
    found = locate(builder, wanted, {"Cargo.toml", "Cargo.lock"})
    if found is None:
        return
    source, step, run, cmd = found
    need_context(builder, "crate's targets")
    if cmd.argv[1] == "install":
        raise Skip("cargo install builds and installs in one step")
    if any(w.startswith(("--manifest-path", "-p", "--package", "--workspace", "--all")) for w in cmd.argv[2:]):
        raise Skip("a workspace build needs every member's manifest")
    facts = builder.facts
    manifest, data = read_toml(builder, cmd.cwd, "Cargo.toml", "cargo runs")
    if manifest_problem(data):
        raise Skip(f"{manifest}: {manifest_problem(data)}")
    folder = posixpath.dirname(manifest)
    package = data.get("package") if isinstance(data.get("package"), dict) else None
    if package is None or "workspace" in data or not isinstance(package.get("name"), str):
        raise Skip("a workspace needs every member's manifest")
    if "build" in package or facts.context.exists(posixpath.join(folder, "build.rs")):
        raise Skip("the build script needs the sources")
    if any(k in data for k in ("example", "bench", "test")):
        raise Skip("Cargo.toml declares examples, benches or tests by path")
    for table in ("dependencies", "build-dependencies", "dev-dependencies"):
        deps = data.get(table) if isinstance(data.get(table), dict) else {}
        if any(isinstance(v, dict) and "path" in v for v in deps.values()):
            raise Skip("a dependency is a local path")
    bins, lib = _rust_targets(builder, data, package, folder)
    if not bins and not lib:
        raise Skip("no target found for the placeholder crate")
    text = builder.text(run.ins)
    spans = command_spans(text, r"cargo" + SEP + r"(?:build|b)")
    if not spans:
        raise Skip("the cargo command cannot be repeated")
    # the command as written (its quoting included), on one line
    build = re.sub(r"(?:\\|`)\r?\n[ \t]*", " ", text[spans[0][0]:spans[0][1]]).strip()
    clean = ["cargo", "clean", "-p", package["name"]]
    argv = cmd.argv
    for i, w in enumerate(argv):
        if w == "--release":
            clean.append(w)
        elif w in ("--profile", "--target", "--target-dir") and i + 1 < len(argv):
            clean += [w, argv[i + 1]]
        elif w.startswith(("--profile=", "--target=", "--target-dir=")):
            clean.append(w)
    outside = next((p for p in bins + lib if p.startswith("/") or ".." in p.split("/")), None)
    if outside:
        raise Skip(f"Cargo.toml names a target outside the crate ({outside})")
    dirs = sorted({posixpath.dirname(p) for p in bins + lib if posixpath.dirname(p)})
    clean_words = shell_words(clean, f"line {run.ins.lineno}'s cargo command")
    steps = ([f"mkdir -p {sh_words(dirs)}"] if dirs else []) + [f"echo 'fn main() {{}}' > {sh(p)}" for p in bins] + \
            [f"touch {sh(p)}" for p in lib] + [build, clean_words, "rm -f " + sh_words(bins + lib)]
    flags = " ".join(mounts.flags("cargo"))
    files = [manifest] + [p for p in [posixpath.join(folder, "Cargo.lock")] if usable(builder, p)]
    emit(builder, source, files, [f"RUN {flags + ' ' if flags else ''}" + " && ".join(steps)],
          "the dependencies built for a placeholder crate, whose own artifacts are cleaned")


def _rust_targets(builder: Builder, data: dict, package: dict, folder: str) -> tuple[list[str], list[str]]:
    ctx = builder.facts.context
    join = lambda p: posixpath.join(folder, p) if folder else p  # noqa: E731
    lib = []
    lib_table = data.get("lib") if isinstance(data.get("lib"), dict) else {}
    lib_path = lib_table.get("path") or ("src/lib.rs" if ctx.exists(join("src/lib.rs")) else None)
    if lib_path:
        lib.append(lib_path)
    bins = []
    for entry in data.get("bin") or []:
        if isinstance(entry, dict):
            path = entry.get("path") or (f"src/bin/{entry.get('name')}.rs" if entry.get("name") != package["name"]
                                         else "src/main.rs")
            bins.append(path)
    if package.get("autobins", True) is not False:
        if ctx.exists(join("src/main.rs")) and "src/main.rs" not in bins:
            bins.append("src/main.rs")
        for rel in ctx.listdir(join("src/bin")):
            path = f"src/bin/{rel}" if rel.endswith(".rs") else f"src/bin/{rel}/main.rs"
            if ctx.exists(join(path)) and path not in bins:
                bins.append(path)
    return bins, lib
