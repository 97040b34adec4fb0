"""Render the runtime-stage templates (and nginx configurations).

The templates are Jinja; `templates/compiled.py` holds them compiled ahead of time to plain Python
(see template_compiler), so a conversion does not import Jinja nor compile a template. A template
whose source differs from the one it was compiled from (edited in a checkout) renders through Jinja.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from msbrewrite.model.quoting import dockerfile_words
from msbrewrite.languages.template_runtime import Context

def _exec_form(value) -> str:
    if isinstance(value, list):
        return json.dumps(value)
    return value


FILTERS = {"exec_form": _exec_form, "copy_args": dockerfile_words}


def render_template(name: str, **context) -> str:
    """The template `name` rendered with `context`."""
    render = _compiled(name)
    if render is None:
        return environment().get_template(name).render(**context)
    out: list[str] = []
    render(Context(context, FILTERS), out)
    return "".join(out)


@functools.lru_cache(maxsize=None)
def _compiled(name: str):
    """The compiled render function, or None when it is missing or older than its template."""
    try:
        from msbrewrite.templates import compiled
    except ImportError:
        return None
    if name not in compiled.RENDER:
        return None
    directory = templates_dir()
    for dep in compiled.DEPENDS[name]:
        try:
            if (directory / dep).read_text(encoding="utf-8") != compiled.SOURCES[dep]:
                return None
        except OSError:
            return None
    return compiled.RENDER[name]


def warm_templates() -> None:
    """Load every template's render function (compiling through Jinja any that is out of date)."""
    for path in templates_dir().glob("*.j2"):
        if _compiled(path.name) is None:
            environment().get_template(path.name)


@functools.lru_cache(maxsize=1)
def environment():
    import jinja2   # imported here: commands that never render should not pay for it

    loader = jinja2.FileSystemLoader(str(templates_dir()))
    env = jinja2.Environment(loader=loader, autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    return env


def templates_dir() -> Path:
    """Templates from the installed package, or the source tree when run from a checkout."""
    try:
        # the package's own folder: importlib.resources would import tempfile, shutil and more
        import importlib
        path = Path(importlib.import_module("msbrewrite.templates").__file__).parent
        if (path / "_runtime.Dockerfile.j2").is_file():
            return path
    except (ImportError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"
