"""Reading a Dockerfile: `parse()` and the value helpers callers apply to instruction arguments.

The text is cut into pieces whose concatenation is exactly the input: parser
directives, trivia (blank lines and comments) and instructions. Each instruction
keeps its raw source (continuations, inner comments and heredoc bodies included)
next to the logical values a rewriter needs: keyword, flags, arguments, JSON or
shell form. Nothing is normalised on the way back out.

This module decides where directives end, how continuation lines join, where each
heredoc body ends and what an instruction's keyword, flags and JSON form are; the
pieces themselves are `msbrewrite.model.instructions`. It also expands variables
(`expand`, `referenced_vars`) and splits ENV/ARG/LABEL pairs (`parse_key_values`,
`assignment_words`).

dockerfile-parse drops comments, directives and the escape character, and the
official parser gives no source positions, so the scanner here follows the
BuildKit rules itself; both parsers are used to check the rewritten output.
"""
from __future__ import annotations

import json
import re

from msbrewrite.model.flag_words import GO_SPACE, extract_flags
from msbrewrite.model.heredoc_names import heredoc_names
from msbrewrite.model.instructions import Directive, Dockerfile, Instruction
from msbrewrite.support import lazy_re

__all__ = [
    "ParseError", "parse", "expand", "referenced_vars",
]

KNOWN_DIRECTIVES = ("syntax", "escape", "check")
# BuildKit's own pattern, `\s` being Go's [\t\n\f\r ]: `# escape=` followed by "\r " or "\f" is a directive
_DIRECTIVE_RE = lazy_re.compile(r"^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$")
_HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}
_JSON_KEYWORDS = {"RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL", "VOLUME"}
_KEYWORD_RE = lazy_re.compile(r"([^\t\v\f\r ]+)[\t\v\f\r ]*(.*)\Z", re.S)
KNOWN_INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
    "WORKDIR",
}


class ParseError(ValueError):
    """The text is not a Dockerfile this model can represent."""


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
                names = heredoc_names(joined)
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


_VAR_HEAD_RE = lazy_re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+]|(?=\}))|([A-Za-z_][A-Za-z0-9_]*))")


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
