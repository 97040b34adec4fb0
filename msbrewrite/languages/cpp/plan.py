"""C and C++: make, CMake, Meson, autotools and plain compiler lines; the binary the image runs,
on distroless static, distroless cc, a slim Debian with its runtime libraries, or the same Alpine."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.rules.app_matching import Rule
from msbrewrite.model.bases import DEBIAN_SLIM, DISTROLESS_CC, DISTROLESS_STATIC, alpine_version, describe
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Evidence, Refusal
from msbrewrite.model.shell import Command, resolve
from msbrewrite.languages.cpp import build as cb
from msbrewrite.languages.common import (copies_whole_context, copy_config_args, debian_packages, follow_moves, glibc_debian,
                     glibc_runtime, native_libs, runtime_libraries, carry_runtime_tools)
from msbrewrite.languages.cpp.detect import MAKEFILES, NAME, TOOLCHAIN_PACKAGES, _make_dir, context_dir

BUILD_ENV = {"CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "LDLIBS", "MAKEFLAGS", "CMAKE_BUILD_TYPE",
             "CMAKE_GENERATOR", "CMAKE_BUILD_PARALLEL_LEVEL", "CMAKE_PREFIX_PATH", "CMAKE_INSTALL_PREFIX",
             "PKG_CONFIG_PATH", "CCACHE_DIR", "JOBS", "MAKE_JOBS", "AR", "RANLIB", "LD"}
# libraries every glibc runtime has (the C library itself) and what distroless cc adds
LIBC_LIBS = {"c", "m", "pthread", "dl", "rt", "util", "resolv", "anl"}
CC_RUNTIME = {"libc6", "libgcc-s1", "libstdc++6"}
SLIM_HAS = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
SANITIZERS = {"address": "libasan8", "undefined": "libubsan1", "thread": "libtsan2", "leak": "liblsan0"}
# the GCC whose libstdc++ a Debian release ships: a newer gcc:N image links against its own
DEBIAN_GCC = {12: 12, 13: 14}
BUILDER_LIB_DIR = "/usr/local/lib64"
FLOATING_GCC = 99
# -dev packages with nothing to load at run time (headers, static or header-only libraries)
HEADERS_ONLY = {"linux-libc-dev", "linux-headers", "nlohmann-json3-dev", "libgtest-dev", "libgmock-dev",
                "catch2", "libcatch2-dev", "rapidjson-dev", "libasio-dev", "libcxxopts-dev", "libglm-dev",
                "libeigen3-dev", "libcli11-dev", "libstdc++-12-dev", "libstdc++-dev", "musl-dev", "libc-dev",
                "g++-dev"}
_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_NOT_BINARIES = {"sh", "bash", "ash", "dash", "env", "tini", "dumb-init", "exec", "/bin/sh", "/bin/bash",
                 "supervisord", "gosu", "su-exec"}
_BUILD_TOOLS = {"make", "gmake", "cmake", "meson", "ninja", "gcc", "g++", "cc", "c++", "clang", "clang++"}
BUILD_RULES = (
    app_files._rules("C/C++ sources and build files", "*.c", "*.h", "*.cpp", "*.cc", "*.cxx", "*.hpp", "*.hh",
                     "*.hxx", "*.inl", "CMakeLists.txt", "*.cmake", "CMakePresets.json", "meson.build",
                     "meson_options.txt", "configure", "configure.ac", "configure.in", "Makefile.am", "Makefile.in",
                     "aclocal.m4", ".clang-format", ".clang-tidy", "conanfile.txt",
                     "conanfile.py", "vcpkg.json")
    # what the build itself writes: the context never shows these, so they always apply
    + app_files._rules(app_files.BUILD_OUTPUT, "*.o", "*.obj", "*.a", "*.lo", "*.la", "*.d", "*.gcno", "CMakeFiles",
                       "CMakeCache.txt", "cmake_install.cmake", "build.ninja", ".ninja_deps", ".ninja_log",
                       "compile_commands.json", "config.log", "config.status", "stamp-h1", "libtool", ".deps",
                       ".libs", "meson-info", "meson-logs", "meson-private", "autom4te.cache"))
# build commands that write nothing but the binary and its objects into the app directory
_QUIET = {"gcc", "g++", "cc", "c++", "clang", "clang++", "cmake", "make", "gmake", "ninja", "meson", "strip"}


@dataclass
class Output:
    path: str
    link: cb.Link
    why: str
    after: Command


class CppPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "cpp.Dockerfile.j2", DISTROLESS_CC)
        self.outputs: dict[str, Output] = {}
        self.configured: dict[str, dict] = {}     # build dir -> {kind, src, defines, prefix}
        self.installs_blind: list[str] = []       # prefixes of installs whose files are unknown
        self.unknown_builds: list[str] = []
        self.release = 12
        self.own_libraries: set[str] = set()      # libraries the project builds itself (CMake add_library)

    # ------------------------------------------------------------ what the build writes
    def read_build(self) -> None:
        for c in self.facts.commands():
            prog = c.program
            if cb.compiler_kind(prog):
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

    def add(self, path: str, link: cb.Link, why: str, c: Command) -> None:
        path = posixpath.normpath(path)
        old = self.outputs.get(path)
        if old is not None:
            link.merge(old.link)
        self.outputs[path] = Output(path, link, why, c)

    def _compiler(self, c: Command) -> None:
        out = cb.compile_output(c.argv)
        if out is None:
            return
        link = cb.Link(cxx=cb.compiler_kind(c.program) == "c++")
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
        text = cb.makefile_text(self.facts.context, rel, mfile) if rel is not None else None
        if text is None:
            self._make_without_makefile(c, d, goals, overrides)
            return
        env = {k: v for k, v in c.env.items() if k in ("CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS", "LDLIBS",
                                                         "PREFIX", "prefix", "DESTDIR")}
        mk = cb.Makefile(text, overrides, env)
        default = mk.default_goal()
        built_goals = [g for g in goals if g != "install"] or ([default] if default else [])
        built: dict[str, cb.Link] = {}
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
                        link = cb.Link(cxx=ext != ".c")
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
        programs = cb.automake_programs(self.facts.context, rel) if rel is not None else {}
        prefix = overrides.get("prefix") or overrides.get("PREFIX") or conf["prefix"]
        for name, where in programs.items():
            self.add(posixpath.join(d, name), cb.Link(), f"make (Makefile.am in {conf['src']})", c)
            if "install" in goals and where in ("bin", "sbin"):
                self.add(posixpath.join(prefix, where, name), cb.Link(), f"make install (prefix {prefix})", c)
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
        project = cb.CMakeProject(self.facts.context, rel, conf.get("defines")) if rel is not None else None
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
            link = cb.Link()
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
        exes = cb.meson_executables(self.facts.context, rel) if rel is not None else {}
        if not exes:
            self.unknown_builds.append(d)
            if install:
                self.installs_blind.append(conf["prefix"])
            return
        base = rel or ""
        for name, (subdir, installed, cxx) in exes.items():
            sub = posixpath.relpath(subdir, base) if subdir and base else subdir
            self.add(posixpath.join(d, sub if sub not in ("", ".") else "", name), cb.Link(cxx=cxx),
                     f"Meson executable('{name}')", c)
            if install and installed:
                self.add(posixpath.join(conf["prefix"], "bin", name), cb.Link(cxx=cxx),
                         f"meson install (prefix {conf['prefix']})", c)

    # ------------------------------------------------------------ the binary the image runs
    def final_outputs(self) -> dict[str, Output]:
        """Outputs where they end up after later cp/mv/install commands."""
        out: dict[str, Output] = {}
        for path, o in self.outputs.items():
            moved = follow_moves(self.facts, path, o.after)
            if moved != path:
                self.plan.decisions.append(f"{path} is moved to {moved} after the build")
            out[moved] = Output(moved, o.link, o.why, o.after)
        return out

    def choose_binaries(self) -> list[Output]:
        facts, plan = self.facts, self.plan
        finals = self.final_outputs()
        argv = command_argv(facts.entrypoint) or command_argv(facts.cmd) or []
        argv = _unwrap(argv)
        if argv and posixpath.basename(argv[0]) in _BUILD_TOOLS:
            raise Refusal(f"the start command runs {argv[0]} (`{' '.join(argv[:3])}`): it builds at start-up; build in "
                          "a RUN step and start the binary, then convert", reason="entrypoint-uses-build-tool")
        if argv and argv[0].endswith((".sh", ".bash")):
            if not finals:
                raise Refusal("the start command is a script and the build's binaries are unknown "
                              "(no Makefile, CMakeLists.txt or -o in the context)", reason="artifact-not-found")
            plan.decisions.append("the start command is a script: every executable the build wrote is copied")
            return list(finals.values())
        if argv and argv[0] not in _NOT_BINARIES and "$" not in argv[0]:
            found = self._entry_binary(argv[0], finals)
            if found is not None:
                return [found]
        if not argv:
            if len(finals) == 1:
                only = next(iter(finals.values()))
                plan.entrypoint = [only.path]
                plan.decisions.append(f"the original had no CMD; the runtime runs {only.path}, the one binary built")
                return [only]
            raise Refusal("no CMD or ENTRYPOINT, and the build writes "
                          + (f"{len(finals)} executables" if finals else "no executable msb can name")
                          + ": which one the image runs is unknown", reason="no-entrypoint")
        raise Refusal(f"the start command runs {argv[0]}, which no build step is known to write"
                      + (f" (the build writes {', '.join(sorted(finals)[:4])})" if finals else
                         " (the build's outputs are unknown without the Makefile or CMakeLists.txt)"),
                      reason="artifact-not-found")

    def _entry_binary(self, first: str, finals: dict[str, Output]) -> Output | None:
        facts, plan = self.facts, self.plan
        workdir = (facts.entrypoint or facts.cmd).workdir or facts.workdir
        if "/" in first:
            path = resolve(first, workdir)
            if path in finals:
                return finals[path]
            if finals or self.unknown_builds or self.installs_blind:
                plan.decisions.append(f"{path}: the binary CMD/ENTRYPOINT runs (the build's outputs do not name it; "
                                      "the original ran it there)")
                return Output(path, self._union_link(finals), "named by the start command", None)
            return None
        path_dirs = [d for d in (facts.env.get("PATH") or ":".join(_PATH_DIRS)).split(":") if d]
        for d in path_dirs:
            cand = posixpath.join(d, first)
            if cand in finals:
                return finals[cand]
        if self.installs_blind:
            prefix = self.installs_blind[-1]
            path = posixpath.join(prefix, "bin", first)
            plan.decisions.append(f"{path}: `{first}` as installed by the build's install step (prefix {prefix}); "
                                  "the install rules are not in the context")
            return Output(path, self._union_link(finals), "installed by the build", None)
        return None

    @staticmethod
    def _union_link(finals: dict[str, Output]) -> cb.Link:
        link = cb.Link()
        for o in finals.values():
            link.merge(o.link)
        return link

    # ------------------------------------------------------------ libraries and the base
    def libraries(self, link: cb.Link, family: str) -> tuple[list[str], list[str]]:
        """(runtime packages, what msb could not name) for a dynamic binary."""
        table = native_libs().get(f"link-{family}", {})
        pkgs = set(runtime_libraries(self.facts.packages, family))
        unknown = []
        for lib in sorted(link.libs):
            low = lib.lower()
            name = low if "::" in low else re.sub(r"\.so[.\d]*$|\.a$", "", low).removeprefix("lib")
            if name in table:
                pkgs |= set(table[name].split())
            elif name in LIBC_LIBS or lib in self.own_libraries or not self._linked_lib(lib):
                continue
            else:
                unknown.append(lib)
        if family == "debian":
            if link.cxx:
                pkgs.add("libstdc++6")
            pkgs |= {SANITIZERS[s] for s in link.sanitizers if s in SANITIZERS}
            if link.openmp:
                pkgs.add("libgomp1")
        else:
            if link.cxx:
                pkgs |= {"libstdc++", "libgcc"}
            if link.openmp:
                pkgs.add("libgomp")
            if link.sanitizers:
                unknown.append("-fsanitize=" + ",".join(sorted(link.sanitizers)))
        dev_unknown = sorted({p.split("=")[0] for p in self.facts.packages
                              if p.split("=")[0].endswith(("-dev", "-devel")) and p.split("=")[0] not in HEADERS_ONLY
                              and p.split("=")[0] not in native_libs().get(family, {})})
        return sorted(pkgs), unknown + dev_unknown

    @staticmethod
    def _linked_lib(word: str) -> bool:
        # words of target_link_libraries that are not libraries: keywords, flags, generator expressions
        return word not in ("PRIVATE", "PUBLIC", "INTERFACE", "debug", "optimized", "general") and \
            not word.startswith(("-", "$", "/")) and re.fullmatch(r"[\w+.:-]+", word) is not None

    def gcc_major(self) -> int | None:
        if self.facts.image_name != "gcc":
            return None
        m = re.match(r"(\d+)", self.facts.image_tag)
        # `gcc:latest`, `gcc:bookworm`: a floating tag is the newest GCC, newer than any Debian's
        return int(m.group(1)) if m else FLOATING_GCC

    def debian_release(self) -> tuple[int, str | None]:
        facts = self.facts
        if facts.image_name == "gcc":
            tag = facts.image_tag.lower()
            if "bookworm" in tag or "bullseye" in tag:
                return 12, None
            if "trixie" in tag:
                return 13, None
            major = self.gcc_major()
            # the gcc images of GCC 15 and the floating tags moved to Debian 13 in 2025
            return (12 if major <= 14 else 13), None
        return glibc_debian(facts)

    def choose_base(self, link: cb.Link) -> None:
        facts, plan = self.facts, self.plan
        flavour = self.options.flavour(NAME)
        if link.static and not link.sanitizers:
            plan.runtime_base = {"scratch": "scratch", "slim": DEBIAN_SLIM}.get(flavour, DISTROLESS_STATIC)
            plan.decisions.append("static binary (-static): no shared library is loaded, so distroless static")
            if link.libs & {"nss_files", "resolv"} or "-lnss" in " ".join(link.libs):
                plan.warnings.append("a static glibc binary still loads NSS modules for name lookups")
            return
        if facts.is_alpine:
            pkgs, unknown = self.libraries(link, "alpine")
            tag = facts.image_tag
            plan.runtime_base = f"alpine:{tag}" if facts.image_name == "alpine" and tag != "latest" \
                else alpine_version(tag)
            plan.runtime_packages += pkgs
            plan.decisions.append(f"Alpine build: the binary links musl, so the same Alpine release "
                                  f"({plan.runtime_base})" + (f" with {' '.join(pkgs)}" if pkgs else ""))
            self._warn_unknown(unknown)
            return
        self.release, warning = self.debian_release()
        if warning:
            plan.warnings.append(warning)
        pkgs, unknown = self.libraries(link, "debian")
        self._builder_runtime_libs(link)
        extra = sorted(set(pkgs) - CC_RUNTIME)
        if extra or unknown or flavour == "slim":
            plan.runtime_base = glibc_runtime(DEBIAN_SLIM, self.release)
            want = sorted((set(pkgs) - SLIM_HAS) | ({"ca-certificates"} if "libssl3" in pkgs else set()))
            plan.runtime_packages += debian_packages(want, self.release)
            if extra:
                plan.decisions.append(f"runtime libraries {', '.join(extra)} need a package manager: "
                                      f"{plan.runtime_base}")
            elif unknown:
                plan.decisions.append(f"libraries msb cannot name the runtime package of: {plan.runtime_base}, "
                                      "where they can be installed")
        else:
            plan.runtime_base = glibc_runtime(DISTROLESS_CC, self.release)
            plan.decisions.append(f"dynamic glibc binary needing only libc{', libstdc++' if link.cxx else ''} and "
                                  f"libgcc: distroless cc on Debian {self.release}, whose glibc is at least the builder's")
        self._warn_unknown(unknown)

    def _warn_unknown(self, unknown: list[str]) -> None:
        if unknown:
            self.plan.warnings.append(f"the runtime package of {', '.join(unknown[:6])} is not known to msb: if the "
                                      "binary stops with `error while loading shared libraries`, install it in the "
                                      "runtime stage")

    def _builder_runtime_libs(self, link: cb.Link) -> None:
        """A gcc:N image newer than the runtime's Debian GCC links against its own libstdc++ (and
        sanitizer runtimes) in /usr/local/lib64: Debian's older copies lack its symbol versions."""
        major = self.gcc_major()
        system = DEBIAN_GCC.get(self.release, 12)
        if major is None or major <= system or not (link.cxx or link.sanitizers or link.openmp):
            return
        names = ["libstdc++.so.6", "libgcc_s.so.1"]
        names += [f"lib{s[0]}san.so.{8 if s == 'address' else 1 if s == 'undefined' else 2 if s == 'thread' else 0}"
                  for s in sorted(link.sanitizers) if s in SANITIZERS]
        names += ["libgomp.so.1"] if link.openmp else []
        for n in names:
            self.plan.copy(posixpath.join(BUILDER_LIB_DIR, n), posixpath.join(BUILDER_LIB_DIR, n),
                           f"GCC {major}'s runtime library")
        self.plan.runtime_env.append(f"ENV LD_LIBRARY_PATH={BUILDER_LIB_DIR}")
        self.plan.decisions.append(f"GCC {major} is newer than Debian {self.release}'s GCC {system}: its "
                                   f"{', '.join(names)} are copied from {BUILDER_LIB_DIR} (LD_LIBRARY_PATH)")

    # ------------------------------------------------------------ plan
    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        runtime.start(facts, plan, BUILD_ENV)
        self.read_build()
        chosen = self.choose_binaries()
        link = cb.Link()
        for o in chosen:
            link.merge(o.link)
            plan.copy(o.path, o.path, f"the compiled binary ({o.why})")
        if self.unknown_builds and not any(o.after is not None for o in chosen):
            plan.decisions.append("the build files are not in the context: the binary is taken to be dynamic, "
                                  "with the libraries of the -dev packages the build installs")
        others = sorted(set(self.final_outputs()) - {o.path for o in chosen})
        if others:
            plan.decisions.append(f"built but not run by the image, not copied: {', '.join(others[:5])}")
        self.choose_base(link)
        # other executables and the build folders (cmake -B build) are build output too
        written = [p for p in self.outputs if p not in plan.produced] + \
            [d for d, conf in self.configured.items() if conf["kind"] in ("cmake", "meson") and d != conf["src"]]
        skip = [Rule("./" + posixpath.relpath(p, d), app_files.BUILD_OUTPUT)
                for p in written for d in app_files.app_dirs(facts) if p.startswith(d.rstrip("/") + "/")]
        app_files.stage(facts, plan, NAME, extra=list(BUILD_RULES) + app_files.MAKE + skip)
        carry_runtime_tools(facts, plan, options, (".c", ".cpp", ".cc", ".h"), skip=TOOLCHAIN_PACKAGES)
        copy_config_args(facts, plan, (command_argv(facts.entrypoint) or []) + (command_argv(facts.cmd) or []))
        runtime.entry_script(facts, plan, command_argv(facts.entrypoint) or command_argv(facts.cmd))
        runtime.entry(facts, plan, lambda argv: None)
        shell_base = plan.runtime_base if not describe(plan.runtime_base).distroless else \
            glibc_runtime(DEBIAN_SLIM, self.release)
        runtime.shell_needs(facts, plan, options)
        runtime.finish(facts, plan, options, shell_base=shell_base)
        return plan


def _unwrap(argv: list[str]) -> list[str]:
    """The program a start command runs, past `exec`, `tini --` and `dumb-init`."""
    while argv and posixpath.basename(argv[0]) in ("exec", "tini", "dumb-init"):
        argv = argv[1:]
        if argv and argv[0] == "--":
            argv = argv[1:]
    return argv


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return CppPlanner(facts, options).build()
