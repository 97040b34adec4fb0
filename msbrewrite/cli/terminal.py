"""When msb may style its output: only on a terminal, and never when NO_COLOR is set.

NO_COLOR (https://no-color.org) asks for no colour; msb goes further and writes no escape
sequence at all then (no bold help, no redrawn progress bar), as it does when output is not a
terminal: logs and screen readers get plain text.
"""
from __future__ import annotations

import os


def plain() -> bool:
    """NO_COLOR set to anything but the empty string, or a terminal that cannot take escapes."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


def live(stream) -> bool:
    """Whether a redrawn, styled display may go to `stream`."""
    try:
        return stream.isatty() and not plain()
    except (AttributeError, ValueError):     # replaced or closed streams
        return False


def plain_help() -> None:
    """Typer renders help with rich: without a terminal rich writes no escapes, so tell it there is none."""
    if not plain():
        return
    try:
        from typer import rich_utils
    except ImportError:
        return
    rich_utils.FORCE_TERMINAL = False
    rich_utils.COLOR_SYSTEM = None
