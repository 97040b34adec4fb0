"""CMake: which executables a CMakeLists.txt tree adds, where they are built and installed, how they link.

Reads `add_executable`, `add_library`, `install(TARGETS ...)`, `set`, `add_subdirectory` and the
link options of the top CMakeLists.txt and the directories it adds, bounded in depth.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.context import Context
from msbrewrite.languages.cpp.compiler import CXX_SOURCES, MAX_DEPTH, Link
from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

_CMAKE_CALL_RE = lazy_re.compile(r"(?i)\b(add_executable|add_library|install|project|set|add_subdirectory|"
                                 r"target_link_libraries|target_link_options|add_link_options|target_compile_options|"
                                 r"add_compile_options|set_target_properties)[ \t]*\(([^()]{0,4000})\)")


@record
class CMakeTarget:
    name: str
    subdir: str                 # relative to the top source dir
    link: Link
    install_dir: str | None     # DESTINATION of install(TARGETS ...), relative to the prefix or absolute


class CMakeProject:
    def __init__(self, context: Context, rel_dir: str, defines: dict[str, str] | None = None):
        self.vars: dict[str, str] = dict(defines or {})
        self.targets: dict[str, CMakeTarget] = {}
        self.libraries: set[str] = set()
        self.shared_libraries: set[str] = set()
        self.link = Link()
        self.runtime_output: str | None = None
        self.found = False
        self._read(context, rel_dir, "", 0)

    def _expand(self, text: str) -> str:
        for _ in range(MAX_DEPTH):
            new = re.sub(r"\$\{([\w.-]{1,80})\}", lambda m: self.vars.get(m.group(1), ""), text)
            if new == text:
                break
            text = new
        return text

    def _read(self, context: Context, top: str, sub: str, depth: int) -> None:
        rel = posixpath.normpath(posixpath.join(top, sub, "CMakeLists.txt"))
        text = context.read(rel.lstrip("./") if rel.startswith("./") else rel)
        if text is None or depth > MAX_DEPTH:
            return
        self.found = True
        text = "\n".join(line.split("#", 1)[0] for line in text.split("\n"))
        if re.search(r"(?i)\bproject[ \t]*\([^)]{0,400}\b(CXX)\b", text) or \
                re.search(r"\.(cpp|cc|cxx)\b", text):
            self.link.cxx = True
        for m in _CMAKE_CALL_RE.finditer(text):
            call, words = m.group(1).lower(), [w.strip('"') for w in self._expand(m.group(2)).split()]
            if not words:
                continue
            if call == "project":
                self.vars.setdefault("PROJECT_NAME", words[0])
                self.vars.setdefault("CMAKE_PROJECT_NAME", words[0])
            elif call == "set" and len(words) > 1:
                self.vars[words[0]] = " ".join(words[1:])
                if words[0] == "CMAKE_RUNTIME_OUTPUT_DIRECTORY":
                    # kept unexpanded: ${CMAKE_BINARY_DIR} is the build folder, known only per build
                    self.runtime_output = m.group(2).split()[1].strip('"')
                if words[0] in ("CMAKE_EXE_LINKER_FLAGS", "CMAKE_CXX_FLAGS", "CMAKE_C_FLAGS"):
                    self.link.add_words(words[1:])
            elif call == "add_executable" and not any(w in ("IMPORTED", "ALIAS") for w in words[1:]):
                self.targets[words[0]] = CMakeTarget(words[0], sub, Link(), None)
                if any(w.endswith(CXX_SOURCES) for w in words[1:]):
                    self.link.cxx = True
            elif call == "add_library":
                self.libraries.add(words[0])
                if "SHARED" in words[1:3] or "MODULE" in words[1:3]:
                    self.shared_libraries.add(words[0])
            elif call == "add_subdirectory":
                self._read(context, top, posixpath.join(sub, words[0]), depth + 1)
            elif call == "target_link_libraries":
                self.link.libs |= {w for w in words[1:] if w not in ("PRIVATE", "PUBLIC", "INTERFACE")}
                self.link.add_words(words[1:])
            elif call in ("target_link_options", "add_link_options", "target_compile_options",
                          "add_compile_options"):
                self.link.add_words(words)
            elif call == "install" and words[0] == "TARGETS":
                self._install(words[1:])

    def _install(self, words: list[str]) -> None:
        names, dest, kind = [], None, None
        keywords = {"EXPORT", "ARCHIVE", "LIBRARY", "RUNTIME", "OBJECTS", "FRAMEWORK", "BUNDLE", "PUBLIC_HEADER",
                    "INCLUDES", "PERMISSIONS", "CONFIGURATIONS", "COMPONENT", "OPTIONAL", "NAMELINK_SKIP"}
        i = 0
        while i < len(words) and words[i] not in keywords and words[i] != "DESTINATION":
            names.append(words[i])
            i += 1
        while i < len(words):
            w = words[i]
            if w in keywords:
                kind = w
            elif w == "DESTINATION" and i + 1 < len(words) and kind in (None, "RUNTIME"):
                dest = words[i + 1]
                if kind == "RUNTIME":
                    break
            i += 1
        for n in names:
            if n in self.targets:
                self.targets[n].install_dir = dest or "bin"

    def binary_dir_of(self, target: CMakeTarget, build_dir: str) -> str:
        if self.runtime_output:
            out = self.runtime_output.replace("${CMAKE_BINARY_DIR}", build_dir) \
                .replace("${PROJECT_BINARY_DIR}", build_dir).replace("${CMAKE_CURRENT_BINARY_DIR}", build_dir)
            out = self._expand(out)
            return out if out.startswith("/") else posixpath.join(build_dir, out)
        return posixpath.normpath(posixpath.join(build_dir, target.subdir))
