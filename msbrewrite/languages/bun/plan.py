"""Bun (oven/bun): the user's install and build, then either one `bun build --compile` binary on
distroless, or production dependencies and the app on the slim Bun image.

A compiled binary carries Bun and every imported module, but not files a module finds through
its own location (`import.meta.dir`, `__dirname`), nor native addons: the binary is chosen only
when the start command runs one source file, the context shows neither, and nothing needs a shell.
"""
from __future__ import annotations

import posixpath

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts
from msbrewrite.rules.app_matching import Rule
from msbrewrite.model.bases import DISTROLESS_BASE
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.model.quoting import sh
from msbrewrite.model.shell import Command, split_words, plain_start_argv
from msbrewrite.model.package_json import Package, read_package
from msbrewrite.languages.scripting import program, slim_tag, start_argv
from msbrewrite.languages.bun.detect import NAME, is_bun_image

BINARY_DIR = "/tmp/msb-bun"
ENTRY_EXT = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
# packages with native addons or programs of their own: a single binary cannot carry them
NATIVE = {"sharp", "bcrypt", "better-sqlite3", "canvas", "sqlite3", "argon2", "node-pty", "@prisma/client",
          "prisma", "esbuild", "bufferutil", "utf-8-validate", "re2", "leveldown", "puppeteer", "playwright",
          "@tensorflow/tfjs-node", "onnxruntime-node", "lightningcss", "@swc/core"}
# a module that finds files through its own location, or loads modules by computed names
LOCATION_MARKERS = ("import.meta.dir", "import.meta.path", "import.meta.file", "import.meta.url", "import.meta.require",
                    "__dirname", "__filename", "Bun.main", "require.resolve", "import(", "require(`")
MAX_SOURCES = 200
COMPILED_RULES = [Rule("./node_modules", app_files.DEV_DEPENDENCIES)] + \
    [Rule(p, "sources compiled into the binary") for p in ("*.ts", "*.tsx", "*.mts", "*.cts", "tsconfig.json", "bun.lockb", "bun.lock",
                   "bunfig.toml")]


def _installs(facts: StageFacts) -> list[Command]:
    return [c for c in facts.commands() if c.program == "bun" and c.argv[1:2] in (["install"], ["i"])]


class BunPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "bun.Dockerfile.j2", "")
        self.installs = _installs(facts)
        self.install_dir = self.installs[0].cwd if self.installs else facts.workdir
        self.pkg: Package = read_package(facts.context_file(posixpath.join(self.install_dir, "package.json")))

    # ---------------------------------------------------------------- the start command
    def entry_file(self, argv: list[str]) -> tuple[str, list[str]] | None:
        """(source file, its arguments) when the start command is `bun [run] FILE ...`."""
        if program(argv) != "bun":
            return None
        words = argv[1:]
        if words[:1] == ["run"]:
            words = words[1:]
        if not words or words[0].startswith("-"):
            return None
        if words[0] in self.pkg.scripts:
            script = split_words(self.pkg.scripts[words[0]])
            if program(script) == "bun" and len(script) > 1 and not any(w in ("&&", "|", ";") for w in script):
                found = self.entry_file(script)
                return (found[0], found[1] + words[1:]) if found else None
            return None
        return (words[0], words[1:]) if words[0].endswith(ENTRY_EXT) else None

    def needs_shell(self) -> bool:
        for ins in (self.facts.entrypoint, self.facts.cmd):
            if ins is not None and not ins.is_json and plain_start_argv(ins.args) is None:
                return True
        return False

    def compile_blocker(self, argv: list[str]) -> str | None:
        facts = self.facts
        if self.options.flavour(NAME) not in ("auto", "distroless", "scratch"):
            return f"--runtime {self.options.flavour(NAME)}"
        if self.entry_file(argv) is None:
            return "the start command does not run one source file with bun"
        if not facts.context:
            return "without the build context the sources cannot be checked for files found by location"
        if self.needs_shell() or facts.entrypoint is not None and program(start_argv(facts)) != "bun":
            return "the start command needs a shell or a wrapper"
        native = sorted(n for n in NATIVE if self.pkg.has(n))
        if native:
            return f"{', '.join(native)} load native code a single binary cannot carry"
        if self.pkg.data.get("trustedDependencies"):
            return "trustedDependencies run install scripts (native builds)"
        return self.location_marker()

    def location_marker(self) -> str | None:
        rel_root = self.facts.context_path(self.facts.workdir)
        if rel_root is None:
            return "the app directory does not come from the context"
        prefix = "" if rel_root == "." else rel_root.rstrip("/") + "/"
        sources = [f for f in self.facts.context.files() if f.startswith(prefix) and f.endswith(ENTRY_EXT)
                   and "node_modules/" not in f and not self.facts.context.ignored(f)]
        if len(sources) > MAX_SOURCES:
            return f"more than {MAX_SOURCES} source files"
        for rel in sources:
            text = self.facts.context.read(rel) or ""
            marker = next((m for m in LOCATION_MARKERS if m in text), None)
            if marker:
                return f"{rel} uses {marker}, which points elsewhere inside a compiled binary"
        return None

    # ---------------------------------------------------------------- plans
    def build(self) -> BuildPlan:
        facts, plan = self.facts, self.plan
        runtime.start(facts, plan, {"BUN_INSTALL_CACHE_DIR"})
        if not is_bun_image(facts):
            raise Refusal(f"Bun comes from {facts.image}, not an oven/bun image: its version is unknown, so no "
                          "matching runtime can be chosen (build FROM oven/bun:<version>)",
                          reason="bun-not-from-image")
        argv = start_argv(facts)
        if not argv:
            raise Refusal("no CMD or ENTRYPOINT: the image only starts bun's prompt, so there is no app to start",
                          reason="no-entrypoint")
        blocker = self.compile_blocker(argv)
        if blocker is None:
            self.plan_compiled(argv)
        else:
            self.plan_slim(blocker)
        runtime.finish(facts, plan, self.options, shell_base=self.slim_base())
        return plan

    def slim_base(self) -> str:
        repo = self.facts.image.split("@")[0].rsplit(":", 1)[0] if ":" in self.facts.image.rsplit("/", 1)[-1] \
            else self.facts.image.split("@")[0]
        return f"{repo}:{slim_tag(self.facts.image_tag)}"

    def plan_compiled(self, argv: list[str]) -> None:
        facts, plan = self.facts, self.plan
        source, _ = self.entry_file(argv)
        name = posixpath.splitext(posixpath.basename(source))[0] or "app"
        dest = f"/usr/local/bin/{name}"
        built = posixpath.join(BINARY_DIR, name)
        plan.builder_append.append("# the app and its modules compiled into one binary\n"
                                   f"RUN bun build --compile {sh(source)} --outfile {sh(built)}")
        plan.runtime_base = DISTROLESS_BASE
        plan.copy(built, dest, "the binary `bun build --compile` made")
        plan.extra["compiled"] = True
        plan.decisions.append(f"`bun build --compile {source}`: one binary with Bun and the imported modules, on "
                              "distroless base (it needs glibc only)")
        app_files.stage(facts, plan, NAME, extra=COMPILED_RULES)

        def rewrite(words: list[str]) -> list[str] | None:
            found = self.entry_file(words)
            return [dest, *found[1]] if found else None

        runtime.entry(facts, plan, rewrite)

    def plan_slim(self, blocker: str) -> None:
        facts, plan = self.facts, self.plan
        plan.runtime_base = self.slim_base()
        plan.decisions.append(f"runtime {plan.runtime_base}, no single binary: {blocker}")
        self.prune()
        app_files.stage(facts, plan, NAME)
        runtime.entry(facts, plan, lambda argv: None)

    def prune(self) -> None:
        facts, plan = self.facts, self.plan
        if not self.installs:
            return
        if any("--production" in c.argv or "-p" in c.argv or c.env.get("NODE_ENV") == "production"
               for c in self.installs) or facts.env.get("NODE_ENV") == "production":
            plan.decisions.append("the install already leaves devDependencies out: no prune step")
            return
        words = start_argv(facts)
        script_words = [w for name in words if name in self.pkg.scripts for w in split_words(self.pkg.scripts[name])]
        used = sorted(set(self.pkg.deps("devDependencies")) & set(words + script_words))
        if used:
            plan.warnings.append(f"devDependencies kept: the start command runs {', '.join(used)}")
            return
        frozen = " --frozen-lockfile" if any(n in facts.copied_names() or facts.context.exists(n)
                                            for n in ("bun.lockb", "bun.lock")) else ""
        where = f"cd {sh(self.install_dir)} && " if self.install_dir != facts.workdir else ""
        # `bun install --production` over a full install keeps the devDependencies: start afresh
        # (from bun's cache, which the first install filled)
        plan.builder_append.append("# production dependencies only, after the build\n"
                                   f"RUN {where}rm -rf node_modules && bun install --production{frozen}")
        plan.decisions.append("node_modules reinstalled with `bun install --production` after the build: the "
                              "runtime gets production dependencies only")


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return BunPlanner(facts, options).build()
