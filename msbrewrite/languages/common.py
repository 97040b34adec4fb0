"""Helpers more than one language module uses."""
from __future__ import annotations

import functools
import posixpath
import re
import sys
from importlib import resources

from ..analysis import StageFacts
from ..plan import BuildPlan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# directories apps commonly read at run time
ASSET_DIRS = ("templates", "static", "migrations", "public", "views", "assets", "web", "config", "configs",
              "locales", "i18n", "resources")
CONFIG_FILE_RE = re.compile(r"^[\w./-]+\.(ya?ml|json|toml|ini|conf|cfg|properties|env)$")
# distroless/base already carries these, no need to install them
BASE_LIBS = {"libssl3", "libc6", "libgcc-s1", "libstdc++6", "ca-certificates", "tzdata", "zlib1g"}


@functools.lru_cache(maxsize=1)
def native_libs() -> dict:
    with resources.files("msbrewrite").joinpath("data/native_libs.toml").open("rb") as fh:
        return tomllib.load(fh)


def runtime_libraries(packages: list[str], family: str) -> list[str]:
    """Runtime counterparts of the -dev packages a builder installs ('debian' or 'alpine')."""
    table = native_libs().get(family, {})
    out = []
    for pkg in packages:
        pkg = pkg.split("=")[0]
        if pkg in table:
            if table[pkg]:
                out.append(table[pkg])
        elif pkg.endswith("-dev") or pkg.endswith("-devel"):
            continue    # unknown -dev package: headers only, say nothing rather than guess a name
    return sorted(set(out))


def load_toml(text: str | None) -> dict:
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def copy_assets(facts: StageFacts, plan: BuildPlan, embedded: set[str]) -> None:
    """Copy directories the app reads at run time, unless the code embeds them."""
    workdir = facts.workdir
    root = facts.context_path(workdir)
    candidates: set[str] = set()
    if facts.context and root is not None:
        for name in ASSET_DIRS:
            if facts.context.is_dir(posixpath.join(root, name)):
                candidates.add(name)
    else:
        # no context: trust what the Dockerfile copies by name
        for cp in facts.copies:
            if cp.from_stage:
                continue
            for src in cp.sources:
                name = posixpath.basename(src.rstrip("/"))
                if name in ASSET_DIRS:
                    dest = cp.dest if not cp.dest.endswith("/") else posixpath.join(cp.dest, name)
                    if posixpath.dirname(posixpath.normpath(dest)) == workdir or len(cp.sources) == 1:
                        candidates.add(posixpath.relpath(posixpath.normpath(dest), workdir)
                                       if posixpath.normpath(dest).startswith(workdir) else name)
    for name in sorted(candidates):
        if name in embedded or name.split("/")[0] in embedded:
            plan.decisions.append(f"{name}/ is embedded in the binary; not copied")
            continue
        path = posixpath.normpath(posixpath.join(workdir, name))
        plan.copy(path, path, "read at run time")


def copy_config_args(facts: StageFacts, plan: BuildPlan, argv: list[str] | None) -> None:
    """Config files named on the command line (`-config config.yaml`) go to the runtime too."""
    for word in argv or []:
        value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        if value.startswith("-") or not CONFIG_FILE_RE.match(value):
            continue
        path = posixpath.normpath(posixpath.join(facts.workdir, value))
        rel = facts.context_path(path)
        if (rel is not None and facts.context.exists(rel)) or (not facts.context and rel is not None):
            if path not in plan.produced:
                plan.copy(path, path, "config file named on the command line")


def strip_tag_version(name: str) -> str:
    return name.split("@")[0]
