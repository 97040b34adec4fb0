"""The package's layers and the absence of import circles, as import-linter checks them.

The contracts live in pyproject.toml ([tool.importlinter]); the README's "Architecture" section
draws the same layers.
"""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LINT = ("import sys\n"
        "from importlinter.cli import lint_imports\n"
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))\n")


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LINT], cwd=where, capture_output=True, text=True, timeout=600)


def test_every_import_follows_the_layers_and_no_circle_exists():
    run = lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


def with_import(tmp_path: Path, module: str, statement: str) -> Path:
    """A copy of the package in which `module` (a path under msbrewrite/) makes one more import."""
    shutil.copytree(ROOT / "msbrewrite", tmp_path / "msbrewrite", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "msbrewrite" / module
    path.write_text(path.read_text() + f"\n\ndef _added():\n    {statement}  # noqa: F401\n")
    return tmp_path


def test_an_upward_import_breaks_the_layers_and_names_both_modules(tmp_path):
    # the model imports the command line: the contract must say so, naming both modules
    run = lint(with_import(tmp_path, "model/plan.py", "from msbrewrite.cli import app"))
    assert run.returncode != 0
    assert "msbrewrite.model.plan -> msbrewrite.cli.app" in run.stdout, run.stdout


def test_a_circle_inside_a_layer_is_found(tmp_path):
    # analysis imports shell; shell importing analysis back closes a circle inside the model
    run = lint(with_import(tmp_path, "model/shell.py", "from msbrewrite.model import analysis"))
    assert run.returncode != 0
    assert "No import circles BROKEN" in run.stdout, run.stdout
