"""Reading a Gradle build: the root project and the subprojects settings.gradle includes, which
archive each one writes into build/libs (jar, bootJar, shadowJar, war), and the Java level its
build script names.

Only files in the build context are read; whatever cannot be resolved comes back as None so the
caller can fall back to a collect step instead of guessing a name.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.context import Context
from msbrewrite.languages.java.build import Archive, java_major_of
from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

_STR = r"""["']([^"'\n]+)["']"""


@record
class GradleProject:
    dir: str                    # context-relative
    name: str
    version: str | None
    text: str
    spring_boot: bool = False
    application: bool = False
    shadow: bool = False
    war: bool = False

    def _value(self, block: str, key: str) -> str | None:
        m = re.search(rf"\b{key}\b\s*(?:=|\.set\(|\()\s*{_STR}", block)
        return m.group(1) if m else None

    def _subst(self, value: str | None) -> str | None:
        if value is None:
            return None
        for k, v in (("project.version", self.version or ""), ("version", self.version or ""),
                     ("project.name", self.name), ("rootProject.name", self.name), ("name", self.name)):
            value = value.replace("${" + k + "}", v)
        value = re.sub(r"\$(version)\b", self.version or "", value)
        return None if "$" in value else value

    def archive(self) -> Archive | None:
        task = "bootWar" if self.spring_boot and self.war else "bootJar" if self.spring_boot else \
            "shadowJar" if self.shadow else "war" if self.war else "jar"
        block = task_block(self.text, task) or ""
        base = self._subst(self._value(block, "archiveFileName") or self._value(block, "archiveName"))
        ext = "war" if self.war else "jar"
        runnable = self.spring_boot or self.shadow
        if base:
            return Archive(posixpath.join(self.dir, "build/libs", base), self.dir, ext, runnable,
                           spring_boot=self.spring_boot)
        project_base = self._value(self.text, "archivesBaseName") or self._value(task_block(self.text, "base") or "",
                                                                              "archivesName")
        name = self._subst(self._value(block, "archiveBaseName") or self._value(block, "baseName") or project_base) \
            or self.name
        version = self._subst(self._value(block, "archiveVersion")) if self._value(block, "archiveVersion") \
            else self.version
        classifier = self._value(block, "archiveClassifier") or self._value(block, "classifier")
        if classifier is None and self.shadow:
            classifier = "all"
        parts = [name] + ([version] if version and version != "unspecified" else []) + \
            ([classifier] if classifier else [])
        if any(p is None or "$" in p for p in parts):
            return None
        main = None
        if self.application:
            m = re.search(rf"mainClass(?:Name)?\s*(?:=|\.set\()\s*{_STR}", self.text)
            main = m.group(1) if m else None
        return Archive(posixpath.join(self.dir, "build/libs", "-".join(parts) + "." + ext), self.dir, ext,
                       runnable, main, self.spring_boot)

    def java_release(self) -> int | None:
        """The highest level the build script names: toolchains, compatibility, --release, Kotlin's jvmTarget."""
        levels = [java_major_of(next(g for g in m.groups() if g).replace("_", "."))
                  for m in _GRADLE_LEVEL.finditer(self.text)]
        return max((lv for lv in levels if lv), default=None)


_GRADLE_LEVEL = lazy_re.compile(
    r"JavaLanguageVersion\.of\(\s*['\"]?(\d+)"                                  # java.toolchain.languageVersion
    r"|jvmToolchain\(\s*(?:\{[^}]*?of\(\s*)?(\d+)"                                # kotlin { jvmToolchain(17) }
    r"|(?:source|target)Compatibility\s*(?:=|\.set\()?\s*['\"]?(?:JavaVersion\.(?:VERSION_)?)?(1[._]\d+|\d+)"
    r"|options\.release(?:\.set\(|\s*=)\s*(\d+)"                                  # compileJava.options.release
    r"|jvmTarget(?:\.set\(|\s*=)\s*(?:JvmTarget\.JVM_|['\"])(1[._]\d+|\d+)")


def task_block(text: str, task: str) -> str | None:
    """Body of `task { ... }` / `tasks.named("task") { ... }` / `tasks.task { ... }` (braces matched)."""
    m = re.search(rf"""(?:^|[\s.(])(?:named\s*(?:<[\w.]+>)?\s*\(\s*["']{task}["']\s*\)|{task})\s*(?:\(\s*\w+\s*\))?\s*\{{""",
                  text, re.M)
    if not m:
        return None
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end():i - 1]


def _gradle_file(context: Context, d: str, stem: str) -> str | None:
    for name in (f"{stem}.gradle", f"{stem}.gradle.kts"):
        text = context.read(posixpath.join(d, name))
        if text is not None:
            return text
    return None


def _properties(text: str | None) -> dict[str, str]:
    out = {}
    for line in (text or "").splitlines():
        m = re.match(r"\s*([\w.]+)\s*[=:]\s*(.*?)\s*$", line)
        if m and not line.lstrip().startswith("#"):
            out[m.group(1)] = m.group(2)
    return out


def gradle_projects(context: Context, root: str, root_name: str) -> list[GradleProject]:
    """The root project and its included subprojects; root_name is the directory name in the builder."""
    settings = _gradle_file(context, root, "settings") or ""
    m = re.search(rf"rootProject\.name\s*=\s*{_STR}", settings)
    name = m.group(1) if m else root_name
    props = _properties(context.read(posixpath.join(root, "gradle.properties")))
    includes: list[str] = []
    for inc in re.finditer(r"(?m)^[ \t]*include\s*\(?([^\n)]*)", settings):
        includes += [s.strip().strip("'\"") for s in inc.group(1).split(",") if s.strip().strip("'\"")]
    root_text = _gradle_file(context, root, "build") or ""
    out = []
    root_version = _gradle_version(root_text) or props.get("version")
    for proj_dir, proj_name, text in [(root, name, root_text)] + [
            (posixpath.join(root, i.lstrip(":").replace(":", "/")), i.split(":")[-1],
             _gradle_file(context, posixpath.join(root, i.lstrip(":").replace(":", "/")), "build") or "")
            for i in includes]:
        version = _gradle_version(text) or root_version
        # allprojects/subprojects blocks of the root apply to every project
        shared = (task_block(root_text, "allprojects") or "") + (task_block(root_text, "subprojects") or "") \
            if proj_dir != root else ""
        both = text + "\n" + shared
        out.append(GradleProject(
            proj_dir, proj_name, version, text,
            spring_boot=bool(re.search(r"org\.springframework\.boot['\"]|spring-boot-gradle-plugin", both))
            and not re.search(r"(?:bootJar|named\(\s*['\"]bootJar['\"]\s*\))\s*\{[^}]*enabled\s*=\s*false", text),
            application=bool(re.search(r"""(?:id\s*\(?\s*['"]application['"]|apply\s+plugin:\s*['"]application['"]|^[ \t]*application\s*$)""",
                                       both, re.M)),
            shadow=bool(re.search(r"shadow['\"]", both)),
            war=bool(re.search(r"""(?:id\s*\(?\s*['"]war['"]|apply\s+plugin:\s*['"]war['"]|^[ \t]*war\s*$)""", both, re.M))))
    return out


def _gradle_version(text: str) -> str | None:
    m = re.search(rf"(?m)^[ \t]*version\s*=\s*{_STR}", text)
    return m.group(1) if m else None
