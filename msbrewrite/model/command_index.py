"""Lookups over a stage's commands, built once per conversion.

Planners ask, for each build command, where its output is moved later and which cache mounts
its RUN has. Scanning every command for every build made a file of 10,000 `go build` lines take
minutes; these indexes answer each question in (amortised) constant time.
"""
from __future__ import annotations

import bisect
import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.support.records import field, record

_BIN_DIRS = {"/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin", "/go/bin",
             "/usr/local/cargo/bin"}


@record
class _Move:
    position: int
    sources: list[str]      # as written
    dest: str
    cwd: str


@record
class CommandIndex:
    position: dict[int, int] = field(default_factory=dict)        # id(command) -> its position
    step_of: dict[int, object] = field(default_factory=dict)      # id(command) -> its Step
    moves: dict[str, list[_Move]] = field(default_factory=dict)   # normalised source -> moves, in order
    move_positions: dict[str, list[int]] = field(default_factory=dict)
    taken_out: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # dir -> (position, name)
    dirs: set[str] = field(default_factory=set)                  # directories known to exist


def index(facts: StageFacts) -> CommandIndex:
    cached = facts.memo.get("command_index")
    if cached is None:
        cached = facts.memo["command_index"] = _build(facts)
    return cached


def _build(facts: StageFacts) -> CommandIndex:
    idx = CommandIndex()
    idx.dirs = {facts.workdir} | {s.workdir for s in facts.steps}
    pos = 0
    for step in facts.steps:
        for c in step.commands:
            idx.position[id(c)] = pos
            idx.step_of[id(c)] = step
            if c.program == "mkdir":
                idx.dirs |= {posixpath.normpath(posixpath.join(c.cwd, w)) for w in c.argv[1:] if not w.startswith("-")}
            if c.program in ("cp", "mv", "install"):
                _index_move(idx, c, pos)
            pos += 1
    return idx


def _index_move(idx: CommandIndex, c, pos: int) -> None:
    words = [w for w in c.argv[1:] if not w.startswith("-")]
    for w in words[:-1]:
        if "*" in w or "$" in w:
            continue
        full = posixpath.normpath(posixpath.join(c.cwd, w))
        idx.taken_out.setdefault(posixpath.dirname(full), []).append((pos, posixpath.basename(w)))
    if len(c.argv) < 3:
        return
    if c.program == "install" and "-m" in c.argv:
        mode_at = c.argv.index("-m") + 1
        words = [w for w in words if mode_at >= len(c.argv) or w != c.argv[mode_at]]
    if len(words) < 2:
        return
    move = _Move(pos, words[:-1], words[-1], c.cwd)
    for s in dict.fromkeys(posixpath.normpath(posixpath.join(c.cwd, s)) for s in move.sources):
        idx.moves.setdefault(s, []).append(move)
        idx.move_positions.setdefault(s, []).append(pos)


def follow_moves(facts: StageFacts, path: str, after) -> str:
    """Where a built file ends up when later commands `cp`, `mv` or `install` it elsewhere."""
    idx = index(facts)
    pos = idx.position.get(id(after))
    if pos is None:
        return path
    while True:
        positions = idx.move_positions.get(path)
        if not positions:
            return path
        i = bisect.bisect_right(positions, pos)
        if i == len(positions):
            return path
        move = idx.moves[path][i]
        target = posixpath.normpath(posixpath.join(move.cwd, move.dest))
        into_dir = move.dest.endswith("/") or len(move.sources) > 1 or target in _BIN_DIRS or target in idx.dirs
        path = posixpath.join(target, posixpath.basename(path)) if into_dir else target
        pos = move.position


def moved_out_of(facts: StageFacts, directory: str, after) -> list[str]:
    """Names of files later `cp`/`mv`/`install` commands take out of `directory` (a build's output dir)."""
    idx = index(facts)
    start = idx.position.get(id(after))
    if start is None:
        return []
    return list(dict.fromkeys(name for pos, name in idx.taken_out.get(directory, ()) if pos > start))


def step_of(facts: StageFacts, command):
    """The Step (RUN instruction) that runs `command`, or None."""
    return index(facts).step_of.get(id(command))
