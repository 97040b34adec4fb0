"""pip's dependency layer: requirements files, and `pip install .` of a PEP 621 project.

An install that reads only requirements files (and the files they include) moves above the source
copy with them. `pip install .` of a project with static [project].dependencies gets a first
install of those requirement strings above the copy; the user's install still adds the project.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.languages.python.deps import norm
from msbrewrite.optimize.deps_common import Skip, emit, move_install, usable
from msbrewrite.optimize.deps_python_commands import dependency_line, local_project, pip_install, requirement_files
from msbrewrite.optimize.deps_python_manifests import pyproject, toml_table
from msbrewrite.optimize.edits import SEP, Builder, words


def requirements_layer(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    found_files: dict[str, str] = {}      # context path -> builder path
    for c in run.step.commands:
        if not pip_install(c):
            continue
        reqs, needs = requirement_files(c)
        if needs:
            raise Skip(f"the install needs the sources ({needs[0]})")
        for req in reqs:
            found_files.update(_requirement_tree(builder, posixpath.normpath(posixpath.join(c.cwd, req))))
    folders = {rel: posixpath.relpath(posixpath.dirname(path), cmd.cwd) for rel, path in found_files.items()}
    if any(f.startswith("..") for f in folders.values()):
        raise Skip("a requirements file lies outside the install's directory")
    folders = {rel: "" if f == "." else f for rel, f in folders.items()}
    moved = move_install(builder, source, run, pip_install)
    note = "" if facts.context else " (without the context, the requirements files are assumed to name no local path)"
    emit(builder, source, list(found_files), moved, f"line {run.ins.lineno}'s pip install{note}", folders)


def _requirement_tree(builder: Builder, builder_path: str, depth: int = 0) -> dict[str, str]:
    """Context path -> builder path of a requirements file and the files it includes."""
    facts = builder.facts
    rel = facts.context_path(builder_path)
    if rel is None:
        raise Skip(f"{posixpath.basename(builder_path)} does not come from the context")
    if not facts.context:
        return {rel: builder_path}
    if not usable(builder, rel):
        raise Skip(f"{rel} is not in the context")
    out = {rel: builder_path}
    for line in (facts.context.read(rel) or "").splitlines():
        line = line.split(" #", 1)[0].strip()
        m = re.match(r"(-r|--requirement|-c|--constraint)[=\s]*(\S+)", line)
        if m and depth < 5:
            out.update(_requirement_tree(builder, posixpath.normpath(
                posixpath.join(posixpath.dirname(builder_path), m.group(2))), depth + 1))
        elif re.match(r"(-e|--editable)\b", line) or line.startswith((".", "/", "file:")) or " @ file:" in line:
            raise Skip(f"{rel} installs a local path, which needs the sources")
    return out


def _quoted(requirement: str) -> str:
    """One shell word: `"flask>=3"` (a bare `>` would redirect)."""
    if not re.search(r'["$`\\!]', requirement):
        return f'"{requirement}"'
    return "'" + requirement.replace("'", "'\"'\"'") + "'"


def pep621_layer(builder: Builder, found) -> None:
    source, step, run, cmd = found
    facts = builder.facts
    if not facts.context:
        raise Skip("without the build context, the project's dependencies are unknown (pip install of the project)")
    word, path, extras = local_project(cmd)
    if any(local_project(c) for c in run.step.commands if c is not cmd and pip_install(c)):
        raise Skip(f"line {run.ins.lineno} installs more than one local project")
    if "--no-deps" in cmd.argv:
        raise Skip("the install of the project uses --no-deps")
    data = pyproject(builder, path)
    project = toml_table(data, "project")
    if not project:
        raise Skip("pyproject.toml has no [project] table (its dependencies are not declared statically)")
    dynamic = project.get("dynamic") if isinstance(project.get("dynamic"), list) else []
    if "dependencies" in dynamic or (extras and "optional-dependencies" in dynamic):
        raise Skip("the project's dependencies are dynamic (computed by the build backend)")
    reqs = list(project.get("dependencies") or [])
    optional = toml_table(project, "optional-dependencies")
    for extra in extras:
        if extra not in optional:
            raise Skip(f"the extra {extra!r} is not declared in [project.optional-dependencies]")
        reqs += list(optional[extra] or [])
    if not all(isinstance(r, str) for r in reqs):
        raise Skip("[project].dependencies is not a list of requirement strings")
    own = norm(str(project.get("name", "")))
    for r in reqs:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", r)
        if m is None or norm(m.group(1)) == own:
            raise Skip(f"the requirement {r!r} is not a plain requirement on another project")
        if re.search(r"@\s*(file:|\.|/)", r):
            raise Skip(f"the requirement {r!r} is a local path, which needs the sources")
    reqs = list(dict.fromkeys(r.strip() for r in reqs))
    if not reqs:
        raise Skip("the project declares no dependencies: nothing to install first")

    def rewrite(segment: str) -> str:
        parts = re.split(r"((?:[ \t]|\\\r?\n)+)", segment)
        out, dropped = [], False
        for part in parts:
            if part == word and not dropped:
                out.append(" ".join(_quoted(r) for r in reqs))
                dropped = True
            else:
                out.append(part)
        text = "".join(out)
        return re.sub(SEP + r"(?:-e|--editable)(?=" + SEP + ")", "", text)

    if word not in words(builder.text(run.ins)):
        raise Skip(f"the project argument {word!r} is written differently on line {run.ins.lineno}")
    pattern = r"(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?" + SEP + "-m" + SEP + "pip)" + SEP + "install"
    line = dependency_line(builder, source, run, cmd, pattern, rewrite)
    emit(builder, source, [], [line], f"the {len(reqs)} requirement(s) of [project].dependencies"
         f"{' and its extras ' + ', '.join(extras) if extras else ''} installed; line {run.ins.lineno}'s "
         f"`pip install {word}` still installs the project after the copy, and any dependency added to "
         "pyproject.toml since this conversion", copied="the requirement list written into the RUN line")
