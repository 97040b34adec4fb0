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

_GLOB_PART = re.compile(r"[\w.@%+=:,-]*[*?][\w.@%+=:,*?-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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


def env_literal(value: str, suffix: str = "") -> str:
    """A literal value for an ENV line msb writes (`/opt/my venv` stays one value, its `$` stays
    a `$`); `suffix` is appended as written, so `"/opt/my venv/bin:$PATH"` still expands $PATH."""
    if not suffix and re.fullmatch(r"[\w./:@%+,=-]+", value):
        return value
    inner = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{inner}{suffix}"'


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
