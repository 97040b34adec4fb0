"""Rust planner: binary names from Cargo.toml, output directories, runtime libraries, glibc."""
import pytest

from msbrewrite import Options, convert
from msbrewrite.languages.common import debian_packages, glibc_debian
from msbrewrite.languages.rust.cargo import CargoTargets
from msbrewrite.languages.rust.plan import RustPlanner
from msbrewrite.model.shell import Command
from stagefacts import stage_facts

PKG = '[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n'


def planner(tmp_path, dockerfile: str, files: dict[str, str] | None = None) -> RustPlanner:
    return RustPlanner(stage_facts(tmp_path, dockerfile, files), Options())


def cargo(tmp_path, dockerfile: str, files: dict[str, str] | None = None) -> CargoTargets:
    return CargoTargets(stage_facts(tmp_path, dockerfile, files))


APP = "FROM rust:1.80\nWORKDIR /app\nCOPY . .\n"


@pytest.mark.parametrize("files, bins", [
    ({"Cargo.toml": PKG.format(name="svc"), "src/main.rs": ""}, ["svc"]),
    # a [[bin]] pointing at src/main.rs renames the binary: no second one named after the package
    ({"Cargo.toml": PKG.format(name="svc") + '[[bin]]\nname = "server"\npath = "src/main.rs"\n',
      "src/main.rs": ""}, ["server"]),
    # a [[bin]] elsewhere adds a binary next to the package one
    ({"Cargo.toml": PKG.format(name="svc") + '[[bin]]\nname = "admin"\npath = "tools/admin.rs"\n',
      "src/main.rs": "", "tools/admin.rs": ""}, ["svc", "admin"]),
    # src/bin/*.rs and src/bin/<dir>/main.rs, no src/main.rs
    ({"Cargo.toml": PKG.format(name="kit"), "src/lib.rs": "", "src/bin/serve.rs": "",
      "src/bin/jobs/main.rs": ""}, ["jobs", "serve"]),
    # autobins = false: only the declared ones
    ({"Cargo.toml": PKG.format(name="kit") + 'autobins = false\n\n[[bin]]\nname = "one"\npath = "src/bin/one.rs"\n',
      "src/main.rs": "", "src/bin/one.rs": "", "src/bin/two.rs": ""}, ["one"]),
    # a library only: no binary
    ({"Cargo.toml": PKG.format(name="lib-only"), "src/lib.rs": ""}, []),
])
def test_package_bins(tmp_path, files, bins):
    p = cargo(tmp_path, APP, files)
    names, _ = p.bins_for(Command(["cargo", "build", "--release"], {}, "/app"))
    assert sorted(names) == sorted(bins)


def test_default_run(tmp_path):
    files = {"Cargo.toml": PKG.format(name="kit") + 'default-run = "serve"\n', "src/bin/serve.rs": "",
             "src/bin/migrate.rs": ""}
    p = cargo(tmp_path, APP, files)
    assert p.bins_for(Command(["cargo", "build"], {}, "/app"))[1] == "serve"


def test_bin_flag_wins(tmp_path):
    p = cargo(tmp_path, APP, {"Cargo.toml": PKG.format(name="x"), "src/main.rs": ""})
    assert p.bins_for(Command(["cargo", "build", "--bin", "worker"], {}, "/app")) == (["worker"], "worker")


def test_workspace_member_by_package_flag(tmp_path):
    files = {"Cargo.toml": '[workspace]\nmembers = ["crates/*", "tools/cli"]\n',
             "crates/api/Cargo.toml": PKG.format(name="api-server"), "crates/api/src/main.rs": "",
             "tools/cli/Cargo.toml": PKG.format(name="ctl"), "tools/cli/src/main.rs": ""}
    p = cargo(tmp_path, APP, files)
    assert p.bins_for(Command(["cargo", "build", "-p", "api-server"], {}, "/app"))[0] == ["api-server"]
    assert p.bins_for(Command(["cargo", "build", "--package=ctl"], {}, "/app"))[0] == ["ctl"]
    assert p.bins_for(Command(["cargo", "build", "-p", "missing"], {}, "/app"))[0] == []


@pytest.mark.parametrize("argv, env, image, want", [
    (["cargo", "build", "--release"], {}, "rust:1.80", "/app/target/release"),
    (["cargo", "build"], {}, "rust:1.80", "/app/target/debug"),
    (["cargo", "build", "-r", "--target", "x86_64-unknown-linux-musl"], {}, "rust:1.80",
     "/app/target/x86_64-unknown-linux-musl/release"),
    (["cargo", "build", "--profile", "dist"], {}, "rust:1.80", "/app/target/dist"),
    (["cargo", "build", "--profile=dev"], {}, "rust:1.80", "/app/target/debug"),
    (["cargo", "build", "--release", "--target-dir", "/cache"], {}, "rust:1.80", "/cache/release"),
    (["cargo", "build", "--release"], {"CARGO_TARGET_DIR": "out"}, "rust:1.80", "/app/out/release"),
    (["cargo", "build", "--release", "--manifest-path", "svc/Cargo.toml"], {}, "rust:1.80", "/app/svc/target/release"),
    (["cargo", "build", "--release"], {}, "ekidd/rust-musl-builder:stable",
     "/app/target/x86_64-unknown-linux-musl/release"),
])
def test_out_dir(tmp_path, argv, env, image, want):
    p = cargo(tmp_path, f"FROM {image}\nWORKDIR /app\n")
    assert p.out_dir(Command(argv, env, "/app")) == want


@pytest.mark.parametrize("image, release", [
    ("rust:1.80", 12), ("rust:1.88-slim", 12), ("rust:1.89", 13), ("rust:1.90.0", 13), ("rust:1", 13),
    ("rust:latest", 13), ("rust", 13), ("rust:slim-bookworm", 12), ("rust:1.90-bookworm", 12),
    ("rust:slim-buster", 12), ("rust:1-trixie", 13), ("golang:1.23", 12), ("golang:1.24", 13),
    ("ubuntu:22.04", 12), ("ubuntu:24.04", 13), ("ubuntu:latest", 13), ("ubuntu:jammy", 12),
    ("debian:bookworm-slim", 12), ("debian:11", 12), ("debian:stable", 13), ("centos:7", 12),
])
def test_glibc_debian(tmp_path, image, release):
    assert glibc_debian(planner(tmp_path, f"FROM {image}\n").facts)[0] == release


def test_unknown_builder_glibc_warns(tmp_path):
    release, warning = glibc_debian(planner(tmp_path, "FROM example.org/team/buildbox:3\n").facts)
    assert release == 12 and "GLIBC" in warning


def test_debian13_package_names():
    assert debian_packages(["libssl3", "libpq5"], 13) == ["libssl3t64", "libpq5"]
    assert debian_packages(["libssl3", "libpq5"], 12) == ["libssl3", "libpq5"]


def runtime_stage(text: str) -> str:
    return "FROM " + text.split("\nFROM ")[-1]


def test_openssl_with_a_shell_installs_libssl(tmp_path):
    (tmp_path / "Cargo.toml").write_text(PKG.format(name="mailer"))
    (tmp_path / "Cargo.lock").write_text('version = 3\n\n[[package]]\nname = "openssl-sys"\nversion = "0.9.0"\n')
    text = APP + "RUN cargo build --release\nCMD ./target/release/mailer --to \"$TO\"\n"
    runtime = runtime_stage(convert(text, tmp_path).text)
    assert runtime.startswith("FROM debian:bookworm-slim")
    assert "ca-certificates libssl3" in runtime


def test_vendored_openssl_needs_no_library(tmp_path):
    (tmp_path / "Cargo.toml").write_text(PKG.format(name="mailer"))
    (tmp_path / "Cargo.lock").write_text(
        'version = 3\n\n[[package]]\nname = "openssl-sys"\n\n[[package]]\nname = "openssl-src"\n'
        '\n[[package]]\nname = "pq-sys"\n')
    runtime = runtime_stage(convert(APP + "RUN cargo build --release\n", tmp_path).text)
    assert "libpq5" in runtime and "libssl3" not in runtime


def test_trixie_slim_uses_trixie_package_names(tmp_path):
    (tmp_path / "Cargo.toml").write_text(PKG.format(name="mailer"))
    (tmp_path / "Cargo.lock").write_text('version = 3\n\n[[package]]\nname = "openssl-sys"\n')
    text = "FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD ./target/release/mailer $ARGS\n"
    runtime = runtime_stage(convert(text, tmp_path).text)
    assert runtime.startswith("FROM debian:trixie-slim")
    assert "libssl3t64" in runtime


@pytest.mark.parametrize("install, cmd, copied", [
    ("cargo install diesel_cli --no-default-features --features postgres", '["diesel", "migration", "run"]',
     "/usr/local/cargo/bin/diesel"),
    ("cargo install --locked --version 0.8.2 sqlx-cli", 'sqlx migrate run && /app/target/release/api',
     "/usr/local/cargo/bin/sqlx"),
    ("cargo install cargo-watch", '["/app/target/release/api"]', None),
])
def test_registry_crates_copied_only_when_run(install, cmd, copied):
    text = (f"FROM rust:1.80\nRUN {install}\nWORKDIR /app\nCOPY . .\nRUN cargo build --release --bin api\n"
            f"CMD {cmd}\n")
    result = convert(text)
    assert result.status == "converted", result.reason
    copies = [a.source for a in result.artifacts]
    assert "/app/target/release/api" in copies
    if copied:
        assert copied in copies
    else:
        assert not any(c.startswith("/usr/local/cargo/bin/") for c in copies)
    assert "0.8.2" not in " ".join(copies)


def test_collect_searches_triples_when_the_image_picks_the_target():
    text = "FROM ekidd/rust-musl-builder:stable\nCOPY . .\nRUN cargo build --release\n"
    result = convert(text)
    assert "find /home/rust/src/target/release /home/rust/src/target/*/release" in result.text or \
        "target/*/release" in result.text
    assert "FROM gcr.io/distroless/static-debian12" in result.text


def test_cargo_run_inside_a_shell_command_is_refused():
    result = convert("FROM rust:1.80\nWORKDIR /app\nCOPY . .\nCMD ./wait && cargo run --release\n")
    assert result.exit_code == 3 and result.reason_code == "entrypoint-uses-build-tool"


def test_virtual_workspace_builds_every_member_binary(tmp_path):
    files = {"Cargo.toml": '[workspace]\nmembers = ["api", "worker", "shared"]\n',
             "api/Cargo.toml": PKG.format(name="api"), "api/src/main.rs": "",
             "worker/Cargo.toml": PKG.format(name="worker"), "worker/src/main.rs": "",
             "shared/Cargo.toml": PKG.format(name="shared"), "shared/src/lib.rs": ""}
    p = cargo(tmp_path, APP, files)
    assert p.bins_for(Command(["cargo", "build", "--release"], {}, "/app"))[0] == ["api", "worker"]


def test_virtual_workspace_default_members(tmp_path):
    files = {"Cargo.toml": '[workspace]\nmembers = ["api", "worker"]\ndefault-members = ["api"]\n',
             "api/Cargo.toml": PKG.format(name="api"), "api/src/main.rs": "",
             "worker/Cargo.toml": PKG.format(name="worker"), "worker/src/main.rs": ""}
    p = cargo(tmp_path, APP, files)
    assert p.bins_for(Command(["cargo", "build", "--release"], {}, "/app"))[0] == ["api"]
    assert p.bins_for(Command(["cargo", "build", "--workspace"], {}, "/app"))[0] == ["api", "worker"]


def test_cargo_run_of_a_binary_not_built_adds_its_build():
    text = ("FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release --bin a\n"
            "CMD [\"cargo\", \"run\", \"--release\", \"--bin\", \"b\", \"--\", \"-v\"]\n")
    result = convert(text)
    assert "RUN cargo build --release --bin b" in result.text
    assert result.text.rstrip().endswith('CMD ["/usr/local/bin/b", "-v"]')


def test_cargo_run_release_after_a_debug_build_copies_the_release_binary(tmp_path):
    (tmp_path / "Cargo.toml").write_text(PKG.format(name="site"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src/main.rs").write_text("fn main() {}\n")
    result = convert(APP + "RUN cargo build\nCMD [\"cargo\", \"run\", \"--release\"]\n", tmp_path)
    sources = [a.source for a in result.artifacts]
    assert sources == ["/app/target/release/site"]
