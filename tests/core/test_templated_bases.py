"""A builder FROM built from a build argument: the runtime follows the argument where a suffix can,
and never gets a doubled or broken tag (python:3.11.1-slim-slim, ${BASE}:latest-slim)."""
import pytest

from msbrewrite import convert

PYTHON = "WORKDIR /app\nCOPY . .\nRUN pip install flask\nCMD [\"python\", \"a.py\"]\n"
NODE = "WORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"app.js\"]\n"


@pytest.mark.parametrize("head, body, runtime, follows", [
    # the argument's default already names the small image: the runtime is the same reference
    ("ARG PYTHON_VERSION=3.11.1-slim\nFROM python:${PYTHON_VERSION} as base", PYTHON, "python:${PYTHON_VERSION}", True),
    ("ARG BASE=python:3.10.1-alpine3.15\nFROM ${BASE}", PYTHON, "${BASE}", True),
    ("ARG NODE_VERSION=20-alpine\nFROM node:${NODE_VERSION}", NODE, "node:${NODE_VERSION}", True),
    ("ARG NODE_VERSION=20-slim\nFROM node:${NODE_VERSION}", NODE, "node:${NODE_VERSION}", True),
    # a plain version: a suffix follows it
    ("ARG V=3.11\nFROM python:${V}", PYTHON, "python:${V}-slim", True),
    ("ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}", NODE, "node:${NODE_VERSION}-slim", True),
    ("ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}-alpine", NODE, "node:${NODE_VERSION}-alpine", True),
    # a value holding a whole image or a distribution: its default's small image, with a warning
    ("ARG BASE=python:3.11\nFROM ${BASE}", PYTHON, "python:3.11-slim", False),
    ("ARG V=3.11-bookworm\nFROM python:${V}", PYTHON, "python:3.11-slim-bookworm", False),
    ("ARG NODE_VERSION=20-bookworm\nFROM node:${NODE_VERSION}", NODE, "gcr.io/distroless/nodejs20-debian12:nonroot",
     False),
])
def test_a_templated_base_never_gets_a_doubled_or_broken_tag(head, body, runtime, follows):
    result = convert(f"{head}\n{body}")
    assert result.runtime_base == runtime
    assert any("moves only the builder" in w for w in result.warnings) is not follows
