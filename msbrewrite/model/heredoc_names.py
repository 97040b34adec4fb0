"""Which heredocs an instruction line opens, found the way BuildKit's shell lexer finds them.

`heredoc_names` gives the terminator of each `<<NAME` / `<<-NAME` word; the parser
(`msbrewrite.model.dockerfile`) then reads the bodies up to those terminators.
"""
from __future__ import annotations


from msbrewrite.model.flag_words import GO_SPACE
from msbrewrite.support import lazy_re

_HEREDOC_WORD_RE = lazy_re.compile(r"\A\d*<<(-?)([^<]*)\Z")
_SPECIAL_PARAMS = "@*#?-$!0"


def heredoc_names(line: str) -> list[tuple[bool, str]]:
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
