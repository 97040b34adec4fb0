"""Which local modules and data files a Python app reaches from its entry point.

The walk starts at the entry file (a script, or the module named by `gunicorn app:app`),
reads its imports with libcst and follows every import that resolves to a module or
package inside one of the search roots. A package is taken whole (its data files and
submodules travel with it) and all of its files are walked in turn. String literals
that name an existing top-level file or directory (`open("config.yaml")`,
`os.path.join(BASE, "data", ...)`) count as used too.

The walk works on a small read-only view (`Tree`) so it can run over the build
context or any other directory, and never executes the code it reads.
"""
from __future__ import annotations

import functools
import posixpath
from typing import Protocol

from msbrewrite.support.records import field, record


MAX_FILES = 400          # a bound, so a huge package cannot stall a conversion
_DYNAMIC_CALLS = {"import_module", "__import__"}


class Tree(Protocol):
    def read(self, path: str) -> str | None: ...
    def is_dir(self, path: str) -> bool: ...
    def is_file(self, path: str) -> bool: ...
    def listdir(self, path: str) -> list[str]: ...


@record
class Walk:
    entries: set[str] = field(default_factory=set)      # paths of top-level modules/packages/data used
    files: list[str] = field(default_factory=list)      # Python files read
    dynamic: list[str] = field(default_factory=list)    # why the import graph is not fully known
    unparsable: list[str] = field(default_factory=list)


@record
class FileFacts:
    imports: list[tuple[str, int]] = field(default_factory=list)   # (module, relative level)
    strings: set[str] = field(default_factory=set)
    dynamic: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _collector_class():
    """The libcst visitor, built on first use: importing libcst costs most of a second,
    and only Python conversions with a context ever need it."""
    import libcst as cst

    def dotted(node) -> str:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            left = dotted(node.value)
            return f"{left}.{node.attr.value}" if left else ""
        return ""

    class Collector(cst.CSTVisitor):
        def __init__(self) -> None:
            self.facts = FileFacts()

        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                name = dotted(alias.name)
                if name:
                    self.facts.imports.append((name, 0))

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            level = len(node.relative)
            module = dotted(node.module) if node.module else ""
            self.facts.imports.append((module, level))
            if not isinstance(node.names, cst.ImportStar):
                # `from pkg import sub` may name a submodule
                for alias in node.names:
                    sub = dotted(alias.name)
                    if sub:
                        self.facts.imports.append((f"{module}.{sub}" if module else sub, level))

        def visit_Call(self, node: cst.Call) -> None:
            name = dotted(node.func).rsplit(".", 1)[-1]
            if name not in _DYNAMIC_CALLS or not node.args:
                return
            first = node.args[0].value
            if isinstance(first, cst.SimpleString):
                value = first.evaluated_value
                if isinstance(value, str):
                    self.facts.imports.append((value, 0))
                    return
            self.facts.dynamic.append(f"{name}() with a computed module name")

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            try:
                value = node.evaluated_value
            except Exception:   # odd escapes: not a path anyway
                return
            if isinstance(value, str) and 0 < len(value) < 200 and "\n" not in value and " " not in value:
                self.facts.strings.add(value)

    return cst, Collector


def file_facts(source: str) -> FileFacts:
    """Imports, string literals and dynamic imports of one Python file (SyntaxError-safe: raises ValueError)."""
    cst, collector_class = _collector_class()
    try:
        module = cst.parse_module(source)
    except Exception as exc:   # libcst raises ParserSyntaxError and friends
        raise ValueError(str(exc).splitlines()[0] if str(exc) else "syntax error") from None
    collector = collector_class()
    module.visit(collector)
    return collector.facts


class Walker:
    def __init__(self, tree: Tree, roots: list[str]):
        self.tree = tree
        self.roots = [posixpath.normpath(r) for r in roots]
        self.result = Walk()
        self._seen: set[str] = set()
        self._queue: list[str] = []

    # ------------------------------------------------------------ resolution
    def top_entry(self, path: str) -> str | None:
        """The top-level entry (file or directory directly under a root) holding `path`."""
        for root in self.roots:
            prefix = root.rstrip("/") + "/"
            if path.startswith(prefix):
                return prefix + path[len(prefix):].split("/")[0]
        return None

    def resolve(self, module: str, level: int, importer: str) -> str | None:
        """Path of the local module/package an import names, None when it is not local."""
        if level:
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            candidates = [base]
        else:
            candidates = list(self.roots)
        parts = [p for p in module.split(".") if p]
        for base in candidates:
            found = None
            path = base
            for part in parts:
                path = posixpath.join(path, part)
                if self.tree.is_dir(path):
                    found = path
                elif self.tree.is_file(path + ".py"):
                    found = path + ".py"
                    break
                else:
                    break
            if found:
                return found
            if level and not parts and self.tree.is_file(posixpath.join(base, "__init__.py")):
                return base
        return None

    # ------------------------------------------------------------ walk
    def add(self, path: str) -> None:
        """Use a module file or package directory, and queue its Python files."""
        entry = self.top_entry(path)
        if entry is not None:
            self.result.entries.add(entry)
        if self.tree.is_dir(path):
            for name in self.tree.listdir(path):
                child = posixpath.join(path, name)
                if name == "__pycache__":
                    continue
                if name.endswith(".py") or self.tree.is_dir(child):
                    self.add(child) if self.tree.is_dir(child) else self._enqueue(child)
        else:
            self._enqueue(path)

    def _enqueue(self, path: str) -> None:
        if path.endswith(".py") and path not in self._seen:
            self._seen.add(path)
            self._queue.append(path)

    def run(self, start: list[str]) -> Walk:
        for path in start:
            self.add(path)
        while self._queue and len(self.result.files) < MAX_FILES:
            path = self._queue.pop(0)
            self.result.files.append(path)
            text = self.tree.read(path)
            if text is None:
                continue
            try:
                facts = file_facts(text)
            except ValueError as exc:
                self.result.unparsable.append(f"{path}: {exc}")
                continue
            for reason in facts.dynamic:
                self.result.dynamic.append(f"{path}: {reason}")
            for module, level in facts.imports:
                target = self.resolve(module, level, path)
                if target:
                    self.add(target)
            for value in facts.strings:
                self._string(value, path)
        if self._queue:
            self.result.dynamic.append(f"more than {MAX_FILES} Python files: the walk stopped")
        return self.result

    def _string(self, value: str, importer: str) -> None:
        """A string naming an existing file or directory next to the code or at a root."""
        value = value.strip()
        if not value or value.startswith(("/", "http:", "https:")) or value in (".", ".."):
            return
        first = value.split("/")[0]
        if not first or first in (".", ".."):
            return
        for root in self.roots:
            path = posixpath.join(root, first)
            if self.tree.is_dir(path) or self.tree.is_file(path):
                if self.tree.is_dir(path):
                    self.add(path)
                else:
                    self.result.entries.add(path)
                    self._enqueue(path)
                return


def walk(tree: Tree, roots: list[str], start: list[str]) -> Walk:
    return Walker(tree, roots).run(start)
