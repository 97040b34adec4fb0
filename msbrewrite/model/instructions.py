"""The lossless Dockerfile model: what `parse()` returns.

A Dockerfile is its parser directives, its instructions and the trivia after the last one; each
instruction keeps its exact source (leading comments, continuation lines, heredoc bodies) next
to the logical values a rewriter reads (keyword, flags, arguments, JSON form). This module
decides what those pieces are, how stages group them and how they render back;
`msbrewrite.model.dockerfile` reads the text into them.
"""
from __future__ import annotations

from msbrewrite.support.records import field, record


@record
class Directive:
    name: str
    value: str
    raw: str


@record
class Instruction:
    """One instruction with the exact text it came from."""

    keyword: str            # upper-case keyword as written, e.g. "RUN"
    raw: str                # exact source, continuation lines and heredoc bodies included
    leading: str            # blank lines and comments right above it, exact source
    lineno: int             # 1-based line of the keyword
    end_lineno: int
    flags: dict[str, str] = field(default_factory=dict)
    flag_list: list[tuple[str, str]] = field(default_factory=list)
    args: str = ""          # logical text after keyword and flags (continuations joined)
    json_args: list[str] | None = None   # set when written in JSON (exec) form
    heredocs: list[str] = field(default_factory=list)
    index: int = 0          # position among all instructions of the file
    sub: "Instruction | None" = None     # ONBUILD: the trigger instruction, parsed
    # WORKDIR in effect at this instruction; set by analysis, not part of the source
    workdir: str | None = field(default=None, compare=False, repr=False)

    @property
    def is_json(self) -> bool:
        return self.json_args is not None

    @property
    def source(self) -> str:
        return self.leading + self.raw

    def summary(self, width: int = 72) -> str:
        text = f"{self.keyword} {' '.join(self.args.split())}".strip()
        return text if len(text) <= width else text[: width - 3] + "..."


@record
class Stage:
    from_: Instruction
    instructions: list[Instruction]     # after FROM
    image: str
    name: str | None
    platform: str | None

    @property
    def all(self) -> list[Instruction]:
        return [self.from_, *self.instructions]


@record
class Dockerfile:
    text: str
    escape: str
    directives: list[Directive]
    directive_text: str           # exact text of the directive block
    instructions: list[Instruction]
    trailing: str                 # trivia after the last instruction
    bom: str = ""

    @property
    def global_args(self) -> list[Instruction]:
        out = []
        for ins in self.instructions:
            if ins.keyword == "FROM":
                break
            out.append(ins)
        return out

    @property
    def stages(self) -> list[Stage]:
        stages: list[Stage] = []
        for ins in self.instructions:
            if ins.keyword == "FROM":
                image, name, platform = parse_from(ins)
                stages.append(Stage(ins, [], image, name, platform))
            elif stages:
                stages[-1].instructions.append(ins)
        return stages

    def render(self) -> str:
        return (self.bom + self.directive_text
                + "".join(i.source for i in self.instructions) + self.trailing)

    def directive(self, name: str) -> str | None:
        for d in self.directives:
            if d.name == name:
                return d.value
        return None


def parse_from(ins: Instruction) -> tuple[str, str | None, str | None]:
    words = ins.args.split()
    image = words[0] if words else ""
    name = None
    if len(words) >= 3 and words[1].lower() == "as":
        name = words[2]
    return image, name, ins.flags.get("platform")
