"""Small, checked edits of the builder stage that every optimisation shares.

The language plan has already decided what the builder keeps; these helpers change the text of
its RUN lines (through plan.builder_replace, so a planner's own edit is the starting point),
insert lines above an instruction (plan.builder_before) and record each change as a decision
and as the instruction's fate.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts, Step, is_root_user
from msbrewrite.model.dockerfile import expand
from msbrewrite.model.instructions import Instruction
from msbrewrite.model.plan import KEPT, REWRITTEN, BuildPlan
from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

PREFIX = "optimize: "
# a word boundary between shell words, continuation lines included
SEP = r"(?:[ \t]|\\\r?\n|`\r?\n)+"
_RUN_RE = lazy_re.compile(r"^(\s*RUN)(?=\s)", re.IGNORECASE)
# where one simple command of a shell-form RUN ends
_END_RE = lazy_re.compile(r"&&|\|\||[;|&]|(?<![\\`])\r?\n")


@record
class RunStep:
    step: Step
    root: bool           # the RUN runs as root (cache mounts are root-owned)

    @property
    def ins(self) -> Instruction:
        return self.step.ins


class Builder:
    def __init__(self, facts: StageFacts, plan: BuildPlan):
        self.facts, self.plan = facts, plan
        self.moved_install: tuple[Instruction, Instruction] | None = None    # (install RUN, the copy it now precedes)

    # -- reading ---------------------------------------------------------------------------
    def text(self, ins: Instruction) -> str:
        return self.plan.builder_replace.get(ins.index, ins.raw)

    def editable(self, ins: Instruction) -> bool:
        """A builder instruction msb keeps as the user's (not moved out, not run in the runtime)."""
        fate = self.plan.fates.get(ins.index)
        return ins.index not in self.plan.builder_drop and (fate is None or fate.fate in (KEPT, REWRITTEN))

    def runs(self) -> list[RunStep]:
        out, user = [], None
        for step in self.facts.steps:
            if step.ins.keyword == "USER":
                user = expand(step.ins.args.strip(), step.env)
            elif step.ins.keyword == "RUN" and step.ins.index not in self.plan.builder_drop:
                out.append(RunStep(step, user is None or is_root_user(user)))
        return out

    def home(self) -> str:
        return self.facts.env.get("HOME") or "/root"

    # -- writing ---------------------------------------------------------------------------
    def set_text(self, ins: Instruction, new: str, reason: str) -> None:
        if new == self.text(ins):
            return
        self.plan.builder_replace[ins.index] = new
        self.rewritten(ins, reason)

    def rewritten(self, ins: Instruction, reason: str) -> None:
        old = self.plan.fates.get(ins.index)
        if old is not None and old.fate == REWRITTEN and old.reason:
            reason = f"{old.reason}; {reason}"
        self.plan.fate(ins, REWRITTEN, reason)

    def insert_before(self, ins: Instruction, lines: list[str]) -> None:
        self.plan.builder_before.setdefault(ins.index, []).extend(lines)

    def decide(self, message: str) -> None:
        self.plan.decisions.append(PREFIX + message)


def add_run_flags(raw: str, flags: list[str]) -> str:
    """`RUN x` -> `RUN --flag ... x` (the keyword keeps its spelling)."""
    m = _RUN_RE.match(raw)
    if not m or not flags:
        return raw
    return raw[: m.end()] + "".join(" " + f for f in flags) + raw[m.end():]


def shell_form(ins: Instruction) -> bool:
    return ins.keyword == "RUN" and not ins.is_json and not ins.heredocs


def command_spans(text: str, pattern: str) -> list[tuple[int, int]]:
    """(start, end) of every simple command of `text` that starts with the regex `pattern`
    (e.g. r"go" + SEP + "build"); end is where the command's arguments stop."""
    spans = []
    for m in re.finditer(r"(?<![\w./-])(?:[\w.-]*/)*" + pattern + r"(?![\w-])", text):
        spans.append((m.start(), _command_end(text, m.end())))
    return spans


def _command_end(text: str, pos: int) -> int:
    """Where the simple command going on at `pos` ends: the first `&&`, `||`, `;`, `|`, `&` or
    line end outside quotes (`"a;b"` is one word, not the end of the command)."""
    quote = None
    i = pos
    while i < len(text):
        ch = text[i]
        if quote == "'":
            quote = None if ch == "'" else quote
        elif ch == "\\":
            i += 1          # an escaped character (inside double quotes too)
        elif quote == '"':
            quote = None if ch == '"' else quote
        elif ch in "'\"":
            quote = ch
        elif _END_RE.match(text, i):
            return i
        i += 1
    return len(text)


def words(segment: str) -> list[str]:
    return re.sub(SEP, " ", segment).split()


def under(path: str, root: str) -> bool:
    path, root = posixpath.normpath(path), posixpath.normpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")
