"""Go: `go build` / `go install` binaries, static when nothing needs cgo."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.bases import DEBIAN_SLIM, DISTROLESS_BASE, DISTROLESS_STATIC, alpine_version, describe
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.model.quoting import sh, sh_words
from msbrewrite.model.shell import Command, option_value, positional_args, resolve
from msbrewrite.languages.common import (BASE_LIBS, cache_mounts, copy_config_args, debian_packages, follow_moves, glibc_debian,
                     glibc_runtime, runtime_libraries, carry_runtime_tools)
from msbrewrite.languages.go.detect import NAME

BUILD_ENV = {"GOPATH", "GOOS", "GOARCH", "GOARM", "CGO_ENABLED", "GO111MODULE", "GOPROXY", "GOPRIVATE",
             "GOFLAGS", "GOCACHE", "GOMODCACHE", "GOBIN", "GOROOT", "GONOSUMDB", "GONOPROXY", "GOSUMDB",
             "GOINSECURE", "GOAMD64", "GOEXPERIMENT", "CC", "CXX", "CGO_CFLAGS", "CGO_LDFLAGS"}
# modules that only build with cgo
CGO_MODULES = ("github.com/mattn/go-sqlite3", "github.com/confluentinc/confluent-kafka-go",
               "github.com/google/gopacket/pcap", "github.com/tecbot/gorocksdb", "github.com/linxGnu/grocksdb",
               "github.com/DataDog/zstd", "github.com/valyala/gozstd", "github.com/ceph/go-ceph",
               "github.com/libgit2/git2go", "github.com/bytecodealliance/wasmtime-go", "github.com/go-gl/",
               "gopkg.in/confluentinc/confluent-kafka-go", "github.com/miekg/pkcs11", "github.com/h2non/bimg",
               "github.com/davidbyttow/govips")
CGO_BUILD_PACKAGES = {"gcc", "g++", "musl-dev", "build-base", "build-essential", "libc6-dev", "clang"}
# packages that bring a C library a Go program can only use through cgo (sqlite3 for mattn/go-sqlite3)
CGO_LIBRARY_PACKAGES = {"sqlite3", "sqlite", "sqlite-libs", "librdkafka", "libvips", "vips"}
# programs a CMD may start that are not the built binary
_NOT_BINARIES = {"sh", "bash", "ash", "dash", "env", "tini", "dumb-init", "exec", "go", "air", "reflex",
                 "CompileDaemon", "gin", "nginx", "supervisord", "su-exec", "gosu", "/bin/sh", "/bin/bash"}
_BUILD_VALUE_FLAGS = {"-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p", "-pkgdir",
                      "-buildmode", "-compiler", "-gccgoflags", "-installsuffix", "-overlay", "-pgo", "-exec",
                      "-toolexec", "-C", "-covermode", "-coverpkg", "-buildvcs"}
_PATH_DIRS = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/go/bin"}
_STANDARD_PATH = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
_SYSTEM_DIRS = {"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/"}


class GoPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "go.Dockerfile.j2", DISTROLESS_STATIC)
        self.binaries: dict[str, str] = {}     # builder path -> runtime path

    # -------------------------------------------------------------- module facts
    def module_name(self, cwd: str) -> str | None:
        text = self.facts.context_file(posixpath.join(cwd, "go.mod"))
        if text is None and self.facts.context.exists("go.mod"):
            text = self.facts.context.read("go.mod")
        if not text:
            return None
        m = re.search(r"(?m)^module\s+(\S+)", text)
        if not m:
            return None
        parts = m.group(1).strip('"').split("/")
        if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
            parts.pop()
        return parts[-1]

    def go_files(self) -> list[str]:
        return [f for f in self.facts.context.files() if f.endswith(".go")][:2000]

    def needs_cgo(self) -> tuple[bool, str]:
        facts = self.facts
        for c in facts.find("go"):
            if c.env.get("CGO_ENABLED") == "1":
                return True, "CGO_ENABLED=1 is set for the build"
        if facts.env.get("CGO_ENABLED") == "1":
            return True, "ENV CGO_ENABLED=1"
        for c in facts.find("go"):
            sanitizer = next((w for w in c.argv if w in ("-race", "-msan", "-asan")), None)
            if sanitizer and c.env.get("CGO_ENABLED") != "0":
                # turning cgo off for the whole stage would break this step
                return True, f"`go {c.argv[1]} {sanitizer}` needs cgo"
        gomod = facts.context.read("go.mod") or ""
        for mod in CGO_MODULES:
            if mod in gomod:
                return True, f"go.mod requires {mod}, which needs cgo"
        for f in self.go_files():
            text = facts.context.read(f) or ""
            if re.search(r'(?m)^import\s+"C"|^[ \t]+"C"[ \t]*$', text):
                return True, f"{f} imports \"C\""
        if not facts.context and not self.cgo_disabled():
            # without the sources, a C toolchain or C library headers installed for the build are
            # the only sign of cgo: keep it rather than produce a binary that fails at run time
            hints = sorted(p for p in set(facts.packages) if p in CGO_BUILD_PACKAGES or p in CGO_LIBRARY_PACKAGES
                           or p.endswith("-dev") and p not in CGO_BUILD_PACKAGES)
            if hints:
                return True, f"the build installs {', '.join(hints)} and the context is absent"
        return False, ""

    def cgo_disabled(self) -> bool:
        builds = [c for c in self.facts.find("go") if len(c.argv) > 1 and c.argv[1] in ("build", "install")]
        return bool(builds) and all(c.env.get("CGO_ENABLED") == "0" for c in builds)

    # -------------------------------------------------------------- artifacts
    def outputs(self, c: Command) -> list[str]:
        """Paths a `go build` / `go install` command writes, [] when they cannot be known."""
        argv = c.argv
        pkgs = positional_args(argv[2:], _BUILD_VALUE_FLAGS)
        if argv[1] == "install":
            gobin = c.env.get("GOBIN") or posixpath.join(c.env.get("GOPATH") or "/go", "bin")
            names = [self.package_name(p, c.cwd) for p in (pkgs or ["."])]
            return [posixpath.join(gobin, n) for n in names if n]
        out = option_value(argv, "-o")
        if pkgs and pkgs[0].endswith(".go"):
            name = posixpath.basename(pkgs[0])[:-3]
        else:
            name = self.package_name(pkgs[0] if pkgs else ".", c.cwd)
        if out:
            out_abs = resolve(out, c.cwd)
            if out.endswith("/") or len(pkgs) > 1:
                return [posixpath.join(out_abs, name)] if name else []
            return [out_abs]
        return [posixpath.join(c.cwd, name)] if name else []

    def package_name(self, pkg: str, cwd: str) -> str | None:
        pkg = pkg.split("@")[0]
        if pkg.endswith("/..."):
            return None
        if pkg in (".", "./"):
            return self.module_name(cwd)
        parts = pkg.rstrip("/").split("/")
        if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
            parts.pop()
        return parts[-1] or None

    def plan_build(self) -> None:
        facts, plan = self.facts, self.plan
        builds = [c for c in facts.find("go") if len(c.argv) > 1 and c.argv[1] in ("build", "install")]
        entry_argv = command_argv(facts.entrypoint) or command_argv(facts.cmd) or []
        for c in builds:
            paths = self.outputs(c)
            if c.argv[1] == "install":
                pkgs = positional_args(c.argv[2:], _BUILD_VALUE_FLAGS)
                if any("@" in p for p in pkgs) and not self._named_in_entry(paths, entry_argv):
                    plan.decisions.append(f"go install {' '.join(pkgs)}: a build tool, not copied")
                    continue
                if not paths and entry_argv and self._plain_program(entry_argv[0]):
                    # `go install ./...`: the binary the CMD runs is one of those installed in GOBIN
                    gobin = c.env.get("GOBIN") or posixpath.join(c.env.get("GOPATH") or "/go", "bin")
                    paths = [posixpath.join(gobin, posixpath.basename(entry_argv[0]))]
                    plan.decisions.append(f"binary name {posixpath.basename(paths[0])} taken from CMD/ENTRYPOINT")
                for p in paths:
                    self.binaries[p] = posixpath.join("/usr/local/bin", posixpath.basename(p))
                continue
            out_dir = self._output_dir(c)
            if not paths:
                paths = self._from_entry(entry_argv, out_dir)
            if not paths:
                self._collect(out_dir)
                continue
            caches = cache_mounts(facts, c)
            for p in paths:
                moved = follow_moves(facts, p, c)
                if moved != p:
                    plan.decisions.append(f"{p} is moved to {moved} after the build")
                in_cache = [m for m in caches if (moved + "/").startswith(m.rstrip("/") + "/")]
                if moved == p and in_cache:
                    raise Refusal(f"{p} is built into a cache mount ({in_cache[0]}) and never copied out of it, so "
                                  "the image does not hold it; copy it out in the same RUN", reason="artifact-not-found")
                self.binaries[moved] = self._runtime_path(moved)
        self._go_run(entry_argv)
        if not builds and not self.binaries and entry_argv and "/" in entry_argv[0] \
                and self._plain_program(entry_argv[0]) and any(s.commands for s in facts.steps):
            # make or a script builds it: the original image ran this path, so the build left it there
            path = resolve(entry_argv[0], facts.workdir)
            self.binaries[path] = path
            plan.decisions.append(f"no go build in the Dockerfile (a Makefile or script builds it): {path} "
                                  "is the binary CMD/ENTRYPOINT runs")
        if not self.binaries and not plan.produced:
            if builds:
                why = "no CMD or ENTRYPOINT runs one of them" if self.facts.context else \
                    "their names are unknown without the build context, and no CMD or ENTRYPOINT names one"
                raise Refusal(f"line {self._line_of(builds[-1])}: `{' '.join(builds[-1].argv[:4])}` builds binaries, "
                              f"but {why}: the image runs no app of its own", reason="artifact-not-found")
            raise Refusal("Go image, but no go build, go install or go run found: the binary cannot be located "
                          "(a Makefile or script builds it)", reason="artifact-not-found")
        for src, dest in self.binaries.items():
            plan.copy(src, dest, "the compiled binary")

    def _runtime_path(self, path: str) -> str:
        """A binary in a builder-only PATH dir ($GOPATH/bin) moves to /usr/local/bin, so CMD finds it by name."""
        builder_path = (self.facts.env.get("PATH") or "").split(":")
        if posixpath.dirname(path) in builder_path and posixpath.dirname(path) not in _STANDARD_PATH:
            return posixpath.join("/usr/local/bin", posixpath.basename(path))
        return path

    @staticmethod
    def _output_dir(c: Command) -> str:
        """Directory a `go build` writes into: `-o dir/` (or -o with several packages), else its cwd."""
        out = option_value(c.argv, "-o")
        if out and (out.endswith("/") or len(positional_args(c.argv[2:], _BUILD_VALUE_FLAGS)) > 1
                    or any(p.endswith("/...") for p in positional_args(c.argv[2:], _BUILD_VALUE_FLAGS))):
            return resolve(out, c.cwd)
        return c.cwd

    @staticmethod
    def _plain_program(word: str) -> bool:
        """False for a shell, a process manager or a script: not a binary go build wrote."""
        name = posixpath.basename(word)
        if word in _NOT_BINARIES or name in _NOT_BINARIES or not name or "$" in word:
            return False
        return "." not in name or name.endswith((".bin", ".out", ".exe"))

    def _line_of(self, c: Command) -> int:
        return next((st.ins.lineno for st in self.facts.steps if c in st.commands), 0)

    def _named_in_entry(self, paths: list[str], argv: list[str]) -> bool:
        names = {posixpath.basename(p) for p in paths}
        return any(posixpath.basename(w) in names for w in argv[:3])

    def _from_entry(self, argv: list[str], cwd: str) -> list[str]:
        """The binary a CMD runs from the build directory, when go build names it implicitly."""
        if not argv:
            return []
        first = argv[0]
        if not self._plain_program(first):
            return []
        if "/" not in first and cwd in _PATH_DIRS:
            # a bare name is looked up on PATH, where `-o dir/` put the binaries
            self.plan.decisions.append(f"binary name {first} taken from CMD/ENTRYPOINT")
            return [posixpath.join(cwd, first)]
        if "/" in first or self.facts.workdir == cwd:
            path = resolve(first, self.facts.workdir)
            if posixpath.dirname(path) == cwd:
                self.plan.decisions.append(f"binary name {posixpath.basename(path)} taken from CMD/ENTRYPOINT")
                return [path]
        return []

    def _collect(self, cwd: str) -> None:
        plan = self.plan
        if cwd in _SYSTEM_DIRS:
            raise Refusal(f"the build writes binaries into {cwd} with names unknown without the build context; "
                          "they cannot be told apart from the image's own programs", reason="artifact-not-found")
        # the step cannot fail the build: with nothing to collect, the build log says so
        missing = sh(f"msb: no executable found in {cwd}: the runtime has none to run")
        plan.builder_append.append(
            "# collect the executables the build produced (their names are not in the Dockerfile)\n"
            f"RUN mkdir -p /out; find {sh(cwd)} -maxdepth 1 -type f -perm -u+x ! -name '*.sh' -exec cp {{}} /out/ \\; "
            "2>/dev/null; \\\n"
            f"    set -- /out/*; [ -e \"$1\" ] || echo {missing} >&2")
        plan.copy("/out/", self.facts.workdir.rstrip("/") + "/", "executables collected after the build")
        plan.decisions.append("binary name unknown without the build context: a collect step copies the "
                              f"executables of {cwd} to /out")
        plan.warnings.append(f"binary name unknown without the build context: when the build leaves no executable "
                             f"in {cwd}, the build log says `msb: no executable found` and the runtime has none "
                             "(convert with --context to name it)")

    def _keep_paths_for_script(self) -> None:
        """msb does not edit an entrypoint script: a binary it calls by full path keeps that path."""
        for script in [a for a in self.plan.artifacts if a.why == "entrypoint script"]:
            text = self.facts.context_file(script.source) or ""
            for art in self.plan.artifacts:
                if art.source in self.binaries and art.dest != art.source and art.source in text:
                    art.dest = self.binaries[art.source] = art.source
                    self.plan.decisions.append(f"{art.source} keeps its path: the entrypoint script calls it there")

    def _go_run(self, argv: list[str]) -> None:
        """CMD go run: build that package in the builder instead."""
        if argv[:2] != ["go", "run"]:
            return
        rest = argv[2:]
        pkg_pos = next((i for i, w in enumerate(rest) if not w.startswith("-")
                        and (i == 0 or rest[i - 1] not in _BUILD_VALUE_FLAGS)), None)
        if pkg_pos is None:
            pkg, flags = ".", rest
        else:
            pkg, flags = rest[pkg_pos], rest[:pkg_pos]
        files = [pkg]
        if pkg.endswith(".go"):
            j = pkg_pos + 1
            while j < len(rest) and rest[j].endswith(".go"):
                files.append(rest[j])
                j += 1
        name = (self.package_name(pkg, self.facts.workdir) if not pkg.endswith(".go") else None) or "app"
        out = f"/out/{name}"
        self.plan.builder_append.append(
            "# build what CMD used to `go run`\n" + f"RUN go build {sh_words(flags + ['-o', out] + files)}")
        self.binaries[out] = f"/usr/local/bin/{name}"

    # -------------------------------------------------------------- entry
    def rewrite(self, argv: list[str]) -> list[str] | None:
        if argv[:2] == ["go", "run"]:
            binary = next(dest for src, dest in self.binaries.items() if src.startswith("/out/"))
            rest = argv[2:]
            # drop flags and the package (and extra .go files); keep the program's arguments
            i = 0
            while i < len(rest) and rest[i].startswith("-"):
                i += 2 if rest[i] in _BUILD_VALUE_FLAGS else 1
            i += 1
            while i < len(rest) and rest[i].endswith(".go"):
                i += 1
            if i < len(rest) and rest[i] == "--":
                i += 1
            return [binary, *rest[i:]]
        first = argv[0]
        for src, dest in self.binaries.items():
            resolved = resolve(first, self.facts.workdir) if "/" in first else None
            if resolved == src or (("/" not in first) and posixpath.basename(src) == first and src != dest):
                return [dest, *argv[1:]] if dest != resolved else None
        return None

    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        runtime.start(facts, plan, BUILD_ENV)
        cgo, why = self.needs_cgo()
        self.plan_build()
        flavour = options.flavour(NAME)
        family = "alpine" if facts.is_alpine else "debian"
        libs = runtime_libraries(facts.packages, family)
        release = 12
        if cgo:
            plan.decisions.append(f"cgo kept: {why}")
            if facts.is_alpine:
                plan.runtime_base = alpine_version(facts.image_tag)
                plan.decisions.append("alpine builder with cgo: musl binary, so an alpine runtime")
                plan.runtime_packages += libs
            else:
                # a glibc binary runs only where glibc is at least as new as the builder's
                release, warning = glibc_debian(facts)
                if warning:
                    plan.warnings.append(warning)
                extra = sorted(set(libs) - BASE_LIBS)
                if extra or flavour == "slim":
                    plan.runtime_base = glibc_runtime(DEBIAN_SLIM, release)
                    plan.runtime_packages += debian_packages(sorted(set(libs) | {"ca-certificates"}), release)
                else:
                    plan.runtime_base = glibc_runtime(DISTROLESS_BASE, release)
                    plan.decisions.append(f"glibc binary: distroless base on Debian {release}, "
                                          "whose glibc is at least the builder's")
        else:
            if not self.cgo_disabled() and facts.env.get("CGO_ENABLED") != "0":
                plan.builder_after_from.append("ENV CGO_ENABLED=0")
                plan.decisions.append("CGO_ENABLED=0: nothing needs cgo, so the binary is static")
            plan.runtime_base = {"scratch": "scratch", "alpine": "alpine:3.20", "slim": DEBIAN_SLIM}.get(
                flavour, DISTROLESS_STATIC)
        if flavour == "scratch" and not cgo:
            plan.decisions.append("scratch runtime: CA certificates copied from the builder")
            plan.copy("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/ca-certificates.crt",
                      "CA certificates for TLS")
        app_files.stage(facts, plan, "go")
        entry_argv = command_argv(facts.entrypoint) or []
        copy_config_args(facts, plan, entry_argv + (command_argv(facts.cmd) or []))
        runtime.entry_script(facts, plan, command_argv(facts.entrypoint) or command_argv(facts.cmd))
        self._keep_paths_for_script()
        runtime.entry(facts, plan, self.rewrite)
        if plan.cmd is None and plan.entrypoint is None and self.binaries:
            plan.entrypoint = [next(iter(self.binaries.values()))]
            plan.decisions.append("the original had no CMD; the runtime runs the built binary")
        # after the rewrite: programs are decided on what the runtime starts (`go run` became the binary)
        carry_runtime_tools(facts, plan, options, (".go",))
        shell_base = alpine_version(facts.image_tag) if facts.is_alpine else glibc_runtime(DEBIAN_SLIM, release)
        runtime.shell_needs(facts, plan, options)
        if plan.needs_shell and describe(plan.runtime_base).distroless:
            # distroless carried the CA bundle (and for cgo, libssl); the shell base must install them
            wanted = {"ca-certificates"} | (set(libs) if cgo and not facts.is_alpine else set())
            plan.runtime_packages += debian_packages(sorted(wanted - set(plan.runtime_packages)), release) \
                if not facts.is_alpine else ["ca-certificates"]
        runtime.finish(facts, plan, options, shell_base=shell_base)
        return plan


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return GoPlanner(facts, options).build()
