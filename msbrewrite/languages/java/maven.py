"""Reading a Maven build: the POMs of the context (local parents and modules), which archive each
one packages into target/, and the Java level its compiler settings name.

Only files in the build context are read (a parent POM from a repository is out of
reach); whatever cannot be resolved comes back as None so the caller can fall back
to a collect step instead of guessing a name.
"""
from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from msbrewrite.model.context import Context
from msbrewrite.languages.java.build import Archive, java_major_of
from msbrewrite.support import lazy_re
from msbrewrite.support.records import field, record

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

_PROP_RE = lazy_re.compile(r"\$\{([^}]+)\}")
# properties Maven projects set their Java level with (`java.version` by Spring Boot's parent)
_MAVEN_LEVEL_PROPS = ("maven.compiler.release", "maven.compiler.target", "maven.compiler.source", "java.version",
                      "jdk.version", "java.release")


@record
class Pom:
    path: str
    artifact_id: str | None = None
    version: str | None = None
    packaging: str = "jar"
    final_name: str | None = None
    modules: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    plugins: dict[str, ET.Element] = field(default_factory=dict)
    parent_artifact: str | None = None

    @property
    def dir(self) -> str:
        return posixpath.dirname(self.path)

    def resolve(self, value: str | None, depth: int = 0) -> str | None:
        """Value with ${...} properties filled in; None when one stays unknown."""
        if value is None:
            return None
        props = self.properties

        def sub(m: re.Match) -> str:
            name = m.group(1)
            if name in props:
                return props[name]
            raise KeyError(name)

        try:
            for _ in range(10):
                new = _PROP_RE.sub(sub, value)
                if new == value:
                    break
                value = new
        except KeyError:
            return None
        return value.strip()

    @property
    def spring_boot(self) -> bool:
        return "spring-boot-maven-plugin" in self.plugins or self.parent_artifact == "spring-boot-starter-parent"

    def plugin_config(self, plugin: str, tag: str) -> str | None:
        el = self.plugins.get(plugin)
        if el is None:
            return None
        for node in el.iter():
            if _local(node.tag) == tag and node.text and node.text.strip():
                return self.resolve(node.text.strip())
        return None

    def java_release(self) -> int | None:
        """The highest level the compiler settings name (release, target and source: the classes need it)."""
        values = [self.properties.get(key) for key in _MAVEN_LEVEL_PROPS]
        values += [self.plugin_config("maven-compiler-plugin", tag) for tag in ("release", "target", "source")]
        return max((m for m in map(java_major_of, values) if m), default=None)

    def archive(self) -> Archive | None:
        """The archive `mvn package` leaves in target/, None when it has none or cannot be named."""
        if self.packaging == "pom":
            return None
        base = self.resolve(self.final_name) if self.final_name else None
        if base is None:
            aid, ver = self.resolve(self.artifact_id), self.resolve(self.version)
            if not aid or not ver:
                return None
            base = f"{aid}-{ver}"
        ext = "war" if self.packaging == "war" else "jar"
        target = posixpath.join(self.dir, "target")
        main = (self.plugin_config("maven-jar-plugin", "mainClass") or self.plugin_config("maven-shade-plugin", "mainClass")
                or self.plugin_config("maven-assembly-plugin", "mainClass"))
        if "quarkus-maven-plugin" in self.plugins:
            # fast-jar layout: quarkus-run.jar only runs beside its lib/, app/ and quarkus/ directories
            return Archive(posixpath.join(target, "quarkus-app/quarkus-run.jar"), self.dir, "jar", True)
        if self.spring_boot:
            classifier = self.plugin_config("spring-boot-maven-plugin", "classifier")
            name = f"{base}-{classifier}.{ext}" if classifier else f"{base}.{ext}"
            return Archive(posixpath.join(target, name), self.dir, ext, True,
                           self.plugin_config("spring-boot-maven-plugin", "mainClass")
                           or self.properties.get("start-class"), True)
        if "maven-assembly-plugin" in self.plugins and self.plugin_config("maven-assembly-plugin", "descriptorRef") \
                == "jar-with-dependencies":
            append = self.plugin_config("maven-assembly-plugin", "appendAssemblyId") != "false"
            name = f"{base}-jar-with-dependencies.jar" if append else f"{base}.jar"
            return Archive(posixpath.join(target, name), self.dir, "jar", True, main)
        if "maven-shade-plugin" in self.plugins:
            attached = self.plugin_config("maven-shade-plugin", "shadedArtifactAttached") == "true"
            suffix = (self.plugin_config("maven-shade-plugin", "shadedClassifierName") or "shaded") if attached else ""
            name = f"{base}-{suffix}.jar" if suffix else f"{base}.jar"
            return Archive(posixpath.join(target, name), self.dir, "jar", True, main)
        libs = None
        if self.plugin_config("maven-jar-plugin", "addClasspath") == "true":
            libs = (self.plugin_config("maven-jar-plugin", "classpathPrefix") or "").strip("/") or None
        return Archive(posixpath.join(target, f"{base}.{ext}"), self.dir, ext, bool(main) and ext == "jar", main,
                       class_path_dir=libs)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: ET.Element | None, name: str) -> ET.Element | None:
    if el is None:
        return None
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el: ET.Element | None, name: str) -> str | None:
    c = _child(el, name)
    return c.text.strip() if c is not None and c.text and c.text.strip() else None


def load_pom(context: Context, path: str, cli_props: dict[str, str] | None = None, _depth: int = 0) -> Pom | None:
    """Parse a pom.xml of the context, with properties from local parents and the command line."""
    from msbrewrite.languages.common import read_xml
    root = read_xml(context, path)
    if root is None:
        return None
    pom = Pom(path)
    parent = _child(root, "parent")
    parent_pom = None
    if parent is not None and _depth < 5:
        pom.parent_artifact = _text(parent, "artifactId")
        rel_el = _child(parent, "relativePath")
        rel = "../pom.xml" if rel_el is None else (rel_el.text or "").strip()    # <relativePath/>: no local parent
        if rel:
            ppath = posixpath.normpath(posixpath.join(posixpath.dirname(path), rel))
            if not ppath.endswith(".xml"):
                ppath = posixpath.join(ppath, "pom.xml")
            if not ppath.startswith("..") and ppath != path:
                candidate = load_pom(context, ppath, cli_props, _depth + 1)
                if candidate and candidate.artifact_id == pom.parent_artifact:
                    parent_pom = candidate
    if parent_pom:
        pom.properties.update(parent_pom.properties)
        pom.plugins.update(parent_pom.plugins)      # pluginManagement-free approximation: inherited <plugins>
    props = _child(root, "properties")
    if props is not None:
        for p in props:
            if isinstance(p.tag, str):
                pom.properties[_local(p.tag)] = (p.text or "").strip()
    pom.artifact_id = _text(root, "artifactId")
    pom.version = _text(root, "version") or _text(parent, "version")
    pom.packaging = _text(root, "packaging") or "jar"
    build = _child(root, "build")
    pom.final_name = _text(build, "finalName")
    plugins = _child(build, "plugins")
    for pl in (plugins if plugins is not None else []):
        aid = _text(pl, "artifactId")
        if aid:
            pom.plugins[aid] = pl
    modules = _child(root, "modules")
    pom.modules = [m.text.strip() for m in (modules if modules is not None else []) if m.text and m.text.strip()]
    # built-in properties (the POM's own values win over inherited ones of the same name)
    parent_version = _text(parent, "version")
    builtins = {"project.artifactId": pom.artifact_id or "", "project.groupId": _text(root, "groupId")
                or _text(parent, "groupId") or "", "project.basedir": ".", "basedir": "."}
    if parent_version:
        builtins.update({"project.parent.version": parent_version, "parent.version": parent_version})
    pom.properties.update(builtins)
    pom.properties.update(cli_props or {})
    if pom.version:
        pom.properties["project.version"] = pom.version
        pom.properties["version"] = pom.version
        pom.properties["pom.version"] = pom.version
    return pom


def maven_cli_props(argv: list[str]) -> dict[str, str]:
    """Properties a `mvn -Dname=value` command line sets."""
    props = {}
    for w in argv:
        if w.startswith("-D") and "=" in w:
            k, v = w[2:].split("=", 1)
            props[k] = v.strip("'\"")
    return props


def maven_poms(context: Context, pom_path: str, cli_props: dict[str, str] | None = None) -> list[Pom]:
    """The POM at pom_path and the modules it builds, recursively."""
    out: list[Pom] = []
    seen: set[str] = set()

    def walk(path: str, depth: int) -> None:
        if path in seen or depth > 6:
            return
        seen.add(path)
        pom = load_pom(context, path, cli_props)
        if pom is None:
            return
        out.append(pom)
        for mod in pom.modules:
            mpath = posixpath.normpath(posixpath.join(pom.dir, mod))
            walk(mpath if mpath.endswith(".xml") else posixpath.join(mpath, "pom.xml"), depth + 1)

    walk(pom_path, 0)
    return out


def maven_archives(context: Context, pom_path: str, cli_props: dict[str, str] | None = None,
                   only: list[str] | None = None) -> list[Archive]:
    """Archives of a Maven build rooted at pom_path, modules included (or only those named by -pl)."""
    out = [a for a in (pom.archive() for pom in maven_poms(context, pom_path, cli_props)) if a]
    if only:
        wanted = {posixpath.normpath(posixpath.join(posixpath.dirname(pom_path), m.lstrip(":"))) for m in only}
        picked = [a for a in out if a.project_dir in wanted]
        if picked:
            return picked
        names = {m.split(":")[-1] for m in only}
        return [a for a in out if posixpath.basename(a.project_dir) in names] or out
    return out


def xml_text(el) -> str:
    return "".join(el.itertext()) if el is not None else ""
