"""Rust: `cargo build` / `cargo install` binaries on a cc (glibc) or static (musl) runtime."""
from __future__ import annotations

import glob as globlib
import posixpath
import re

from .. import runtime
from ..analysis import StageFacts, command_argv
from ..bases import DEBIAN_SLIM, DISTROLESS_CC, DISTROLESS_STATIC, alpine_version
from ..options import Options
from ..plan import BuildPlan, Detection, Evidence, Refusal
from ..shell import Command, option_value, resolve
from .common import BASE_LIBS, copy_assets, copy_config_args, load_toml, native_libs, runtime_libraries

NAME = "rust"
BUILD_ENV = {"CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR", "RUSTFLAGS", "CARGO_BUILD_TARGET", "CARGO_INCREMENTAL",
             "CARGO_NET_GIT_FETCH_WITH_CLI", "CARGO_REGISTRIES_CRATES_IO_PROTOCOL", "RUST_VERSION", "SQLX_OFFLINE",
             "CC", "CXX", "PKG_CONFIG_ALLOW_CROSS", "OPENSSL_STATIC", "OPENSSL_DIR"}
BUILD_TOOLS = {"cargo", "rustc", "rustup"}
MUSL_IMAGES = ("rust-musl-builder", "muslrust", "rust-musl-cross")
RUNTIME_BIN_DIR = "/usr/local/bin"


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    if facts.image_name in ("rust",) or any(m in facts.image for m in MUSL_IMAGES) or "rustlang/rust" in facts.image:
        ev.append(Evidence(f"base image {facts.image}", f"Dockerfile:{facts.stage.from_.lineno}", 3))
    for step in facts.steps:
        if any(c.program == "cargo" and len(c.argv) > 1 and c.argv[1] in ("build", "install") for c in step.commands):
            ev.append(Evidence("cargo build/install", f"Dockerfile:{step.ins.lineno}", 2))
            break
    for ins in (facts.entrypoint, facts.cmd):
        if ins is not None and re.search(r"\bcargo\b.*\brun\b", ins.args):
            ev.append(Evidence("cargo run at start-up", f"Dockerfile:{ins.lineno}", 2))
            break
    if facts.context.exists("Cargo.toml"):
        ev.append(Evidence("Cargo.toml", "context:Cargo.toml", 1.5))
    return Detection(NAME, sum(e.weight for e in ev), ev)


class RustPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "rust.Dockerfile.j2", DISTROLESS_CC)
        self.binaries: dict[str, str] = {}     # builder path -> runtime path
        self.musl = False
        self.collected = False

    # ------------------------------------------------------------ manifests
    def manifest(self, builder_dir: str) -> dict:
        text = self.facts.context_file(posixpath.join(builder_dir, "Cargo.toml"))
        if text is None and builder_dir == self.facts.workdir:
            text = self.facts.context.read("Cargo.toml")
        return load_toml(text)

    def manifest_dir(self, c: Command) -> str:
        path = option_value(c.argv, "--manifest-path")
        return posixpath.dirname(resolve(path, c.cwd)) if path else c.cwd

    def package_bins(self, builder_dir: str, manifest: dict) -> tuple[list[str], str | None]:
        """Binary names of one package and its default-run."""
        pkg = manifest.get("package", {}) if isinstance(manifest.get("package"), dict) else {}
        name = pkg.get("name")
        names = [b.get("name") for b in manifest.get("bin", []) if isinstance(b, dict) and b.get("name")]
        rel = self.facts.context_path(builder_dir)
        ctx = self.facts.context
        if rel is not None and ctx:
            src_bin = posixpath.join(rel, "src/bin")
            for entry in ctx.listdir(src_bin):
                if entry.endswith(".rs"):
                    names.append(entry[:-3])
                elif ctx.exists(posixpath.join(src_bin, entry, "main.rs")):
                    names.append(entry)
            has_main = ctx.exists(posixpath.join(rel, "src/main.rs"))
        else:
            has_main = not names
        if name and (has_main or not names) and pkg.get("autobins", True) is not False:
            names.insert(0, name)
        return list(dict.fromkeys(n for n in names if n)), pkg.get("default-run")

    def workspace_member(self, builder_dir: str, manifest: dict, package: str) -> tuple[str, dict] | None:
        members = manifest.get("workspace", {}).get("members", []) if isinstance(manifest.get("workspace"), dict) else []
        rel_root = self.facts.context_path(builder_dir)
        if rel_root is None or not self.facts.context:
            return None
        for pattern in members:
            for rel in sorted(globlib.glob(pattern, root_dir=str(self.facts.context.root / rel_root))):
                member_dir = posixpath.join(builder_dir, rel)
                m = self.manifest(member_dir)
                if m.get("package", {}).get("name") == package:
                    return member_dir, m
        return None

    # ------------------------------------------------------------ artifacts
    def bins_for(self, c: Command) -> tuple[list[str], str | None]:
        """(binary names, default) a cargo command builds; names may be [] without context."""
        explicit = [c.argv[i + 1] for i, w in enumerate(c.argv[:-1]) if w == "--bin"]
        explicit += [w.split("=", 1)[1] for w in c.argv if w.startswith("--bin=")]
        if explicit:
            return explicit, explicit[0]
        mdir = self.manifest_dir(c)
        manifest = self.manifest(mdir)
        package = option_value(c.argv, "-p", "--package")
        if package:
            found = self.workspace_member(mdir, manifest, package)
            if found:
                return self.package_bins(*found)
            return [], None
        if manifest.get("package"):
            return self.package_bins(mdir, manifest)
        return [], None

    def target_dir(self, c: Command) -> str:
        d = option_value(c.argv, "--target-dir") or c.env.get("CARGO_TARGET_DIR")
        return resolve(d, c.cwd) if d else posixpath.join(self.manifest_dir(c), "target")

    def profile_dir(self, c: Command) -> str:
        profile = option_value(c.argv, "--profile")
        if profile:
            return {"dev": "debug", "test": "debug", "bench": "release"}.get(profile, profile)
        return "release" if ("--release" in c.argv or "-r" in c.argv) else "debug"

    def triple(self, c: Command) -> str | None:
        t = option_value(c.argv, "--target") or c.env.get("CARGO_BUILD_TARGET")
        if not t and any(m in self.facts.image for m in MUSL_IMAGES):
            t = "x86_64-unknown-linux-musl"
        return t

    def out_dir(self, c: Command) -> str:
        t = self.triple(c)
        parts = [self.target_dir(c)] + ([t] if t else []) + [self.profile_dir(c)]
        return posixpath.join(*parts)

    def plan_build(self) -> None:
        facts, plan = self.facts, self.plan
        entry_words = (command_argv(facts.entrypoint) or []) + (command_argv(facts.cmd) or [])
        builds = [c for c in facts.find("cargo") if len(c.argv) > 1 and c.argv[1] in ("build", "install")]
        last_build: Command | None = None
        for c in builds:
            t = self.triple(c) or ""
            if "musl" in t or facts.is_alpine:
                self.musl = True
            elif t and "linux" not in t:
                plan.decisions.append(f"cargo build --target {t}: not a Linux binary, not copied")
                continue
            if c.argv[1] == "install":
                self._install(c, entry_words)
                continue
            last_build = c
        if last_build is not None:
            self._build_outputs(last_build, entry_words)
        run = self._cargo_run_argv()
        if run is not None and last_build is None and not self.binaries:
            # CMD cargo run with no build step: build the same profile in the builder
            flags = [w for w in run[2:run.index("--")] if w != "run"] if "--" in run else run[2:]
            cmd = Command(["cargo", "build", *flags], dict(facts.env), facts.workdir)
            plan.builder_append.append("# build what CMD used to `cargo run`\nRUN " + " ".join(cmd.argv))
            self._build_outputs(cmd, entry_words)
        if not self.binaries:
            raise Refusal("Rust build found, but not the binary it produces", reason="artifact-not-found")
        for src, dest in self.binaries.items():
            plan.copy(src, dest, "the compiled binary")

    def _build_outputs(self, c: Command, entry_words: list[str]) -> None:
        names, default = self.bins_for(c)
        out = self.out_dir(c)
        if not names:
            names = self._names_from_entry(entry_words, out)
        if not names:
            self._collect(out)
            return
        for n in names:
            self.binaries[posixpath.join(out, n)] = posixpath.join(RUNTIME_BIN_DIR, n)
        if default:
            self.plan.extra["default_bin"] = default

    def _install(self, c: Command, entry_words: list[str]) -> None:
        root = option_value(c.argv, "--root") or c.env.get("CARGO_INSTALL_ROOT") or c.env.get("CARGO_HOME") or "/usr/local/cargo"
        bindir = posixpath.join(resolve(root, c.cwd), "bin")
        path = option_value(c.argv, "--path")
        if path:
            names, default = self.bins_for(Command(["cargo", "build", "--manifest-path",
                                                    posixpath.join(resolve(path, c.cwd), "Cargo.toml")], c.env, c.cwd))
            if not names:
                names = [w for w in entry_words[:1] if "/" not in w and w not in BUILD_TOOLS]
        else:
            # a crate from the registry: copy it only when the app runs it
            crates = [w for w in c.argv[2:] if not w.startswith("-") and w != option_value(c.argv, "--features")]
            candidates = set()
            for crate in crates:
                crate = crate.split("@")[0]
                candidates |= {crate, re.sub(r"[-_]cli$", "", crate)}
            names = [w for w in candidates if any(posixpath.basename(e) == w or re.search(rf"\b{re.escape(w)}\b", e)
                                                  for e in entry_words)]
            if not names:
                self.plan.decisions.append(f"cargo install {' '.join(crates)}: a build tool, not copied")
                return
        if not names:
            raise Refusal("cargo install --path: binary name unknown without the build context or a CMD naming it",
                          reason="artifact-not-found")
        for n in names:
            self.binaries[posixpath.join(bindir, n)] = posixpath.join(RUNTIME_BIN_DIR, n)

    def _names_from_entry(self, words: list[str], out: str) -> list[str]:
        for w in words:
            if "/target/" in f"/{w}" or w.startswith("target/"):
                name = posixpath.basename(w)
                self.plan.decisions.append(f"binary name {name} taken from CMD/ENTRYPOINT")
                return [name]
        run = self._cargo_run_argv()
        if run and "--bin" in run:
            return [run[run.index("--bin") + 1]]
        return []

    def _collect(self, out: str) -> None:
        """Name unknown: copy the one executable the build produced to a fixed path."""
        self.plan.builder_append.append(
            "# collect the binary the build produced (its name is not in the Dockerfile)\n"
            f"RUN set -e; mkdir -p /out; bins=$(find {out} -maxdepth 1 -type f -perm -u+x); \\\n"
            "    test \"$(echo \"$bins\" | wc -w)\" -eq 1 || { echo \"expected one binary in "
            f"{out}, found: $bins\" >&2; exit 1; }}; \\\n    cp $bins /out/app")
        self.binaries["/out/app"] = posixpath.join(RUNTIME_BIN_DIR, "app")
        self.collected = True
        self.plan.decisions.append(f"binary name unknown without the build context: a collect step copies the "
                                   f"single executable of {out} to /out/app")

    def _cargo_run_argv(self) -> list[str] | None:
        for ins in (self.facts.entrypoint, self.facts.cmd):
            words = command_argv(ins) or []
            if words[:2] == ["cargo", "run"]:
                return words
        return None

    # ------------------------------------------------------------ entry
    def rewrite(self, argv: list[str]) -> list[str] | None:
        if argv[:2] == ["cargo", "run"]:
            want = option_value(argv, "--bin") or self.plan.extra.get("default_bin")
            dests = list(self.binaries.values())
            dest = next((d for d in dests if posixpath.basename(d) == want), dests[0])
            rest = argv[argv.index("--") + 1:] if "--" in argv else []
            return [dest, *rest]
        out = list(argv)
        changed = False
        for i, word in enumerate(out):
            for src, dest in self.binaries.items():
                name = posixpath.basename(src)
                if word == name and i == 0 and "/" not in word:
                    out[i], changed = dest, True
                elif "/" in word and (resolve(word, self.facts.workdir) == src or
                                      (word.endswith("/" + name) and "target/" in word)):
                    out[i], changed = dest, True
        return out if changed else None

    # ------------------------------------------------------------ plan
    def native_runtime_packages(self) -> list[str]:
        crates_table = native_libs().get("crates", {})
        lock = self.facts.context_file(posixpath.join(self.facts.workdir, "Cargo.lock")) or \
            self.facts.context.read("Cargo.lock") or ""
        pkgs = []
        for crate, lib in crates_table.items():
            if lib and re.search(rf'(?m)^name = "{re.escape(crate)}"$', lock):
                if crate == "libsqlite3-sys" and "bundled" in (self.facts.context.read("Cargo.toml") or ""):
                    continue
                pkgs.append(lib)
        pkgs += runtime_libraries(self.facts.packages, "debian")
        return sorted(set(pkgs) - BASE_LIBS)

    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        runtime.start(facts, plan, BUILD_ENV)
        self.plan_build()
        flavour = options.flavour(NAME)
        if self.musl:
            plan.runtime_base = {"scratch": "scratch", "alpine": alpine_version(facts.image_tag),
                                 "slim": DEBIAN_SLIM}.get(flavour, DISTROLESS_STATIC)
            plan.decisions.append("musl build: the binary is static, so a static runtime")
        else:
            libs = self.native_runtime_packages()
            if libs or flavour == "slim":
                plan.runtime_base = DEBIAN_SLIM
                plan.runtime_packages += libs
                if libs:
                    plan.decisions.append(f"runtime libraries {', '.join(libs)} need a package manager: {DEBIAN_SLIM}")
            else:
                plan.runtime_base = DISTROLESS_CC
                plan.decisions.append("glibc binary: distroless cc (libc, libgcc, libssl3)")
            if "trixie" in facts.image_tag:
                plan.runtime_base = plan.runtime_base.replace("debian12", "debian13").replace("bookworm", "trixie")
        copy_assets(facts, plan, self.embedded())
        copy_config_args(facts, plan, (command_argv(facts.entrypoint) or []) + (command_argv(facts.cmd) or []))
        runtime.entry_script(facts, plan, command_argv(facts.entrypoint) or command_argv(facts.cmd))
        runtime.entry(facts, plan, self.rewrite)
        self._check_no_build_tools()
        if plan.cmd is None and plan.entrypoint is None:
            plan.entrypoint = [next(iter(self.binaries.values()))]
            plan.decisions.append("the original had no CMD; the runtime runs the built binary")
        if plan.needs_shell and plan.runtime_base.startswith("gcr.io/distroless"):
            plan.runtime_packages.append("ca-certificates")
        runtime.finish(facts, plan, options, shell_base=alpine_version(facts.image_tag) if facts.is_alpine
                       else DEBIAN_SLIM)
        return plan

    def embedded(self) -> set[str]:
        out: set[str] = set()
        for f in [f for f in self.facts.context.files() if f.endswith(".rs")][:2000]:
            text = self.facts.context.read(f) or ""
            for m in re.finditer(r'(?:folder\s*=\s*|include_dir!\(\s*(?:"\$CARGO_MANIFEST_DIR/)?)"?([\w./-]+)"', text):
                out.add(m.group(1).strip("/").split("/")[0])
        return out

    def _check_no_build_tools(self) -> None:
        for value in (self.plan.entrypoint, self.plan.cmd):
            words = value if isinstance(value, list) else (value or "").split()
            if any(re.fullmatch(r"[\"']?(cargo|rustc|rustup)", w) for w in words):
                raise Refusal("the start command still runs cargo inside a shell command; "
                              "rewrite it to run the binary, then convert", reason="entrypoint-uses-build-tool")


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return RustPlanner(facts, options).build()
