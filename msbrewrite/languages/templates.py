"""The Jinja environment the runtime-stage templates (and nginx configurations) render with."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from msbrewrite.model.quoting import dockerfile_words

def _exec_form(value) -> str:
    if isinstance(value, list):
        return json.dumps(value)
    return value


@functools.lru_cache(maxsize=1)
def environment():
    import jinja2   # imported here: commands that never render should not pay for it

    loader = jinja2.FileSystemLoader(str(templates_dir()))
    env = jinja2.Environment(loader=loader, autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["exec_form"] = _exec_form
    env.filters["copy_args"] = dockerfile_words
    return env


def templates_dir() -> Path:
    """Templates from the installed package, or the source tree when run from a checkout."""
    try:
        from importlib import resources
        path = Path(str(resources.files("msbrewrite.templates")))
        if (path / "_runtime.Dockerfile.j2").is_file():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"
