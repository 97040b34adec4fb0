"""Which Python manifests the dependency layer copies: present in the context or named by the build.

pyproject.toml read as TOML, the readme a project names (some tools read it to load the project),
and the optional files a tool reads beside its lock (poetry.toml, uv.toml, .python-version).
"""
from __future__ import annotations

import posixpath

from msbrewrite.optimize.deps_common import read_toml, usable
from msbrewrite.optimize.edits import Builder
from msbrewrite.optimize.manifests import present_before


def present_or_named(builder: Builder, source, workdir: str, name: str, implied: bool = False) -> bool:
    """The manifest exists in the context, or (without one) the original names it: an earlier COPY
    puts it there, or the command cannot run without it (`implied`: pyproject.toml for Poetry and uv)."""
    facts = builder.facts
    if facts.context:
        return usable(builder, facts.context_path(posixpath.join(workdir, name)))
    return implied or present_before(facts, source.ins.index, posixpath.join(workdir, name)) is not None


def pyproject(builder: Builder, workdir: str) -> dict:
    return read_toml(builder, workdir, "pyproject.toml", "the install runs")[1]


def toml_table(data: dict, *keys: str) -> dict:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def readme_files(builder: Builder, data: dict, workdir: str) -> list[str]:
    """The readme the project names, copied with the manifests (some tools read it to load the project)."""
    readme = toml_table(data, "tool", "poetry").get("readme") or toml_table(data, "project").get("readme")
    if isinstance(readme, dict):
        readme = readme.get("file")
    if not isinstance(readme, str) or "/" in readme:
        return []
    rel = builder.facts.context_path(posixpath.join(workdir, readme))
    return [rel] if usable(builder, rel) else []


def optional_files(builder: Builder, workdir: str, names: tuple[str, ...]) -> list[str]:
    facts = builder.facts
    if not facts.context:
        return []
    rels = [facts.context_path(posixpath.join(workdir, n)) for n in names]
    return [r for r in rels if usable(builder, r)]
