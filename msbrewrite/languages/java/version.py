"""The Java major a build compiles for: the runtime JRE must be at least that.

Every place the Dockerfile or the build names a Java version counts: the builder image's tag,
a JDK package, a JDK the build downloads (a tarball by URL, sdkman, asdf, mise) and the level the
build files set (Maven compiler properties, Gradle compatibility and toolchains). A JRE lower than
any of them stops with UnsupportedClassVersionError, so the highest one wins.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from msbrewrite.model.analysis import StageFacts
from msbrewrite.languages.java.build import java_major_of
from msbrewrite.languages.java.detect import JDK_IMAGES
from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

if TYPE_CHECKING:
    from msbrewrite.languages.java.outputs import BuildOutputs

# a JDK or JRE named in a download URL: temurin21-binaries, OpenJDK17U, jdk-21.0.2, jdk8u392,
# amazon-corretto-17, zulu17, graalvm-jdk-21, the Adoptium API's /latest/21/
_URL_JDK = lazy_re.compile(r"(?i)(?:temurin|openjdk|corretto|zulu|jdk|jre|liberica|semeru|microsoft-jdk)[-_]?"
                           r"(1\.\d+|\d+)(?!\d|on)")   # not Bouncy Castle's jdk18on
_ADOPTIUM_API = lazy_re.compile(r"api\.adoptium\.net/v\d+/binary/(?:latest|version)/(?:jdk-?)?(\d+)")
_URL = lazy_re.compile(r"https?://[^\s\"'|;&)]+")
_JDK_URL_HINT = lazy_re.compile(r"(?i)jdk|jre|temurin|corretto|zulu|adoptium|liberica|semeru|graalvm|java")
# version managers: `sdk install java 21.0.2-tem`, `asdf install java temurin-21.0.1+12`, `mise use java@21`
_MANAGER = lazy_re.compile(r"\b(?:sdk\s+install\s+java\s+|asdf\s+(?:install|global|local)\s+java\s+(?:[a-z]+-)*"
                           r"|(?:mise|rtx)\s+(?:use|install)\s+(?:-g\s+|--global\s+)?java@(?:[a-z]+-)*)"
                           r"(1\.\d+|\d+)[\w.+-]*")


@record
class JavaMajor:
    major: int
    why: str


def downloaded_jdk(facts: StageFacts) -> JavaMajor | None:
    """The highest Java a RUN or ADD of the build downloads or installs through a version manager."""
    found: list[JavaMajor] = []
    for c in facts.commands():
        text = " ".join(c.argv)
        for m in _MANAGER.finditer(text):
            found += _named(m.group(1), f"JDK installed by `{m.group(0).strip()}`")
        for url in _URL.findall(text):
            found += _url_major(url)
    for cp in facts.copies:
        if cp.ins.keyword == "ADD":
            for src in cp.sources:
                found += _url_major(src) if _URL.match(src) else []
    return max(found, key=lambda j: j.major, default=None)


def _url_major(url: str) -> list[JavaMajor]:
    if not _JDK_URL_HINT.search(url) or url.endswith((".jar", ".pom")):
        return []
    found = [_named(m.group(1), f"JDK downloaded from {url}") for m in _ADOPTIUM_API.finditer(url)]
    found += [_named(m.group(1), f"JDK downloaded from {url}") for m in _URL_JDK.finditer(url)]
    return [j for group in found for j in group]


def _named(value: str, why: str) -> list[JavaMajor]:
    major = java_major_of(value)
    return [JavaMajor(major, why)] if major else []


def highest(candidates: list[JavaMajor | None]) -> tuple[JavaMajor, list[JavaMajor]] | None:
    """The highest version named and the lower ones (said in the report: the build needs the highest)."""
    known = [c for c in candidates if c]
    if not known:
        return None
    top = max(known, key=lambda j: j.major)     # the first of equals: the builder image before the build files
    return top, [c for c in known if c.major < top.major]


DEFAULT_MAJOR = 17
# default-jdk of a distribution release
DEFAULT_JDK = {("ubuntu", "18.04"): 11, ("ubuntu", "bionic"): 11, ("ubuntu", "20.04"): 11, ("ubuntu", "focal"): 11,
               ("ubuntu", "22.04"): 11, ("ubuntu", "jammy"): 11, ("ubuntu", "24.04"): 21, ("ubuntu", "noble"): 21,
               ("debian", "10"): 11, ("debian", "buster"): 11, ("debian", "11"): 11, ("debian", "bullseye"): 11,
               ("debian", "12"): 17, ("debian", "bookworm"): 17}


def java_major(facts: StageFacts, outputs: BuildOutputs) -> tuple[int, str, bool]:
    """The highest Java the builder image, packages, downloads or build files name, why, and whether
    none of them does (then DEFAULT_MAJOR, which is not to be trusted)."""
    found = highest([image_major(facts), package_major(facts), downloaded_jdk(facts), build_major(outputs)])
    if found is None:
        return DEFAULT_MAJOR, "not known: the builder's tag, packages, downloads and build files do not say", True
    top, lower = found
    why = top.why
    if lower:
        why += "; above " + ", ".join(f"{j.major} ({j.why})" for j in lower)
    return top.major, why, False


def image_major(facts: StageFacts) -> JavaMajor | None:
    name, tag = facts.image_name, facts.image_tag
    m = re.search(r"(?:jdk|jre|openjdk|temurin|corretto|zulu|java|graalvm|semeru|sapmachine|liberica|open)-?(\d+)", tag)
    if name in JDK_IMAGES or re.fullmatch(r"openjdk\d+", name):
        lead = re.match(r"(\d+)", tag) or re.search(r"(\d+)$", name)
        if lead and java_major_of(lead.group(1)):
            return JavaMajor(java_major_of(lead.group(1)), f"builder image {facts.image}")
    if m and java_major_of(m.group(1)):
        return JavaMajor(java_major_of(m.group(1)), f"builder image {facts.image}")
    return None


def package_major(facts: StageFacts) -> JavaMajor | None:
    for pkg in facts.packages:
        pm = re.fullmatch(r"(?:openjdk-?|java-|temurin-|amazon-corretto-|zulu)(\d+)(?:[-.].*)?", pkg)
        if pm and java_major_of(pm.group(1)):
            return JavaMajor(java_major_of(pm.group(1)), f"package {pkg}")
        if pkg.startswith("default-jdk") or pkg.startswith("default-jre"):
            major = DEFAULT_JDK.get((facts.image_name, facts.image_tag))
            if major:
                return JavaMajor(major, f"{pkg} on {facts.image_name}:{facts.image_tag}")
    return None


def build_major(outputs: BuildOutputs) -> JavaMajor | None:
    levels = [level for level in (outputs.build_level(run) for run in outputs.runs) if level]
    return JavaMajor(max(levels), "the Java level set in the build file") if levels else None
