"""Gradle's dependency layer: the build files first, then `gradle dependencies`.

The build scripts (settings, root and subproject build files, gradle.properties, the gradle/
folder with the wrapper and version catalogs) are all a configuration reads; `dependencies`
configures every project and resolves its dependency graph and plugins, so that layer is
rebuilt only when a build file changes. The jars themselves land in Gradle's caches, which the
cache mount keeps between builds. Left out when the build reads more than those files: buildSrc,
included builds, settings that compute their projects, scripts that open other files.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.optimize.cache_mounts import Mounts
from msbrewrite.optimize.deps_common import Skip, copy_line, emit, locate, need_context, shell_words, usable
from msbrewrite.optimize.edits import Builder
from msbrewrite.support import lazy_re

_NAMES = {"settings.gradle", "settings.gradle.kts", "build.gradle", "build.gradle.kts", "gradle.properties",
          "gradlew", "gradle"}
# gradle options that name other files, projects or homes: the build files are not the ones msb reads
_OTHER_FILES = ("-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file", "-g", "--gradle-user-home",
                "--include-build", "-I", "--init-script", "--project-cache-dir")
_KEPT = lazy_re.compile(r"-P.+|-D.+|--offline|-q|--quiet|--no-daemon|--console=\S+|-s|--stacktrace|--no-build-cache", re.S)
# what a build script may do that reads files besides the build files
_READS_FILES = lazy_re.compile(r"\b(?:file|files|fileTree|new\s+File|listFiles|eachDir)\s*\(|\bapply\s*\(?\s*from\b|"
                               r"\b(?:includeBuild|includeFlat|projectDir|buildFileName)\b")


def gradle_layer(builder: Builder, mounts: Mounts) -> None:
    found = locate(builder, lambda c: c.program in ("gradle", "gradlew"), _NAMES)
    if found is None:
        return
    source, step, run, cmd = found
    need_context(builder, "Gradle build files")
    facts = builder.facts
    if any(w.split("=", 1)[0] in _OTHER_FILES for w in cmd.argv[1:]):
        raise Skip("the Gradle command names other build files, projects or homes")
    root = facts.context_path(cmd.cwd) if cmd.cwd != "/" else ""
    join = lambda *p: posixpath.normpath(posixpath.join(root or "", *p))  # noqa: E731
    ctx = facts.context
    if root is None:
        raise Skip("the Gradle build does not come from the context")
    settings = _first(builder, join("settings.gradle"), join("settings.gradle.kts"))
    root_build = _first(builder, join("build.gradle"), join("build.gradle.kts"))
    if settings is None and root_build is None:
        raise Skip("no settings.gradle or build.gradle where Gradle runs")
    if ctx.is_dir(join("buildSrc")):
        raise Skip("buildSrc is compiled with the build (it needs its sources)")
    projects = _projects(ctx.read(settings) or "") if settings else []
    files, folders = [], {}
    for rel in (settings, root_build, _first(builder, join("gradle.properties"))):
        if rel:
            files.append(rel)
    for path in projects:
        build = _first(builder, join(path, "build.gradle"), join(path, "build.gradle.kts"))
        if build is None:
            raise Skip(f"the subproject {path} has no build file in the context")
        for rel in (build, _first(builder, join(path, "gradle.properties"))):
            if rel:
                files.append(rel)
                folders[rel] = path
    for rel in files:
        text = _code(ctx.read(rel) or "")
        hit = _READS_FILES.search(_drop_gradle_dir_scripts(text))
        if hit:
            raise Skip(f"{rel} reads other files ({hit.group(0).strip()}...): its configuration needs the sources")
    lines = []
    wrapper = cmd.program == "gradlew"
    if wrapper:
        gradlew = join("gradlew")
        if not usable(builder, gradlew):
            raise Skip("no gradlew in the context")
        files.append(gradlew)
    if ctx.is_dir(join("gradle")) and usable(builder, join("gradle")):
        lines.append(copy_line(source, [join("gradle")], "./gradle"))
    elif wrapper:
        raise Skip("gradlew without its gradle/wrapper folder in the context")
    options = [w for w in cmd.argv[1:] if _KEPT.fullmatch(w)]
    if "--no-daemon" not in options:
        options.append("--no-daemon")
    tasks = ["dependencies"] + [f":{p.replace('/', ':')}:dependencies" for p in projects]
    flags = " ".join(mounts.flags("gradle"))
    words = shell_words([cmd.argv[0], *tasks, *options], f"line {run.ins.lineno}'s Gradle command")
    lines.append(f"RUN {flags + ' ' if flags else ''}{words}")
    what = f"gradle {' '.join(tasks)}" + (f" for the root and {len(projects)} subproject(s)" if projects else "")
    emit(builder, source, files, lines, what, folders)


def _first(builder: Builder, *rels: str) -> str | None:
    return next((r for r in rels if usable(builder, r)), None)


def _code(text: str) -> str:
    """A build script without its comments (a commented-out `include` counts for nothing)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)(^|\s)//.*$", r"\1", text)


def _drop_gradle_dir_scripts(text: str) -> str:
    """`apply from: 'gradle/x.gradle'` reads a file the gradle/ folder brings along: allowed."""
    return re.sub(r"\bapply\s*\(?\s*from\s*[:=]\s*['\"](?:\$rootDir/|\$\{rootDir\}/)?gradle/[\w./-]+['\"]\s*\)?", "",
                  text)


def _projects(settings: str) -> list[str]:
    """The subproject folders of `include 'a', ':b:c'` / `include("a")`; Skip when the settings
    compute their projects or place them elsewhere."""
    text = _code(settings)
    if _READS_FILES.search(text):
        raise Skip("the settings file computes its projects or includes other builds")
    out = []
    for m in re.finditer(r"\binclude\b\s*(?:\(([^)]*)\)|([^\n]*))", text):
        args = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
        names = re.findall(r"""["']([^"'$]+)["']""", args)
        if not names or re.sub(r"""["'][^"'$]+["']|[\s,]""", "", args):
            raise Skip("the settings file includes projects by computed names")
        for name in names:
            path = name.strip(":").replace(":", "/")
            if not path or ".." in path.split("/"):
                raise Skip(f"the project name {name!r} is not a folder of the build")
            if path not in out:
                out.append(path)
    return out
