"""The packages a Node app loads at run time, read from its entry file and the files it requires.

The original image ran with every dependency npm installed, devDependencies too, so a server
that requires a package listed under devDependencies (a common slip: `dotenv`, `morgan`,
`nodemon`-era leftovers) worked there. Pruning them breaks it with "Cannot find module". Only
files in the build context are followed (relative requires, from the entry); a built entry
(`dist/main.js`) is not there, and then nothing is claimed.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.context import Context
from msbrewrite.support import lazy_re

# require('x'), import('x'), import x from 'x', export ... from 'x', import 'x'
_SPECIFIER = lazy_re.compile(r"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|^[ \t]*import\s+)(['"])([^'"\n]+)\1""",
                             re.M)
_TYPE_ONLY = lazy_re.compile(r"^[ \t]*(?:import|export)\s+type\b")
_EXTENSIONS = ("", ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".json", "/index.js", "/index.ts", "/index.cjs",
               "/index.mjs")
_BUILTINS = {"assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto",
             "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector",
             "module", "net", "os", "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl",
             "stream", "string_decoder", "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm",
             "wasi", "worker_threads", "zlib", "test"}
MAX_FILES = 400


def package_of(specifier: str) -> str | None:
    """`@scope/pkg/sub` -> `@scope/pkg`, `pkg/sub` -> `pkg`; None for relative, absolute and builtin ones."""
    if specifier.startswith((".", "/", "node:")) or ":" in specifier:
        return None
    parts = specifier.split("/")
    name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
    return None if name in _BUILTINS else name


_PRELOAD_OPTIONS = ("-r", "--require", "--import", "--loader", "--experimental-loader")


def preloads(argv: list[str]) -> list[str]:
    """Modules `node -r x` / `--require=x` / `--import x` loads before the entry."""
    return node_args(argv)[0]


def node_args(argv: list[str]) -> tuple[list[str], str | None]:
    """(modules preloaded, entry script) of node's arguments (after `node` itself)."""
    loaded, script, i = [], None, 0
    while i < len(argv):
        w = argv[i]
        if w in _PRELOAD_OPTIONS and i + 1 < len(argv):
            loaded.append(argv[i + 1])
            i += 1
        elif w.startswith(tuple(o + "=" for o in _PRELOAD_OPTIONS[1:])):
            loaded.append(w.split("=", 1)[1])
        elif not w.startswith("-") and script is None:
            script = w
        i += 1
    return loaded, script


def packages_loaded(context: Context, entry: str) -> dict[str, str]:
    """package -> the context file that loads it, following relative requires from `entry`
    (a context-relative path). Empty when the entry is not in the context."""
    start = _resolve(context, entry)
    if start is None:
        return {}
    seen, queue, found = {start}, [start], {}
    while queue and len(seen) <= MAX_FILES:
        rel = queue.pop(0)
        if rel.endswith(".json"):
            continue
        for line in (context.read(rel) or "").splitlines():
            stripped = line.lstrip()
            if stripped.startswith(("//", "*", "/*")) or _TYPE_ONLY.match(line):
                continue
            for m in _SPECIFIER.finditer(line):
                spec = m.group(2)
                if spec.startswith("."):
                    nxt = _resolve(context, posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec)))
                    if nxt and nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
                else:
                    name = package_of(spec)
                    if name and not name.startswith("@types/"):
                        found.setdefault(name, rel)
    return found


def _resolve(context: Context, rel: str) -> str | None:
    if rel.startswith(".."):
        return None
    for ext in _EXTENSIONS:
        candidate = rel + ext
        if context.exists(candidate) and not context.is_dir(candidate):
            return candidate
    return None
