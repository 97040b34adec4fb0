"""How a frontend Dockerfile's command lines read: the tool behind npx, `pnpm dlx` and
`yarn exec`, the npm script `npm run x` / `yarn x` calls, and the packages an install adds
(globally or to the project).
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.shell import Command


def tool_argv(argv: list[str]) -> list[str]:
    """argv without npx/pnpm dlx/exec wrappers and node_modules/.bin prefixes."""
    argv = list(argv)
    while argv:
        head = posixpath.basename(argv[0])
        if head in ("npx", "pnpx", "bunx"):
            argv = argv[1:]
            while argv and argv[0].startswith("-"):
                argv = argv[1:]
        elif head in ("pnpm", "yarn", "npm") and len(argv) > 1 and argv[1] in ("dlx", "exec"):
            argv = [w for w in argv[2:] if w != "--"] if argv[2:3] == ["--"] else argv[2:]
        else:
            break
    if argv:
        argv[0] = posixpath.basename(argv[0])
    return argv


_RUNNER_BUILTINS = {"install", "i", "ci", "add", "remove", "global", "config", "cache", "audit", "prune",
                    "link", "set", "init", "publish", "pack", "version", "rebuild", "dedupe", "outdated",
                    "update", "upgrade", "uninstall", "fetch", "exec", "dlx", "list", "ls", "why", "info"}


def script_call(argv: list[str]) -> tuple[str, str, list[str]] | None:
    """(runner, script name, extra args) for `npm run x`, `yarn x`, `pnpm run x`, `npm start`."""
    if not argv:
        return None
    runner = posixpath.basename(argv[0])
    if runner not in ("npm", "yarn", "pnpm", "bun"):
        return None
    rest = [w for w in argv[1:]]
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in ("--prefix", "-C", "--cwd", "--dir") else rest[1:]
    if not rest:
        return (runner, "install", []) if runner == "yarn" else None
    if rest[0] in ("run", "run-script"):
        rest = rest[1:]
        while rest and rest[0].startswith("-"):
            rest = rest[1:]
        return (runner, rest[0], [w for w in rest[1:] if w != "--"]) if rest else None
    if rest[0] in ("start", "test"):
        return runner, rest[0], [w for w in rest[1:] if w != "--"]
    if runner in ("yarn", "pnpm", "bun") and rest[0] not in _RUNNER_BUILTINS:
        return runner, rest[0], [w for w in rest[1:] if w != "--"]
    return None


def global_installs(c: Command) -> list[str]:
    """Packages a command installs globally (npm i -g, yarn global add, pnpm add -g)."""
    argv = c.argv
    prog = c.program
    words: list[str] = []
    if prog == "npm" and len(argv) > 1 and argv[1] in ("i", "install", "add") and \
            ({"-g", "--global", "--location=global"} & set(argv)):
        words = argv[2:]
    elif prog == "yarn" and argv[1:3] == ["global", "add"]:
        words = argv[3:]
    elif prog == "pnpm" and len(argv) > 1 and argv[1] in ("add", "i", "install") and "-g" in argv:
        words = argv[2:]
    return [_pkg_name(w) for w in words if not w.startswith("-")]


def local_installs(c: Command) -> list[str]:
    argv = c.argv
    if c.program == "npm" and len(argv) > 2 and argv[1] in ("i", "install", "add") and "-g" not in argv:
        return [_pkg_name(w) for w in argv[2:] if not w.startswith("-")]
    if c.program in ("yarn", "pnpm") and len(argv) > 2 and argv[1] == "add" and "-g" not in argv:
        return [_pkg_name(w) for w in argv[2:] if not w.startswith("-")]
    return []


def _pkg_name(word: str) -> str:
    if word.startswith("@"):
        scope, _, rest = word[1:].partition("/")
        return "@" + scope + "/" + rest.split("@")[0]
    return word.split("@")[0]
