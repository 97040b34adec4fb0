"""`--optimize` dependency layer for Gradle, Poetry, uv, Pipenv, PEP 621 projects and Yarn 2+:
where it applies, and the reason the report gives where it must not."""
from __future__ import annotations

import pytest

from conftest import make_context
from msbrewrite import Options, convert

POETRY_TOML = """[tool.poetry]
name = "shop"
version = "0.1.0"
description = ""
authors = ["a <a@example.com>"]

[tool.poetry.dependencies]
python = "^3.11"
six = "^1.16"
"""
PEP621 = """[project]
name = "board"
version = "1.0"
dependencies = ["six>=1.16", "attrs"]
"""
GRADLE_SINGLE = {"settings.gradle": "rootProject.name = 'app'\n", "build.gradle": "plugins { id 'java' }\n",
                 "src/main/java/App.java": "class App {}\n"}


def _optimize(tmp_path, dockerfile: str, files: dict[str, str] | None):
    ctx = make_context(tmp_path / "ctx", files) if files is not None else None
    result = convert(dockerfile, ctx, Options(optimize=True))
    assert result.status == "converted", result.reason
    layer = [d for d in result.decisions if "dependency layer" in d]
    return result.text, layer


def _builder(text: str) -> str:
    return text[:text.rindex("\nFROM ")]


PY = "FROM python:3.11-slim\nRUN pip install {tool}\nWORKDIR /app\nCOPY . .\nRUN {install}\nCMD [\"python\", \"-m\", \"app\"]\n"


@pytest.mark.parametrize("install, files, reason", [
    ("poetry install --only-root", {"pyproject.toml": POETRY_TOML, "poetry.lock": ""}, "installs only the project"),
    ("poetry install", {"pyproject.toml": POETRY_TOML}, "no poetry.lock in the context"),
    ("poetry install", {"pyproject.toml": POETRY_TOML + 'lib = { path = "./lib" }\n', "poetry.lock": ""},
     "the dependency lib is a local path"),
    ("poetry install", None, "poetry.lock is unknown"),
    ("poetry install --weird", {"pyproject.toml": POETRY_TOML, "poetry.lock": ""}, "does not know to keep"),
    ("uv sync", {"pyproject.toml": PEP621}, "no uv.lock in the context"),
    ("uv sync", None, "uv.lock is unknown"),
    ("uv sync --frozen", {"pyproject.toml": PEP621 + '[tool.uv.workspace]\nmembers = ["pkgs/*"]\n', "uv.lock": ""},
     "uv workspace"),
    ("uv sync --package api", {"pyproject.toml": PEP621, "uv.lock": ""}, "workspace member"),
    ("pipenv install", {"Pipfile": "[packages]\n", "Pipfile.lock": "{}"}, "may resolve or add packages"),
    ("pipenv install --deploy --system", {"Pipfile": '[packages]\nlib = {path = "./lib"}\n', "Pipfile.lock": "{}"},
     "installs a local path"),
    ("pipenv install --deploy --system", None, "Pipfile.lock is unknown"),
    ("pip install .", {"pyproject.toml": PEP621.replace('dependencies = ["six>=1.16", "attrs"]',
                                                        'dynamic = ["dependencies"]')}, "dependencies are dynamic"),
    ("pip install .", None, "the project's dependencies are unknown"),
    ("pip install .", {"setup.py": "from setuptools import setup\nsetup()\n"}, "no pyproject.toml"),
    ("pip install .", {"pyproject.toml": "[tool.poetry]\nname = 'x'\n"}, "no [project] table"),
    ("pip install .", {"pyproject.toml": PEP621.replace('"attrs"', '"lib @ file:///app/lib"')}, "is a local path"),
    ("pip install .", {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'}, "declares no dependencies"),
    ("pip install --no-deps .", {"pyproject.toml": PEP621}, "--no-deps"),
    ("pip install .[web]", {"pyproject.toml": PEP621}, "extra 'web' is not declared"),
    ("make deps && poetry install", {"pyproject.toml": POETRY_TOML, "poetry.lock": ""}, "runs `make deps` before"),
])
def test_python_dependency_layer_does_not_apply_and_says_why(tmp_path, install, files, reason):
    tool = install.split()[0] if install.split()[0] in ("poetry", "pipenv", "uv") else "wheel"
    dockerfile = PY.format(tool=tool, install=install)
    text, layer = _optimize(tmp_path, dockerfile, files)
    assert "# dependencies first" not in text
    assert len(layer) == 1 and layer[0].startswith("optimize: no dependency layer") and reason in layer[0], layer


def test_poetry_keeps_the_install_options_and_the_users_install_after_the_copy(tmp_path):
    files = {"pyproject.toml": POETRY_TOML, "poetry.lock": "", "poetry.toml": "[virtualenvs]\ncreate = false\n", "app/__init__.py": ""}
    dockerfile = PY.format(tool="poetry", install="poetry install --without dev --extras 'a b' -n")
    text, layer = _optimize(tmp_path, dockerfile, files)
    builder = _builder(text)
    assert "COPY pyproject.toml poetry.lock poetry.toml ./\n" in builder
    deps = builder.index("poetry install --without dev --extras 'a b' -n --no-root")
    assert deps < builder.index("COPY . .") < builder.index("poetry install --without dev --extras 'a b' -n\n")
    assert layer and "--no-root" in layer[0]


def test_poetry_no_root_install_moves_whole(tmp_path):
    files = {"pyproject.toml": POETRY_TOML, "poetry.lock": ""}
    dockerfile = PY.format(tool="poetry", install="poetry install --no-root")
    text, layer = _optimize(tmp_path, dockerfile, files)
    builder = _builder(text)
    assert builder.count("poetry install") == 1
    assert builder.index("poetry install --no-root") < builder.index("COPY . .")


def test_pep621_requirements_are_one_shell_word_each(tmp_path):
    files = {"pyproject.toml": PEP621.replace('"attrs"', '''"attrs>=23; python_version < '3.13'", "a$b"''')}
    text, layer = _optimize(tmp_path, PY.format(tool="wheel", install="pip install -e ."), files)
    line = next(ln for ln in text.splitlines() if "six>=1.16" in ln)
    assert line.endswith('''pip install "six>=1.16" "attrs>=23; python_version < '3.13'" 'a$b\'''')
    assert "-e" not in line.split("pip install", 1)[1]
    assert "pip install -e ." in text.split("COPY . .", 1)[1]


def test_pep621_finds_the_project_install_after_other_pip_installs(tmp_path):
    install = "python -m pip install --upgrade pip wheel && pip install --no-cache-dir ."
    text, layer = _optimize(tmp_path, PY.format(tool="wheel", install=install), {"pyproject.toml": PEP621})
    builder = _builder(text)
    deps = builder[:builder.index("COPY . .")]
    assert 'pip install --upgrade pip wheel && pip install "six>=1.16" "attrs"\n' in deps
    assert "pip install --upgrade pip wheel && pip install ." in builder[builder.index("COPY . ."):]


def test_uv_locked_sync_applies_without_context(tmp_path):
    dockerfile = PY.format(tool="uv", install="uv sync --locked --no-dev")
    text, layer = _optimize(tmp_path, dockerfile, None)
    builder = _builder(text)
    assert "COPY pyproject.toml uv.lock ./" in builder
    assert builder.index("uv sync --locked --no-dev --no-install-project") < builder.index("COPY . .")


def test_pipenv_sync_moves_above_the_copy(tmp_path):
    files = {"Pipfile": "[packages]\nsix = '*'\n", "Pipfile.lock": "{}"}
    text, layer = _optimize(tmp_path, PY.format(tool="pipenv", install="pipenv sync --system"), files)
    builder = _builder(text)
    assert builder.count("pipenv sync") == 1
    assert builder.index("COPY Pipfile Pipfile.lock ./") < builder.index("pipenv sync --system") < builder.index("COPY . .")


GRADLE = "FROM gradle:jdk17\nWORKDIR /app\nCOPY . .\nRUN {cmd}\nCMD [\"java\", \"-jar\", \"build/libs/app.jar\"]\n"


@pytest.mark.parametrize("cmd, extra, reason", [
    ("gradle build", {"buildSrc/build.gradle": ""}, "buildSrc"),
    ("gradle build", {"settings.gradle": "includeBuild '../lib'\n"}, "includes other builds"),
    ("gradle build", {"settings.gradle": "['a', 'b'].each { include it }\n"}, "computed names"),
    ("gradle build", {"settings.gradle": "include 'api'\n"}, "api has no build file"),
    ("gradle build", {"build.gradle": "apply from: 'ci/extra.gradle'\n"}, "reads other files"),
    ("gradle -p sub build", {}, "names other build files"),
    ("./gradlew build", {}, "no gradlew"),
])
def test_gradle_dependency_layer_does_not_apply_and_says_why(tmp_path, cmd, extra, reason):
    text, layer = _optimize(tmp_path, GRADLE.format(cmd=cmd), {**GRADLE_SINGLE, **extra})
    assert "# dependencies first" not in text
    assert len(layer) == 1 and reason in layer[0], layer


def test_gradle_without_context_says_why(tmp_path):
    text, layer = _optimize(tmp_path, GRADLE.format(cmd="gradle build"), None)
    assert "# dependencies first" not in text and "Gradle build files are unknown" in layer[0]


def test_gradle_multiproject_resolves_every_included_project(tmp_path):
    files = {**GRADLE_SINGLE, "settings.gradle": "include(\n  ':api',\n  ':libs:model'  // the model\n)\n/* include 'old' */\n",
             "api/build.gradle.kts": "", "libs/model/build.gradle": "", "gradle/libs.versions.toml": ""}
    text, layer = _optimize(tmp_path, GRADLE.format(cmd="gradle build -Pprofile=prod --offline"), files)
    builder = _builder(text)
    assert "COPY api/build.gradle.kts ./api/\nCOPY libs/model/build.gradle ./libs/model/\nCOPY gradle ./gradle\n" in builder
    assert "gradle dependencies :api:dependencies :libs:model:dependencies -Pprofile=prod --offline --no-daemon" in builder
    assert "old" not in builder


NODE = "FROM node:20\nRUN corepack enable\nWORKDIR /app\nCOPY . .\nRUN yarn install --immutable\nRUN yarn build\n" \
       "CMD [\"node\", \"dist/index.js\"]\n"
BERRY = {"package.json": '{"name": "x", "scripts": {"build": "true"}, "dependencies": {"a": "^1"}}',
         "yarn.lock": "", ".yarnrc.yml": "yarnPath: .yarn/releases/yarn-4.1.1.cjs\n",
         ".yarn/releases/yarn-4.1.1.cjs": "", "src/index.js": ""}


def test_yarn_berry_copies_its_project_files_first(tmp_path):
    text, layer = _optimize(tmp_path, NODE, BERRY)
    builder = _builder(text)
    assert "COPY package.json yarn.lock .yarnrc.yml ./\nCOPY .yarn/releases ./.yarn/releases\nRUN yarn install" in builder
    assert ".yarn/plugins" not in builder
    assert builder.index("RUN yarn install") < builder.index("COPY . .")


@pytest.mark.parametrize("change, reason", [
    ({".yarnrc.yml": "yarnPath: tools/yarn.cjs\n"}, "outside .yarn/"),
    ({"package.json": '{"name": "x", "dependencies": {"a": "portal:../a"}}'}, "portal:"),
    ({"package.json": '{"name": "x", "dependencies": {"a": "patch:a@npm%3A1#./patches/a.patch"}}'}, "outside .yarn/patches"),
    ({".pnp.cjs": "// stale"}, "holds .pnp.cjs"),
    ({"node_modules/a/index.js": ""}, "holds node_modules"),
])
def test_yarn_berry_does_not_apply_when_the_install_reads_more(tmp_path, change, reason):
    text, layer = _optimize(tmp_path, NODE, {**BERRY, **change})
    assert "# dependencies first" not in text and reason in layer[0], layer
