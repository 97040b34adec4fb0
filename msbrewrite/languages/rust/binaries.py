"""Which binaries the runtime carries and where: the outputs of cargo build (moved or not), the
crates cargo install puts on PATH that the app runs, the build `cargo run` needs, and a collect
step when the names are not known."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import command_argv
from msbrewrite.model.plan import Refusal
from msbrewrite.model.quoting import sh, sh_words
from msbrewrite.model.shell import Command, option_value, positional_args, resolve
from msbrewrite.languages.common import cache_mounts, follow_moves, moved_out_of
from msbrewrite.languages.rust.start import command_words

BUILD_TOOLS = {"cargo", "rustc", "rustup"}
RUNTIME_BIN_DIR = "/usr/local/bin"
COLLECT_DIR = "/tmp/msb-bin"
# cargo install options that take a value (so the value is not read as a crate name)
_INSTALL_VALUE_FLAGS = {"--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--root", "--index",
                        "--registry", "--features", "-F", "--target", "--target-dir", "--profile", "--bin",
                        "--example", "-j", "--jobs", "--config", "-Z", "--color"}


class BinaryArtifacts:
    """RustPlanner's binaries (needs facts, plan, cargo; sets binaries, musl, collected)."""

    def plan_build(self) -> None:
        facts, plan = self.facts, self.plan
        entry_words = (command_argv(facts.entrypoint) or []) + (command_argv(facts.cmd) or [])
        builds = [c for c in facts.find("cargo") if len(c.argv) > 1 and c.argv[1] in ("build", "install")]
        last_build: Command | None = None
        for c in builds:
            t = self.cargo.triple(c) or ""
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
            want, need = option_value(run, "--bin"), self.cargo.out_dir(cmd)
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
        names, default = self.cargo.bins_for(c)
        out = self.cargo.out_dir(c)
        if not names:
            names = moved_out_of(self.facts, out, c) or self._names_from_entry(entry_words, out)
        caches = [m for m in cache_mounts(self.facts, c) if (out + "/").startswith(m.rstrip("/") + "/")]
        if not names:
            if caches:
                raise Refusal(f"the build output {out} is in a cache mount ({caches[0]}), so it is not in the image, "
                              "and the binary name is unknown without the build context", reason="artifact-not-found")
            self._collect(out, inferred_triple=self.cargo.triple(c) is not None
                          and not option_value(c.argv, "--target") and not c.env.get("CARGO_BUILD_TARGET"))
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
            names, default = self.cargo.bins_for(Command(["cargo", "build", "--manifest-path",
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
        names = [posixpath.basename(w) for w in command_words(words)
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

    def keep_paths_for_script(self) -> None:
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
