"""Values msb pastes into the lines it writes, quoted for where they land.

Paths and names come from the input (WORKDIR, VOLUME, COPY destinations, USER, CMD words) or from
the configuration. Pasted raw into a RUN line, `WORKDIR /app\\`id\\`` would run `id` at build time;
in a COPY line a space would split one path into two. Ordinary values come out unchanged, so the
output of ordinary Dockerfiles does not move.
"""
from __future__ import annotations

import json
import re
import shlex

from msbrewrite.support import lazy_re

_GLOB_PART = lazy_re.compile(r"[\w.@%+=:,-]*[*?][\w.@%+=:,*?-]*")
_CONTROL = lazy_re.compile(r"[\x00-\x1f\x7f]")


def sh(word: str) -> str:
    """One shell word: `/app` stays `/app`, `/my app` becomes `'/my app'`, `$(id)` stays inert."""
    return shlex.quote(word)


def sh_words(words) -> str:
    return " ".join(sh(w) for w in words)


def expands(word: str) -> bool:
    """A word read from a RUN line whose value the original shell may have expanded (`$HOME`,
    `$(...)`, backticks): its quoting decided what ran, and the word alone no longer says which."""
    return "$" in word or "`" in word


def sh_glob(path: str) -> str:
    """A path whose `*`/`?` parts must still expand (`/my app/target/*.jar`): every other part quoted."""
    return "/".join(part if (not part or _GLOB_PART.fullmatch(part)) else sh(part) for part in path.split("/"))


_PLAIN_ENV = lazy_re.compile(r"[\w./:@%+,=-]+")


def env_value(value: str) -> str:
    """An ENV/ARG value as a Dockerfile word that BuildKit reads back as exactly `value`: nothing in it
    expands or loses a backslash. Dockerfile quoting, not JSON: single quotes keep everything
    (`$5 each`, `C:\\path`, `é`) under either escape character; a quote itself goes in double quotes."""
    if _PLAIN_ENV.fullmatch(value):
        return value
    if not re.search(r"[\"$\\`]", value):
        return f'"{value}"'     # nothing in it is special between double quotes
    return "'" + value.replace("'", "'\"'\"'") + "'"


def env_line(pairs) -> str:
    """`ENV K=v ...` from (name, literal value) pairs."""
    return "ENV " + " ".join(f"{k}={env_value(v)}" for k, v in pairs)


def env_subset(args: str, escape: str, keys) -> str:
    """`ENV` with only `keys` of an ENV instruction's `args`: each value as the user wrote it, so it
    means what it meant there (`'$5 each'` stays unexpanded, `$PATH` still expands)."""
    from msbrewrite.model.dockerfile import assignment_words, parse_key_values
    words = assignment_words(args, escape)
    if words is None:   # the legacy `ENV KEY value` form holds a single variable
        return env_line((k, v) for k, v in parse_key_values(args) if k in keys)
    return "ENV " + " ".join(f"{k}={w}" for k, w in words if k in keys)


# BuildKit reads a Dockerfile line of at most 64 KiB: generated lines stay well under it
MAX_GENERATED_LINE = 60_000


def run_lines(command: str, words, limit: int = MAX_GENERATED_LINE) -> list[str]:
    """`RUN command word...` for every word, quoted, cut into as many RUN lines as keep each one
    under `limit` bytes (`mkdir -p` for thousands of VOLUMEs would not fit in one)."""
    lines: list[str] = []
    current = f"RUN {command}"
    size = len(current.encode())
    for word in map(sh, words):
        grow = 1 + len(word.encode())
        if size + grow > limit and current != f"RUN {command}":
            lines.append(current)
            current, size = f"RUN {command}", len(f"RUN {command}".encode())
        current += " " + word
        size += grow
    lines.append(current)
    return lines


def has_control(value: str) -> bool:
    """Newlines and other control characters: no generated line may carry them."""
    return bool(_CONTROL.search(value))


def dockerfile_words(words: list[str]) -> str:
    """Arguments of a generated COPY: plain words when they hold no blank or quote, else a JSON array."""
    if any(not w or re.search(r"[\s\"'\\]", w) for w in words):
        return json.dumps(words)
    return " ".join(words)


def dockerfile_paths(paths: list[str]) -> str:
    """Literal paths (files of the context) as COPY arguments: COPY expands `$` in either form,
    so a `$` in a file name is escaped."""
    if any("$" in p for p in paths):
        return json.dumps([p.replace("$", "\\$") for p in paths], ensure_ascii=False)
    return dockerfile_words(paths)


def generated_problem(plan) -> str | None:
    """A value with a control character in a line msb writes (quoting cannot make it safe there)."""
    blocks = [*plan.builder_after_from, *plan.builder_append, *plan.runtime_setup]
    values = [plan.workdir or "", plan.user or ""]
    for art in plan.artifacts:
        values += [art.source, art.dest, art.chown or ""]
    for cmd in (plan.entrypoint, plan.cmd):
        values += cmd if isinstance(cmd, list) else [cmd or ""]
    for text in blocks + values:
        bad = _CONTROL.search(text.replace("\n", "") if text in blocks else text)
        if bad:
            return f"{text[:60]!r} holds the control character {bad.group()!r}"
    return None
