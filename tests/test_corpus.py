"""Sweep over every file of the shared corpus (MSB_CORPUS, default ../shared/corpus).

Real Dockerfiles from public repositories: nothing may crash, every output must parse with
the official parser, every refusal must say why, nothing the user wrote may be lost.
"""
from __future__ import annotations

import collections
import functools

import pytest
from conftest import CORPUS

from msbrewrite import convert
from msbrewrite.core.detect import available
from msbrewrite.model.dockerfile import ParseError, parse

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS} (set MSB_CORPUS)")

# conversion-rate floors over corpus/single/<language>, from the language issues
FLOORS = {"go": 0.85, "rust": 0.85, "node": 0.80, "python": 0.80, "java": 0.80, "frontend": 0.80}
GENERIC_REASONS = {None, "", "refused"}


def corpus_files() -> list:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".tsv", ".md"))


def read(path) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError:
        return None


@functools.lru_cache(maxsize=1)
def sweep() -> dict:
    """Convert every corpus file once; an exception here fails every test with the file named."""
    results = {}
    for path in corpus_files():
        text = read(path)
        if text is None:
            continue
        try:
            results[path] = (text, convert(text, None))
        except Exception as exc:   # noqa: BLE001 - the point is to name the file that crashed
            raise AssertionError(f"{path.relative_to(CORPUS)}: uncaught {type(exc).__name__}: {exc}") from exc
    return results


def test_no_uncaught_exception_and_known_statuses():
    statuses = collections.Counter(r.status for _, r in sweep().values())
    assert sum(statuses.values()) == len(corpus_files())
    assert set(statuses) <= {"converted", "unchanged", "refused"}, statuses


def test_every_refusal_names_a_specific_reason():
    vague = [f"{p.relative_to(CORPUS)}: {r.reason}" for p, (_, r) in sweep().items()
             if r.status == "refused" and (r.reason_code in GENERIC_REASONS or not r.reason)]
    assert not vague
    for p, (_, r) in sweep().items():
        if r.status == "refused":
            assert "\n" not in r.reason and r.exit_code in (2, 3), p.name
            assert r.text is not None


def test_every_output_parses_with_the_official_parser():
    official = pytest.importorskip("dockerfile")
    bad = []
    for p, (_, r) in sweep().items():
        if r.status != "converted":
            continue
        try:
            official.parse_string(r.text)
        except Exception as exc:   # noqa: BLE001 - GoParseError
            bad.append(f"{p.name}: {exc}")
    assert not bad


def test_nothing_lost():
    for p, (text, r) in sweep().items():
        if r.status != "converted":
            continue
        originals = parse(text).instructions
        assert len(r.fates) == len(originals), p.name
        assert sorted(f.line for f in r.fates) == sorted(i.lineno for i in originals), p.name
        assert all(f.reason for f in r.fates if f.fate == "removed"), p.name


def test_converted_output_is_a_fixed_point():
    for p, (_, r) in sweep().items():
        if r.status == "converted":
            again = convert(r.text, None)
            assert again.status == "unchanged" and again.text == r.text, p.name


def test_multi_stage_files_come_back_byte_for_byte():
    multi = [(p, t, r) for p, (t, r) in sweep().items() if p.relative_to(CORPUS).parts[0] == "multi"]
    assert multi
    for p, text, r in multi:
        assert r.status in ("unchanged", "refused"), p.name
        assert r.text == text, p.name


def parser_files():
    root = CORPUS / "parser"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith("Dockerfile")) if root.is_dir() else []


def test_parser_test_files_round_trip_or_are_refused_clearly():
    files = parser_files()
    if not files:
        pytest.skip("no corpus/parser files")
    refused = 0
    for p in files:
        text = read(p)
        if text is None:
            continue
        try:
            df = parse(text)
        except ParseError as exc:
            refused += 1
            message = str(exc)
            assert message and "\n" not in message and len(message) < 200, p.name
            continue
        assert df.render() == text, p.name
    assert refused < len(files) // 4


def test_parser_test_files_match_the_expected_instruction_keywords():
    """BuildKit's own expected results list one `(keyword ...)` per instruction.

    Only BuildKit's set: the legacy moby copies predate BuildKit (an empty line used to end a
    continuation there), and the engine builds with BuildKit now.
    """
    checked = 0
    for p in parser_files():
        if "buildkit" not in p.name:
            continue
        result = p.with_name(p.name[: -len("Dockerfile")] + "result")
        text = read(p)
        if not result.exists() or text is None:
            continue
        want = [line[1:].split(" ", 1)[0].split(")", 1)[0].upper()
                for line in result.read_text(encoding="utf-8").splitlines() if line.startswith("(")]
        try:
            got = [i.keyword for i in parse(text).instructions]
        except ParseError:
            continue
        assert got == want, p.name
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("language", sorted(FLOORS))
def test_conversion_rate_floor(language):
    if language not in available():
        pytest.skip(f"no msbrewrite.languages.{language} module yet")
    rows = [r for p, (_, r) in sweep().items() if p.relative_to(CORPUS).parts[:2] == ("single", language)]
    if not rows:
        pytest.skip(f"no corpus/single/{language} files")
    converted = sum(r.status == "converted" for r in rows)
    rate = converted / len(rows)
    reasons = collections.Counter(r.reason_code for r in rows if r.status != "converted")
    assert rate >= FLOORS[language], f"{language}: {converted}/{len(rows)} converted; others: {dict(reasons)}"


def test_bulk_runner_fails_on_no_corpus_file():
    """`msb migrate` goes through bulk.process: its own extras (estimates, config) must not fail either."""
    bulk = pytest.importorskip("msbrewrite.bulk.runner")
    discover = pytest.importorskip("msbrewrite.bulk.discover")
    found = discover.discover([str(CORPUS)], include=["*Dockerfile*"])
    assert found
    items = bulk.run(found, {"no_context": True}, jobs=1)
    failed = [f"{i.path}: {i.reason}" for i in items if i.status == bulk.FAILED]
    assert not failed
