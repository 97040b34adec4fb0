"""How BuildKit cuts an instruction line into words: its whitespace and the leading `--flag` words.

The parser (`msbrewrite.model.dockerfile`) and the heredoc finder both split with `GO_SPACE`;
`extract_flags` decides which leading words of an instruction are its flags.
"""
from __future__ import annotations

# Go's unicode.IsSpace: BuildKit trims lines and splits flag words with it (not Python's str.isspace,
# which also counts \x1c-\x1f); the keyword itself ends at [\t\v\f\r ] only
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000"


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
