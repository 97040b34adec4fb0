"""Builder paths answered from the build context: what the build's COPY lines put where.

The planner asks it which files and folders the app directory holds in the builder (to copy the
top-level entries of an app at /, or to refuse one whose folders merge with the system's).
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts


class BuilderTree:
    """Builder paths, answered from the build context through the stage's COPY lines."""

    def __init__(self, facts: StageFacts):
        self.facts = facts

    def rel(self, path: str) -> str | None:
        rel = self.facts.context_path(path)
        if rel is None or self.ignored(rel):
            return None
        return rel

    def ignored(self, rel: str) -> bool:
        return self.facts.context.ignored(rel)

    def read(self, path: str) -> str | None:
        rel = self.rel(path)
        return self.facts.context.read(rel) if rel is not None else None

    def is_dir(self, path: str) -> bool:
        rel = self.rel(path)
        return rel is not None and self.facts.context.is_dir(rel)

    def is_file(self, path: str) -> bool:
        rel = self.rel(path)
        return rel is not None and self.facts.context.exists(rel) and not self.facts.context.is_dir(rel)

    def listdir(self, path: str) -> list[str]:
        rel = self.rel(path)
        if rel is None:
            return []
        return [n for n in self.facts.context.listdir(rel) if not self.ignored(posixpath.join(rel, n))]
