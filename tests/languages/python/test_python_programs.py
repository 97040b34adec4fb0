"""Programs a Python app runs itself (git, curl, ssh...): the runtime has them when the original had.

A python:<version> builder is the full image, whose buildpack-deps base carries git, curl, wget and
ssh; python:<version>-slim has none of them. And the build's own `apt-get install git` counts as a
build tool unless the app runs it. Either way, a call such as `subprocess.run(["git", ...])` fails
with FileNotFoundError in a runtime without the program."""
from __future__ import annotations

from pathlib import Path

import pytest

from msbrewrite import Options, convert

APP = '''import subprocess
def sync(url):
    subprocess.run(["git", "clone", url], check=True)
'''


def _convert(tmp_path: Path, dockerfile: str, code: str = APP):
    (tmp_path / "requirements.txt").write_text("idna\n")
    (tmp_path / "sync.py").write_text(code)
    return convert(dockerfile, tmp_path, Options())


def _installed(result) -> list[str]:
    """The packages the runtime stage installs."""
    runtime = result.text.split("\nFROM ")[-1]
    line = next((ln for ln in runtime.splitlines() if "apt-get install" in ln), "")
    return [w for w in line.split("--no-install-recommends")[-1].split("&&")[0].split() if w != "\\"]


FULL = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"sync.py\"]\n"


def test_a_program_the_full_image_carries_is_installed_on_the_slim_runtime(tmp_path):
    result = _convert(tmp_path, FULL)
    assert "FROM python:3.11-slim" in result.text
    assert _installed(result) == ["git"]
    assert any("git (sync.py:3)" in d and "python:3.11 carries" in d for d in result.decisions)


def test_a_build_tool_the_app_runs_stays_in_the_runtime(tmp_path):
    dockerfile = ("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y curl openssh-client\n"
                  "WORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"sync.py\"]\n")
    code = 'import os\nos.system("curl -fsS https://example.invalid/feed")\n'
    result = _convert(tmp_path, dockerfile, code)
    assert _installed(result) == ["curl"]        # nothing runs ssh: openssh-client stays a build tool
    assert any("curl (sync.py:2)" in d and "the build installed" in d for d in result.decisions)


@pytest.mark.parametrize("code", [
    "import git\nrepo = git.Repo('.')\n",                 # GitPython's module name, not a program run
    "scheme = 'github'\nremote = 'git@example.org:x'\n",  # longer words that start with the name
])
def test_names_that_are_not_a_program_run_add_nothing(tmp_path, code):
    assert _installed(_convert(tmp_path, FULL, code)) == []


def test_a_slim_builder_had_no_git_either(tmp_path):
    assert _installed(_convert(tmp_path, FULL.replace("python:3.11", "python:3.11-slim"))) == []


def test_without_the_context_nothing_is_guessed():
    assert _installed(convert(FULL, None, Options())) == []


def test_build_packages_left_in_the_builder_are_named_in_the_report(tmp_path):
    """What the build installed and the runtime does not get is said, never dropped in silence."""
    r = _convert(tmp_path, "FROM python:3.11\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc curl git\n"
                           "COPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"sync.py\"]\n")
    assert "git" in _installed(r)                       # the app runs it
    line = next(d for d in r.decisions if d.startswith("build packages not installed in the runtime"))
    assert "curl gcc" in line and "git" not in line.split("(")[0], line


PIP_START = ("FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"
             "CMD {cmd}\n")


def _pip_kept(result) -> bool:
    builder = result.text.split("\nFROM ")[0]
    return "site-packages/pip " not in builder


@pytest.mark.parametrize("script, installs", [
    ("#!/bin/sh\nset -e\npip install -r requirements.txt\nexec python sync.py\n", True),
    ("#!/bin/sh\npython -m pip install --upgrade -r requirements.txt && exec python sync.py\n", True),
    ("#!/bin/sh\n/usr/local/bin/pip3.11 freeze > /tmp/frozen.txt\nexec python sync.py\n", False),
])
def test_a_start_script_that_runs_pip_keeps_it_in_the_virtualenv(tmp_path, script, installs):
    (tmp_path / "start.sh").write_text(script)
    result = _convert(tmp_path, PIP_START.format(cmd='["sh", "start.sh"]'))
    runtime = result.text.split("\nFROM ")[-1]
    assert _pip_kept(result)
    assert any("pip stays in the virtualenv: the start runs it (start.sh:" in d for d in result.decisions)
    # installing at start writes the virtualenv: the user msb introduced owns it, as root could
    assert ("COPY --from=builder --chown=10001:10001 /opt/venv /opt/venv" in runtime) is installs
    assert ("COPY --from=builder /opt/venv /opt/venv" in runtime) is not installs


def test_pip_in_the_start_command_itself_is_kept(tmp_path):
    result = _convert(tmp_path, PIP_START.format(cmd="pip install -r requirements.txt && python sync.py"))
    assert _pip_kept(result)
    assert any("(the start command)" in d for d in result.decisions)


@pytest.mark.parametrize("script", [
    "#!/bin/sh\n# pip install -r requirements.txt (done in the image)\nexec python sync.py\n",
    "#!/bin/sh\necho 'run pipx or pipenv yourself'\nexec python sync.py\n",
])
def test_a_start_script_without_pip_lets_pip_go(tmp_path, script):
    (tmp_path / "start.sh").write_text(script)
    (tmp_path / "tools.sh").write_text("#!/bin/sh\npip install -r dev-requirements.txt\n")   # never started
    result = _convert(tmp_path, PIP_START.format(cmd='["sh", "start.sh"]'))
    assert not _pip_kept(result)
    assert "COPY --from=builder /opt/venv /opt/venv" in result.text
