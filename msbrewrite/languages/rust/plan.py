"""Rust: `cargo build` / `cargo install` binaries on a cc (glibc) or static (musl) runtime.

The planner is put together from one piece per concern: the binaries (binaries.py), the start
command (start.py) and the runtime base (runtime_base.py); what cargo builds and where comes from
cargo.py."""
from __future__ import annotations

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.bases import DEBIAN_SLIM, DISTROLESS_CC, alpine_version, describe
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection
from msbrewrite.languages.common import carry_runtime_tools, copy_config_args, glibc_runtime
from msbrewrite.languages.rust.binaries import BinaryArtifacts
from msbrewrite.languages.rust.cargo import CargoTargets
from msbrewrite.languages.rust.detect import NAME
from msbrewrite.languages.rust.runtime_base import RuntimeBase
from msbrewrite.languages.rust.start import StartCommand

BUILD_ENV = {"CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR", "RUSTFLAGS", "CARGO_BUILD_TARGET", "CARGO_INCREMENTAL",
             "CARGO_NET_GIT_FETCH_WITH_CLI", "CARGO_REGISTRIES_CRATES_IO_PROTOCOL", "RUST_VERSION", "SQLX_OFFLINE",
             "CC", "CXX", "PKG_CONFIG_ALLOW_CROSS", "OPENSSL_STATIC", "OPENSSL_DIR"}


class RustPlanner(BinaryArtifacts, StartCommand, RuntimeBase):
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.cargo = CargoTargets(facts)
        self.plan = BuildPlan(NAME, "rust.Dockerfile.j2", DISTROLESS_CC)
        self.binaries: dict[str, str] = {}     # builder path -> runtime path
        self.musl = False
        self.collected = False
        self.release = 12       # Debian release of the runtime (glibc at least the builder's)

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
        self.keep_paths_for_script()
        runtime.entry(facts, plan, self.rewrite)
        self.check_no_build_tools()
        if plan.cmd is None and plan.entrypoint is None:
            self.entry_without_cmd()
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


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return RustPlanner(facts, options).build()
