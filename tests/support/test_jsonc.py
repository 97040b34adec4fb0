"""tsconfig-style JSON: comments and trailing commas read, strings untouched, crafted files cheap."""
import sys

from msbrewrite.support import jsonc
from msbrewrite.model.context import Context
from msbrewrite.model.package_json import tsconfig_out_dir


def test_comments_and_trailing_commas():
    text = """{
      // the compiler
      "compilerOptions": {
        /* where the build goes */ "outDir": "./build//out",
        "paths": {"@/*": ["src/*",],},
        "rootDir": "src", // trailing
      },
      "url": "http://example.com/*not a comment*/",
    }"""
    data = jsonc.loads(text)
    assert data["compilerOptions"]["outDir"] == "./build//out"
    assert data["compilerOptions"]["paths"] == {"@/*": ["src/*"]}
    assert data["url"] == "http://example.com/*not a comment*/"


def test_escaped_quotes_and_commas_inside_strings():
    assert jsonc.loads(r'{"a": "x\",}", "b": [1, 2,]}') == {"a": 'x",}', "b": [1, 2]}


def test_not_json_is_none():
    assert jsonc.loads("{") is None
    assert jsonc.loads("not json") is None
    assert jsonc.loads("[" * (sys.getrecursionlimit() + 10)) is None


def test_out_dir_after_a_nested_object(tmp_path):
    # the first `}` inside compilerOptions is not its end
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"paths": {"a": ["b"]}, "outDir": "dist/x", '
                                            '"rootDir": "./src"}}')
    assert tsconfig_out_dir(Context(tmp_path), "") == ("dist/x", "src")


def test_crafted_tsconfig_is_read_in_one_pass(tmp_path):
    """250 KB of `"compilerOptions": {` used to take the old pattern quadratic time; the reader
    visits each character once (counted, not timed)."""
    text = '{"compilerOptions": {' * 12500
    (tmp_path / "tsconfig.json").write_text(text)
    assert tsconfig_out_dir(Context(tmp_path), "") == (None, None)
    small, large = _steps(text), _steps(text * 2)
    assert large < 2.2 * small, (small, large)


def _steps(text: str) -> int:
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += 1
        return count

    sys.settrace(count)
    try:
        jsonc.strip(text)
    finally:
        sys.settrace(None)
    return calls
