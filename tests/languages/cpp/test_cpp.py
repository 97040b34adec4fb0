"""C/C++: Makefile/CMake/Meson/automake reading, compiler lines, libraries and the runtime base."""
import pytest

from msbrewrite import Options, convert
from msbrewrite.model.context import Context
from msbrewrite.languages.cpp.cmake import CMakeProject
from msbrewrite.languages.cpp.compiler import compile_output, compiler_kind
from msbrewrite.languages.cpp.makefile import Makefile
from msbrewrite.languages.cpp.meson_automake import automake_programs, meson_executables
from msbrewrite.languages.cpp.plan import CppPlanner
from stagefacts import stage_facts


def planner(tmp_path, dockerfile: str, files: dict[str, str] | None = None) -> CppPlanner:
    p = CppPlanner(stage_facts(tmp_path, dockerfile, files), Options())
    p.read_build()
    return p


@pytest.mark.parametrize("argv, out", [
    (["gcc", "-O2", "-o", "app", "main.c"], "app"),
    (["g++", "-oserver", "a.cpp", "b.cpp"], "server"),
    (["cc", "main.c"], "a.out"),
    (["gcc", "-c", "main.c", "-o", "main.o"], None),          # an object, not an executable
    (["gcc", "-shared", "-o", "libx.so", "x.c"], None),
    (["gcc", "--version"], None),
])
def test_compile_output(argv, out):
    assert compile_output(argv) == out


@pytest.mark.parametrize("program, kind", [("gcc", "c"), ("gcc-12", "c"), ("x86_64-linux-gnu-g++", "c++"),
                                           ("clang++-15", "c++"), ("cc", "c"), ("make", None), ("gccgo", None)])
def test_compiler_kind(program, kind):
    assert compiler_kind(program) == kind


MAKEFILE = """\
PROG := srv
OBJS = main.o util.o
LDLIBS += -lssl -lcrypto
CFLAGS ?= -O2

all: $(PROG) tool

$(PROG): $(OBJS)
\t$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tool: tool.o

install: all
\tinstall -d $(DESTDIR)$(PREFIX)/bin
\tinstall -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/
PREFIX = /usr/local
.PHONY: all install
"""


def test_makefile_default_goal_follows_phony_all():
    mk = Makefile(MAKEFILE)
    found = mk.executables(mk.default_goal())
    assert set(found) == {"srv", "tool"}       # tool: linked by make's built-in rule from tool.o
    assert found["srv"].libs == {"ssl", "crypto"}


def test_makefile_install_destination_and_command_line_prefix():
    mk = Makefile(MAKEFILE, {"PREFIX": "/opt/srv"})
    built = mk.executables("all")
    assert mk.installs(built) == {"srv": "/opt/srv/bin/srv"}


def test_makefile_target_specific_variable_is_not_a_rule():
    mk = Makefile("release: CFLAGS += -O3\nrelease: bin/app\nbin/app: a.c\n\t$(CC) $(CFLAGS) -static -o $@ $<\n")
    found = mk.executables("release")
    assert list(found) == ["bin/app"] and found["bin/app"].static


def test_makefile_environment_beats_defaults_not_assignments():
    mk = Makefile("CC = clang\napp: a.c\n\t$(CXX) -o $@ $<\n", environ={"CC": "gcc", "CXX": "g++-12"})
    assert mk.vars["CC"] == "clang"
    assert mk.executables("app")["app"].cxx


def test_makefile_pathological_input_is_bounded():
    text = "A = $(A)$(A)\nx: y\n\t$(A)\n" + "\n" * 50000
    mk = Makefile(text)
    assert mk.executables("x") == {}


def test_cmake_targets_install_and_output_dir(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "CMakeLists.txt").write_text(
        "project(demo LANGUAGES CXX)\nset(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)\n"
        "add_executable(${PROJECT_NAME} main.cpp)\ntarget_link_libraries(demo PRIVATE CURL::libcurl m)\n"
        "install(TARGETS demo RUNTIME DESTINATION sbin)\nadd_subdirectory(sub)\n")
    (tmp_path / "sub" / "CMakeLists.txt").write_text("add_executable(helper h.cpp)\nadd_library(core SHARED c.cpp)\n")
    project = CMakeProject(Context(tmp_path), "")
    assert set(project.targets) == {"demo", "helper"}
    assert project.targets["demo"].install_dir == "sbin" and project.targets["helper"].install_dir is None
    assert project.binary_dir_of(project.targets["demo"], "/b") == "/b/bin"
    assert project.link.cxx and "CURL::libcurl" in project.link.libs
    assert project.shared_libraries == {"core"}


def test_meson_and_automake(tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "meson.build").write_text("project('p', 'c')\nexecutable('daemon', 'd.c', install : true)\n"
                                          "subdir('tools')\n")
    (tmp_path / "tools" / "meson.build").write_text("executable('ctl', 'ctl.c')\n")
    assert meson_executables(Context(tmp_path), "") == {"daemon": ("", True, False), "ctl": ("tools", False, False)}
    (tmp_path / "Makefile.am").write_text("bin_PROGRAMS = a b\nsbin_PROGRAMS = c\nnoinst_PROGRAMS = t\n")
    assert automake_programs(Context(tmp_path), "") == {"a": "bin", "b": "bin", "c": "sbin", "t": "noinst"}


def test_cmake_in_build_dir_then_make_install(tmp_path):
    p = planner(tmp_path, "FROM gcc:12\nCOPY . /src\nRUN mkdir /src/b && cd /src/b && cmake -DCMAKE_INSTALL_PREFIX=/usr .. "
                          "&& make && make install\nCMD [\"svc\"]\n",
                {"CMakeLists.txt": "project(x C)\nadd_executable(svc main.c)\ninstall(TARGETS svc DESTINATION bin)\n",
                 "main.c": ""})
    assert set(p.outputs) == {"/src/b/svc", "/usr/bin/svc"}
    assert [o.path for o in p.choose_binaries()] == ["/usr/bin/svc"]


def test_make_builtin_rule_without_makefile(tmp_path):
    p = planner(tmp_path, "FROM gcc:12\nWORKDIR /w\nCOPY hello.c .\nRUN make hello\nCMD [\"./hello\"]\n",
                {"hello.c": ""})
    assert list(p.outputs) == ["/w/hello"]


def test_install_without_context_takes_the_name_from_cmd(tmp_path):
    text = "FROM gcc:12\nCOPY . /src\nWORKDIR /src\nRUN ./configure --prefix=/opt/x && make && make install\nCMD [\"x\"]\n"
    result = convert(text, None)
    assert result.status == "converted"
    assert [a.source for a in result.artifacts][0] == "/opt/x/bin/x"
    assert any("install rules are not in the context" in d for d in result.decisions)


@pytest.mark.parametrize("dockerfile, base, packages", [
    # dynamic C: libc only
    ("FROM gcc:12\nCOPY m.c .\nRUN gcc -o /app m.c\nCMD [\"/app\"]\n", "gcr.io/distroless/cc-debian12", ""),
    # static
    ("FROM gcc:12\nCOPY m.c .\nRUN gcc -static -o /app m.c\nCMD [\"/app\"]\n", "gcr.io/distroless/static-debian12", ""),
    # -lpq: a library distroless cc lacks
    ("FROM gcc:12\nCOPY m.c .\nRUN gcc -o /app m.c -lpq\nCMD [\"/app\"]\n", "debian:bookworm-slim", "libpq5"),
    # sanitizers
    ("FROM gcc:12\nCOPY m.c .\nRUN gcc -fsanitize=address,undefined -o /app m.c\nCMD [\"/app\"]\n",
     "debian:bookworm-slim", "libasan8 libubsan1"),
    # an Alpine C++ build: the same Alpine
    ("FROM alpine:3.20\nRUN apk add build-base\nCOPY m.cpp .\nRUN g++ -o /app m.cpp\nCMD [\"/app\"]\n", "alpine:3.20",
     "libgcc libstdc++"),
    # a -dev package msb cannot name the runtime package of: conservative, a base with apt
    ("FROM debian:bookworm\nRUN apt-get install -y gcc libfoo-dev\nCOPY m.c .\nRUN gcc -o /app m.c\nCMD [\"/app\"]\n",
     "debian:bookworm-slim", ""),
])
def test_runtime_base(dockerfile, base, packages):
    result = convert(dockerfile, None)
    assert result.status == "converted", result.reason
    assert result.runtime_base.split(":nonroot")[0] == base
    if packages:
        assert f"apk add --no-cache {packages}" in result.text or f"--no-install-recommends {packages}" in result.text


def test_newer_gcc_image_copies_its_libstdcxx():
    result = convert("FROM gcc:14\nCOPY m.cpp .\nRUN g++ -O2 -o /app m.cpp\nCMD [\"/app\"]\n", None)
    assert "COPY --from=builder /usr/local/lib64/libstdc++.so.6 /usr/local/lib64/libstdc++.so.6" in result.text
    assert "ENV LD_LIBRARY_PATH=/usr/local/lib64" in result.text


@pytest.mark.parametrize("dockerfile, reason", [
    ("FROM gcc:12\nCOPY . .\nRUN make\nCMD [\"make\", \"run\"]\n", "entrypoint-uses-build-tool"),
    ("FROM gcc:12\nCOPY . .\nRUN gcc -o a a.c && gcc -o b b.c\n", "no-entrypoint"),
    ("FROM gcc:12\nCOPY . .\nRUN gcc -o a a.c\nCMD [\"nginx\"]\n", "artifact-not-found"),
])
def test_refusals(dockerfile, reason):
    result = convert(dockerfile, None)
    assert result.status == "refused" and result.reason_code == reason, result.reason


@pytest.mark.parametrize("dockerfile, language", [
    # Python, Go and Node images that compile a little C stay theirs
    ("FROM python:3.11\nRUN apt-get install -y gcc\nWORKDIR /app\nCOPY . .\nRUN gcc -o /usr/local/bin/h h.c && pip install -r "
     "requirements.txt\nCMD [\"python\", \"app.py\"]\n", "python"),
    ("FROM golang:1.22\nCOPY . .\nRUN make build\nCMD [\"./bin/app\"]\n", "go"),
    # no compiler in the image: `./configure && make` alone is not taken for C
    ("FROM debian:bookworm\nCOPY . .\nRUN ./configure && make && make install\nCMD [\"tool\"]\n", None),
])
def test_other_languages_keep_their_files(dockerfile, language):
    result = convert(dockerfile, None)
    assert result.language == language


def test_app_files_skip_objects_and_build_dir(tmp_path):
    files = {"Makefile": "app: a.c\n\t$(CC) -o app a.c\n", "a.c": "", "conf/app.ini": "x=1\n"}
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    result = convert("FROM gcc:12\nWORKDIR /w\nCOPY . .\nRUN make\nCMD [\"./app\"]\n", tmp_path)
    assert "COPY --from=builder /w/app /w/app" in result.text
    assert "-name '*.o'" in result.text and "-path \"$s\"/app" in result.text
