""".NET: how strongly a stage looks like a .NET build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.bases import image_parts
from msbrewrite.model.plan import Detection, Evidence


NAME = "dotnet"
# project files (the project reader, dotnet/project.py, loads only for the chosen language)
PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    if _sdk_image(facts):
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        if any(c.program == "dotnet" and len(c.argv) > 1 and c.argv[1] in ("publish", "build", "restore")
               for c in step.commands):
            ev.append(Evidence("dotnet publish/build", f"Dockerfile:{step.ins.lineno}", 2))
            break
    for ins in (facts.entrypoint, facts.cmd):
        argv = command_argv(ins) or []
        if argv[:1] == ["dotnet"] and len(argv) > 1 and (argv[1] == "run" or argv[1].endswith(".dll")):
            ev.append(Evidence(f"start command dotnet {argv[1]}", f"Dockerfile:{ins.lineno}", 2))
            break
    if any(f.endswith(PROJECT_SUFFIXES + (".sln",)) for f in facts.context.files()[:2000]):
        ev.append(Evidence("a .NET project file", "context", 1.5))
    return Detection(NAME, sum(e.weight for e in ev), ev)


def _sdk_image(facts: StageFacts) -> bool:
    name = facts.image.split("@")[0].lower()
    return "dotnet/" in name and image_parts(name)[0] in ("sdk", "core-sdk")
