"""Turn a BuildPlan into the final Dockerfile text.

The builder stage is the user's own text with the smallest possible edits; the
runtime stage comes from templates/<language>.Dockerfile.j2.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from .dockerfile import Dockerfile, Instruction, Stage
from .plan import BuildPlan
from .quoting import dockerfile_words

BUILDER = "builder"


def _exec_form(value) -> str:
    if isinstance(value, list):
        return json.dumps(value)
    return value


@functools.lru_cache(maxsize=1)
def environment():
    import jinja2   # imported here: commands that never render should not pay for it

    loader = jinja2.FileSystemLoader(str(templates_dir()))
    env = jinja2.Environment(loader=loader, autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["exec_form"] = _exec_form
    env.filters["copy_args"] = dockerfile_words
    return env


def templates_dir() -> Path:
    """Templates from the installed package, or the source tree when run from a checkout."""
    try:
        from importlib import resources
        path = Path(str(resources.files("msbrewrite.templates")))
        if (path / "_runtime.Dockerfile.j2").is_file():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "templates"


def builder_name(stage: Stage) -> str:
    return stage.name or BUILDER


def _with_alias(ins: Instruction) -> str:
    raw = ins.raw
    m = re.search(r"[ \t]*(\r?\n)?\Z", raw)
    return raw[: m.start()] + f" AS {BUILDER}" + raw[m.start():]


def _comments(leading: str) -> str:
    """Comment lines of an instruction's leading trivia (blank lines dropped)."""
    return "".join(line if line.endswith("\n") else line + "\n"
                   for line in leading.splitlines(keepends=True) if line.strip().startswith("#"))


def render(df: Dockerfile, stage: Stage, plan: BuildPlan) -> str:
    newline = "\r\n" if "\r\n" in df.text and df.text.count("\r\n") >= df.text.count("\n") else "\n"
    name = builder_name(stage)
    out: list[str] = [df.bom, df.directive_text]
    for ins in df.global_args:
        out.append(ins.source)
    out.append(stage.from_.leading)
    out.append(stage.from_.raw if stage.name else _with_alias(stage.from_))
    if not out[-1].endswith("\n"):
        out.append(newline)
    for line in plan.builder_after_from:
        out.append(line + "\n")
    for ins in stage.instructions:
        for line in plan.builder_before.get(ins.index, ()):
            out.append(_with_escape(line, df.escape) + "\n")
        if ins.index in plan.builder_drop:
            continue    # its comments travel with it to the runtime stage
        out.append(ins.leading)
        out.append(plan.builder_replace.get(ins.index, ins.raw))
        if not out[-1].endswith("\n"):
            out.append(newline)
    trailing = df.trailing      # the user's closing comments stay with the user's steps
    if trailing.strip():
        out.append(trailing if trailing.endswith("\n") else trailing + "\n")
    for block in plan.builder_append:
        out.append("\n" + _with_escape(block, df.escape) + "\n")
    body = "".join(out).rstrip("\r\n") + "\n\n"
    template = environment().get_template(plan.template)
    runtime = template.render(plan=plan, builder=name, debug=None).strip("\n") + "\n"
    if plan.debug is not None:
        # before the runtime: Docker builds the last stage by default, and that must stay the runtime
        runtime = template.render(plan=plan, builder=name, debug=plan.debug).strip("\n") + "\n\n" + runtime
    text = body + _with_escape(runtime, df.escape)
    if newline == "\r\n":
        text = re.sub(r"(?<!\r)\n", "\r\n", text)
    return text


def _with_escape(generated: str, escape: str) -> str:
    """`# escape=` applies to the whole file: generated continuation lines must use it too."""
    return generated if escape == "\\" else re.sub(r"\\(?=\n)", lambda _: escape, generated)


def comments_of(ins: Instruction) -> str:
    return _comments(ins.leading)
