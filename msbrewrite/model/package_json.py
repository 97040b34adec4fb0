"""Reading a Node project: package.json, lockfiles, packageManager, scripts, image tags.

Pure helpers over text and the build context; both the Node server and the
frontend modules use them.
"""
from __future__ import annotations

import json
import posixpath
import re

from msbrewrite.support import jsonc
from msbrewrite.model.context import Context
from msbrewrite.model.shell import split_commands
from msbrewrite.support.records import field, record

# release codenames used as image tags (node:hydrogen, node:iron-slim ...)
CODENAMES = {"argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14,
             "gallium": 16, "hydrogen": 18, "iron": 20, "jod": 22, "krypton": 24}
# the release `node:lts` points at (the stand-in images and upstream at the time of writing)
LTS_MAJOR = 24
DEBIAN_CODENAMES = ("buster", "bullseye", "bookworm", "trixie", "stretch")
LOCKFILES = {"package-lock.json": "npm", "npm-shrinkwrap.json": "npm", "yarn.lock": "yarn",
             "pnpm-lock.yaml": "pnpm", "bun.lockb": "bun", "bun.lock": "bun"}
MANAGERS = ("npm", "yarn", "pnpm", "bun")


@record
class NodeTag:
    major: int | None       # None: a moving tag (latest, current, alpine, slim)
    alpine: str | None      # "alpine" or "alpine3.19" when the image is Alpine
    debian: str | None      # bookworm, bullseye... when the tag names one
    exact: str | None = None    # 22.20.0 or 24.12 when the tag pins more than the major
    lts: bool = False           # `lts`: a moving tag whose major depends on when it was pulled


def parse_tag(tag: str) -> NodeTag:
    """Node major and OS variant of a node image tag: 20.11-alpine3.19 -> 20, alpine3.19."""
    tag = tag.lower()
    parts = tag.split("-")
    first = parts[0]
    major: int | None = None
    m = re.match(r"v?(\d+)", first)
    if m:
        major = int(m.group(1))
    elif first in CODENAMES:
        major = CODENAMES[first]
    elif first == "lts":
        major = LTS_MAJOR
    alpine = next((p for p in parts if p.startswith("alpine")), None)
    debian = next((p for p in parts if p in DEBIAN_CODENAMES), None)
    exact = m.group(0).lstrip("v") + rest.group(0) if m and (rest := re.match(r"(\.\d+)+", first[m.end():])) \
        else None
    return NodeTag(major, alpine, debian, exact, lts=first == "lts")


def load_json(text: str | None) -> dict:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@record
class Package:
    """What package.json says (an empty Package when it is absent or unreadable)."""
    data: dict = field(default_factory=dict)
    found: bool = False

    @property
    def scripts(self) -> dict[str, str]:
        s = self.data.get("scripts")
        return {k: v for k, v in s.items() if isinstance(v, str)} if isinstance(s, dict) else {}

    def deps(self, kind: str = "dependencies") -> dict:
        d = self.data.get(kind)
        return d if isinstance(d, dict) else {}

    def has(self, name: str) -> bool:
        return name in self.deps() or name in self.deps("devDependencies")

    def is_prod(self, name: str) -> bool:
        return name in self.deps() or name in self.deps("optionalDependencies")

    def is_dev_only(self, name: str) -> bool:
        return name in self.deps("devDependencies") and not self.is_prod(name)

    @property
    def package_manager(self) -> tuple[str, int | None] | None:
        """`packageManager: "pnpm@8.15.0"` -> ("pnpm", 8)."""
        value = self.data.get("packageManager")
        if not isinstance(value, str) or "@" not in value:
            return None
        name, _, version = value.partition("@")
        m = re.match(r"(\d+)", version)
        return (name, int(m.group(1)) if m else None) if name in MANAGERS else None

    @property
    def workspaces(self) -> bool:
        return bool(self.data.get("workspaces"))


def read_package(text: str | None) -> Package:
    data = load_json(text)
    return Package(data, bool(data) or text is not None)


def lockfile_manager(context: Context, root: str) -> str | None:
    for name, manager in LOCKFILES.items():
        if context.exists(posixpath.join(root, name)):
            return manager
    return None


@record
class Script:
    """A package.json script reduced to one command: argv, env prefix and the scripts followed."""
    argv: list[str]
    env: dict[str, str]
    chain: list[str]


def resolve_script(pkg: Package, name: str, extra: list[str] | None = None, depth: int = 0) -> Script | str:
    """Follow `npm run <name>` to the single command it runs; a string says why it cannot."""
    scripts = pkg.scripts
    if depth > 5:
        return "scripts call each other too deeply"
    if name not in scripts:
        return f"package.json has no {name!r} script"
    for hook in (f"pre{name}", f"post{name}"):
        if hook in scripts:
            return f"the {name!r} script has a {hook!r} hook"
    commands = split_commands(scripts[name])
    if len(commands) != 1 or not commands[0].argv:
        return f"the {name!r} script runs more than one command ({scripts[name]})"
    if re.search(r"[<>`$]", scripts[name]):
        return f"the {name!r} script needs a shell ({scripts[name]})"
    c = commands[0]
    argv, env = list(c.argv), dict(c.env)
    if argv[0] == "cross-env":
        argv.pop(0)
        while argv and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0]):
            key, _, value = argv.pop(0).partition("=")
            env[key] = value
        if not argv:
            return f"the {name!r} script is empty after cross-env"
    inner = run_target(argv)
    if inner is not None:
        target, args = inner
        sub = resolve_script(pkg, target, args, depth + 1)
        if isinstance(sub, str):
            return sub
        return Script(sub.argv + list(extra or []), {**env, **sub.env}, [name] + sub.chain)
    return Script(argv + list(extra or []), env, [name])


_YARN_COMMANDS = {"install", "add", "remove", "upgrade", "global", "cache", "config", "exec", "node", "dlx",
                  "workspace", "workspaces", "info", "why", "set", "up", "link", "unlink", "init", "pack",
                  "publish", "audit", "bin", "dedupe", "constraints", "plugin", "version", "i", "ci", "rebuild",
                  "prune", "fetch", "store", "import", "outdated", "list", "ls", "licenses", "login", "logout",
                  "create", "why", "env", "setup"}


def run_target(argv: list[str]) -> tuple[str, list[str]] | None:
    """`npm start`, `npm run x -- a`, `yarn x`, `pnpm run x` -> (script name, extra args)."""
    if len(argv) < 2:
        return None
    prog = posixpath.basename(argv[0])
    rest = [w for w in argv[1:] if w not in ("--silent", "-s", "--if-present")]
    if prog not in MANAGERS or not rest:
        return None
    sub = rest[0]
    if sub in ("start", "test", "stop", "restart"):
        return sub, _after_dashes(rest[1:])
    if sub in ("run", "run-script"):
        return (rest[1], _after_dashes(rest[2:])) if len(rest) > 1 else None
    # `yarn build`, `pnpm dev`: a script name in place of a subcommand
    if prog in ("yarn", "pnpm") and not sub.startswith("-") and sub not in _YARN_COMMANDS:
        return sub, _after_dashes(rest[1:])
    return None


def _after_dashes(words: list[str]) -> list[str]:
    return words[1:] if words[:1] == ["--"] else words


def tsconfig_out_dir(context: Context, root: str) -> tuple[str | None, str | None]:
    """(outDir, rootDir) of tsconfig.json, comments and trailing commas tolerated."""
    text = context.read(posixpath.join(root, "tsconfig.json"))
    data = jsonc.loads(text) if text else None
    opts = data.get("compilerOptions") if isinstance(data, dict) else None
    if not isinstance(opts, dict):
        return None, None

    def norm(key: str) -> str | None:
        value = opts.get(key)
        return posixpath.normpath(value) if isinstance(value, str) and value else None

    return norm("outDir"), norm("rootDir")


NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts")


def next_output(context: Context, root: str) -> str | None:
    """`output: 'standalone'` / 'export' from next.config.*, None when unset or unknown."""
    for name in NEXT_CONFIGS:
        text = context.read(posixpath.join(root, name))
        if text:
            m = re.search(r"""\boutput\s*:\s*['"`](standalone|export)['"`]""", text)
            return m.group(1) if m else None
    return None


def dockerignored(context: Context, rel: str) -> bool:
    """Whether .dockerignore keeps `rel` (a context path) out of the build."""
    return context.ignored(rel)
