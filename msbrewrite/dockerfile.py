"""Lossless Dockerfile model.

The text is cut into pieces whose concatenation is exactly the input: parser
directives, trivia (blank lines and comments) and instructions. Each instruction
keeps its raw source (continuations, inner comments and heredoc bodies included)
next to the logical values a rewriter needs: keyword, flags, arguments, JSON or
shell form. Nothing is normalised on the way back out.

dockerfile-parse drops comments, directives and the escape character, and the
official parser gives no source positions, so the scanner here follows the
BuildKit rules itself; both parsers are used to check the rewritten output.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

__all__ = [
    "Directive", "Instruction", "Stage", "Dockerfile", "ParseError",
    "parse", "expand", "referenced_vars",
]

KNOWN_DIRECTIVES = ("syntax", "escape", "check")
_DIRECTIVE_RE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$")
_HEREDOC_RE = re.compile(r"<<(-?)[ \t]*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_FLAG_KEYWORDS = {"FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"}
_HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}
KNOWN_INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
    "WORKDIR",
}


class ParseError(ValueError):
    """The text is not a Dockerfile this model can represent."""


@dataclass
class Directive:
    name: str
    value: str
    raw: str


@dataclass
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

    @property
    def is_json(self) -> bool:
        return self.json_args is not None

    @property
    def source(self) -> str:
        return self.leading + self.raw

    def summary(self, width: int = 72) -> str:
        text = f"{self.keyword} {' '.join(self.args.split())}".strip()
        return text if len(text) <= width else text[: width - 3] + "..."


@dataclass
class Stage:
    from_: Instruction
    instructions: list[Instruction]     # after FROM
    image: str
    name: str | None
    platform: str | None

    @property
    def all(self) -> list[Instruction]:
        return [self.from_, *self.instructions]


@dataclass
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


def _split_lines(text: str) -> list[str]:
    # keepends and only \n / \r\n as breaks: Dockerfiles do not treat \f or \u2028 as newlines
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    return lines


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def _continues(body: str, escape: str) -> bool:
    """True when the line ends with the escape character (trailing whitespace allowed)."""
    stripped = body.rstrip(" \t")
    if not stripped.endswith(escape):
        return False
    # an escaped escape character ("\\\\") at the end is not a continuation in BuildKit either;
    # it still counts as one, so mirror the official behaviour: any trailing escape continues
    return True


def parse(text: str) -> Dockerfile:
    """Parse text into a lossless model. Raises ParseError for what is not a Dockerfile."""
    bom = ""
    if text.startswith("\ufeff"):
        bom, text = "\ufeff", text[1:]
    if "\x00" in text:
        raise ParseError("binary data (NUL bytes) is not a Dockerfile")
    lines = _split_lines(text)
    escape = "\\"
    directives: list[Directive] = []
    pos = 0
    # parser directives: leading "# key=value" lines, until the first other line
    seen: set[str] = set()
    while pos < len(lines):
        m = _DIRECTIVE_RE.match(_strip_eol(lines[pos]))
        if not m or m.group(1).lower() not in KNOWN_DIRECTIVES or m.group(1).lower() in seen:
            break
        name = m.group(1).lower()
        seen.add(name)
        directives.append(Directive(name, m.group(2), lines[pos]))
        if name == "escape":
            if m.group(2) not in ("\\", "`"):
                raise ParseError(f"invalid escape directive {m.group(2)!r}: only \\ and ` are allowed")
            escape = m.group(2)
        pos += 1
    directive_text = "".join(lines[:pos])

    instructions: list[Instruction] = []
    leading: list[str] = []
    while pos < len(lines):
        line = lines[pos]
        body = _strip_eol(line)
        stripped = body.strip(" \t")
        if stripped == "" or stripped.startswith("#"):
            leading.append(line)
            pos += 1
            continue
        start = pos
        raw_lines = [line]
        logical: list[str] = []
        cur: str | None = body
        while cur is not None and _continues(cur, escape):
            logical.append(cur.rstrip(" \t")[: -len(escape)])
            cur = None
            while pos + 1 < len(lines):
                pos += 1
                raw_lines.append(lines[pos])
                nbody = _strip_eol(lines[pos])
                nstripped = nbody.strip(" \t")
                # comments and empty lines inside a continuation are skipped by BuildKit
                if nstripped == "" or nstripped.startswith("#"):
                    continue
                cur = nbody
                break
        if cur is not None:
            logical.append(cur)
        joined = "".join(logical)
        pos += 1
        ins = _make_instruction(joined, start + 1, pos, "".join(raw_lines), "".join(leading))
        # heredoc bodies follow the instruction line
        if ins.keyword in _HEREDOC_KEYWORDS:
            for m in _HEREDOC_RE.finditer(_unquoted_part(joined)):
                strip_tabs, word = m.group(1) == "-", m.group(3)
                body_lines = []
                while pos < len(lines):
                    cur = lines[pos]
                    body_lines.append(cur)
                    pos += 1
                    check = _strip_eol(cur)
                    if strip_tabs:
                        check = check.lstrip("\t")
                    if check == word:
                        break
                else:
                    raise ParseError(f"line {ins.lineno}: heredoc <<{word} is never closed")
                ins.raw += "".join(body_lines)
                ins.heredocs.append("".join(body_lines))
            ins.end_lineno = pos
        ins.index = len(instructions)
        instructions.append(ins)
        leading = []
    return Dockerfile(text=bom + text, escape=escape, directives=directives,
                      directive_text=directive_text, instructions=instructions,
                      trailing="".join(leading), bom=bom)


def _unquoted_part(s: str) -> str:
    """Blank out quoted sections so '<<' inside quotes does not open a heredoc."""
    out, quote = [], None
    for ch in s:
        if quote:
            out.append(" ")
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _make_instruction(joined: str, lineno: int, end_lineno: int, raw: str, leading: str) -> Instruction:
    text = joined.strip(" \t")
    m = re.match(r"(\S+)[ \t]*(.*)\Z", text, re.S)
    if not m:
        raise ParseError(f"line {lineno}: empty instruction")
    keyword = m.group(1).upper()
    rest = m.group(2)
    ins = Instruction(keyword=keyword, raw=raw, leading=leading, lineno=lineno, end_lineno=end_lineno)
    if keyword in _FLAG_KEYWORDS:
        while True:
            fm = re.match(r"--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:[ \t]+|\Z)", rest)
            if not fm:
                break
            name, value = fm.group(1), fm.group(2) or ""
            ins.flag_list.append((name, value))
            ins.flags.setdefault(name, value)
            rest = rest[fm.end():]
    if keyword == "ONBUILD":
        pass
    ins.args = rest.strip(" \t")
    if keyword in {"RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL", "VOLUME", "HEALTHCHECK"}:
        candidate = ins.args
        if keyword == "HEALTHCHECK":
            hm = re.match(r"(?i)CMD[ \t]+(.*)\Z", candidate, re.S)
            candidate = hm.group(1) if hm else ""
        if candidate.startswith("["):
            try:
                value = json.loads(candidate)
            except ValueError:
                value = None
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                ins.json_args = value
    return ins


# ----------------------------------------------------------------- variables

_VAR_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand(value: str, env: dict[str, str]) -> str:
    """Expand $VAR, ${VAR}, ${VAR:-x}, ${VAR:+x} as the Dockerfile builder does.

    Unknown variables expand to the empty string, like in a build.
    """
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        op, word = m.group(2), m.group(3)
        val = env.get(name)
        if op in (":-", "-"):
            if val is None or (op == ":-" and val == ""):
                return expand(word or "", env)
            return val
        if op in (":+", "+"):
            if val is None or (op == ":+" and val == ""):
                return ""
            return expand(word or "", env)
        return val or ""

    return _VAR_RE.sub(sub, value)


def referenced_vars(value: str) -> set[str]:
    return {m.group(1) or m.group(4) for m in _VAR_RE.finditer(value)}


def unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1]
    return word


def parse_key_values(args: str) -> list[tuple[str, str]]:
    """ENV/ARG/LABEL pairs: 'A=1 B="x y"' and the legacy 'KEY value' form."""
    import shlex
    if re.match(r"^[^\s=]+\s", args) and "=" not in args.split(None, 1)[0]:
        key, _, value = args.partition(" ")
        return [(key, value.strip())]
    try:
        words = shlex.split(args, posix=True)
    except ValueError:
        words = args.split()
    pairs = []
    for w in words:
        k, eq, v = w.partition("=")
        pairs.append((k, v if eq else ""))
    return pairs
