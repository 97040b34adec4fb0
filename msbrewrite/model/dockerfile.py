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
_DIRECTIVE_RE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
_HEREDOC_WORD_RE = re.compile(r"\A\d*<<(-?)([^<]*)\Z")
_HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}
_JSON_KEYWORDS = {"RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL", "VOLUME"}
# Go's unicode.IsSpace: BuildKit trims lines and splits flag words with it (not Python's str.isspace,
# which also counts \x1c-\x1f); the keyword itself ends at [\t\v\f\r ] only
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000"
_KEYWORD_RE = re.compile(r"([^\t\v\f\r ]+)[\t\v\f\r ]*(.*)\Z", re.S)
_SPECIAL_PARAMS = "@*#?-$!0"
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
    """True when the line ends with the escape character (trailing blanks allowed).

    BuildKit's rule: a doubled escape at the end ("x\\\\") is a literal, not a continuation,
    but a line holding only the escape character continues.
    """
    stripped = body.rstrip(" \t")
    if not stripped.endswith(escape):
        return False
    return len(stripped) == 1 or stripped[-2] != escape


def _is_trivia(body: str) -> bool:
    """Blank or comment line (BuildKit trims Unicode whitespace before deciding)."""
    stripped = body.lstrip(GO_SPACE)
    return stripped == "" or stripped.startswith("#")


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
        m = _DIRECTIVE_RE.match(_strip_eol(lines[pos]).lstrip(GO_SPACE))
        if not m or m.group(1).lower() not in KNOWN_DIRECTIVES:
            break
        name = m.group(1).lower()
        if name in seen:
            raise ParseError(f"line {pos + 1}: only one {name} parser directive can be used")
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
        if _is_trivia(body):
            leading.append(line)
            pos += 1
            continue
        start = pos
        raw_lines = [line]
        logical: list[str] = []
        cur: str | None = body.lstrip(GO_SPACE)
        while cur is not None and _continues(cur, escape):
            logical.append(cur.rstrip(" \t")[: -len(escape)])
            cur = None
            while pos + 1 < len(lines):
                pos += 1
                raw_lines.append(lines[pos])
                nbody = _strip_eol(lines[pos])
                # comments and empty lines inside a continuation are skipped by BuildKit
                if _is_trivia(nbody):
                    continue
                cur = nbody
                break
        if cur is not None:
            logical.append(cur)
        joined = "".join(logical)
        pos += 1
        ins = _make_instruction(joined, start + 1, pos, "".join(raw_lines), "".join(leading))
        # heredoc bodies follow the instruction line
        target = ins.sub if ins.keyword == "ONBUILD" else ins
        if target is not None and target.keyword in _HEREDOC_KEYWORDS and not target.is_json and "<<" in joined:
            try:
                names = _heredoc_names(joined)
            except RecursionError:
                raise ParseError(f"line {ins.lineno}: variable expansions nested too deeply") from None
            for strip_tabs, word in names:
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
                    raise ParseError(f"line {ins.lineno}: heredoc <<{word[:40]} is never closed")
                ins.raw += "".join(body_lines)
                ins.heredocs.append("".join(body_lines))
            ins.end_lineno = pos
        ins.index = len(instructions)
        instructions.append(ins)
        leading = []
    return Dockerfile(text=bom + text, escape=escape, directives=directives,
                      directive_text=directive_text, instructions=instructions,
                      trailing="".join(leading), bom=bom)


def _heredoc_names(line: str) -> list[tuple[bool, str]]:
    """(strip_tabs, terminator) of each heredoc the line opens, as BuildKit finds them.

    BuildKit splits the whole line into shell words (quotes and escapes kept) and takes
    every word shaped like `[n]<<[-]NAME`; a line its lexer rejects opens no heredoc.
    """
    words = _lex_words(line)
    out = []
    for word in words or ():
        m = _HEREDOC_WORD_RE.match(word)
        if m and m.group(2):
            out.append((m.group(1) == "-", _unquote_word(m.group(2))))
    return out


def _lex_words(line: str) -> list[str] | None:
    """Raw shell words of a line (quotes and backslashes kept); None when a quote or ${ is open."""
    words: list[str] = []
    cur: list[str] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in GO_SPACE:
            if cur:
                words.append("".join(cur))
                cur = []
            i += 1
            continue
        start = i
        i = _skip_token(line, i)
        if i is None:
            return None
        cur.append(line[start:i])
    if cur:
        words.append("".join(cur))
    return words


def _skip_double(line: str, i: int) -> int | None:
    """Index after the closing double quote that ends a string opened before i."""
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            return i + 1
        if ch == "\\":
            i += 2
        elif ch == "$":
            i = _skip_dollar(line, i)
            if i is None:
                return None
        else:
            i += 1
    return None


def _skip_dollar(line: str, i: int) -> int | None:
    """Index after a $ expansion starting at i; None for a substitution BuildKit rejects."""
    n = len(line)
    if i + 1 >= n or line[i + 1] != "{":
        return i + 1
    j = i + 2
    if j >= n or line[j] in "{}:":
        return None
    if line[j].isdecimal():
        while j < n and line[j].isdecimal():
            j += 1
    elif line[j] in _SPECIAL_PARAMS:
        j += 1
    else:
        while j < n and (line[j].isalpha() or line[j].isdecimal() or line[j] == "_"):
            j += 1
    if j >= n:
        return None
    if line[j] == "}":
        return j + 1
    if line[j] == ":":
        j += 1
        if j >= n or line[j] not in "-+?=":
            return None
    elif line[j] not in "-+?=":
        return None
    j += 1
    while j < n:      # the word up to the closing brace
        if line[j] == "}":
            return j + 1
        j = _skip_token(line, j)
        if j is None:
            return None
    return None


def _skip_token(line: str, i: int) -> int | None:
    """Index after the token at i: an escaped character, a quoted string, a $ expansion or one
    character; None when a quote or ${ is left open."""
    ch = line[i]
    if ch == "\\":
        return i + 2
    if ch == "'":
        j = line.find("'", i + 1)
        return None if j < 0 else j + 1
    if ch == '"':
        return _skip_double(line, i + 1)
    if ch == "$":
        return _skip_dollar(line, i)
    return i + 1


def _unquote_word(word: str) -> str:
    """A heredoc name with its quotes and backslashes removed ("EOF", 'EOF', \\EOF -> EOF)."""
    out, i, n = [], 0, len(word)
    quote = None
    while i < n:
        ch = word[i]
        if quote == "'":
            if ch == "'":
                quote = None
            else:
                out.append(ch)
        elif ch == "\\" and i + 1 < n and (quote is None or word[i + 1] in '"$\\'):
            i += 1
            out.append(word[i])
        elif ch in "'\"" and (quote is None or quote == ch):
            quote = None if quote else ch
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def extract_flags(rest: str) -> tuple[list[str], str]:
    """Leading `--name[=value]` words (quotes resolved) and the text after them, as BuildKit does.

    Every instruction gets its flags taken this way; a lone `--` ends them.
    """
    words: list[str] = []
    i, n = 0, len(rest)
    while True:
        while i < n and rest[i] in GO_SPACE:
            i += 1
        if not rest.startswith("--", i):
            return words, rest[i:]
        word: list[str] = []
        quoted, quote = False, None
        while i < n:
            ch = rest[i]
            if quote is None and ch in GO_SPACE:
                break
            if quote is None and ch in "'\"":
                quote, quoted = ch, True
            elif quote is not None and ch == quote:
                quote = None
            elif ch == "\\":
                if i + 1 < n:
                    i += 1
                    word.append(rest[i])
                else:
                    quote = None
            else:
                word.append(ch)
            i += 1
        text = "".join(word)
        if text == "--":
            return words, rest[i:]
        if quoted or text:
            words.append(text)


def _json_array(text: str) -> list[str] | None:
    """The exec-form array, read like BuildKit: the first JSON value; text after it is ignored."""
    if not text.startswith("["):
        return None
    try:
        value, _ = _JSON_DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise ParseError("when using JSON array syntax, arrays must be comprised of strings only")
    return value


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")     # Go's decoder rejects NaN and Infinity


_JSON_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def _make_instruction(joined: str, lineno: int, end_lineno: int, raw: str, leading: str) -> Instruction:
    text = joined.strip(GO_SPACE)
    m = _KEYWORD_RE.match(text)
    if not m:
        raise ParseError(f"line {lineno}: a line continuation leads to no instruction")
    keyword = m.group(1).upper()
    ins = Instruction(keyword=keyword, raw=raw, leading=leading, lineno=lineno, end_lineno=end_lineno)
    flags, rest = extract_flags(m.group(2))
    for word in flags:
        name, _, value = word[2:].partition("=")
        ins.flag_list.append((name, value))
        ins.flags.setdefault(name, value)
    ins.args = rest.strip(GO_SPACE)
    try:
        if keyword in _JSON_KEYWORDS:
            ins.json_args = _json_array(ins.args)
        elif keyword == "HEALTHCHECK":
            # BuildKit reads JSON after any sub-command word, not only CMD
            hm = re.match(r"\S+[\t\v\f\r ]+(.*)\Z", ins.args, re.S)
            ins.json_args = _json_array(hm.group(1).strip(GO_SPACE)) if hm else None
        elif keyword == "ONBUILD" and ins.args:
            ins.sub = _make_instruction(ins.args, lineno, end_lineno, "", "")
    except ParseError as exc:
        raise ParseError(f"line {lineno}: {exc}") from None
    return ins


# ----------------------------------------------------------------- variables


def expand(value: str, env: dict[str, str]) -> str:
    """Expand $VAR, ${VAR}, ${VAR:-x}, ${VAR:+x} (nested words too) as the Dockerfile builder does.

    Unknown variables expand to the empty string, like in a build.
    """
    out: list[str] = []
    pos = 0
    for start, end, name, op, word in _expansions(value):
        out.append(value[pos:start])
        pos = end
        val = env.get(name)
        if op in (":-", "-"):
            out.append(expand(word, env) if val is None or (op == ":-" and val == "") else val)
        elif op in (":+", "+"):
            out.append("" if val is None or (op == ":+" and val == "") else expand(word, env))
        else:
            out.append(val or "")
    out.append(value[pos:])
    return "".join(out)


def _expansions(value: str):
    """(start, end, name, operator, word) of each $NAME / ${NAME[op word]}; braces may nest."""
    i, n = 0, len(value)
    while i < n:
        i = value.find("$", i)
        if i < 0:
            return
        m = _VAR_HEAD_RE.match(value, i)
        if not m:
            i += 1
            continue
        if m.group(3):          # $NAME
            yield i, m.end(), m.group(3), None, ""
            i = m.end()
            continue
        j, depth = m.end(), 1   # ${NAME...: find the brace that closes it
        while j < n:
            if value.startswith("${", j):
                depth += 1
                j += 2
                continue
            if value[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth:
            i += 1
            continue
        yield i, j + 1, m.group(1), m.group(2), value[m.end():j]
        i = j + 1


_VAR_HEAD_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+]|(?=\}))|([A-Za-z_][A-Za-z0-9_]*))")


def referenced_vars(value: str) -> set[str]:
    names = set()
    for _, _, name, _, word in _expansions(value):
        names.add(name)
        names |= referenced_vars(word) if word else set()
    return names


def unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1]
    return word


def assignment_words(args: str, escape: str = "\\") -> list[tuple[str, str]] | None:
    """ENV/ARG/LABEL `KEY=word` pairs with each word as written (quotes and escapes kept), split the
    way BuildKit splits them: `KEY=<word>` re-emitted in the same file means exactly the same value.
    None for the legacy `KEY value` form, whose value is the rest of the line."""
    words = _assignment_split(args, escape)
    if not words or "=" not in words[0]:
        return None
    return [(k, v) for k, _, v in (w.partition("=") for w in words)]


def _assignment_split(rest: str, escape: str) -> list[str]:
    """BuildKit's word split for name=value instructions: blanks outside quotes end a word; an
    escape character keeps the next one in the word; single quotes escape nothing."""
    words: list[str] = []
    word: list[str] = []
    quote = None
    started = False     # a word of only quotes ('') is still a word
    i, n = 0, len(rest)
    while i < n:
        ch = rest[i]
        if quote is None and ch in GO_SPACE:
            if started:
                words.append("".join(word))
            word, started = [], False
        elif ch == escape and quote != "'":
            if i + 1 < n:
                word += [ch, rest[i + 1]]
                started = True
            i += 1
        else:
            if quote is None and ch in "'\"":
                quote = ch
            elif ch == quote:
                quote = None
            word.append(ch)
            started = True
        i += 1
    if started:
        words.append("".join(word))
    return words


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
