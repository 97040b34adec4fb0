"""Which archives the build's Maven and Gradle runs produce, and the Java level their build
files set: read from the build files in the context, once per run."""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.shell import option_value
from msbrewrite.languages.java.build import Archive
from msbrewrite.languages.java.gradle import gradle_projects
from msbrewrite.languages.java.maven import maven_archives, maven_cli_props, maven_poms
from msbrewrite.languages.java.tool_run import ToolRun


class BuildOutputs:
    """The archives of every packaging run and the Java level of every run, from the build files."""

    def __init__(self, facts: StageFacts, runs: list[ToolRun]):
        self.facts = facts
        self.runs = runs
        self.archives_cache: dict[tuple, list[tuple[str, Archive]]] = {}

    def context_dir(self, run: ToolRun) -> str | None:
        markers = ["pom.xml"] if run.kind == "maven" else ["settings.gradle", "settings.gradle.kts", "build.gradle",
                                                             "build.gradle.kts"]
        for mk in markers:
            rel = self.facts.context_path(posixpath.join(run.project_dir, mk))
            if rel is not None and self.facts.context.exists(rel):
                return posixpath.dirname(rel)
        return None

    def archives(self, run: ToolRun) -> list[tuple[str, Archive]]:
        """(builder path, archive) for every archive the run's project builds, [] when unknown."""
        key = (run.kind, tuple(run.argv), run.cwd, run.project_dir)
        if key not in self.archives_cache:
            self.archives_cache[key] = self._archives(run)
        return self.archives_cache[key]

    def _archives(self, run: ToolRun) -> list[tuple[str, Archive]]:
        ctx_dir = self.context_dir(run)
        if ctx_dir is None:
            return []
        out = []
        if run.kind == "maven":
            props = maven_cli_props(run.argv)
            pl = option_value(run.argv, "-pl", "--projects")
            found = maven_archives(self.facts.context, posixpath.join(ctx_dir, "pom.xml"), props,
                                   pl.split(",") if pl else None)
        else:
            projects = gradle_projects(self.facts.context, ctx_dir, posixpath.basename(run.project_dir))
            modules = {g.rsplit(":", 1)[0].lstrip(":") for g in run.goals if ":" in g}
            if modules:
                projects = [p for p in projects if posixpath.relpath(p.dir or ".", ctx_dir or ".") in
                            {m.replace(":", "/") for m in modules}] or projects
            found = [a for a in (p.archive() for p in projects) if a]
        for a in found:
            rel = posixpath.relpath(a.path, ctx_dir or ".")
            out.append((posixpath.normpath(posixpath.join(run.project_dir, rel)), a))
        return out

    def package_runs(self) -> list[ToolRun]:
        return [r for r in self.runs if r.packages]

    def known_archives(self) -> list[tuple[str, Archive]]:
        out = []
        for run in self.package_runs():
            for item in self.archives(run):
                if item[0] not in [o[0] for o in out]:
                    out.append(item)
        return out

    def runnable(self, archives: list[tuple[str, Archive]]) -> tuple[str, Archive] | None:
        """The one archive `java -jar` can run: runnable jars first, then the only jar."""
        jars = [a for a in archives if a[1].kind == "jar"]
        fat = [a for a in jars if a[1].runnable]
        for group in (fat, jars):
            if len(group) == 1:
                return group[0]
        return None

    def build_level(self, run: ToolRun) -> int | None:
        """The highest level the run's build files set (every module: one may target a newer Java)."""
        ctx_dir = self.context_dir(run)
        if ctx_dir is None:
            return None
        if run.kind == "maven":
            levels = [pom.java_release() for pom in maven_poms(self.facts.context, posixpath.join(ctx_dir, "pom.xml"),
                                                                 maven_cli_props(run.argv))]
        else:
            levels = [proj.java_release() for proj in
                      gradle_projects(self.facts.context, ctx_dir, posixpath.basename(run.project_dir))]
        return max((lv for lv in levels if lv), default=None)
