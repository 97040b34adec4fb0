"""The builder's check that decides whether setuptools, pkg_resources and wheel may leave the
runtime's virtualenv: run here on invented trees, as the generated step runs it."""
import subprocess
import sys

import pytest

from msbrewrite.languages.python.build_tools import CHECKER, drop_step


def venv(tmp_path, files: dict[str, str]):
    site = tmp_path / "opt/venv/lib/python3.11/site-packages"
    site.mkdir(parents=True)
    (site / "setuptools").mkdir()
    (site / "setuptools/__init__.py").write_text("import pkg_resources\n")      # its own use never counts
    (site / "pkg_resources").mkdir()
    (site / "pkg_resources/__init__.py").write_text("import setuptools\n")
    app = tmp_path / "app"
    app.mkdir()
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "opt/venv", app


def needs_them(tmp_path, files) -> bool:
    script = tmp_path / "check.py"
    script.write_text(CHECKER)
    env, app = venv(tmp_path, files)
    run = subprocess.run([sys.executable, str(script), str(env), str(app)], capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr      # the fake virtualenv has no versions: never 2
    return run.returncode == 1


@pytest.mark.parametrize("files, kept", [
    ({"app/main.py": "import flask\nprint('hi')\n"}, False),
    ({"app/main.py": "import pkg_resources\n"}, True),
    ({"app/main.py": "from setuptools import find_packages\n"}, True),
    ({"app/main.py": "import importlib\nimportlib.import_module('pkg_resources')\n"}, True),
    ({"app/main.py": "try:\n    import pkg_resources\nexcept ImportError:\n    pkg_resources = None\n"}, False),
    ({"app/main.py": "import typing\nif typing.TYPE_CHECKING:\n    import setuptools\n"}, False),
    ({"opt/venv/lib/python3.11/site-packages/oldlib/__init__.py": "import pkg_resources\n"}, True),
    ({"opt/venv/lib/python3.11/site-packages/oldlib/tests/test_x.py": "import setuptools\n"}, False),
    ({"opt/venv/lib/python3.11/site-packages/oldlib-1.0.dist-info/METADATA":
      "Name: oldlib\nRequires-Dist: setuptools>=40\n"}, True),
    ({"opt/venv/lib/python3.11/site-packages/oldlib-1.0.dist-info/METADATA":
      "Name: oldlib\nRequires-Dist: setuptools ; extra == 'build'\n"}, False),
    ({"app/broken.py": "def (:\n  pkg_resources\n"}, True),       # cannot read it: keep them
])
def test_the_check_keeps_the_build_tools_only_when_something_imports_them(tmp_path, files, kept):
    assert needs_them(tmp_path, files) is kept


def test_the_generated_step_quotes_every_path_and_cannot_fail_the_build():
    step = drop_step("/opt/venv", ["/tmp/msb-runtime/my app/", "/tmp/$(touch x)"])
    assert "'/tmp/msb-runtime/my app/'" in step and "'/tmp/$(touch x)'" in step
    # the check's verdict only chooses whether to remove: its exit status never ends the RUN
    assert "{ /opt/venv/bin/python /tmp/msb-build-tools.py" in step and "; found=$?;" in step
    assert step.rstrip().endswith("fi; }; \\\n    rm -f /tmp/msb-build-tools.py")


def _dist(site, name: str, version: str, kind: str = "dist-info") -> None:
    info = site / f"{name}-{version}.{kind}"
    info.mkdir(parents=True)
    (info / ("METADATA" if kind == "dist-info" else "PKG-INFO")).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


@pytest.mark.parametrize("mine, base, same", [
    ({"setuptools": "66.1.1"}, {"setuptools": "66.1.1"}, True),
    ({"setuptools": "66.1.1"}, {"setuptools": "58.1.0"}, False),      # pinned or another bundle: keep it
    ({"setuptools": "66.1.1"}, {}, False),                            # a base without setuptools
    ({"setuptools": "66.1.1", "wheel": "0.45.1"}, {"setuptools": "66.1.1", "wheel": "0.38.4"}, True),
    ({"wheel": "0.45.1"}, {"setuptools": "66.1.1", "wheel": "0.45.1"}, False),   # Python 3.12: no setuptools
])
def test_the_base_images_setuptools_serves_only_at_the_same_version(tmp_path, mine, base, same):
    """An app that imports pkg_resources on the original's own base: the original imported the base's
    setuptools, so the virtualenv may see that one instead of carrying a copy, at the same version only
    (the virtualenv's own wheel, a package the requirements pulled in, stays and comes first)."""
    checker: dict = {}
    exec(compile(CHECKER, "checker", "exec"), checker)     # its main() only runs as a script
    site = tmp_path / "opt/venv/lib/python3.11/site-packages"
    site.mkdir(parents=True)
    for name, version in mine.items():
        _dist(site, name, version)
    base_site = tmp_path / "usr/lib/python3/dist-packages"
    base_site.mkdir(parents=True)
    for name, version in base.items():
        _dist(base_site, name, version, kind="egg-info")              # Debian's python3-setuptools
    missing = tmp_path / "usr/local/lib/python3.11/site-packages"     # listed by site, absent here
    assert checker["base_same"](str(tmp_path / "opt/venv"), [str(missing), str(base_site)]) is same


def test_a_use_with_the_same_setuptools_in_the_base_lets_the_virtualenv_see_the_base():
    step = drop_step("/opt/venv", ["/tmp/msb-runtime/app"])
    unused, used = step.split('elif [ "$found" = 2 ]')
    assert "rm -rf /opt/venv/lib/python3*/site-packages/setuptools " in unused and "/opt/venv/bin/wheel" in unused
    # exit 2 of the check: pyvenv.cfg is switched, and only a switch that took removes setuptools (not wheel)
    switch, removal = used.split("; then")[0], used.split("; then")[1]
    assert "include-system-site-packages = true/' /opt/venv/pyvenv.cfg" in switch and "grep -q" in switch
    assert "site-packages/setuptools " in removal and "pkg_resources" in removal and "wheel" not in removal


def test_a_distribution_python_keeps_its_copy_when_something_uses_it():
    """Debian's python3-setuptools is a build package the runtime does not install: the builder's
    system site-packages are not the runtime's, so the virtualenv keeps its own setuptools."""
    from msbrewrite import Options, convert
    dockerfile = ("FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3 python3-pip python3-venv\n"
                  "WORKDIR /app\nCOPY . .\nRUN pip3 install -r requirements.txt\nCMD [\"python3\", \"app.py\"]\n")
    result = convert(dockerfile, None, Options())
    assert "/tmp/msb-build-tools.py" in result.text and "include-system-site-packages" not in result.text
    official = convert(dockerfile.replace("ubuntu:22.04", "python:3.11-slim"), None, Options())
    assert "include-system-site-packages = true" in official.text
