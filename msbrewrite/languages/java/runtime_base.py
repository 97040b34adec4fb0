"""The runtime base image: a Temurin JRE or distroless java of the build's Java major (the next LTS
when no JRE image exists), or the builder's own JDK when the major is not known."""
from __future__ import annotations

import re

from msbrewrite.model.dockerfile import expand
from msbrewrite.model.plan import Refusal
from msbrewrite.languages.java.detect import JDK_IMAGES, NAME, TOOL_IMAGES

# Temurin publishes JRE images for these majors; distroless (Debian 12) for 17 and 21
TEMURIN_JRE = (8, 11, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25)
DISTROLESS_JAVA = (17, 21)
LTS = (8, 11, 17, 21, 25)


class RuntimeBase:
    """JavaPlanner's choice of runtime image (needs facts, options, plan, major and major_unknown)."""

    def jre(self, flavour: str) -> str:
        major = self.major
        if major not in TEMURIN_JRE:
            newer = [m for m in TEMURIN_JRE if m > major and m in LTS]
            major = newer[0] if newer else major
            note = f"no JRE image for Java {self.major}; using Java {major} (the next LTS), which runs its classes"
            if note not in self.plan.warnings:
                self.plan.warnings.append(note)
        if flavour == "alpine":
            return f"eclipse-temurin:{major}-jre-alpine"
        return f"eclipse-temurin:{major}-jre"

    def builder_jdk(self) -> str:
        """The runtime when the Java version is unknown: a lower JRE fails with UnsupportedClassVersionError,
        so the builder's own JDK image runs the jar, or the conversion is refused."""
        facts = self.facts
        if facts.image_name in JDK_IMAGES | TOOL_IMAGES or re.fullmatch(r"openjdk\d+", facts.image_name):
            return expand(facts.image, facts.from_args)
        raise Refusal(f"the Java version of {facts.image} is not known (no version in its tag, JDK package or "
                      "build file): a runtime with a lower Java would not run the classes; build FROM a JDK image "
                      "with a version tag", reason="java-version-unknown")

    def choose_base(self) -> None:
        flavour = self.options.flavour(NAME)
        plan = self.plan
        if self.major_unknown:
            plan.runtime_base = self.builder_jdk()
            plan.decisions.append(f"runtime {plan.runtime_base}, the builder's own JDK: its Java version is not "
                                  "known and a lower JRE would not run the classes")
            return
        if flavour in ("slim", "alpine") or self.major not in DISTROLESS_JAVA:
            plan.runtime_base = self.jre(flavour)
        else:
            plan.runtime_base = f"gcr.io/distroless/java{self.major}-debian12"
            if flavour == "scratch":
                plan.warnings.append("a jar needs a JVM: distroless java instead of scratch")
        if self.facts.image_name != "eclipse-temurin" and re.match(r"openjdk", self.facts.image_name):
            plan.decisions.append(f"{self.facts.image} is deprecated; the runtime uses the matching Temurin/distroless JRE")
