"""msb's version, as the installed package's metadata says (`pip show msbrewrite`)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def version() -> str:
    from importlib import metadata
    try:
        return metadata.version("msbrewrite")
    except metadata.PackageNotFoundError:
        return "0+unknown"     # run from a source tree that was never installed
