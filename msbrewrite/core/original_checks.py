"""Signs that the original itself does not build: said in the report, since the converted file
keeps the same build steps and fails the same way (msb is not the cause)."""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import BuildPlan

_MAVEN_IMAGES = ("maven",)
_GRADLE_FILES = ("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts")


def warn_original_build(facts: StageFacts, plan: BuildPlan) -> None:
    for reason in _reasons(facts):
        plan.warnings.append(f"the original probably does not build: {reason}")


def _reasons(facts: StageFacts) -> list[str]:
    out = []
    installed = {p.split("=")[0] for p in facts.packages}
    for step in facts.steps:
        for c in step.commands:
            line = f"line {step.ins.lineno}"
            if c.program == "mvn" and facts.image_name not in _MAVEN_IMAGES and "maven" not in installed \
                    and not _installed_by_hand(facts, "maven"):
                out.append(f"{line}: `mvn` runs on {facts.image}, which has no Maven (use ./mvnw or a maven image)")
            if not facts.context:
                continue
            if c.program in ("./gradlew", "./mvnw") or (c.argv and c.argv[0] in ("sh", "bash") and
                                                         c.argv[1:2] and c.argv[1].endswith(("gradlew", "mvnw"))):
                script = c.argv[0] if c.program.startswith("./") else c.argv[1]
                rel = facts.context_path(posixpath.join(c.cwd, script))
                if rel is not None and not facts.context.exists(rel):
                    out.append(f"{line}: {script} is not in the build context")
                elif script.endswith("gradlew") and rel is not None and not any(
                        facts.context.exists(posixpath.join(posixpath.dirname(rel), f)) for f in _GRADLE_FILES):
                    out.append(f"{line}: {script} runs, but the context has no Gradle build file next to it")
            if c.program == "npm" and c.argv[1:2] == ["ci"]:
                rel = facts.context_path(posixpath.join(c.cwd, "package.json"))
                if rel is not None and facts.context.exists(rel):
                    here = posixpath.dirname(rel)
                    if not any(facts.context.exists(posixpath.join(here, f))
                               for f in ("package-lock.json", "npm-shrinkwrap.json")):
                        out.append(f"{line}: `npm ci` needs package-lock.json, which the context does not have")
    return list(dict.fromkeys(out))


def _installed_by_hand(facts: StageFacts, tool: str) -> bool:
    """A download-and-unpack install (curl ... apache-maven ...) puts the tool on PATH too."""
    return any(tool in w.lower() for c in facts.commands() if c.program in ("curl", "wget", "tar", "unzip")
               for w in c.argv)
