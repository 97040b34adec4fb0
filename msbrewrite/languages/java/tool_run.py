"""Which Maven or Gradle run a command is: its goals or tasks, the project directory it builds
(after -f / -p), and whether it packages an archive."""
from __future__ import annotations

import posixpath

from msbrewrite.model.shell import Command, option_value, positional_args, resolve
from msbrewrite.languages.java.detect import tool_of
from msbrewrite.support import records

_MAVEN_VALUE_FLAGS = {"-f", "--file", "-pl", "--projects", "-s", "--settings", "-gs", "--global-settings", "-P",
                      "--activate-profiles", "-T", "--threads", "-rf", "--resume-from", "-l", "--log-file", "-D",
                      "-t", "--toolchains", "-b", "--builder"}
_GRADLE_VALUE_FLAGS = {"-p", "--project-dir", "-x", "--exclude-task", "-b", "--build-file", "-c", "--settings-file",
                       "-g", "--gradle-user-home", "--console", "--warning-mode", "-I", "--init-script", "-P", "-D",
                       "--max-workers", "--priority", "-M", "--write-verification-metadata"}
_MAVEN_PACKAGE = {"package", "install", "verify", "deploy", "spring-boot:repackage", "jar:jar", "war:war",
                  "assembly:single", "shade:shade"}
_GRADLE_PACKAGE = {"build", "assemble", "bootJar", "jar", "shadowJar", "war", "bootWar", "installDist",
                   "installBootDist"}


@records.record
class ToolRun:
    kind: str              # maven | gradle
    argv: list[str]
    cwd: str
    goals: list[str]       # goals / tasks, module prefixes kept
    project_dir: str       # builder directory of the build (after -f / -p)

    @property
    def packages(self) -> bool:
        names = {g.rsplit(":", 1)[-1] if self.kind == "gradle" else g for g in self.goals}
        return bool(names & (_MAVEN_PACKAGE if self.kind == "maven" else _GRADLE_PACKAGE))

    @property
    def launcher(self) -> str:
        return self.argv[0]


def tool_run(c: Command) -> ToolRun | None:
    kind, argv = tool_of(c)
    if not kind:
        return None
    flags = _MAVEN_VALUE_FLAGS if kind == "maven" else _GRADLE_VALUE_FLAGS
    goals = positional_args(argv[1:], flags)
    project = c.cwd
    if kind == "maven":
        f = option_value(argv, "-f", "--file")
        if f:
            path = resolve(f, c.cwd)
            project = posixpath.dirname(path) if path.endswith(".xml") else path
    else:
        p = option_value(argv, "-p", "--project-dir")
        if p:
            project = resolve(p, c.cwd)
    return ToolRun(kind, argv, c.cwd, goals, project)
