"""C/C++: what the build writes. Each compiler, make, CMake, Meson, ninja and configure command of the
stage is read for the executables it links, where they land and how they link.

`BuildSteps` is one part of `CppPlanner` (`msbrewrite.languages.cpp.plan`); the build files themselves
are read by `makefile`, `cmake` and `meson_automake`.
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.shell import Command, resolve
from msbrewrite.languages.cpp.cmake import CMakeProject
from msbrewrite.languages.cpp.compiler import Link, compile_output, compiler_kind
from msbrewrite.languages.cpp.detect import MAKEFILES, _make_dir, context_dir
from msbrewrite.languages.cpp.makefile import Makefile, makefile_text
from msbrewrite.languages.cpp.meson_automake import automake_programs, meson_executables
from msbrewrite.support.records import record


@record
class Output:
    path: str
    link: Link
    why: str
    after: Command


class BuildSteps:
    """Reads the build into `outputs` (path -> Output), `configured` (build dir -> {kind, src, defines,
    prefix}), `installs_blind`, `unknown_builds` and `own_libraries`, which `CppPlanner` sets up."""

    def read_build(self) -> None:
        for c in self.facts.commands():
            prog = c.program
            if compiler_kind(prog):
                self._compiler(c)
            elif prog == "cmake":
                self._cmake(c)
            elif prog in ("make", "gmake"):
                self._make(c)
            elif prog == "meson":
                self._meson(c)
            elif prog in ("ninja", "samu"):
                self._ninja(c)
            elif c.argv and c.argv[0].endswith("configure") and posixpath.basename(c.argv[0]) == "configure":
                prefix = next((w.split("=", 1)[1] for w in c.argv if w.startswith("--prefix=")), "/usr/local")
                self.configured[c.cwd] = {"kind": "autotools", "src": c.cwd, "prefix": prefix}

    def add(self, path: str, link: Link, why: str, c: Command) -> None:
        path = posixpath.normpath(path)
        old = self.outputs.get(path)
        if old is not None:
            link.merge(old.link)
        self.outputs[path] = Output(path, link, why, c)

    def _compiler(self, c: Command) -> None:
        out = compile_output(c.argv)
        if out is None:
            return
        link = Link(cxx=compiler_kind(c.program) == "c++")
        link.add_words(c.argv)
        self.add(resolve(out, c.cwd), link, f"`{c.program} -o {out}`", c)

    def _make(self, c: Command) -> None:
        d = _make_dir(c)
        overrides, goals, mfile = {}, [], None
        argv = c.argv[1:]
        i = 0
        while i < len(argv):
            w = argv[i]
            if w in ("-C", "-f", "--file", "-j", "-l", "-o", "-W", "-I") and i + 1 < len(argv):
                if w in ("-f", "--file"):
                    mfile = argv[i + 1]
                i += 2 if (w != "-j" or argv[i + 1].isdigit()) else 1
                continue
            if "=" in w and not w.startswith("-"):
                k, _, v = w.partition("=")
                overrides[k] = v
            elif not w.startswith("-"):
                goals.append(w)
            i += 1
        conf = self.configured.get(d)
        if conf and conf["kind"] in ("cmake", "autotools"):
            self._configured_build(c, d, conf, goals, overrides)
            return
        rel = context_dir(self.facts, d, *([mfile] if mfile else MAKEFILES))
        text = makefile_text(self.facts.context, rel, mfile) if rel is not None else None
        if text is None:
            self._make_without_makefile(c, d, goals, overrides)
            return
        env = {k: v for k, v in c.env.items() if k in ("CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS", "LDLIBS",
                                                         "PREFIX", "prefix", "DESTDIR")}
        mk = Makefile(text, overrides, env)
        default = mk.default_goal()
        built_goals = [g for g in goals if g != "install"] or ([default] if default else [])
        built: dict[str, Link] = {}
        for g in built_goals:
            built.update(mk.executables(g))
        if not built and default and "install" in goals:
            built = mk.executables(default)
        for rel_out, link in built.items():
            self.add(resolve(rel_out, d), link, f"make {' '.join(goals) or default} (Makefile in {d})", c)
        if "install" in goals:
            for rel_out, dest in mk.installs(built).items():
                self.add(dest, built[rel_out], f"make install (Makefile in {d})", c)

    def _make_without_makefile(self, c: Command, d: str, goals: list[str], overrides: dict) -> None:
        ctx = self.facts.context
        rel = context_dir(self.facts, d, *[g + ext for g in goals for ext in (".c", ".cpp", ".cc")])
        for g in goals:
            # make's built-in rule: `make hello` compiles hello.c (or hello.cpp) with no Makefile
            if rel is not None and g != "install":
                for ext in (".c", ".cpp", ".cc"):
                    if ctx.exists(posixpath.join(rel, g + ext) if rel else g + ext):
                        link = Link(cxx=ext != ".c")
                        link.add_words(" ".join(overrides.get(k, c.env.get(k, "")) for k in
                                                ("LDFLAGS", "LDLIBS", "CFLAGS")).split())
                        self.add(posixpath.join(d, g), link, f"make {g} (built-in rule, {g}{ext})", c)
        if "install" in goals:
            prefix = overrides.get("PREFIX") or overrides.get("prefix") or "/usr/local"
            self.installs_blind.append(prefix)
        self.unknown_builds.append(d)

    def _configured_build(self, c: Command, d: str, conf: dict, goals: list[str], overrides: dict) -> None:
        if conf["kind"] == "cmake":
            targets = [g for g in goals if g not in ("all", "install")]
            self._cmake_outputs(c, d, conf, targets, install="install" in goals, prefix=None)
            return
        # autotools: programs come from Makefile.am
        rel = context_dir(self.facts, conf["src"], "Makefile.am", "configure.ac")
        programs = automake_programs(self.facts.context, rel) if rel is not None else {}
        prefix = overrides.get("prefix") or overrides.get("PREFIX") or conf["prefix"]
        for name, where in programs.items():
            self.add(posixpath.join(d, name), Link(), f"make (Makefile.am in {conf['src']})", c)
            if "install" in goals and where in ("bin", "sbin"):
                self.add(posixpath.join(prefix, where, name), Link(), f"make install (prefix {prefix})", c)
        if not programs:
            self.unknown_builds.append(d)
            if "install" in goals:
                self.installs_blind.append(prefix)

    def _cmake(self, c: Command) -> None:
        argv = c.argv[1:]
        if "--build" in argv:
            d = resolve(argv[argv.index("--build") + 1], c.cwd) if argv.index("--build") + 1 < len(argv) else c.cwd
            targets = [argv[i + 1] for i, w in enumerate(argv[:-1]) if w in ("--target", "-t")]
            conf = self.configured.get(d) or {"kind": "cmake", "src": d, "defines": {}}
            self._cmake_outputs(c, d, conf, [t for t in targets if t != "install"], install="install" in targets,
                                prefix=None)
            return
        if "--install" in argv:
            d = resolve(argv[argv.index("--install") + 1], c.cwd) if argv.index("--install") + 1 < len(argv) else c.cwd
            prefix = next((argv[i + 1] for i, w in enumerate(argv[:-1]) if w == "--prefix"), None)
            conf = self.configured.get(d) or {"kind": "cmake", "src": d, "defines": {}}
            self._cmake_outputs(c, d, conf, [], install=True, prefix=prefix, build=False)
            return
        defines, src, build, rest = {}, None, None, []
        i = 0
        while i < len(argv):
            w = argv[i]
            if w in ("-S", "-B", "-G", "-D", "-T", "-A", "-C", "--preset") and i + 1 < len(argv):
                val = argv[i + 1]
                if w == "-S":
                    src = resolve(val, c.cwd)
                elif w == "-B":
                    build = resolve(val, c.cwd)
                elif w == "-D":
                    k, _, v = val.partition("=")
                    defines[k.split(":")[0]] = v
                i += 2
                continue
            if w.startswith("-D") and len(w) > 2:
                k, _, v = w[2:].partition("=")
                defines[k.split(":")[0]] = v
            elif w.startswith("-S") and len(w) > 2:
                src = resolve(w[2:], c.cwd)
            elif w.startswith("-B") and len(w) > 2:
                build = resolve(w[2:], c.cwd)
            elif not w.startswith("-"):
                rest.append(w)
            i += 1
        if src is None:
            src = resolve(rest[0], c.cwd) if rest else c.cwd
        if build is None:
            build = c.cwd
        self.configured[build] = {"kind": "cmake", "src": src, "defines": defines}

    def _cmake_outputs(self, c: Command, d: str, conf: dict, targets: list[str], install: bool,
                       prefix: str | None, build: bool = True) -> None:
        rel = context_dir(self.facts, conf["src"], "CMakeLists.txt")
        project = CMakeProject(self.facts.context, rel, conf.get("defines")) if rel is not None else None
        if project is None or not project.found:
            self.unknown_builds.append(d)
            if install:
                self.installs_blind.append(prefix or conf.get("defines", {}).get("CMAKE_INSTALL_PREFIX")
                                           or "/usr/local")
            return
        self.own_libraries |= project.libraries
        defines = conf.get("defines", {})
        project.link.add_words(" ".join(defines.get(k, "") for k in ("CMAKE_EXE_LINKER_FLAGS", "CMAKE_C_FLAGS",
                                                                       "CMAKE_CXX_FLAGS")).split())
        prefix = prefix or defines.get("CMAKE_INSTALL_PREFIX") or "/usr/local"
        if project.shared_libraries and install:
            self.plan.warnings.append(f"the CMake project builds shared libraries ({', '.join(sorted(project.shared_libraries))})"
                                      f"; only the executables are copied: if the program loads them, add {prefix}/lib "
                                      "under extra-paths")
        for t in project.targets.values():
            if targets and t.name not in targets:
                continue
            link = Link()
            link.merge(project.link)
            if build:
                self.add(posixpath.join(project.binary_dir_of(t, d), t.name), link,
                         f"CMake add_executable({t.name})", c)
            if install and t.install_dir is not None:
                dest = t.install_dir if t.install_dir.startswith("/") else posixpath.join(prefix, t.install_dir)
                self.add(posixpath.join(dest, t.name), link, f"CMake install(TARGETS {t.name})", c)

    def _meson(self, c: Command) -> None:
        argv = c.argv[1:]
        words = [w for w in argv if not w.startswith("-")]
        if not words:
            return
        sub = words[0]
        if sub in ("compile", "install"):
            d = next((resolve(argv[i + 1], c.cwd) for i, w in enumerate(argv[:-1]) if w == "-C"), c.cwd)
            self._meson_outputs(c, d, install=sub == "install")
            return
        if sub == "setup":
            words = words[1:]
        elif sub in ("test", "configure", "introspect", "dist", "init", "wrap", "subprojects", "rewrite"):
            return
        build = resolve(words[0], c.cwd) if words else c.cwd
        src = resolve(words[1], c.cwd) if len(words) > 1 else c.cwd
        prefix = next((w.split("=", 1)[1] for w in argv if w.startswith("--prefix=")), None)
        if prefix is None and "--prefix" in argv and argv.index("--prefix") + 1 < len(argv):
            prefix = argv[argv.index("--prefix") + 1]
        self.configured[build] = {"kind": "meson", "src": src, "prefix": prefix or "/usr/local"}

    def _ninja(self, c: Command) -> None:
        argv = c.argv[1:]
        d = next((resolve(argv[i + 1], c.cwd) for i, w in enumerate(argv[:-1]) if w == "-C"), c.cwd)
        conf = self.configured.get(d)
        goals = [w for i, w in enumerate(argv) if not w.startswith("-") and (i == 0 or argv[i - 1] not in ("-C", "-j", "-f"))]
        if conf and conf["kind"] == "meson":
            self._meson_outputs(c, d, install="install" in goals)
        elif conf and conf["kind"] == "cmake":
            self._cmake_outputs(c, d, conf, [g for g in goals if g not in ("all", "install")],
                                install="install" in goals, prefix=None)

    def _meson_outputs(self, c: Command, d: str, install: bool) -> None:
        conf = self.configured.get(d) or {"kind": "meson", "src": c.cwd, "prefix": "/usr/local"}
        rel = context_dir(self.facts, conf["src"], "meson.build")
        exes = meson_executables(self.facts.context, rel) if rel is not None else {}
        if not exes:
            self.unknown_builds.append(d)
            if install:
                self.installs_blind.append(conf["prefix"])
            return
        base = rel or ""
        for name, (subdir, installed, cxx) in exes.items():
            sub = posixpath.relpath(subdir, base) if subdir and base else subdir
            self.add(posixpath.join(d, sub if sub not in ("", ".") else "", name), Link(cxx=cxx),
                     f"Meson executable('{name}')", c)
            if install and installed:
                self.add(posixpath.join(conf["prefix"], "bin", name), Link(cxx=cxx),
                         f"meson install (prefix {conf['prefix']})", c)
