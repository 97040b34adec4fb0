"""The TOML parser (tomllib, or tomli before Python 3.11), imported on first use: most
conversions read no TOML, and the import costs start-up time."""
from __future__ import annotations

import sys


def toml():
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    import tomli  # pragma: no cover
    return tomli  # pragma: no cover
