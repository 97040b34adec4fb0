"""What the generated stages say about the user's own: the builder's name and the comments that
travel with a moved instruction."""
from __future__ import annotations

from msbrewrite.model.instructions import Instruction, Stage

BUILDER = "builder"


def builder_name(stage: Stage) -> str:
    return stage.name or BUILDER


def _comments(leading: str) -> str:
    """Comment lines of an instruction's leading trivia (blank lines dropped)."""
    return "".join(line if line.endswith("\n") else line + "\n"
                   for line in leading.splitlines(keepends=True) if line.strip().startswith("#"))


def comments_of(ins: Instruction) -> str:
    return _comments(ins.leading)
