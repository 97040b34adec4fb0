"""Programs the runtime image starts: decided on the converted start command, a shell the app's own
code starts, and the programs a compose service built from this Dockerfile runs."""
from __future__ import annotations

from msbrewrite import convert


def _write(tmp_path, files: dict[str, str]):
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def _runtime(result) -> str:
    assert result.status == "converted", result.reason
    return result.text.split("\nFROM ")[-1]


CARGO = '[package]\nname = "tool"\nversion = "0.1.0"\nedition = "2021"\n'
DEBIAN_RUST = ("FROM debian:12\n"
               "RUN apt-get update && apt-get install -y --no-install-recommends cargo rustc ffmpeg\n"
               "WORKDIR /src\nCOPY . .\nRUN cargo build --release\n"
               "CMD [\"cargo\", \"run\", \"--release\"]\n")


# ---------------------------------------------------------------- item: the converted command decides

def test_a_cargo_run_that_became_the_binary_installs_no_cargo(tmp_path):
    ctx = _write(tmp_path, {"Cargo.toml": CARGO, "src/main.rs": 'fn main() { println!("hi"); }\n'})
    result = convert(DEBIAN_RUST, ctx)
    runtime = _runtime(result)
    assert 'CMD ["/usr/local/bin/tool"]' in runtime
    assert "cargo" not in runtime
    assert not any("cargo (the start command)" in d for d in result.decisions)


GO_MOD = "module example.com/svc\n\ngo 1.22\n"


def test_a_program_inside_the_start_commands_shell_string_is_installed(tmp_path):
    text = ("FROM golang:1.22\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg\n"
            "WORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n"
            "CMD [\"sh\", \"-c\", \"ffmpeg -version && exec svc\"]\n")
    ctx = _write(tmp_path, {"go.mod": GO_MOD, "main.go": "package main\n\nfunc main() {}\n"})
    result = convert(text, ctx)
    runtime = _runtime(result)
    assert "apt-get install -y --no-install-recommends ca-certificates ffmpeg" in runtime
    assert any("ffmpeg (the start command)" in d for d in result.decisions), result.decisions
