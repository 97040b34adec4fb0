"""The output folder of a frontend build: where the static files are in the builder.

Decided from the folder the original CMD served, the build command's own option (`--outDir`,
`--output-path`...), the framework's config in the context (vite, angular, next, vue, astro,
svelte), CRA's BUILD_PATH or the framework default; when none can tell, a collect step copies
the first candidate folder holding an index.html to a known place.
"""
from __future__ import annotations

import fnmatch
import posixpath
import re

from msbrewrite.model.plan import Refusal
from msbrewrite.model.quoting import sh, sh_glob
from msbrewrite.model.shell import split_words
from msbrewrite.languages.frontend import config as cfg

COLLECT_DIR = "/tmp/site"
# candidate output folders when nothing names the folder (checked in this order)
COLLECT_CANDIDATES = ("dist/index.html", "build/index.html", "out/index.html", "dist/*/browser/index.html",
                      "dist/*/index.html", "www/index.html", "_site/index.html")


class OutputFolder:
    """Output-folder decisions for FrontendPlanner (which holds facts, site, plan)."""

    def output_dir(self) -> str | None:
        """Builder path of the static files, None when only the build itself can tell."""
        site, plan = self.site, self.plan
        if site.served:
            self._served_is_made()
            plan.decisions.append(f"output folder {site.served}: the folder the original CMD served")
            return site.served
        built = self._built()
        if built:
            out, why = built
            plan.decisions.append(f"output folder {out}: {why}")
            return out
        return None

    def _built(self) -> tuple[str, str] | None:
        """(builder path, why) of the folder the build writes, from its command, config or default."""
        facts, site = self.facts, self.site
        cwd = site.project_dir or facts.workdir
        root = site.project.root if site.project else None
        fw = site.framework
        argv = site.build.argv if site.build else []
        named = None
        if argv[:2] == ["ng", "build"]:
            named = _option(argv, "--output-path")
        elif argv[:2] == ["vite", "build"]:
            named = _option(argv, "--outDir")
        elif argv[:2] == ["next", "export"]:
            named = _option(argv, "-o", "--outdir")
        elif argv[:1] in (["gatsby"], ["astro"], ["docusaurus"]):
            named = _option(argv, "--out-dir", "--outDir")
        if named:
            if fw == "angular" and self._angular_modern():
                named = posixpath.join(named, "browser")
            return posixpath.normpath(posixpath.join(cwd, named)), "named on the build command"
        found = self._configured(fw, root) if root is not None else None
        if found:
            out, where = found
            return posixpath.normpath(posixpath.join(cwd, out)), f"from {where}"
        if fw == "cra":
            value = facts.env.get("BUILD_PATH") or (cfg.dotenv_value(facts.context, root, "BUILD_PATH")
                                                     if root is not None else None)
            if value:
                return posixpath.normpath(posixpath.join(cwd, value)), "BUILD_PATH"
        if fw in cfg.DEFAULT_OUT and fw != "angular":
            out = cfg.DEFAULT_OUT[fw]
            return posixpath.normpath(posixpath.join(cwd, out)), f"the {fw} default"
        return None

    def _served_is_made(self) -> None:
        """Refuse when the folder the original CMD served is one the build provably never makes: not
        sent from the context, not the folder the build writes (its command or config names another),
        and no `mv`/`cp`/`mkdir`/`ln`/`rsync` in a RUN or a package.json script names it. The original
        then serves no page, and a copy of that folder would fail the converted build."""
        facts, site = self.facts, self.site
        served = site.served or ""
        built = self._built() if facts.context else None
        if not built or built[1].startswith("the ") or _related(built[0], served):
            return      # no context, only a default, or a folder inside or around the output: may be made
        rel = facts.context_path(served)
        if rel is not None and facts.context.exists(rel) and not facts.context.ignored(rel):
            return
        if any(_names(c.argv, c.cwd, served) for c in facts.commands()):
            return
        cwd = site.project_dir or facts.workdir
        scripts = site.project.scripts if site.project else {}
        for text in scripts.values():
            for part in re.split(r"&&|\|\||;|\|", text):
                if _names(split_words(part), cwd, served):
                    return
        raise Refusal(f"the CMD serves {served}, which the build never makes: it writes {built[0]} ({built[1]}) "
                      f"and no step or package.json script creates {served}, so the original image serves no "
                      f"page; serve {built[0]} in the CMD, then convert", reason="served-folder-not-built")

    def _angular_modern(self) -> bool:
        root = self.site.project.root if self.site.project else None
        if root is None:
            return False
        text = self.facts.context.read(posixpath.join(root, "angular.json")) or ""
        return ":application\"" in text

    def _configured(self, fw: str | None, root: str) -> tuple[str, str] | None:
        ctx = self.facts.context
        if fw == "vite" or fw is None:
            return cfg.vite_out_dir(ctx, root)
        if fw == "angular":
            return cfg.angular_out_dir(ctx, root)
        if fw == "next":
            _, dist, where = cfg.next_export(ctx, root)
            return (dist, where) if dist else None
        if fw == "vue-cli":
            return cfg.simple_out_dir(ctx, root, "vue.config", "outputDir")
        if fw == "astro":
            return cfg.simple_out_dir(ctx, root, "astro.config", "outDir")
        if fw == "sveltekit":
            _, pages = cfg.svelte_adapter(ctx, root)
            return (pages, "svelte.config (adapter-static pages)") if pages else None
        return None

    def collect(self) -> str:
        """Copy the first folder holding an index.html to a known place (the name is not in the Dockerfile)."""
        cwd = self.site.project_dir or self.facts.workdir
        self._refuse_an_empty_site(cwd)
        candidates = " ".join(sh_glob(posixpath.join(cwd, c)) for c in COLLECT_CANDIDATES)
        esc = self.facts.dockerfile.escape
        # the step cannot fail the build: with no index.html, the build log says so
        missing = sh(f"msb: no index.html found in the build output under {cwd}: the site is empty")
        self.plan.builder_append.append(
            "# collect the static site the build produced (its folder is not named in the Dockerfile)\n"
            f"RUN mkdir -p {COLLECT_DIR}; for f in {candidates}; do {esc}\n"
            f"      if [ -f \"$f\" ]; then cp -a \"$(dirname \"$f\")/.\" {COLLECT_DIR}/ && break; fi; {esc}\n"
            f"    done; [ -f {COLLECT_DIR}/index.html ] || echo {missing} >&2")
        self.plan.decisions.append("output folder unknown without the build context: a collect step copies the "
                                   f"first of {', '.join(c.rsplit('/', 1)[0] for c in COLLECT_CANDIDATES)} "
                                   f"holding an index.html to {COLLECT_DIR}")
        self.plan.warnings.append("the output folder is not known before the build: when no candidate holds an "
                                  "index.html, the build log says `msb: no index.html found` and the site is empty "
                                  "(convert with --context to name the folder)")
        return COLLECT_DIR


    def _refuse_an_empty_site(self, cwd: str) -> None:
        """With the context, no build step and no page already in a candidate folder: nothing would
        hold an index.html, and the runtime would serve an empty site (a `hugo server` that renders
        its pages in memory when it starts)."""
        facts = self.facts
        root = facts.context_path(cwd) if facts.context else None
        if root is None or self.site.build is not None or self.site.dev_server:
            return
        prefix = "" if root in ("", ".") else root.rstrip("/") + "/"
        if any(fnmatch.fnmatch(f, prefix + c) for f in facts.context.files() for c in COLLECT_CANDIDATES):
            return
        raise Refusal("no step builds a static site: no build command runs and the context holds no index.html in "
                      f"{', '.join(c.rsplit('/', 1)[0] for c in COLLECT_CANDIDATES)}; the runtime would serve an "
                      "empty site", code=2, reason="nothing-to-build")


_MAKERS = ("mv", "cp", "ln", "mkdir", "rsync", "rename", "tar", "unzip", "git", "npx", "node")


def _related(a: str, b: str) -> bool:
    """The same folder, or one inside the other (`dist/app` holds Angular's `dist/app/browser`)."""
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a.rstrip("/") + "/")


def _names(argv: list[str], cwd: str, folder: str) -> bool:
    """Whether a command that can make a folder (`mv dist build`, `mkdir -p build`) names `folder`."""
    if not argv or posixpath.basename(argv[0]) not in _MAKERS:
        return False
    for word in argv[1:]:
        if word.startswith("-"):
            continue
        path = posixpath.normpath(posixpath.join(cwd, word.rstrip("/")))
        if path == folder or path.startswith(folder + "/"):
            return True
    return False


def _option(argv: list[str], *names: str) -> str | None:
    from msbrewrite.model.shell import option_value
    return option_value(argv, *names)
