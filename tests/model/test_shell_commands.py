"""Reading start commands and install lines: the forms real Dockerfiles write."""
import pytest

from msbrewrite.model.shell import shell_form_to_argv, split_commands


@pytest.mark.parametrize("text", ["FLASK_APP=app.py flask run --port 8080", "NODE_ENV=production node server.js"])
def test_leading_assignment_needs_a_shell(text):
    # exec form would run the word `FLASK_APP=app.py` as the program
    assert shell_form_to_argv(text) is None


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
