"""Rust: `cargo build` / `cargo install` binaries on a cc (glibc) or static (musl) runtime."""
from __future__ import annotations

import glob as globlib
import posixpath
import re

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.bases import DEBIAN_SLIM, DISTROLESS_CC, DISTROLESS_STATIC, alpine_version, describe
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Evidence, Refusal
from msbrewrite.model.quoting import sh, sh_words
from msbrewrite.model.shell import Command, option_value, positional_args, resolve, split_words
from msbrewrite.languages.rust.manifest import manifest_problem
from msbrewrite.languages.common import (BASE_LIBS, cache_mounts, copy_config_args, debian_packages, follow_moves,
                     glibc_debian, glibc_runtime, load_toml, moved_out_of, native_libs, runtime_libraries,
                     carry_runtime_tools)
from msbrewrite.languages.rust.detect import MUSL_IMAGES, NAME

BUILD_ENV = {"CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR", "RUSTFLAGS", "CARGO_BUILD_TARGET", "CARGO_INCREMENTAL",
             "CARGO_NET_GIT_FETCH_WITH_CLI", "CARGO_REGISTRIES_CRATES_IO_PROTOCOL", "RUST_VERSION", "SQLX_OFFLINE",
             "CC", "CXX", "PKG_CONFIG_ALLOW_CROSS", "OPENSSL_STATIC", "OPENSSL_DIR"}
BUILD_TOOLS = {"cargo", "rustc", "rustup"}
RUNTIME_BIN_DIR = "/usr/local/bin"
COLLECT_DIR = "/tmp/msb-bin"
# cargo install options that take a value (so the value is not read as a crate name)
_INSTALL_VALUE_FLAGS = {"--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--root", "--index",
                        "--registry", "--features", "-F", "--target", "--target-dir", "--profile", "--bin",
                        "--example", "-j", "--jobs", "--config", "-Z", "--color"}
SLIM_LIBS = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}     # already in debian slim images


class RustPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "rust.Dockerfile.j2", DISTROLESS_CC)
        self.binaries: dict[str, str] = {}     # builder path -> runtime path
        self.musl = False
        self.collected = False
        self.release = 12       # Debian release of the runtime (glibc at least the builder's)

    # ------------------------------------------------------------ manifests
    def manifest(self, builder_dir: str) -> dict:
        rel = self.facts.context_path(posixpath.join(builder_dir, "Cargo.toml"))
        text = self.facts.context.read(rel) if rel is not None else None
        if text is None and builder_dir == self.facts.workdir:
            rel, text = "Cargo.toml", self.facts.context.read("Cargo.toml")
        data = load_toml(text)
        why = manifest_problem(data)
        if why:
            raise Refusal(f"{rel}: {why} (cargo rejects this manifest too)", code=3, reason="bad-manifest")
        return data

    def manifest_dir(self, c: Command) -> str:
        path = option_value(c.argv, "--manifest-path")
        return posixpath.dirname(resolve(path, c.cwd)) if path else c.cwd

    def package_bins(self, builder_dir: str, manifest: dict) -> tuple[list[str], str | None]:
        """Binary names of one package and its default-run, following Cargo's target rules."""
        pkg = manifest.get("package", {}) if isinstance(manifest.get("package"), dict) else {}
        name = pkg.get("name")
        autobins = pkg.get("autobins", True) is not False
        tables = [b for b in manifest.get("bin", []) if isinstance(b, dict) and b.get("name")]
        names = [b["name"] for b in tables]
        # a [[bin]] table takes over the file it points at: no second, inferred binary for it
        claimed = {posixpath.normpath(b.get("path") or ("src/main.rs" if b["name"] == name
                                                        else f"src/bin/{b['name']}.rs")) for b in tables}
        rel = self.facts.context_path(builder_dir)
        ctx = self.facts.context
        if rel is not None and ctx:
            src_bin = posixpath.join(rel, "src/bin")
            for entry in ctx.listdir(src_bin) if autobins else []:
                if entry.endswith(".rs") and f"src/bin/{entry}" not in claimed:
                    names.append(entry[:-3])
                elif ctx.exists(posixpath.join(src_bin, entry, "main.rs")) and \
                        f"src/bin/{entry}/main.rs" not in claimed:
                    names.append(entry)
            has_main = ctx.exists(posixpath.join(rel, "src/main.rs"))
        else:
            has_main = not tables
        if name and has_main and autobins and "src/main.rs" not in claimed:
            names.insert(0, name)
        return list(dict.fromkeys(n for n in names if n)), pkg.get("default-run")

    def workspace_members(self, builder_dir: str, manifest: dict, default_only: bool = False) -> list[tuple[str, dict]]:
        """(builder dir, manifest) of the workspace members; `default-members` when asked and present."""
        ws = manifest.get("workspace") if isinstance(manifest.get("workspace"), dict) else {}
        patterns = (default_only and ws.get("default-members")) or ws.get("members", [])
        rel_root = self.facts.context_path(builder_dir)
        if rel_root is None or not self.facts.context:
            return []
        out = []
        for pattern in patterns:
            for rel in sorted(globlib.glob(pattern, root_dir=str(self.facts.context.root / rel_root))):
                member_dir = posixpath.join(builder_dir, rel)
                m = self.manifest(member_dir)
                if isinstance(m.get("package"), dict):
                    out.append((member_dir, m))
        return out

    def workspace_member(self, builder_dir: str, manifest: dict, package: str) -> tuple[str, dict] | None:
        return next(((d, m) for d, m in self.workspace_members(builder_dir, manifest)
                     if m["package"].get("name") == package), None)

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
        if manifest.get("workspace") and "--workspace" not in c.argv and "--all" not in c.argv:
            # a virtual manifest builds its default members (all members when none are listed)
            members = self.workspace_members(mdir, manifest, default_only=True)
        else:
            members = self.workspace_members(mdir, manifest)
        names = [n for d, m in members for n in self.package_bins(d, m)[0]]
        return list(dict.fromkeys(names)), None

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
        if run is not None and not self.collected:
            # CMD cargo run: the binary of that profile (and --bin) must exist, else build it in the builder
            flags = [w for w in run[2:run.index("--")] if w != "run"] if "--" in run else run[2:]
            cmd = Command(["cargo", "build", *flags], dict(facts.env), facts.workdir)
            want, need = option_value(run, "--bin"), self.out_dir(cmd)
            if not any(posixpath.dirname(p) == need and (not want or posixpath.basename(p) == want)
                       for p in self.binaries):
                plan.builder_append.append("# build what CMD used to `cargo run`\nRUN " + sh_words(cmd.argv))
                before = dict(self.binaries)
                self.binaries.clear()
                self._build_outputs(cmd, entry_words)
                # a binary of another profile with the same name is not needed any more
                taken = set(self.binaries.values())
                self.binaries = {**{k: v for k, v in before.items() if v not in taken}, **self.binaries}
        if not self.binaries:
            if any(ins is not None and re.search(r"\bcargo\s+run\b", ins.args) for ins in (facts.entrypoint, facts.cmd)):
                raise Refusal("the start command runs `cargo run` inside a shell command; rewrite it to run the "
                              "binary, then convert", reason="entrypoint-uses-build-tool")
            raise Refusal("Rust image, but no cargo build, cargo install or cargo run found: the binary cannot be "
                          "located (a script or Makefile builds it)", reason="artifact-not-found")
        if self.collected:
            bin_dir = posixpath.dirname(next(iter(self.binaries)))
            plan.copy(bin_dir + "/", RUNTIME_BIN_DIR + "/", "every binary the build produced (collected in the builder)")
            return
        for src, dest in self.binaries.items():
            plan.copy(src, dest, "the compiled binary")
        self._say_binaries()

    def _say_binaries(self) -> None:
        """Several binaries: all are carried (the app or a `docker run IMAGE NAME` may start any of them)."""
        if len(self.binaries) > 1:
            names = ", ".join(posixpath.basename(d) for d in self.binaries.values())
            self.plan.decisions.append(f"the build makes {len(self.binaries)} binaries ({names}): every one is "
                                       f"copied to {RUNTIME_BIN_DIR}")

    def _build_outputs(self, c: Command, entry_words: list[str]) -> None:
        names, default = self.bins_for(c)
        out = self.out_dir(c)
        if not names:
            names = moved_out_of(self.facts, out, c) or self._names_from_entry(entry_words, out)
        caches = [m for m in cache_mounts(self.facts, c) if (out + "/").startswith(m.rstrip("/") + "/")]
        if not names:
            if caches:
                raise Refusal(f"the build output {out} is in a cache mount ({caches[0]}), so it is not in the image, "
                              "and the binary name is unknown without the build context", reason="artifact-not-found")
            self._collect(out, inferred_triple=self.triple(c) is not None and not option_value(c.argv, "--target")
                          and not c.env.get("CARGO_BUILD_TARGET"))
            return
        for n in names:
            path = follow_moves(self.facts, posixpath.join(out, n), c)
            if path != posixpath.join(out, n):
                self.plan.decisions.append(f"{posixpath.join(out, n)} is moved to {path} after the build")
            elif any((path + "/").startswith(m.rstrip("/") + "/") for m in caches):
                raise Refusal(f"{path} is built into a cache mount ({caches[0]}) and never copied out of it, so "
                              "the image does not hold it; copy it out in the same RUN", reason="artifact-not-found")
            self.binaries[path] = posixpath.join(RUNTIME_BIN_DIR, posixpath.basename(path))
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
            # a crate from the registry or git: copy it only when the app runs it
            crates = positional_args(c.argv[2:], _INSTALL_VALUE_FLAGS)
            if option_value(c.argv, "--git") and not crates:
                crates = [posixpath.basename(option_value(c.argv, "--git").rstrip("/")).removesuffix(".git")]
            candidates = set()
            for crate in crates:
                crate = crate.split("@")[0]
                candidates |= {crate, re.sub(r"[-_]cli$", "", crate)}
            words = entry_words + self._script_words()
            names = sorted(w for w in candidates if any(posixpath.basename(e) == w or
                                                        re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", e)
                                                        for e in words))
            if not names:
                self.plan.decisions.append(f"cargo install {' '.join(crates)}: a build tool, not copied")
                return
        if not names:
            raise Refusal("cargo install --path: binary name unknown without the build context or a CMD naming it",
                          reason="artifact-not-found")
        for n in names:
            self.binaries[posixpath.join(bindir, n)] = posixpath.join(RUNTIME_BIN_DIR, n)

    def _names_from_entry(self, words: list[str], out: str) -> list[str]:
        """Every binary the start command runs from target/ (`sh -c "a & b"` names two)."""
        names = [posixpath.basename(w) for w in _command_words(words)
                 if "/target/" in f"/{w}" and not w.endswith("/")]
        names = list(dict.fromkeys(names))
        if names:
            self.plan.decisions.append(f"binary name{'s' if len(names) > 1 else ''} {', '.join(names)} taken from "
                                       "CMD/ENTRYPOINT")
            return names
        run = self._cargo_run_argv()
        if run and "--bin" in run:
            return [run[run.index("--bin") + 1]]
        return []

    def _script_words(self) -> list[str]:
        """Words of the entrypoint script, when the context holds it: tools it runs must be copied."""
        argv = command_argv(self.facts.entrypoint) or command_argv(self.facts.cmd) or []
        for w in argv[:2]:
            if w.endswith(".sh"):
                text = self.facts.context_file(posixpath.join(self.facts.workdir, w))
                if text:
                    return [word for line in text.splitlines() if not line.lstrip().startswith("#")
                            for word in line.split()]
        return []

    def _keep_paths_for_script(self) -> None:
        """msb does not edit an entrypoint script: binaries it may call by path stay at their builder path."""
        scripts = [a for a in self.plan.artifacts if a.why == "entrypoint script"]
        if not scripts:
            return
        text = " ".join(self._script_words())
        for art in self.plan.artifacts:
            if art.source not in self.binaries or self.collected:
                continue
            rel = posixpath.relpath(art.source, self.facts.workdir)
            in_target = "/target/" in art.source
            # a target/ binary is only reachable by path; an installed one also by name on PATH
            if (in_target and (not text or art.source in text or rel in text)) or (text and art.source in text):
                art.dest = art.source
                self.binaries[art.source] = art.source
                self.plan.decisions.append(f"{art.source} keeps its path: the entrypoint script may call it there")

    def _collect(self, out: str, inferred_triple: bool = False) -> None:
        """Names unknown: carry every executable the build left in `out`, with `app` linked to the only one
        (the first by name when there are several). The step cannot fail: what the build made is copied."""
        where = sh(out)
        if inferred_triple:
            # the image's cargo config picks the target triple: look under any triple
            target, profile = posixpath.dirname(posixpath.dirname(out)), posixpath.basename(out)
            where = f"{sh(target + '/' + profile)} {sh(target)}/*/{sh(profile)}"
        bin_dir = COLLECT_DIR     # under /tmp: a builder image's own non-root user can write there too
        self.plan.builder_append.append(
            "# collect the binaries the build produced (their names are not in the Dockerfile): every one is\n"
            "# carried, and app links to the only one (the first by name when there are several)\n"
            f"RUN mkdir -p {bin_dir}; find {where} -maxdepth 1 -type f -perm -u+x ! -name '*.*' "
            f"-exec cp {{}} {bin_dir}/ \\; 2>/dev/null; \\\n"
            f"    set -- {bin_dir}/*; [ ! -f \"$1\" ] || [ -e {bin_dir}/app ] || ln -s \"${{1##*/}}\" {bin_dir}/app")
        self.binaries[posixpath.join(bin_dir, "app")] = posixpath.join(RUNTIME_BIN_DIR, "app")
        self.collected = True
        self.plan.warnings.append(
            f"binary names unknown without the build context: every executable in {out} is copied to "
            f"{RUNTIME_BIN_DIR}, and {RUNTIME_BIN_DIR}/app links to the only one (the first by name when the build "
            "makes several); convert with --context to name them")

    def _cargo_run_argv(self) -> list[str] | None:
        for ins in (self.facts.entrypoint, self.facts.cmd):
            words = command_argv(ins) or []
            if words[:2] == ["cargo", "run"]:
                return words
        return None

    # ------------------------------------------------------------ entry
    def rewrite(self, argv: list[str]) -> list[str] | None:
        if argv[:2] == ["cargo", "run"]:
            cut = argv.index("--") if "--" in argv else len(argv)
            # the binary `cargo run` picks: --bin, else the package's (-p) default-run or only binary
            names, default = self.bins_for(Command(["cargo", "build", *argv[2:cut]], {}, self.facts.workdir))
            want = default or (names[0] if len(names) == 1 else None) or self.plan.extra.get("default_bin")
            dests = list(self.binaries.values())
            match = [d for d in dests if posixpath.basename(d) == want]
            if not match and len(dests) > 1:
                raise Refusal(f"`{' '.join(argv[:cut])}`: which of the binaries built ("
                              f"{', '.join(posixpath.basename(d) for d in dests)}) it runs is unknown; name it "
                              "with --bin", reason="artifact-not-found")
            return [(match or dests)[0], *argv[cut + 1:]]
        out = list(argv)
        for i, word in enumerate(argv):
            if _is_script(word):
                out[i] = self._rewrite_script(word)
            else:
                out[i] = self._binary_dest(word, first=i == 0) or word
        return out if out != argv else None

    def _binary_dest(self, word: str, first: bool) -> str | None:
        """The runtime path of a word that names a built binary, None for any other word."""
        for src, dest in self.binaries.items():
            name = posixpath.basename(src)
            if word == name and first and "/" not in word:
                return dest
            if "/" in word and (resolve(word, self.facts.workdir) == src or
                                (word.endswith("/" + name) and "target/" in word)):
                return dest
        return None

    def _rewrite_script(self, script: str) -> str:
        """A `sh -c` script: each binary path in it becomes its runtime path, the rest stays as written."""
        for word in dict.fromkeys(split_words(script)):
            dest = self._binary_dest(word, first=False) if "/" in word else None
            if dest:
                script = re.sub(rf"(?<![\w./-]){re.escape(word)}(?![\w./-])", dest, script)
        return script

    # ------------------------------------------------------------ plan
    def native_runtime_packages(self) -> list[str]:
        """Debian libraries the binary loads: from sys crates in Cargo.lock and -dev packages installed."""
        crates_table = native_libs().get("crates", {})
        lock = self.facts.context_file(posixpath.join(self.facts.workdir, "Cargo.lock")) or \
            self.facts.context.read("Cargo.lock") or ""
        pkgs = []
        for crate, lib in crates_table.items():
            if lib and re.search(rf'(?m)^name = "{re.escape(crate)}"$', lock):
                if crate == "libsqlite3-sys" and "bundled" in (self.facts.context.read("Cargo.toml") or ""):
                    continue
                if crate == "openssl-sys" and re.search(r'(?m)^name = "openssl-src"$', lock):
                    continue    # the vendored feature links OpenSSL statically
                pkgs.append(lib)
        pkgs += runtime_libraries(self.facts.packages, "debian")
        return sorted(set(pkgs))

    def apk_linked(self) -> bool:
        """Alpine's packaged Rust (`apk add rust cargo`) links dynamically against musl and the -dev
        libraries it finds (the official rust:alpine images default to static musl binaries)."""
        pkgs = {p.split("=")[0] for p in self.facts.packages}
        return self.facts.is_alpine and self.facts.image_name != "rust" and ("rust" in pkgs or "cargo" in pkgs)

    def alpine_shared_libs(self) -> list[str]:
        """Alpine libraries a rust:alpine build may link dynamically: -dev packages with a run-time library
        (`openssl-dev`, `libressl-dev`, `postgresql-dev`), unless the build asks for static ones (a
        `*-static` package, OPENSSL_STATIC, vendored OpenSSL) or the libc alone is in play."""
        facts = self.facts
        if not facts.is_alpine:
            return []
        libs = runtime_libraries(facts.packages, "alpine")
        rustflags = " ".join(c.env.get("RUSTFLAGS", "") for c in facts.find("cargo")) + facts.env.get("RUSTFLAGS", "")
        if "-crt-static" in rustflags:
            return libs or ["libgcc"]
        lock = self.facts.context_file(posixpath.join(facts.workdir, "Cargo.lock")) or ""
        static = any(p.split("=")[0].endswith("-static") for p in facts.packages) or \
            facts.env.get("OPENSSL_STATIC", "") not in ("", "0") or 'name = "openssl-src"' in lock
        return [] if static else libs

    def same_alpine(self) -> str:
        facts = self.facts
        m = re.match(r"(\d+\.\d+)", facts.image_tag)
        if facts.image_name == "alpine" and m:
            return f"alpine:{m.group(1)}"
        return alpine_version(facts.image_tag)

    def choose_base(self, libs: list[str], flavour: str) -> None:
        facts, plan = self.facts, self.plan
        if self.musl and self.apk_linked():
            plan.runtime_base = self.same_alpine()
            plan.runtime_packages += ["libgcc"] + runtime_libraries(facts.packages, "alpine")
            plan.decisions.append(f"Alpine-packaged Rust or -dev libraries link the binary dynamically against musl: "
                                  f"the runtime is the same Alpine release ({plan.runtime_base}) with libgcc")
            return
        shared = self.alpine_shared_libs() if self.musl else []
        if shared:
            plan.runtime_base = self.same_alpine()
            plan.runtime_packages += sorted({"libgcc", *shared})
            plan.decisions.append(f"the build links {', '.join(shared)} from Alpine packages and asks for no static "
                                  "ones (a *-static package, OPENSSL_STATIC, vendored OpenSSL): the binary may load "
                                  f"them at run time, so the runtime is the same Alpine release ({plan.runtime_base}) "
                                  "with them, which runs a static binary too")
            return
        if self.musl:
            plan.runtime_base = {"scratch": "scratch", "alpine": alpine_version(facts.image_tag),
                                 "slim": DEBIAN_SLIM}.get(flavour, DISTROLESS_STATIC)
            plan.decisions.append("musl build: the binary is static, so a static runtime")
            return
        release, warning = glibc_debian(facts)
        self.release = release
        if warning:
            plan.warnings.append(warning)
        extra = sorted(set(libs) - BASE_LIBS)
        if extra or flavour == "slim":
            plan.runtime_base = glibc_runtime(DEBIAN_SLIM, release)
            self.slim_packages(libs)
            if extra:
                plan.decisions.append(f"runtime libraries {', '.join(extra)} need a package manager: "
                                      f"{plan.runtime_base}")
        else:
            plan.runtime_base = glibc_runtime(DISTROLESS_CC, release)
            plan.decisions.append(f"glibc binary: distroless cc (libc, libgcc, libssl3) on Debian {release}, "
                                  "whose glibc is at least the builder's")

    def slim_packages(self, libs: list[str]) -> None:
        """A Debian slim runtime lacks what distroless cc carries: install the libraries and CA certificates."""
        want = sorted((set(libs) | {"ca-certificates"}) - SLIM_LIBS)
        self.plan.runtime_packages += debian_packages(want, self.release)

    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        runtime.start(facts, plan, BUILD_ENV)
        self.plan_build()
        flavour = options.flavour(NAME)
        libs = [] if self.musl else self.native_runtime_packages()
        self.choose_base(libs, flavour)
        app_files.stage(facts, plan, "rust")
        copy_config_args(facts, plan, (command_argv(facts.entrypoint) or []) + (command_argv(facts.cmd) or []))
        runtime.entry_script(facts, plan, command_argv(facts.entrypoint) or command_argv(facts.cmd))
        self._keep_paths_for_script()
        runtime.entry(facts, plan, self.rewrite)
        self._check_no_build_tools()
        if plan.cmd is None and plan.entrypoint is None:
            self._entry_without_cmd()
        # after the rewrite: programs are decided on what the runtime starts (`cargo run` became the binary)
        carry_runtime_tools(facts, plan, options, (".rs",))
        shell_base = alpine_version(facts.image_tag) if facts.is_alpine else glibc_runtime(DEBIAN_SLIM, self.release)
        runtime.shell_needs(facts, plan, options)
        if plan.needs_shell and describe(plan.runtime_base).distroless:
            if shell_base.startswith("alpine") or self.musl:
                plan.runtime_packages.append("ca-certificates")
            else:
                self.slim_packages(libs)
        runtime.finish(facts, plan, options, shell_base=shell_base)
        return plan

    def _entry_without_cmd(self) -> None:
        """No CMD: run the package's default-run binary, else the only one, else the first (and say so)."""
        dests = list(self.binaries.values())
        default = self.plan.extra.get("default_bin")
        chosen = next((d for d in dests if posixpath.basename(d) == default), dests[0])
        self.plan.entrypoint = [chosen]
        self.plan.decisions.append("the original had no CMD; the runtime runs the built binary")
        if len(dests) > 1 and posixpath.basename(chosen) != default:
            others = ", ".join(d for d in dests if d != chosen)
            self.plan.warnings.append(f"the original had no CMD and the build makes {len(dests)} binaries: ENTRYPOINT "
                                      f"runs {chosen}, the first; the others ({others}) are there to run instead")

    def _check_no_build_tools(self) -> None:
        for value in (self.plan.entrypoint, self.plan.cmd):
            words = value if isinstance(value, list) else (value or "").split()
            if any(re.fullmatch(r"[\"']?(cargo|rustc|rustup)", w) for w in words):
                raise Refusal("the start command still runs cargo inside a shell command; "
                              "rewrite it to run the binary, then convert", reason="entrypoint-uses-build-tool")


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return RustPlanner(facts, options).build()


def _is_script(word: str) -> bool:
    """A word that is a shell script of its own (the argument of `sh -c`), not one path."""
    return len(split_words(word)) > 1


def _command_words(argv: list[str]) -> list[str]:
    """The words of a start command, the words of a `sh -c` script included."""
    return [w for word in argv for w in (split_words(word) if _is_script(word) else [word])]
