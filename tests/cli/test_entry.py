"""The fast start path of `msb convert` behaves exactly like the typer command it stands in for."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from msbrewrite.cli.entry import CONVERT_FLAGS, CONVERT_VALUES, parse_convert

GO_APP = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD [\"/out/app\"]\n"
UNKNOWN = "FROM debian:12\nRUN echo hello\nCMD [\"cat\", \"/etc/os-release\"]\n"
FAST = "from msbrewrite.cli.entry import main; main()"
TYPER = "from msbrewrite.cli.app import app, register_optional_commands; register_optional_commands([]); app()"


def test_fast_path_knows_exactly_the_typer_commands_options():
    import typer.main

    from msbrewrite.cli.app import app
    command = typer.main.get_command(app).commands["convert"]
    flags, values = set(), set()
    for param in command.params:
        if param.param_type_name != "option":
            continue
        (flags if param.is_flag else values).update(param.opts + param.secondary_opts)
    assert flags == set(CONVERT_FLAGS)
    assert values == set(CONVERT_VALUES)


@pytest.mark.parametrize("args", [
    ["--help"], ["Dockerfile", "--help"], [], ["a", "b"], ["Dockerfile", "--bogus"], ["Dockerfile", "-qi"],
    ["Dockerfile", "-c"], ["Dockerfile", "-c=ctx"], ["Dockerfile", "--context="], ["Dockerfile", "-o", "-x"],
    ["--", "Dockerfile"], ["Dockerfile", "--no-context=1"],
])
def test_anything_unusual_goes_to_typer(args):
    assert parse_convert(args) is None


def test_plain_arguments_are_parsed():
    path, kwargs = parse_convert(["-q", "Dockerfile", "--runtime=slim", "-c", "ctx", "-o", "-", "--user", "root"])
    assert path == "Dockerfile"
    assert kwargs == {"quiet": True, "runtime": "slim", "context": __import__("pathlib").Path("ctx"),
                      "output": __import__("pathlib").Path("-"), "user": "root"}
    assert parse_convert(["-"]) == ("-", {})


def _run(code: str, args: list[str], cwd, stdin: bytes | None = None):
    proc = subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, cwd=cwd,
                          timeout=300, env={**os.environ, "COLUMNS": "200"})
    return proc.returncode, proc.stdout, proc.stderr


CASES = [
    ["convert", "app/Dockerfile"],
    ["convert", "-q", "app/Dockerfile", "--no-context"],
    ["convert", "app/Dockerfile", "--json"],
    ["convert", "app/Dockerfile", "--diff", "-q"],
    ["convert", "app/Dockerfile", "--runtime", "slim", "-q"],
    ["convert", "app/Dockerfile", "--runtime=bogus"],
    ["convert", "app/Dockerfile", "-l", "python"],
    ["convert", "app/Dockerfile", "--user", "root", "-q"],
    ["convert", "app/Dockerfile", "-c", "nowhere"],
    ["convert", "app/Dockerfile", "-i", "-o", "x"],
    ["convert", "missing/Dockerfile"],
    ["convert", "unknown/Dockerfile"],
    ["convert", "-", "-q"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a[1:]))
def test_fast_path_and_typer_give_the_same_answer(tmp_path, args):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(GO_APP)
    (tmp_path / "app" / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    (tmp_path / "unknown").mkdir()
    (tmp_path / "unknown" / "Dockerfile").write_text(UNKNOWN)
    stdin = GO_APP.encode() if "-" in args else None
    assert parse_convert(args[1:]) is not None     # really the fast path
    fast = _run(FAST, args, tmp_path, stdin)
    slow = _run(TYPER, args, tmp_path, stdin)
    assert fast == slow


def test_fast_path_writes_the_same_output_file(tmp_path):
    # the outputs go outside the build context: a file written there would be part of the next run's context
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(GO_APP)
    assert _run(FAST, ["convert", "app/Dockerfile", "-o", "fast.out", "-q"], tmp_path)[0] == 0
    assert _run(TYPER, ["convert", "app/Dockerfile", "-o", "slow.out", "-q"], tmp_path)[0] == 0
    assert (tmp_path / "fast.out").read_text() == (tmp_path / "slow.out").read_text() != ""


def test_fast_path_does_not_load_typer(tmp_path):
    (tmp_path / "Dockerfile").write_text(GO_APP)
    probe = ("import sys; from msbrewrite.cli.entry import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('typer' in sys.modules, file=sys.stderr)")
    code, _, err = _run(probe, ["convert", "Dockerfile", "-q"], tmp_path)
    assert code == 0 and err.decode().strip().splitlines()[-1] == "False"
