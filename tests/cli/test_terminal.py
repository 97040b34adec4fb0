"""Shell completion, and output without escape sequences under NO_COLOR or off a terminal.

The NO_COLOR cases run msb on a pseudo-terminal: that is where rich would style and redraw."""
import os
import subprocess
import sys

import pytest

from bulkapps import go_app, msb

pty = pytest.importorskip("pty")
MSB = [sys.executable, "-c", "from msbrewrite.cli.entry import main; main()"]


def _on_a_terminal(args, env: dict, cwd=None) -> bytes:
    """Everything msb writes to stdout and stderr when both are a terminal."""
    main, child = pty.openpty()
    proc = subprocess.Popen([*MSB, *map(str, args)], stdin=child, stdout=child, stderr=child, env=env, cwd=cwd)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:     # the child closed its side
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=300)
    os.close(main)
    return out


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(COLUMNS="100", TERM="xterm-256color", **extra)
    return env


def test_no_color_help_has_no_escape_sequences():
    styled = _on_a_terminal(["--help"], _env())
    assert b"\x1b[" in styled      # the check below means something: rich styles help on a terminal
    plain = _on_a_terminal(["--help"], _env(NO_COLOR="1"))
    assert b"Usage:" in plain and b"\x1b" not in plain
    assert b"\x1b" not in _on_a_terminal(["migrate", "--help"], _env(NO_COLOR="1"))


def test_no_color_migrate_prints_plain_progress_lines(tmp_path):
    go_app(tmp_path / "svc")
    out = _on_a_terminal(["migrate", tmp_path], _env(NO_COLOR="1"), cwd=tmp_path)
    assert b"Finished 1 file(s)" in out and b"\x1b" not in out
    assert b"msb: [1/1]" in out          # the plain per-file line instead of the redrawn bar
    out = _on_a_terminal(["migrate", tmp_path, "--bogus"], _env(NO_COLOR="1"), cwd=tmp_path)
    assert b"No such option" in out and b"\x1b" not in out


def test_output_off_a_terminal_has_no_escape_sequences(tmp_path):
    go_app(tmp_path / "svc")
    for args in (["--help"], ["migrate", tmp_path], ["check", tmp_path], ["convert", tmp_path / "svc" / "Dockerfile"]):
        proc = msb(*args, cwd=tmp_path)
        assert "\x1b" not in proc.stdout + proc.stderr, args


def _show(shell: str) -> subprocess.CompletedProcess:
    # without detection --show-completion takes the shell's name (typer's switch for tests)
    env = dict(os.environ, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    return subprocess.run([*MSB, "--show-completion", shell], capture_output=True, text=True, env=env, timeout=300)


def test_bash_completion_script_and_answers():
    script = _show("bash")
    assert script.returncode == 0 and "complete -o default -F _msb_completion msb" in script.stdout

    def complete(words: str, cword: int) -> list[str]:
        env = dict(os.environ, COMP_WORDS=words, COMP_CWORD=str(cword), _MSB_COMPLETE="complete_bash")
        proc = subprocess.run(MSB, capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert complete("msb mi", 1) == ["migrate"]
    assert complete("msb migrate --rep", 2) == ["--report"]
    assert complete("msb convert --debug", 2) == ["--debug-stage"]


def test_zsh_and_fish_scripts_are_offered():
    for shell, marker in (("zsh", "#compdef msb"), ("fish", "complete --command msb")):
        proc = _show(shell)
        assert proc.returncode == 0 and marker in proc.stdout, shell
