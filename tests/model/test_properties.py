"""Property tests: generated and mutated Dockerfiles must never crash the model or the pipeline.

- the model round-trips every text it accepts byte-for-byte, and reads instructions, line
  spans, exec form and flags exactly as the official BuildKit parser does;
- convert never raises, refusals carry a specific reason, a converted result is a fixed point,
  a multi-stage input comes back byte-for-byte, and every original instruction has one fate.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from msbrewrite import convert
from msbrewrite.model.dockerfile import KNOWN_INSTRUCTIONS, ParseError, parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "convert"
SEEDS = sorted(p.read_text(encoding="utf-8") for p in FIXTURES.glob("*/Dockerfile")) if FIXTURES.is_dir() else []
SEEDS = SEEDS or ["FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n"]

FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

KEYWORDS = sorted(KNOWN_INSTRUCTIONS)
# characters that stress a Dockerfile scanner: quotes, escapes, expansions, heredoc and JSON syntax,
# Unicode (including Go/Python whitespace disagreements), tabs and carriage returns
ALPHABET = st.sampled_from(list("abcxyz019 -_=./:$'\"\\`#<>[]{},;&|*\t\r")
                           + ["\u00e9", "\u00a0", "\u3000", "\u2028", "\x0c", "\x1c", "\U0001f433", "<<EOF", "${A:-b}"])
WORD = st.lists(ALPHABET, max_size=12).map("".join)
FLAG = st.builds(lambda n, v: f"--{n}" + (f"={v}" if v is not None else ""),
                 st.sampled_from(["from", "mount", "chown", "platform", "network", "x"]),
                 st.one_of(st.none(), st.text(st.sampled_from(list("abc=,/\"' ")), max_size=8)))
JSON_ARGS = st.lists(st.text(st.sampled_from(list("ab /\"\\-")), max_size=6), max_size=3).map(
    lambda xs: "[" + ", ".join('"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"' for x in xs) + "]")


@st.composite
def instruction(draw, escape="\\"):
    kw = draw(st.sampled_from(KEYWORDS + ["from", "Run", "copy", "bogus"]))
    flags = draw(st.lists(FLAG, max_size=2)) if draw(st.booleans()) else []
    body = draw(st.one_of(JSON_ARGS, st.lists(WORD, min_size=0, max_size=5).map(" ".join)))
    parts = [kw, *flags, body]
    line = " ".join(p for p in parts if p)
    # split into continuation lines, with comments and blank lines between them
    pieces = draw(st.lists(st.sampled_from(["", "# note", "  # indented", "   "]), max_size=2))
    if draw(st.booleans()) and " " in line:
        head, _, tail = line.partition(" ")
        line = head + " " + escape + "\n" + "".join(p + "\n" for p in pieces) + "    " + tail
    return line


@st.composite
def dockerfile_text(draw, stages=None):
    escape = draw(st.sampled_from(["\\", "`"]))
    out = []
    if escape == "`" or draw(st.booleans()):
        out.append(draw(st.sampled_from([f"# escape={escape}", f"#escape = {escape}", f"  # ESCAPE={escape}"])))
    if draw(st.booleans()):
        out.append("# syntax=docker/dockerfile:1")
    if draw(st.booleans()):
        out.append("ARG BASE=golang:1.22")
    n_from = stages if stages is not None else draw(st.integers(0, 2))
    for i in range(n_from):
        out.append(draw(st.sampled_from([f"FROM golang:1.22 AS s{i}", f"from node:20 as s{i}",
                                         f"FROM --platform=$BUILDPLATFORM python:3.12 AS s{i}"])))
        for _ in range(draw(st.integers(0, 5))):
            out.append(draw(instruction(escape)))
            if draw(st.integers(0, 4)) == 0:
                out.append(draw(st.sampled_from(["", "# comment", "   ", "\t# tab comment \\"])))
    text = "\n".join(out) + draw(st.sampled_from(["\n", "", "\n\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return text


@st.composite
def mutated_seed(draw):
    lines = draw(st.sampled_from(SEEDS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["insert", "delete", "dup", "case", "space", "unicode", "long", "crlf"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            break
        if op == "insert":
            lines.insert(i, draw(instruction()) + "\n")
        elif op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "case":
            lines[i] = lines[i].lower() if draw(st.booleans()) else lines[i].swapcase()
        elif op == "space":
            lines[i] = draw(st.sampled_from([" ", "\t", "  \t"])) + lines[i].rstrip("\n") + " \t\n"
        elif op == "unicode":
            lines.insert(i, "# caf\u00e9 \u2603 \U0001f433\n")
        elif op == "long":
            lines.insert(i, "LABEL long=" + "x" * draw(st.integers(1000, 50_000)) + "\n")
        elif op == "crlf":
            lines = [line.replace("\n", "\r\n") if not line.endswith("\r\n") else line for line in lines]
    return "".join(lines)


ANY_TEXT = st.one_of(dockerfile_text(), mutated_seed(), st.text(max_size=200))


# ------------------------------------------------------------- the model

@FAST
@given(ANY_TEXT)
def test_model_round_trips_or_raises_parse_error(text):
    try:
        df = parse(text)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert df.render() == text
    # every line belongs to exactly one piece
    assert sum(i.raw.count("\n") + i.leading.count("\n") for i in df.instructions) \
        + df.directive_text.count("\n") + df.trailing.count("\n") == text.count("\n")


def _official(text):
    official = pytest.importorskip("dockerfile")
    try:
        return official.parse_string(text)
    except Exception as exc:   # noqa: BLE001 - GoParseError
        return exc


@FAST
@given(st.one_of(dockerfile_text(), mutated_seed()))
def test_model_reads_like_the_official_parser(text):
    theirs = _official(text)
    try:
        ours = parse(text)
    except ParseError as exc:
        # both must reject, except a dangling continuation the official parser turns into an empty node
        assert isinstance(theirs, Exception) or any(c.cmd is None for c in theirs), f"{exc}"
        return
    if isinstance(theirs, Exception):
        return      # instruction-level checks (e.g. ENV without value) come later in a build
    theirs = [c for c in theirs if c.cmd is not None]
    assert [(c.cmd.upper(), c.start_line, c.end_line) for c in theirs] == \
        [(i.keyword if i.keyword.isascii() else c.cmd.upper(), i.lineno, i.end_lineno)
         for i, c in zip(ours.instructions, theirs)]
    assert len(theirs) == len(ours.instructions)
    for c, i in zip(theirs, ours.instructions):
        target = i.sub if i.keyword == "ONBUILD" and i.sub is not None else i
        assert c.json == target.is_json, (c, i.raw)
        if c.json:
            # HEALTHCHECK's value starts with its sub-command word (CMD, ...)
            value = list(c.value)[1:] if target.keyword == "HEALTHCHECK" else list(c.value)
            assert value == target.json_args
        if i.keyword != "ONBUILD" and all(f.isascii() for f in c.flags):
            assert list(c.flags) == [f"--{k}" + (f"={v}" if v or "=" in f else "")
                                     for (k, v), f in zip(i.flag_list, c.flags)]


# ------------------------------------------------------------- the pipeline

def _check_result(text, result):
    assert result.status in ("converted", "unchanged", "refused")
    if result.status == "refused":
        assert result.reason and "\n" not in result.reason
        assert result.reason_code not in (None, "", "refused")
        assert result.exit_code in (2, 3)
        assert result.text == text
        return
    if result.status == "unchanged":
        assert result.text == text
        return
    originals = parse(text).instructions
    assert len(result.fates) == len(originals)
    assert sorted(f.line for f in result.fates) == sorted(i.lineno for i in originals)
    assert all(f.reason for f in result.fates if f.fate == "removed")
    again = convert(result.text)
    assert again.status == "unchanged" and again.text == result.text


@SLOW
@given(st.one_of(dockerfile_text(stages=1), mutated_seed(), st.text(max_size=300)))
def test_convert_never_raises_and_is_idempotent(text):
    _check_result(text, convert(text))


@SLOW
@given(dockerfile_text(stages=2))
def test_multi_stage_comes_back_byte_for_byte(text):
    try:
        parse(text)
    except ParseError:
        assume(False)
    result = convert(text)
    assert result.status in ("unchanged", "refused")
    assert result.text == text


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_seeds_with_crlf_and_bom_keep_their_line_endings(seed):
    text = "\ufeff" + SEEDS[seed].replace("\n", "\r\n")
    result = convert(text)
    _check_result(text, result)
    if result.status == "converted":
        assert result.text.startswith("\ufeff")
        assert "\n" not in result.text.replace("\r\n", "")


# ------------------------------------------------------------- shell words

def _shlex_words(text):
    """The reference tokenizer split_words mirrors (shlex with &|; as punctuation)."""
    import shlex
    lexer = shlex.shlex(text, posix=True, punctuation_chars="&|;")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


@FAST
@given(st.lists(st.sampled_from(list("ab0 &|;\t\r\n$(){}=/.-<>*!~`@\x0b\xa0\u00e9\u3000%,:+[]?")), max_size=40)
       .map("".join))
def test_split_words_fast_path_matches_shlex(text):
    from msbrewrite.model.shell import split_words
    assert split_words(text) == _shlex_words(text)
