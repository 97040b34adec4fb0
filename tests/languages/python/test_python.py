"""Python language module: import walker, entry parsing, install rewrites, base choice."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from msbrewrite import Options, convert
from msbrewrite.languages.python.entry import parse_entry, strip_runner
from msbrewrite.languages.python.imports import file_facts, walk


class DictTree:
    """An in-memory tree: {"/app/a.py": "source", "/app/pkg/__init__.py": ""}."""

    def __init__(self, files: dict[str, str]):
        self.files = files

    def read(self, path):
        return self.files.get(path)

    def is_file(self, path):
        return path in self.files

    def is_dir(self, path):
        prefix = path.rstrip("/") + "/"
        return any(f.startswith(prefix) for f in self.files)

    def listdir(self, path):
        prefix = path.rstrip("/") + "/"
        return sorted({f[len(prefix):].split("/")[0] for f in self.files if f.startswith(prefix)})


# ---------------------------------------------------------------- import walker


def test_walk_follows_local_imports_and_takes_packages_whole():
    tree = DictTree({
        "/app/main.py": "import os\nfrom core import models\nimport util\n",
        "/app/core/__init__.py": "",
        "/app/core/models.py": "from .. import settings_missing\nfrom extras.plugin import run\n",
        "/app/core/data/seed.json": "{}",
        "/app/util.py": "X = 1\n",
        "/app/extras/__init__.py": "",
        "/app/extras/plugin.py": "def run(): pass\n",
        "/app/unused.py": "import core\n",
        "/app/tests/test_main.py": "import main\n",
    })
    result = walk(tree, ["/app"], ["/app/main.py"])
    assert result.entries == {"/app/main.py", "/app/core", "/app/util.py", "/app/extras"}
    assert not result.dynamic


def test_walk_counts_strings_that_name_files_next_to_the_code():
    tree = DictTree({
        "/srv/app.py": 'import json\nCONFIG = json.load(open("config/app.json"))\nDB = "data.db"\nURL = "/etc/x"\n',
        "/srv/config/app.json": "{}",
        "/srv/data.db": "",
        "/srv/other.txt": "",
    })
    result = walk(tree, ["/srv"], ["/srv/app.py"])
    assert result.entries == {"/srv/app.py", "/srv/config", "/srv/data.db"}


def test_walk_reports_computed_dynamic_imports_but_follows_literal_ones():
    tree = DictTree({
        "/app/run.py": 'import importlib\nimportlib.import_module("jobs.nightly")\n'
                       'name = "x"\n__import__(name)\n',
        "/app/jobs/__init__.py": "",
        "/app/jobs/nightly.py": "",
    })
    result = walk(tree, ["/app"], ["/app/run.py"])
    assert "/app/jobs" in result.entries
    assert result.dynamic and "__import__" in result.dynamic[0]


def test_walk_reports_files_libcst_cannot_parse():
    tree = DictTree({"/app/old.py": 'print "python 2"\n'})
    result = walk(tree, ["/app"], ["/app/old.py"])
    assert result.unparsable and result.unparsable[0].startswith("/app/old.py")


def test_file_facts_reads_relative_and_submodule_imports():
    facts = file_facts("from . import views\nfrom .models import User\nfrom pkg import sub as s\n")
    assert ("views", 1) in facts.imports
    assert ("models", 1) in facts.imports and ("models.User", 1) in facts.imports
    assert ("pkg.sub", 0) in facts.imports


# ---------------------------------------------------------------- entry parsing


@pytest.mark.parametrize("argv, module, script, framework", [
    (["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:app"], "app", None, "gunicorn"),
    (["gunicorn", "--bind", "0:8000", "proj.wsgi:application"], "proj.wsgi", None, "gunicorn"),
    (["python", "-m", "uvicorn", "svc.main:app", "--host", "0.0.0.0"], "svc.main", None, "uvicorn"),
    (["uvicorn", "main:create_app()", "--factory"], "main", None, "uvicorn"),
    (["python3", "-u", "worker.py", "--once"], None, "worker.py", None),
    (["python", "manage.py", "runserver", "0.0.0.0:8000"], None, "manage.py", "django"),
    (["streamlit", "run", "dash.py", "--server.port=8501"], None, "dash.py", "streamlit"),
    (["celery", "-A", "tasks", "worker"], "tasks", None, "celery"),
    (["uv", "run", "--frozen", "fastapi", "run", "src/api"], None, "src/api", "fastapi"),
    (["poetry", "run", "python", "-m", "inventory"], "inventory", None, None),
])
def test_parse_entry(argv, module, script, framework):
    entry = parse_entry(argv, {})
    assert (entry.module, entry.script, entry.framework) == (module, script, framework)
    assert entry.why_imprecise is None


def test_parse_entry_flask_reads_flask_app_and_config_options():
    assert parse_entry(["flask", "run"], {"FLASK_APP": "board.py"}).script == "board.py"
    assert parse_entry(["flask", "--app", "site:create_app()", "run"], {}).module == "site"
    entry = parse_entry(["gunicorn", "-c", "conf/gunicorn.py", "--chdir", "src", "app:app"], {})
    assert entry.configs == ["conf/gunicorn.py"] and entry.cwd == "src" and entry.module == "app"


@pytest.mark.parametrize("argv", [["sh", "-c", "python app.py"], ["./entrypoint.sh"], ["python"],
                                  ["python", "-c", "print(1)"], ["my-installed-tool", "serve"]])
def test_parse_entry_gives_a_reason_when_it_cannot_follow(argv):
    assert parse_entry(argv, {}).why_imprecise


def test_strip_runner():
    assert strip_runner(["uv", "run", "--with", "x", "gunicorn", "a:b"]) == ["gunicorn", "a:b"]
    assert strip_runner(["tini", "--", "pipenv", "run", "python", "x.py"]) == ["python", "x.py"]
    assert strip_runner(["python", "x.py"]) == ["python", "x.py"]


# ---------------------------------------------------------------- conversions without context


def conv(text: str, context=None, **opts):
    return convert(text, context, Options(**opts))


def test_runtime_keeps_the_builder_python_version_and_distro():
    cases = {
        "python:3.11": "python:3.11-slim",
        "python:3.11.5-slim-bookworm": "python:3.11.5-slim-bookworm",
        "python:3.10-bullseye": "python:3.10-slim-bullseye",
        "python:3.12-alpine3.20": "python:3.12-alpine3.20",
        "python:3": "python:3-slim",
        "ghcr.io/astral-sh/uv:python3.12-bookworm-slim": "python:3.12-slim-bookworm",
    }
    for image, runtime in cases.items():
        r = conv(f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                 'CMD ["python", "app.py"]\n')
        assert r.status == "converted", r.reason
        assert r.runtime_base == runtime, image


def test_pip_user_is_dropped_and_tools_stay_out_of_the_venv():
    r = conv("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
             "RUN pip install poetry && poetry install --no-root\n"
             "RUN pip install --user -r extra.txt\n"
             'CMD ["poetry", "run", "gunicorn", "app:app"]\n')
    assert r.status == "converted", r.reason
    assert "RUN /usr/local/bin/pip install poetry && poetry install --no-root" in r.text
    assert "RUN pip install -r extra.txt" in r.text
    assert 'CMD ["gunicorn", "app:app"]' in r.text


def test_usr_local_console_script_moves_into_the_venv():
    r = conv('FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n'
             'CMD ["/usr/local/bin/gunicorn", "app:app"]\n')
    assert 'CMD ["/opt/venv/bin/gunicorn", "app:app"]' in r.text


def test_user_venv_is_reused_not_doubled():
    r = conv("FROM python:3.11\nWORKDIR /app\nRUN python -m venv /app/.venv\n"
             'ENV PATH="/app/.venv/bin:$PATH"\nCOPY . .\nRUN pip install -r requirements.txt\n'
             'CMD ["python", "app.py"]\n')
    assert r.status == "converted", r.reason
    assert "/opt/venv" not in r.text.split("AS builder")[1].split("# runtime")[0]
    assert 'VIRTUAL_ENV=/app/.venv' in r.text


def test_source_at_root_clashing_with_system_dirs_is_refused(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "x.py").write_text("")
    (tmp_path / "main.py").write_text("import importlib\nimportlib.import_module(input())\n")
    r = conv('FROM python:3.11-slim\nCOPY . .\nRUN pip install flask\nCMD ["python", "main.py"]\n', tmp_path)
    assert r.status == "refused" and r.reason_code == "python-source-at-root"
    assert "lib/" in r.reason


@pytest.mark.parametrize("with_context", [True, False])
def test_parts_copied_into_root_before_a_workdir_for_data_reach_the_runtime(tmp_path, with_context):
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "__init__.py").write_text("")
    (tmp_path / "worker.py").write_text("import jobs\n")
    (tmp_path / "requirements.txt").write_text("redis\n")
    r = conv("FROM python:3.11-slim\nWORKDIR /\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
             "COPY jobs jobs\nCOPY worker.py .\nWORKDIR /var/lib/worker\nCMD [\"python\", \"/worker.py\"]\n",
             tmp_path if with_context else None)
    assert r.status == "converted", r.reason
    runtime = r.text.split("# runtime")[1]
    assert "COPY --from=builder /worker.py /worker.py" in runtime and "COPY --from=builder /jobs /jobs" in runtime
    assert "WORKDIR /var/lib/worker" in runtime
    assert not any("the whole of /var/lib/worker" in d for d in r.decisions)


def test_only_a_manifest_in_root_keeps_the_app_in_its_own_folder(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("print(1)\n")
    (tmp_path / "requirements.txt").write_text("redis\n")
    r = conv("FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
             "COPY app /app\nCMD [\"python\", \"/app/main.py\"]\n", tmp_path)
    assert r.status == "converted", r.reason
    assert any("/app" in d and "copied" in d for d in r.decisions), r.decisions
    assert "COPY --from=builder /requirements.txt" not in r.text


def test_corpus_python_converts_without_traceback():
    root = Path(__file__).resolve().parents[3]
    corpus = Path(os.environ.get("MSB_CORPUS", Path(os.environ.get("MSB_SHARED", root.parent / "shared")) / "corpus"))
    folder = corpus / "single" / "python"
    if not folder.is_dir():
        pytest.skip(f"no corpus at {folder}")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    ok = 0
    for path in files:
        r = convert(path.read_text(errors="replace"), None, Options())
        assert r.status in ("converted", "refused", "unchanged"), path.name
        if r.status == "refused":
            assert r.reason_code and r.reason_code != "refused", path.name
        ok += r.status == "converted"
    assert ok >= 0.8 * len(files)


def test_pip_user_is_dropped_across_continuation_lines():
    r = conv("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
             "RUN pip install \\\n    --user \\\n    -r requirements.txt\n"
             'CMD ["python", "a.py"]\n')
    builder = r.text.split("# runtime")[0]
    assert "--user" not in builder
    assert "RUN pip install \\\n    \\\n    -r requirements.txt" in builder


def test_existing_system_user_is_not_created_again():
    r = conv("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install flask\nUSER nobody\n"
             'CMD ["python", "a.py"]\n')
    runtime = r.text.split("# runtime")[1]
    assert "USER nobody" in runtime and "useradd" not in runtime


def test_app_directory_is_copied_whole_minus_build_only_files(tmp_path):
    (tmp_path / "app.py").write_text("import helpers\n")
    (tmp_path / "helpers.py").write_text("")
    (tmp_path / "settings.yaml").write_text("a: 1\n")
    (tmp_path / "local.yaml").write_text("b: 2\n")
    (tmp_path / "notes.py").write_text("")
    (tmp_path / ".dockerignore").write_text("local.yaml\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text("")
    r = conv('FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install flask\nCMD ["python", "app.py"]\n',
             tmp_path)
    copied = {a.source for a in r.artifacts}
    # files the imports do not reach (notes.py) may still be read at run time: the whole /srv comes along
    assert copied == {"/opt/venv", "/tmp/msb-runtime/"}
    assert "COPY --from=builder --chown=10001:10001 /tmp/msb-runtime/ /" in r.text
    # the report counts what docker build sends (.dockerignore applied) and names what is left out
    assert any(d.startswith("/srv is copied (4 file(s)") and "Docker build files: .dockerignore" in d
               and "tests: tests/" in d
               for d in r.decisions), r.decisions


def test_runner_prefix_leaves_a_shell_command_intact():
    r = conv("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install uv && uv sync\n"
             "CMD uv run --frozen uvicorn main:app --port ${PORT:-8000}\n")
    assert r.text.rstrip().endswith("CMD uvicorn main:app --port ${PORT:-8000}")
    assert "UV_PROJECT_ENVIRONMENT=/opt/venv" in r.text


def test_runtime_follows_a_python_version_build_argument():
    r = conv('ARG PY=3.11\nFROM python:${PY}-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install flask\n'
             'CMD ["python", "a.py"]\n')
    assert r.runtime_base == "python:${PY}-slim-bookworm"
    assert r.text.count("FROM python:${PY}") == 2


def test_venv_inside_the_app_directory_is_copied_once():
    r = conv("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN python -m venv .venv && .venv/bin/pip install -r r.txt\n"
             'CMD [".venv/bin/python", "app.py"]\n')
    sources = [a.source for a in r.artifacts]
    assert sources == ["/app/.venv", "/tmp/msb-runtime/"], sources
    assert "--exclude=./.venv" in r.text
    assert "VIRTUAL_ENV=/app/.venv" in r.text
