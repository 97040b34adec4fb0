"""What the report says a conversion leaves out: installers' download caches."""
import pytest

from msbrewrite.core.convert import convert
from msbrewrite.core.estimate import leaves_out

PY = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n{env}RUN {run}\nCMD [\"python\", \"app.py\"]\n"
NODE = "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN {run}\nCMD [\"node\", \"app.js\"]\n"
PIP_CACHE = "pip's download cache (~/.cache/pip)"


@pytest.mark.parametrize("env, run, left", [
    ("", "pip install -r requirements.txt", True),
    ("", "python -m pip install -r requirements.txt", True),
    ("", "pip install --no-cache-dir -r requirements.txt", False),
    ("", "pip install --no-cache -r requirements.txt", False),          # pip's abbreviation
    ("ENV PIP_NO_CACHE_DIR=1\n", "pip install -r requirements.txt", False),
    ("", "pip install -r requirements.txt && rm -rf /root/.cache", False),
    ("", "pip install -r requirements.txt && pip cache purge", False),
    ("", "--mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt", False),
])
def test_a_pip_cache_the_original_kept_is_named_and_is_a_size_gain(env, run, left):
    text = PY.format(env=env, run=run)
    r = convert(text)
    assert (PIP_CACHE in leaves_out(text, r)) is left
    # the slim base is the runtime's too: the cache is the only thing the conversion sheds
    assert r.no_gain is not left


@pytest.mark.parametrize("run, phrase", [
    ("npm ci", "npm's cache (~/.npm)"),
    ("npm install", "npm's cache (~/.npm)"),
    ("yarn", "yarn's cache"),
    ("yarn install --frozen-lockfile", "yarn's cache"),
    ("npm ci && npm cache clean --force", None),
    ("yarn install && yarn cache clean", None),
])
def test_node_package_caches_left_in_the_builder_are_named(run, phrase):
    text = NODE.format(run=run)
    said = [p for p in leaves_out(text, convert(text)) if "cache" in p]
    assert said == ([phrase] if phrase else [])
