"""Java: how strongly a stage looks like a Java build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts, command_argv, start_argv
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.model.shell import Command


NAME = "java"
JDK_IMAGES = {"openjdk", "eclipse-temurin", "amazoncorretto", "adoptopenjdk", "sapmachine", "ibm-semeru-runtimes",
              "ibmjava", "zulu-openjdk", "microsoft-openjdk", "liberica-openjdk-debian", "graalvm-ce", "temurin"}
TOOL_IMAGES = {"maven", "gradle"}
SERVLET_WEBAPPS = {"tomcat": "/usr/local/tomcat", "jetty": "/var/lib/jetty"}
MAVEN, GRADLE = {"mvn", "mvnw"}, {"gradle", "gradlew"}
SHELLS = {"sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env"}


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    name = facts.image_name
    if name in JDK_IMAGES or name in TOOL_IMAGES or name in SERVLET_WEBAPPS or re.fullmatch(r"openjdk\d+", name):
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        for c in step.commands:
            kind, argv = tool_of(c)
            if kind:
                ev.append(Evidence(f"{argv[0]} build", f"Dockerfile:{step.ins.lineno}", 2))
                break
        else:
            continue
        break
    if any(re.fullmatch(r"(openjdk-?\d+.*|default-jdk.*|maven|gradle)", p) for p in facts.packages):
        ev.append(Evidence("JDK or build tool installed by the package manager", "Dockerfile", 1.5))
    for ins in (facts.entrypoint, facts.cmd):
        argv = command_argv(ins) or []
        if argv and (posixpath.basename(argv[0]) in ("java", "mvn", "mvnw", "gradle", "gradlew")
                     or re.search(r"\bjava\s+.*-(jar|cp)\b", " ".join(argv))):
            ev.append(Evidence(f"{ins.keyword} runs Java", f"Dockerfile:{ins.lineno}", 2))
            break
    for marker in ("pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"):
        if facts.context.exists(marker):
            ev.append(Evidence(marker, f"context:{marker}", 1.5))
            break
    det = Detection(NAME, sum(e.weight for e in ev), ev)
    build_text = " ".join(facts.context.read(f) or "" for f in ("pom.xml", "build.gradle", "build.gradle.kts")) \
        if facts.context else ""
    words = start_argv(facts)
    if any("spring-boot" in c for c in words) or "bootRun" in words \
            or "spring-boot" in build_text or "org.springframework.boot" in build_text:
        det.framework = "spring-boot"
    return det


def tool_of(c: Command) -> tuple[str | None, list[str]]:
    """('maven'|'gradle', argv without a leading `sh`) for a build tool command."""
    argv = c.argv
    if argv and argv[0] in SHELLS and len(argv) > 1 and not argv[1].startswith("-"):
        argv = argv[1:]
    prog = posixpath.basename(argv[0]) if argv else ""
    if prog in MAVEN:
        return "maven", argv
    if prog in GRADLE:
        return "gradle", argv
    return None, argv
