"""No pattern msb runs over file text may backtrack quadratically on a long run of blank lines.

`(?m)^\\s*x` retries `\\s*` at every line start of a blank run and each retry runs to the end of it:
a `main.go` or `vite.config.js` of blank lines took minutes. Line-anchored patterns say `[ \\t]*`.
This reads the package's own source, so a new pattern of that shape fails here with its place.
"""
import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "msbrewrite"
_RE_CALLS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}
_RISKY = re.compile(r"\^\\s[*+]")


def _multiline(node: ast.Call, pattern: str) -> bool:
    if re.match(r"\(\?[a-zA-Z]*m", pattern):
        return True
    text = ast.unparse(node)
    return "re.M" in text or "re.MULTILINE" in text


def test_line_anchored_patterns_do_not_span_lines():
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _RE_CALLS and node.args):
                continue
            first = node.args[0]
            pattern = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
            if pattern is None and isinstance(first, ast.JoinedStr):
                pattern = "".join(v.value for v in first.values if isinstance(v, ast.Constant))
            if pattern and _RISKY.search(pattern) and _multiline(node, pattern):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {pattern[:60]}")
    assert not bad, "\n".join(bad)
