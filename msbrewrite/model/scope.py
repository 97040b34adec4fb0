"""What each variable holds at each instruction of a stage, without copying the scope per instruction.

`ScopeHistory` records every value a variable took and where; `ScopeView` is the read-only
scope one instruction sees. `msbrewrite.model.analysis` builds them while it walks a stage.
"""
from __future__ import annotations

import bisect
from collections.abc import Mapping


class ScopeHistory:
    """Every value each variable took, with the position of the instruction that set it."""

    def __init__(self, initial: dict[str, str]):
        self.positions: dict[str, list[int]] = {k: [-1] for k in initial}
        self.values: dict[str, list[str]] = {k: [v] for k, v in initial.items()}

    def set(self, name: str, value: str, pos: int) -> None:
        positions = self.positions.setdefault(name, [])
        values = self.values.setdefault(name, [])
        if positions and positions[-1] == pos:
            values[-1] = value
        else:
            positions.append(pos)
            values.append(value)

    def view(self, pos: int) -> "ScopeView":
        return ScopeView(self, pos)


class ScopeView(Mapping):
    """The variables as instruction `pos` sees them (set by the instructions before it), read-only."""
    __slots__ = ("_history", "_pos")

    def __init__(self, history: ScopeHistory, pos: int):
        self._history, self._pos = history, pos

    def __getitem__(self, name: str) -> str:
        positions = self._history.positions.get(name)
        if positions:
            i = bisect.bisect_left(positions, self._pos)
            if i:
                return self._history.values[name][i - 1]
        raise KeyError(name)

    def __iter__(self):
        return (k for k, positions in self._history.positions.items() if positions[0] < self._pos)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))
