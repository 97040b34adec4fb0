"""core.validate: BuildKit's own parser judges every output; dockerfile-parse stands in for it
only where that parser cannot load."""
from __future__ import annotations

import sys

import pytest

from msbrewrite.core.validate import _parser_problems

TWO_STAGES = "FROM golang:1.22 AS builder\nRUN go build -o /app .\nFROM scratch\nCOPY --from=builder /app /app\n"


def test_the_official_parser_rejects_what_buildkit_would():
    for text in ("FROM golang:1.22\nENV NAME\n", "FROM golang:1.22\nLABEL lonely\n", "# escape=xx\nFROM a\n"):
        problems = list(_parser_problems(text))
        assert len(problems) == 1 and problems[0].startswith("the official parser rejects it"), text
    assert list(_parser_problems(TWO_STAGES)) == []


def test_without_the_official_parser_dockerfile_parse_reads_the_output(monkeypatch):
    import dockerfile_parse

    read = []

    class Reader:
        def __init__(self, fileobj):
            read.append(fileobj.read().decode())

        @property
        def structure(self):
            raise ValueError("unreadable")

    monkeypatch.setitem(sys.modules, "dockerfile", None)       # import dockerfile -> ImportError
    monkeypatch.setattr(dockerfile_parse, "DockerfileParser", Reader)
    assert list(_parser_problems(TWO_STAGES)) == ["dockerfile-parse rejects it (unreadable)"]
    assert read == [TWO_STAGES]


@pytest.mark.parametrize("text", [TWO_STAGES, "FROM a\nFROM b AS c\n"])
def test_a_file_both_parsers_read_has_no_parser_problem(text):
    assert list(_parser_problems(text)) == []
