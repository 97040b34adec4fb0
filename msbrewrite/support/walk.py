"""A directory walk that does not recurse in Python.

os.walk recurses once per level before Python 3.12, so a tree nested a thousand folders deep
raises RecursionError. This walk keeps its own stack: depth costs memory, not call frames.
Same contract as os.walk(top, topdown=True, followlinks=False): the caller may prune `dirnames`
in place; a symlink to a directory is listed in `dirnames` but never entered.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator


def walk(top, onerror: Callable[[OSError], None] | None = None) -> Iterator[tuple[str, list[str], list[str]]]:
    stack = [os.fspath(top)]
    while stack:
        dirpath = stack.pop()
        try:
            with os.scandir(dirpath) as entries:
                listed = list(entries)
        except OSError as exc:
            if onerror is not None:
                onerror(exc)
            continue
        dirnames, filenames, links = [], [], set()
        for entry in listed:
            if _is_dir(entry):
                dirnames.append(entry.name)
                if entry.is_symlink():
                    links.add(entry.name)
            else:
                filenames.append(entry.name)
        yield dirpath, dirnames, filenames
        # reversed: the stack pops the first name first, so the order is os.walk's
        stack.extend(os.path.join(dirpath, d) for d in reversed(dirnames) if d not in links)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
