"""Which files the app never reads, though no build-only rule names them: docs folders, notebooks and
binaries for another platform that no code, template or configuration file of the app (nor the
Dockerfile) mentions. Decided only when the context shows the files.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.rules.app_matching import Rule, matcher

# left out only when nothing the app runs or reads names them (the context shows it)
UNREAD_FOLDERS = ("docs", "doc")
NOTEBOOK_SUFFIX = ".ipynb"
FOREIGN_BINARY_SUFFIXES = (".exe", ".dll", ".msi", ".dylib", ".dmg")
# files whose text says what the app opens: code, templates and configuration (not prose such as a README)
_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".java", ".kt", ".scala",
                  ".groovy", ".rb", ".php", ".sh", ".html", ".htm", ".j2", ".jinja", ".tmpl", ".json", ".yaml",
                  ".yml", ".toml", ".ini", ".cfg", ".conf", ".properties", ".xml", ".env", ".vue", ".svelte")
_MAX_SCANNED = 3000


def unread(facts: StageFacts, appdir: str, files: list[str], rules: list[Rule]) -> list[Rule]:
    """Docs folders, notebooks and binaries for another platform that no code, template or configuration
    file of the app (nor the Dockerfile) names: the app never opens them. Any mention keeps them."""
    candidates: dict[str, str] = {}      # path relative to the app directory -> kind
    for f in files:
        head = f.split("/", 1)[0]
        if head in UNREAD_FOLDERS and "/" in f:
            candidates[head] = "docs the app never reads"
        elif f.endswith(NOTEBOOK_SUFFIX):
            candidates[f] = "notebooks the app never opens"
        elif f.lower().endswith(FOREIGN_BINARY_SUFFIXES):
            candidates[f] = "binaries for another platform"
    candidates = {c: k for c, k in candidates.items() if not matcher(rules).any(c)}
    if not candidates:
        return []
    text = _app_text(facts, appdir, files, set(candidates))
    return [Rule("./" + c, kind) for c, kind in sorted(candidates.items()) if not _named_in(posixpath.basename(c), text)]


def _app_text(facts: StageFacts, appdir: str, files: list[str], candidates: set[str]) -> str:
    """The text of the app's code, templates and configuration files, and of the Dockerfile."""
    root = facts.context_path(appdir) or ""
    parts = [facts.dockerfile.text]
    for f in [f for f in files if f.lower().endswith(_CODE_SUFFIXES)][:_MAX_SCANNED]:
        if f in candidates or f.split("/", 1)[0] in candidates:
            continue
        parts.append(facts.context.read(f if root in ("", ".") else posixpath.join(root, f)) or "")
    return "\n".join(parts)


def _named_in(name: str, text: str) -> bool:
    """`docs` in `"docs/index.html"` or `send_from_directory("docs", ...)`, not inside `mydocs` or `docs_url`."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None
