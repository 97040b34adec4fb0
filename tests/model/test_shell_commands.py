"""Reading start commands and install lines: the forms real Dockerfiles write."""
import pytest

from msbrewrite.model.shell import plain_start_argv, shell_form_to_argv, split_commands, start_assignments


@pytest.mark.parametrize("text", ["FLASK_APP=app.py flask run --port 8080", "NODE_ENV=production node server.js"])
def test_leading_assignment_needs_a_shell(text):
    # exec form would run the word `FLASK_APP=app.py` as the program
    assert shell_form_to_argv(text) is None


@pytest.mark.parametrize("text, pairs, argv", [
    ("FLASK_APP=app.py flask run --port 8080", [("FLASK_APP", "app.py")], ["flask", "run", "--port", "8080"]),
    ("NODE_ENV=production  PORT=3000 node server.js", [("NODE_ENV", "production"), ("PORT", "3000")],
     ["node", "server.js"]),
    ("EMPTY= app", [("EMPTY", "")], ["app"]),
])
def test_literal_start_variables_move_to_env(text, pairs, argv):
    assert start_assignments(text) == (pairs, argv)
    assert plain_start_argv(text) == argv


@pytest.mark.parametrize("text", [
    "FLASK_APP=$APP flask run",             # expands at start: the shell stays
    "GREETING='hi there' app",              # quoting is the shell's
    "PATH=/opt/tool/bin app",               # which program runs depends on it
    "LD_PRELOAD=/lib/x.so app",
    "A=1 app && other",
    "A=1",                                  # no program at all
    "app --flag A=1",                       # no assignment before the program
])
def test_start_lines_whose_variables_stay_with_their_shell(text):
    assert start_assignments(text) is None
    assert plain_start_argv(text) == shell_form_to_argv(text)


def test_assignment_after_the_program_is_an_argument():
    assert shell_form_to_argv("gunicorn --env DEBUG=0 app:app") == ["gunicorn", "--env", "DEBUG=0", "app:app"]


@pytest.mark.parametrize("line, argv", [
    ("pip --no-cache-dir install -r requirements.txt", ["pip", "install", "--no-cache-dir", "-r", "requirements.txt"]),
    ("pip3 -q --timeout 60 install flask", ["pip3", "install", "-q", "--timeout", "60", "flask"]),
    ("python -m pip --disable-pip-version-check install -U pip",
     ["python", "-m", "pip", "install", "--disable-pip-version-check", "-U", "pip"]),
    ("pip install flask", ["pip", "install", "flask"]),
    ("pip --version", ["pip", "--version"]),
])
def test_pip_general_options_before_the_subcommand(line, argv):
    assert split_commands(line)[0].argv == argv


@pytest.mark.parametrize("argv, script", [
    (["sh", "-c", "a && b"], "a && b"),
    (["/bin/bash", "-ec", "a"], "a"),
    (["bash", "-e", "-o", "pipefail", "-c", "a | b", "name"], "a | b"),
    (["dash", "-lc", "a"], "a"),
    (["sh", "script.sh"], None),
    (["sh", "-e", "script.sh"], None),
    (["sh", "-c"], None),
    (["python", "-c", "print(1)"], None),
    (["sh", "--", "-c"], None),
])
def test_the_script_an_exec_form_shell_runs(argv, script):
    from msbrewrite.model.shell import shell_script
    assert shell_script(argv) == script
