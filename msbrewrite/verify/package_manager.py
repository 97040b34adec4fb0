"""What a package manager prints about itself when it runs an app's script (`npm start`,
`yarn start`, `pnpm start`): its banner, update notices and its report of the stop signal.

A conversion that runs `node server.js` instead of `npm start` loses these lines and nothing else,
so `msb verify` removes them before comparing output and logs. Only the exact shapes below go, and
only from an image whose command is a package-manager run: an app printing `> x` keeps its line."""
from __future__ import annotations

import os

from msbrewrite.verify.ports import command_words
from msbrewrite.support import lazy_re

MANAGERS = frozenset({"npm", "yarn", "pnpm"})

# npm 7+ and pnpm: "> pkg@1.0.0 start" (npm 6 and pnpm add the folder), then "> node server.js"
_HEADER = lazy_re.compile(r"^> (?:@[\w.-]+/)?[\w.-]+@[\w.+-]* [\w:.-]+(?: /\S*)?$")
_SCRIPT_LINE = lazy_re.compile(r"^> \S")
# yarn 1
_YARN_HEADER = lazy_re.compile(r"^yarn run v\d+\.\d+\.\d+$")
_YARN_DONE = lazy_re.compile(r"^(?:\S+ )?Done in \d+(?:\.\d+)?m?s\.$")
_YARN_INFO = "info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command."
# npm's notices about itself: a newer npm, its own config keys, its own log folder
_NOTICE = lazy_re.compile(r"^npm (?:notice\b.*|(?:WARN|warn) (?:config |Unknown (?:builtin |env |project |user |global |cli )?"
                          r"config |logfile |cli npm v\S+ does not support ).*)$")
# npm's report of the script it ran being stopped by SIGTERM (docker stop), npm 6 to 10
_ERROR_LINE = lazy_re.compile(r"^npm (?:ERR!|error)(?: (.*))?$")
_STOP_SHAPES = lazy_re.compile(
    r"^(?:|path \S+|command failed|signal SIGTERM|command sh -c .*|code ELIFECYCLE|errno 143|"
    r"\S+ \S+: `.*`|Exit status 143|Failed at the \S+ \S+ script\.|"
    r"This is probably not a problem with npm\. There is likely additional logging output above\.|"
    r"A complete log of this run can be found in:(?: \S+)?|\s*/\S+/_logs/\S+\.log)$")
_STOPPED = lazy_re.compile(r"^(?:signal SIGTERM|Exit status 143|errno 143)$")


def runs_package_manager(config: dict) -> bool:
    """The image's command runs a script through npm, yarn or pnpm."""
    return any(os.path.basename(w) in MANAGERS for w in command_words(config))


def strip_lines(lines: list[str]) -> list[str]:
    """The lines without the package manager's own: banners, notices, the SIGTERM report."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if _HEADER.match(line) and _npm_banner_end(lines, i):
            i = _npm_banner_end(lines, i)
            if out and not out[-1].strip():
                out.pop()              # the blank line npm prints before its banner
            continue
        end = _yarn_banner_end(lines, i)
        if end:
            i = end
            continue
        if _ERROR_LINE.match(line):
            end, stopped = _error_block(lines, i)
            if not stopped:
                out += lines[i:end]    # npm's report of a failure: kept whole
            i = end
            continue
        if _NOTICE.match(line) or line == _YARN_INFO or (_YARN_DONE.match(line) and _after_yarn(lines, i)):
            i += 1
            continue
        out.append(lines[i])
        i += 1
    return out


def strip_text(text: str) -> str:
    """strip_lines for a whole output, keeping its last newline as it was."""
    lines = text.splitlines()
    kept = strip_lines(lines)
    if kept == lines:
        return text
    return "\n".join(kept) + ("\n" if kept and text.endswith("\n") else "")


def _npm_banner_end(lines: list[str], i: int) -> int | None:
    """Index after npm's (or pnpm's) banner at i: its header, the script's lines, one blank line."""
    j = i + 1
    while j < len(lines) and _SCRIPT_LINE.match(lines[j]):
        j += 1
    if j == i + 1:
        return None                    # a header without its script line is not npm's banner
    return j + 1 if j < len(lines) and not lines[j].strip() else j


def _yarn_banner_end(lines: list[str], i: int) -> int | None:
    """Index after yarn's `yarn run vX` at i and its `$ command` line."""
    if not _YARN_HEADER.match(lines[i].rstrip("\r")):
        return None
    return i + 2 if i + 1 < len(lines) and lines[i + 1].startswith("$ ") else i + 1


def _error_block(lines: list[str], i: int) -> tuple[int, bool]:
    """(index after the block of npm error lines at i, whether it is only npm's report of its
    script being stopped by SIGTERM): one line of any other shape keeps the whole block."""
    j, stopped, shapes = i, False, True
    while j < len(lines):
        m = _ERROR_LINE.match(lines[j].rstrip("\r"))
        if not m:
            break
        rest = (m.group(1) or "").strip()
        shapes = shapes and bool(_STOP_SHAPES.match(rest))
        stopped = stopped or bool(_STOPPED.match(rest))
        j += 1
        # npm 6-9 leave a blank line before "A complete log ..."
        if j + 1 < len(lines) and not lines[j].strip() and _ERROR_LINE.match(lines[j + 1]):
            j += 1
    return j, stopped and shapes


def _after_yarn(lines: list[str], i: int) -> bool:
    """yarn's `Done in 0.1s.` only where yarn's header was seen."""
    return any(_YARN_HEADER.match(line.rstrip("\r")) for line in lines[:i])
