"""Variables a frontend dev server read from the container's environment, which a production build
fixes when the image is built.

`vite` serves `import.meta.env.VITE_API_HOST` from the environment it starts in, so `docker run -e`
changed it; `vite build` writes the value into the bundle. The same holds for Create React App's
`REACT_APP_*`, Vue CLI's `VUE_APP_*`, Next.js's `NEXT_PUBLIC_*` and `NG_APP_*`. Read from the
project's sources, without running anything.
"""
from __future__ import annotations

import re

from msbrewrite.model.context import Context
from msbrewrite.support import lazy_re

_SOURCE_SUFFIXES = (".js", ".jsx", ".mjs", ".ts", ".tsx", ".vue", ".svelte", ".html")
_READ = lazy_re.compile(r"\b(?:import\.meta\.env|process\.env)\.((?:VITE|REACT_APP|VUE_APP|NEXT_PUBLIC|NG_APP)_\w+)")
_MAX_SCANNED = 2000
_SKIPPED = ("node_modules/", "dist/", "build/", ".git/")


def env_read_at_start(context: Context, root: str) -> list[str]:
    """Names of the public build variables the project's sources read, sorted."""
    if not context:
        return []
    prefix = "" if root in ("", ".") else root.rstrip("/") + "/"
    found: set[str] = set()
    scanned = 0
    for rel in context.files():
        if not rel.startswith(prefix) or not rel.endswith(_SOURCE_SUFFIXES):
            continue
        inner = rel[len(prefix):]
        if inner.startswith(_SKIPPED) or "/node_modules/" in inner:
            continue
        scanned += 1
        if scanned > _MAX_SCANNED:
            break
        found.update(_READ.findall(context.read(rel) or ""))
    return sorted(found)


def declared(words: list[str], name: str) -> bool:
    """Whether an ARG or ENV of the Dockerfile already names `name` (`words`: those instructions' args)."""
    return any(re.match(rf"\s*{re.escape(name)}(=|\s|$)", w) for w in words)


def shown(names: list[str]) -> str:
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")

