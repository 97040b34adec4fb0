"""Compile the Jinja templates into one plain Python module, ahead of time.

A one-file conversion would otherwise import Jinja and compile two templates on every run, which
costs more than all of msb's own work. The templates stay the source: this module reads them with
Jinja's own parser and writes `templates/compiled.py`, whose render functions need no Jinja at run
time (they call the few Jinja rules they rely on in template_runtime). Only the part of the
template language the templates use is supported; anything else stops
the compilation with the template's name and line, so a new construct is never rendered wrongly.

    python -m msbrewrite.languages.template_compiler          # rewrite templates/compiled.py
    python -m msbrewrite.languages.template_compiler --check  # exit 1 when it is out of date

`languages/templates.py` uses a compiled template only while its source is the one it was compiled
from; an edited template renders through Jinja until the module is written again.
"""
from __future__ import annotations

import sys
from pathlib import Path

import jinja2
from jinja2 import nodes

COMPILED_NAME = "compiled.py"

_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=", "in": "in", "notin": "not in"}
_SELECT_TESTS = {"equalto": "==", "in": "in"}

_PRELUDE = '''\
"""Render functions compiled from templates/*.j2 by msbrewrite.languages.template_compiler.

Do not edit: change the template and run `python -m msbrewrite.languages.template_compiler`.
"""
# flake8: noqa
from __future__ import annotations

from msbrewrite.languages.template_runtime import Undefined, UndefinedError, attr, item, lookup, text

'''


class TemplateCompileError(Exception):
    pass


class _Scope:
    """Names a template assigns ({% set %}, {% for %}): Python locals; everything else is context."""

    def __init__(self, parent: "_Scope | None" = None):
        self.names: set[str] = set(parent.names) if parent else set()


class _Compiler:
    def __init__(self, name: str, filters: set[str]):
        self.name, self.filters = name, filters
        self.lines: list[str] = []

    def fail(self, node: nodes.Node, what: str):
        raise TemplateCompileError(f"{self.name}:{getattr(node, 'lineno', '?')}: {what} is not supported by "
                                   "the template compiler (add it there, or keep the template simpler)")

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    # statements -------------------------------------------------------------------------------

    def body(self, items, depth: int, scope: _Scope) -> None:
        if not items:
            self.emit(depth, "pass")
        for node in items:
            self.statement(node, depth, scope)

    def statement(self, node, depth: int, scope: _Scope) -> None:
        if isinstance(node, nodes.Output):
            for part in node.nodes:
                if isinstance(part, nodes.TemplateData):
                    if part.data:
                        self.emit(depth, f"out.append({part.data!r})")
                else:
                    self.emit(depth, f"out.append(text({self.expr(part, scope)}))")
        elif isinstance(node, nodes.If):
            self.emit(depth, f"if {self.expr(node.test, scope)}:")
            self.body(node.body, depth + 1, scope)
            for branch in node.elif_:
                self.emit(depth, f"elif {self.expr(branch.test, scope)}:")
                self.body(branch.body, depth + 1, scope)
            if node.else_:
                self.emit(depth, "else:")
                self.body(node.else_, depth + 1, scope)
        elif isinstance(node, nodes.For):
            if node.else_ or node.test or node.recursive or not isinstance(node.target, nodes.Name):
                self.fail(node, "a for loop with else, a filter, recursion or several targets")
            if any(n.name == "loop" for n in node.find_all(nodes.Name)):
                self.fail(node, "the `loop` variable")
            inner = _Scope(scope)
            inner.names.add(node.target.name)
            self.emit(depth, f"for l_{node.target.name} in {self.expr(node.iter, scope)}:")
            self.body(node.body, depth + 1, inner)
        elif isinstance(node, nodes.Assign):
            if not isinstance(node.target, nodes.Name):
                self.fail(node, "assigning to several names")
            value = self.expr(node.node, scope)
            scope.names.add(node.target.name)
            self.emit(depth, f"l_{node.target.name} = {value}")
        elif isinstance(node, nodes.Block):
            if node.scoped or node.required:
                self.fail(node, "a scoped or required block")
            self.emit(depth, f"blocks[{node.name!r}](ctx, out)")
        else:
            self.fail(node, type(node).__name__)

    # expressions ------------------------------------------------------------------------------

    def expr(self, node, scope: _Scope) -> str:
        e = lambda n: self.expr(n, scope)  # noqa: E731
        if isinstance(node, nodes.Const):
            return repr(node.value)
        if isinstance(node, nodes.Name):
            if node.name in scope.names:
                return f"l_{node.name}"
            return f"lookup(ctx, {node.name!r})"
        if isinstance(node, nodes.Getattr):
            return f"attr({e(node.node)}, {node.attr!r})"
        if isinstance(node, nodes.Getitem):
            return f"item({e(node.node)}, {e(node.arg)})"
        if isinstance(node, (nodes.List, nodes.Tuple)):
            items = ", ".join(e(i) for i in node.items)
            return f"[{items}]" if isinstance(node, nodes.List) else f"({items}{',' if len(node.items) == 1 else ''})"
        if isinstance(node, nodes.Not):
            return f"(not {e(node.node)})"
        if isinstance(node, nodes.And):
            return f"({e(node.left)} and {e(node.right)})"
        if isinstance(node, nodes.Or):
            return f"({e(node.left)} or {e(node.right)})"
        if isinstance(node, nodes.CondExpr):
            if node.expr2 is None:
                self.fail(node, "an inline if without else")
            return f"({e(node.expr1)} if {e(node.test)} else {e(node.expr2)})"
        if isinstance(node, nodes.Concat):
            return "(" + " + ".join(f"text({e(n)})" for n in node.nodes) + ")"
        if isinstance(node, nodes.Compare):
            out = e(node.expr)
            for op in node.ops:
                if op.op not in _COMPARE:
                    self.fail(node, f"the comparison {op.op}")
                out += f" {_COMPARE[op.op]} {e(op.expr)}"
            return f"({out})"
        if isinstance(node, nodes.Call):
            if node.kwargs or node.dyn_args or node.dyn_kwargs:
                self.fail(node, "keyword or star arguments in a call")
            return f"{e(node.node)}({', '.join(e(a) for a in node.args)})"
        if isinstance(node, nodes.Test):
            return self.test(node, scope)
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        self.fail(node, type(node).__name__)

    def test(self, node: nodes.Test, scope: _Scope) -> str:
        value = self.expr(node.node, scope)
        if node.name == "defined":
            return f"(not isinstance({value}, Undefined))"
        if node.name == "none":
            return f"({value} is None)"
        self.fail(node, f"the test `{node.name}`")

    def filter(self, node: nodes.Filter, scope: _Scope) -> str:
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            self.fail(node, "keyword or star arguments to a filter")
        value = self.expr(node.node, scope)
        args = [self.expr(a, scope) for a in node.args]
        if node.name == "length" and not args:
            return f"len({value})"
        if node.name == "list" and not args:
            return f"list({value})"
        if node.name == "selectattr" and len(args) == 3 and isinstance(node.args[1], nodes.Const) \
                and node.args[1].value in _SELECT_TESTS:
            op = _SELECT_TESTS[node.args[1].value]
            return f"(x for x in {value} if item(x, {args[0]}) {op} {args[2]})"
        if node.name in self.filters:
            return f"ctx.filters[{node.name!r}]({', '.join([value, *args])})"
        self.fail(node, f"the filter `{node.name}`")


def _template_function(env: jinja2.Environment, name: str, source: str, filters: set[str]) -> tuple[list[str], str | None]:
    """`def render(ctx, filters, blocks)`-style code for one template: its own blocks, and either its
    body or (for `{% extends %}`) its parent's body with its blocks in place."""
    tree = env.parse(source, name)
    body = list(tree.body)
    parent = None
    if body and isinstance(body[0], nodes.Extends):
        if not isinstance(body[0].template, nodes.Const):
            raise TemplateCompileError(f"{name}: extends a template named at run time")
        parent = body[0].template.value
        # after `extends`, Jinja renders only the blocks: other top-level text is never output
        for node in body[1:]:
            if not isinstance(node, (nodes.Block, nodes.Output)) or (
                    isinstance(node, nodes.Output) and any(not isinstance(p, nodes.TemplateData) or p.data.strip()
                                                           for p in node.nodes)):
                raise TemplateCompileError(f"{name}:{node.lineno}: only blocks may follow `extends`")
    elif next(tree.find_all(nodes.Extends), None) is not None:
        raise TemplateCompileError(f"{name}: `extends` must come first")
    key = _ident(name)
    lines = []
    for block in tree.find_all(nodes.Block):
        comp = _Compiler(name, filters)
        comp.body(block.body, 1, _Scope())
        lines += [f"def _{key}__{block.name}(ctx, out):", *comp.lines, ""]
    own = "{" + ", ".join(f"{b.name!r}: _{key}__{b.name}" for b in tree.find_all(nodes.Block)) + "}"
    lines.append(f"_{key}__blocks = {own}")
    lines.append("")
    if parent is None:
        comp = _Compiler(name, filters)
        comp.body(body, 1, _Scope())
        lines += [f"def _{key}__root(ctx, out, blocks):", *comp.lines, ""]
        lines += [f"def _{key}(ctx, out, blocks=None):",
                  f"    _{key}__root(ctx, out, {{**_{key}__blocks, **(blocks or {{}})}})", ""]
    else:
        pkey = _ident(parent)
        lines += [f"def _{key}(ctx, out, blocks=None):",
                  f"    _{pkey}(ctx, out, {{**_{key}__blocks, **(blocks or {{}})}})", ""]
    return lines, parent


def _ident(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def compile_templates(directory: Path, filters: set[str]) -> str:
    """The source of the compiled module for every `*.j2` template in `directory`."""
    env = jinja2.Environment(keep_trailing_newline=True)
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.j2"))}
    out, parents = [_PRELUDE], {}
    for name, source in sources.items():
        lines, parents[name] = _template_function(env, name, source, filters)
        out += lines
    out.append("# the source each function was compiled from: a template that differs renders through Jinja")
    out.append("SOURCES = {")
    out += [f"    {name!r}: {source!r}," for name, source in sources.items()]
    out.append("}")
    out.append("")
    out.append("# the templates each one renders with: itself and the ones it extends")
    out.append("DEPENDS = {")
    for name in sources:
        chain, step = [name], parents[name]
        while step is not None:
            if step not in sources or step in chain:
                raise TemplateCompileError(f"{name}: extends {step!r}, which is missing or extends it back")
            chain.append(step)
            step = parents[step]
        out.append(f"    {name!r}: {tuple(chain)!r},")
    out.append("}")
    out.append("")
    out.append("RENDER = {")
    out += [f"    {name!r}: _{_ident(name)}," for name in sources]
    out.append("}")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    from msbrewrite.languages.templates import FILTERS, templates_dir
    directory = templates_dir()
    text = compile_templates(directory, set(FILTERS))
    target = directory / COMPILED_NAME
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is out of date: run python -m msbrewrite.languages.template_compiler", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
