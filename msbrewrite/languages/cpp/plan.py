"""C and C++: make, CMake, Meson, autotools and plain compiler lines; the binary the image runs,
on distroless static, distroless cc, a slim Debian with its runtime libraries, or the same Alpine.

`CppPlanner` puts the plan together: what the build writes (`build_steps`), which binary the image
runs (`start_command`) and which base and runtime libraries it needs (`runtime_base`).
"""
from __future__ import annotations

import posixpath

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.rules.app_matching import Rule
from msbrewrite.model.bases import DEBIAN_SLIM, DISTROLESS_CC, describe
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection
from msbrewrite.languages.common import copy_config_args, glibc_runtime, carry_runtime_tools
from msbrewrite.languages.cpp.build_steps import BuildSteps, Output
from msbrewrite.languages.cpp.compiler import Link
from msbrewrite.languages.cpp.detect import NAME, TOOLCHAIN_PACKAGES
from msbrewrite.languages.cpp.runtime_base import RuntimeBase
from msbrewrite.languages.cpp.start_command import StartCommand

BUILD_ENV = {"CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "LDLIBS", "MAKEFLAGS", "CMAKE_BUILD_TYPE",
             "CMAKE_GENERATOR", "CMAKE_BUILD_PARALLEL_LEVEL", "CMAKE_PREFIX_PATH", "CMAKE_INSTALL_PREFIX",
             "PKG_CONFIG_PATH", "CCACHE_DIR", "JOBS", "MAKE_JOBS", "AR", "RANLIB", "LD"}
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


class CppPlanner(BuildSteps, StartCommand, RuntimeBase):
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

    # ------------------------------------------------------------ plan
    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        runtime.start(facts, plan, BUILD_ENV)
        self.read_build()
        chosen = self.choose_binaries()
        link = Link()
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


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return CppPlanner(facts, options).build()
