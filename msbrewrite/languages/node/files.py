"""Which files a Node server's runtime stage gets from the builder.

With the build context: package.json, node_modules and the top-level entries the COPY lines
bring into the app directory (minus tests, docs and tooling), plus the build output. Without
it: the whole app directory, taken from the builder after the prune step.
"""
from __future__ import annotations

import fnmatch
import shlex
import posixpath
import re

from msbrewrite.rules import app_files
from msbrewrite.rules.system_dirs import TOP_SYSTEM
from msbrewrite.rules.app_matching import Rule
from msbrewrite.model.analysis import is_root_user
from msbrewrite.model.plan import Refusal
from msbrewrite.model.package_json import dockerignored, tsconfig_out_dir
from msbrewrite.support import lazy_re

# top-level context entries the running app never reads
NOT_RUNTIME = lazy_re.compile(
    r"^(node_modules|\.git|\.github|\.gitlab|\.gitlab-ci\.ya?ml|\.vscode|\.idea|\.husky|\.circleci|"
    r"tests?|__tests__|spec|e2e|cypress|coverage|docs?|\.nyc_output|"
    r"Dockerfile.*|.*\.Dockerfile|\.dockerignore|docker-compose.*\.ya?ml|compose.*\.ya?ml|"
    r"\.gitignore|\.gitattributes|\.eslintrc.*|\.eslintignore|eslint\.config\..*|\.prettierrc.*|"
    r"\.prettierignore|prettier\.config\..*|\.editorconfig|jest\.config\..*|vitest\.config\..*|"
    r"\.mocharc.*|README.*|CHANGELOG.*|CONTRIBUTING.*|.*\.md|package-lock\.json|npm-shrinkwrap\.json|"
    r"yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|\.nvmrc|\.node-version|\.travis\.yml)$")
TS_SOURCE = lazy_re.compile(r"\.(ts|tsx|mts|cts)$")



class NodeFiles:
    """Copy planning for NodePlanner (which holds facts, plan, pkg, appdir, install_dir...)."""

    def app_items(self) -> set[str]:
        """Top-level names under the app directory that come from the context."""
        facts, items = self.facts, set()
        root = facts.context_path(self.appdir)
        if root is not None:
            for name in facts.context.listdir(root):
                rel = posixpath.normpath(posixpath.join(root, name))
                if not dockerignored(facts.context, rel):
                    items.add(name)
        prefix = self.appdir.rstrip("/") + "/"
        for cp in facts.copies:
            if cp.from_stage:
                continue
            if any(ch in src for src in cp.sources for ch in "*?["):
                items |= self._glob_items(cp)
            for src in cp.sources:
                dest = cp.dest if not cp.dest.endswith("/") and len(cp.sources) == 1 else \
                    posixpath.join(cp.dest, posixpath.basename(src.rstrip("/")))
                dest = posixpath.normpath(dest)
                if dest.startswith(prefix) or self.appdir == "/":
                    first = dest[len(prefix):].split("/")[0] if self.appdir != "/" else dest.strip("/").split("/")[0]
                    rel = facts.context_path(posixpath.join(self.appdir, first))
                    if first and rel is not None and facts.context.exists(rel) and \
                            not dockerignored(facts.context, rel):
                        items.add(first)
        return items

    def _glob_items(self, cp) -> set[str]:
        """`COPY *.js ./` into the app directory: the context files the pattern matches."""
        if posixpath.normpath(cp.dest) != posixpath.normpath(self.appdir):
            return set()
        out = set()
        for src in cp.sources:
            folder, pattern = posixpath.split(src.lstrip("./") if src.startswith("./") else src.lstrip("/"))
            for name in self.facts.context.listdir(folder):
                rel = posixpath.join(folder, name)
                if fnmatch.fnmatchcase(name, pattern) and not dockerignored(self.facts.context, rel):
                    out.add(name)
        return out

    def removed_paths(self) -> set[str]:
        """Paths an `rm -rf` in the build deletes."""
        out = set()
        for c in self.facts.commands():
            if c.program == "rm":
                out |= {posixpath.normpath(posixpath.join(c.cwd, w)) for w in c.argv[1:] if not w.startswith("-")}
        return out

    def moved_modules(self) -> str | None:
        """Where `mv node_modules DEST` put the dependencies: into DEST when it is a folder that
        exists (`../`, a folder above the working directory, a trailing slash), else DEST itself."""
        for c in self.facts.commands():
            words = [w for w in c.argv[1:] if not w.startswith("-")] if c.program == "mv" else []
            if len(words) != 2 or not self.modules_dir or \
                    posixpath.normpath(posixpath.join(c.cwd, words[0])) != self.modules_dir:
                continue
            dest = posixpath.normpath(posixpath.join(c.cwd, words[1]))
            above = dest == "/" or (c.cwd.rstrip("/") + "/").startswith(dest + "/")
            if words[1].endswith("/") or above:
                dest = posixpath.join(dest, "node_modules")
            return dest
        return None

    def plan_copies(self) -> None:
        facts, plan = self.facts, self.plan
        moved = self.moved_modules()
        if moved:
            self.keep_dev = self.keep_dev or f"node_modules is moved to {moved}; pruning it in place is not safe"
            plan.decisions.append(f"node_modules lives at {moved} (moved there by the build)")
        if self.standalone:
            self._copy_standalone()
            return
        if self._stage_app_dirs(moved):
            return
        outputs, known = self.build_outputs()
        precise = bool(facts.context) and self.pkg.found
        why_whole = "" if precise else ("the build context is absent" if not facts.context
                                        else "the image has no package.json to read the app from")
        if precise and self.build_ran() and not known:
            entry_dir = self._entry_top()
            if entry_dir and entry_dir not in self.app_items():
                outputs.add(entry_dir)
            else:
                precise, why_whole = False, "the build's output directory is unknown"
        if self.pkg.data.get("workspaces") and precise:
            precise, why_whole = False, "npm/yarn workspaces link packages across the repository"
        if self.pnp():
            precise, why_whole = False, "Yarn Plug'n'Play keeps dependencies in .yarn/ and .pnp.cjs"
            self.keep_dev = self.keep_dev or "Yarn Plug'n'Play has no node_modules to prune"
        if not precise:
            if self.appdir in ("/", ""):
                hint = "set a WORKDIR" if facts.context else "set a WORKDIR or pass the context"
                raise Refusal("the app is copied into / and " + why_whole +
                              f": cannot tell the app's files from the image's own ({hint})", reason="app-in-root")
            plan.copy(self.appdir, self.appdir, "the app directory (" + why_whole + ")")
            plan.decisions.append(f"{why_whole}: the whole app directory {self.appdir} is copied")
            self._copy_modules_outside(moved)
            return
        items = self.app_items() - self._removed_items()
        items = {n for n in items if not NOT_RUNTIME.match(n) or n == "package.json"}
        src_dir = self._compiled_source(outputs)
        if src_dir:
            items.discard(src_dir)
            if not self.pkg.is_prod("tsconfig-paths"):
                items -= {n for n in items if re.fullmatch(r"tsconfig(\.[\w-]+)?\.json", n)}
            plan.decisions.append(f"{src_dir}/ holds only TypeScript sources compiled into "
                                  f"{', '.join(sorted(outputs))}/: not copied")
        names = sorted((items | outputs) - {"node_modules", "package.json"})
        pkg_json = posixpath.join(self.install_dir or self.appdir, "package.json")
        plan.copy(pkg_json, pkg_json, "package.json (module type, main, metadata)")
        if self.install_dir and not moved:
            plan.copy(self.modules_dir, self.modules_dir, "production dependencies"
                      if not self.keep_dev else "dependencies")
        for name in names:
            path = posixpath.join(self.appdir, name)
            why = "build output" if name in outputs else "read at run time"
            inside = self._into_system_folder(path) if name not in outputs else None
            for one in inside if inside is not None else [path]:
                plan.copy(one, one, why)
        self._copy_modules_outside(moved, skip_inside=True)
        dropped = sorted(n for n in self.app_items() if NOT_RUNTIME.match(n) and n not in ("package.json",
                                                                                              "node_modules"))
        if dropped:
            plan.decisions.append("not copied (not needed at run time): " + ", ".join(dropped))

    def _into_system_folder(self, path: str) -> list[str] | None:
        """The context's files under `path` when the app's folder of that name merges with the base
        image's own (`COPY . /` puts the app's bin/www into the system's /bin): copied one by one,
        since the folder itself holds the base image's programs. None for a folder of the app's own."""
        facts = self.facts
        if posixpath.dirname(path) != "/" or path.strip("/") not in TOP_SYSTEM:
            return None
        root = facts.context_path(path)
        files = facts.context.files() if facts.context and root is not None else []
        prefix = root.rstrip("/") + "/" if root not in ("", ".") else ""
        inside = sorted(posixpath.join(path, f[len(prefix):]) for f in files if f.startswith(prefix)
                        and not dockerignored(facts.context, f))
        self.plan.decisions.append(f"{path} is a folder of the base image: the app's files there are copied one "
                                   f"by one ({', '.join(p[len(path) + 1:] for p in inside[:5]) or 'none'})")
        return inside

    def _shipped_modules(self) -> None:
        """No install in the build: a node_modules the context ships (`COPY node_modules/ node_modules/`,
        or inside `COPY . .`) is the app's dependencies, left out of the staged copy like an
        installed one, so it is copied on its own."""
        facts, plan = self.facts, self.plan
        shipped = posixpath.join(self.appdir, "node_modules")
        rel = facts.context_path(shipped)
        if rel is None:
            return
        named = any(posixpath.basename(posixpath.normpath(src)) == "node_modules"
                    for cp in facts.copies if not cp.from_stage for src in cp.sources)
        ctx = facts.context
        if (named and ctx is None) or (ctx is not None and ctx.is_dir(rel) and not ctx.ignored(rel)):
            plan.copy(shipped, shipped, "dependencies the context ships (the build installs none)")

    def _stage_app_dirs(self, moved: str | None) -> bool:
        """The app directories minus build-only files (app_files), node_modules copied on its own."""
        facts, plan = self.facts, self.plan
        dirs = [d for d in app_files.app_dirs(facts) if not app_files.is_system_dir(d)]
        if not dirs:
            return False
        if self.install_dir and not moved and self.pkg.found and not any(
                self.pkg.data.get(k) for k in ("dependencies", "devDependencies", "optionalDependencies",
                                               "workspaces")):
            plan.decisions.append("package.json lists no dependencies: the install makes no node_modules to copy")
        elif self.install_dir and not moved:
            if not self.pkg.found:
                # the install makes node_modules only when package.json lists dependencies
                plan.builder_append.append("# npm makes node_modules only when package.json lists dependencies; "
                                           "the runtime's COPY needs it\n"
                                           f"RUN mkdir -p {shlex.quote(self.modules_dir)}")
            plan.copy(self.modules_dir, self.modules_dir, "production dependencies"
                      if not self.keep_dev else "dependencies")
        elif not self.install_dir and not moved:
            self._shipped_modules()
        for cwd in dict.fromkeys(c.cwd for c in self.installs):
            # every other install (`cd web && npm ci`) has its own node_modules, left out of the staged copy
            other = posixpath.join(cwd, "node_modules")
            if other != self.modules_dir and other != moved and other not in plan.produced:
                plan.copy(other, other, "dependencies of another install in the build")
        if moved:
            plan.copy(moved, moved, "dependencies (moved out of the app directory by the build)")
        extra = list(app_files.NODE_TOOLING)
        if facts.context and self.pkg.found:
            outputs, _ = self.build_outputs()
            src_dir = self._compiled_source(outputs)
            if src_dir:
                extra.append(Rule(f"./{src_dir}", "TypeScript sources compiled into the build output"))
                plan.decisions.append(f"{src_dir}/ holds only TypeScript sources compiled into "
                                      f"{', '.join(sorted(outputs))}/: not copied")
        staged = app_files.stage(facts, plan, "node", dirs, extra)
        if not staged:
            return False
        if self.install_dir and not any(self.install_dir == d or self.install_dir.startswith(d.rstrip("/") + "/")
                                        for d in staged):
            pkg_json = posixpath.join(self.install_dir, "package.json")
            if pkg_json not in plan.produced:
                plan.copy(pkg_json, pkg_json, "package.json of the installed dependencies")
        return True

    def _copy_modules_outside(self, moved: str | None, skip_inside: bool = False) -> None:
        plan = self.plan
        prefix = self.appdir.rstrip("/") + "/"
        if moved and not moved.startswith(prefix):
            plan.copy(moved, moved, "dependencies (moved out of the app directory by the build)")
        if self.install_dir and not (self.install_dir + "/").startswith(prefix) and self.install_dir != self.appdir:
            pkg_json = posixpath.join(self.install_dir, "package.json")
            if pkg_json not in plan.produced:
                plan.copy(pkg_json, pkg_json, "package.json of the installed dependencies")
            if not moved and self.modules_dir not in plan.produced:
                plan.copy(self.modules_dir, self.modules_dir, "dependencies installed above the app directory")

    def _removed_items(self) -> set[str]:
        prefix = self.appdir.rstrip("/") + "/"
        return {p[len(prefix):] for p in self.removed_paths() if p.startswith(prefix) and "/" not in p[len(prefix):]}

    def _entry_top(self) -> str | None:
        """The top-level name, under the app directory, of the script node starts (not a preload's)."""
        from msbrewrite.languages.node.imports import node_args
        _, script = node_args((self.entry_node or [])[1:])
        if script is None:
            return None
        path = posixpath.normpath(posixpath.join(self.appdir, script))
        prefix = self.appdir.rstrip("/") + "/"
        return path[len(prefix):].split("/")[0] if path.startswith(prefix) else None

    def _compiled_source(self, outputs: set[str]) -> str | None:
        """The TypeScript source dir a tsc/nest build replaces, when it holds nothing else."""
        if not outputs or not any(posixpath.basename(b[0]) in ("tsc", "nest") for b in self.builds):
            return None
        top = self._entry_top()
        if top not in outputs:
            return None
        _, root_dir = tsconfig_out_dir(self.facts.context, self.pkg_root)
        src = (root_dir or "src").split("/")[0]
        files = [f for f in self.facts.context.files() if f.startswith(posixpath.join(self.pkg_root, src) + "/")
                 or (not self.pkg_root and f.startswith(src + "/"))]
        if src in (".", "") or not files or not all(TS_SOURCE.search(f) for f in files):
            return None
        return src

    def _copy_standalone(self) -> None:
        plan, app = self.plan, self.appdir
        plan.copy(posixpath.join(app, ".next/standalone"), app.rstrip("/") + "/", "Next.js standalone server "
                  "(traced dependencies included)")
        plan.copy(posixpath.join(app, ".next/static"), posixpath.join(app, ".next/static"), "Next.js static assets")
        if "public" in self.app_items():
            plan.copy(posixpath.join(app, "public"), posixpath.join(app, "public"), "public files")
        plan.decisions.append("next.config sets output: 'standalone': only .next/standalone, .next/static and "
                              "public are copied (no node_modules)")
        if "HOSTNAME" not in self.facts.env:
            # Docker sets HOSTNAME to the container id; the standalone server would listen on that name only
            plan.runtime_env.append("ENV HOSTNAME=0.0.0.0")
            plan.decisions.append("ENV HOSTNAME=0.0.0.0: the standalone server listens on $HOSTNAME")

    def _chown(self) -> None:
        """Files belong to the runtime user: the original ran as root and could write beside its code."""
        user = self.plan.user
        if not user or is_root_user(user):
            return
        owner = user if ":" in user or user.isdigit() else f"{user}:{user}"
        roots = {self.appdir, self.install_dir or self.appdir, self.moved_modules() or self.appdir}
        for art in self.plan.artifacts:
            if art.why.startswith("corepack"):
                art.chown = art.chown or owner      # corepack writes its last-known versions there
                continue
            if any(art.dest == r or art.dest.startswith(r.rstrip("/") + "/") for r in roots if r != "/") or \
                    "/" in roots and art.why != "entrypoint script":
                art.chown = art.chown or owner
