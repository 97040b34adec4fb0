"""Turn a BuildPlan into the final Dockerfile text.

The builder stage is the user's own text with the smallest possible edits; the
runtime stage comes from templates/<language>.Dockerfile.j2.
"""
from __future__ import annotations

import re

from msbrewrite.model.instructions import Dockerfile, Instruction, Stage
from msbrewrite.model.plan import BuildPlan
from msbrewrite.languages.templates import render_template
from msbrewrite.model.stage_text import BUILDER, builder_name



def _with_alias(ins: Instruction) -> str:
    raw = ins.raw
    m = re.search(r"[ \t]*(\r?\n)?\Z", raw)
    return raw[: m.start()] + f" AS {BUILDER}" + raw[m.start():]


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
    runtime = render_template(plan.template, plan=plan, builder=name, debug=None).strip("\n") + "\n"
    if plan.debug is not None:
        # before the runtime: Docker builds the last stage by default, and that must stay the runtime
        runtime = render_template(plan.template, plan=plan, builder=name, debug=plan.debug).strip("\n") + "\n\n" + runtime
    text = body + _with_escape(runtime, df.escape)
    if newline == "\r\n":
        text = re.sub(r"(?<!\r)\n", "\r\n", text)
    return text


def _with_escape(generated: str, escape: str) -> str:
    """`# escape=` applies to the whole file: generated continuation lines must use it too."""
    return generated if escape == "\\" else re.sub(r"\\(?=\n)", lambda _: escape, generated)


