"""`msb verify` when the conversion replaced a front-end dev server (Vite, Angular CLI, Create React
App, Parcel, webpack-dev-server, Next dev) with a production build: the two images are compared as
a browser sees them. The same routes answer, every script and stylesheet the converted pages load
answers with a JavaScript or CSS type, the same static files answer; the dev server's internals
(`/@vite/client`, `/src/main.tsx`, HMR endpoints, its unbundled scripts) are expected differences.
Pure: the fetching happens in msbrewrite.verify.probe."""
from __future__ import annotations

import json
import os
import re

from msbrewrite.verify.crawl import Fetch, compare, same_origin_path
from msbrewrite.verify.oracle import Difference, Probe, fetch_view, original_fails
from msbrewrite.verify.probe import ServerRun
from msbrewrite.support import lazy_re

_RUNNERS = ("npm", "yarn", "pnpm", "bun")
_SCRIPT_VERBS = ("run", "run-script")


def read_scripts(context: str) -> dict[str, str]:
    """package.json's scripts in the build context (empty when there is none)."""
    try:
        with open(os.path.join(context, "package.json"), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    scripts = data.get("scripts") if isinstance(data, dict) else None
    return {k: v for k, v in (scripts or {}).items() if isinstance(k, str) and isinstance(v, str)}


def resolve_command(words: list[str], scripts: dict[str, str], depth: int = 3) -> list[str]:
    """The command words with `npm run dev`, `yarn dev`, `npm start` replaced by the script they run."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if os.path.basename(w) in _RUNNERS and i + 1 < len(words) and depth > 0:
            j = i + 1
            if words[j] in _SCRIPT_VERBS and j + 1 < len(words):
                j += 1
            name = words[j]
            if name in scripts:
                out += resolve_command(scripts[name].split(), scripts, depth - 1)
                i = j + 1
                continue
        out.append(w)
        i += 1
    return out


def dev_server(words: list[str], scripts: dict[str, str]) -> str | None:
    """The dev server a command runs, by name, or None."""
    ws = [os.path.basename(w) for w in resolve_command(words, scripts)]
    for i, w in enumerate(ws):
        rest = ws[i + 1:]
        if w == "vite":
            if "build" in rest[:1]:
                return None
            return "vite preview" if "preview" in rest[:1] else "Vite"
        if w == "ng" and "serve" in rest[:1]:
            return "Angular CLI (ng serve)"
        if w == "react-scripts" and "start" in rest[:1]:
            return "Create React App (react-scripts start)"
        if w == "parcel" and not {"build", "watch"} & set(rest[:1]):
            return "Parcel"
        if w == "webpack-dev-server" or (w in ("webpack", "webpack-cli") and "serve" in rest[:1]):
            return "webpack-dev-server"
        if w == "next" and "dev" in rest[:1]:
            return "Next dev"
        if w == "vue-cli-service" and "serve" in rest[:1]:
            return "Vue CLI (vue-cli-service serve)"
    return None


def dev_switch(original_words: list[str], converted_words: list[str], scripts: dict[str, str]) -> str | None:
    """The dev server the original ran when the converted image runs none (a production build)."""
    before = dev_server(original_words, scripts)
    if before and not dev_server(converted_words, scripts):
        return before
    return None


_DEV_PATH = lazy_re.compile(
    r"^/(?:@vite/|@fs/|@id/|@react-refresh|__vite_ping|node_modules/|src/|__webpack_dev_server__|sockjs-node|"
    r"webpack-dev-server|_next/webpack-hmr|_next/static/development/|__nextjs|__parcel|__open-in-editor|"
    r"ng-cli-ws|ws$|hmr|__webpack_hmr)"
    r"|\.hot-update\.(?:js|json)$")


def is_dev_path(path: str) -> bool:
    """A path only a dev server answers: its client, module graph, sources and HMR endpoints."""
    return bool(_DEV_PATH.search(path.split("?")[0]))


_TAG = lazy_re.compile(r"<(script|link)\b([^>]*)>", re.I)
_TAG_ATTR = lazy_re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")


def page_assets(path: str, html: str) -> list[tuple[str, str]]:
    """(script | style, path) of the same-origin scripts and stylesheets an HTML page loads."""
    out = []
    for tag, attrs in _TAG.findall(html or ""):
        values = {m[0].lower(): m[1] or m[2] or m[3] for m in _TAG_ATTR.findall(attrs)}
        if tag.lower() == "script" and values.get("src"):
            kind, link = "script", values["src"]
        elif tag.lower() == "link" and values.get("href") and {"stylesheet", "modulepreload"} & set(
                values.get("rel", "").lower().split()):
            kind = "style" if "stylesheet" in values["rel"].lower() else "script"
            link = values["href"]
        else:
            continue
        target = same_origin_path(path, link)
        if target and (kind, target) not in out:
            out.append((kind, target))
    return out


def _assets(run: ServerRun) -> dict[str, tuple[str, str]]:
    """asset path -> (kind, the page that loads it), over every HTML page the run fetched."""
    out: dict[str, tuple[str, str]] = {}
    for path, f in run.fetches.items():
        if f.body is not None and "html" in f.content_type.lower() and 200 <= f.status < 300:
            for kind, asset in page_assets(path, f.body):
                out.setdefault(asset, (kind, path))
    return out


def asset_problem(kind: str, f: Fetch) -> str | None:
    """Why a script or stylesheet would not load in a browser, or None."""
    if not 200 <= f.status < 300:
        return f"status {f.status or 'no answer'}"
    ct = f.content_type.split(";")[0].strip().lower()
    wanted = "javascript" if kind == "script" else "text/css"
    if wanted not in ct and not (kind == "script" and ct in ("application/ecmascript", "text/ecmascript")):
        return f"content type {ct or 'none'}, a browser needs {'JavaScript' if kind == 'script' else 'CSS'}"
    return None


def _is_page(f: Fetch | None) -> bool:
    return f is not None and "html" in f.content_type.lower()


def devswitch_probes(original: ServerRun, converted: ServerRun, server: str
                     ) -> tuple[list[Probe], list[Difference], list[Difference]]:
    """(probes, differences, expected differences) of a dev server replaced by a production build."""
    before_assets, after_assets = _assets(original), _assets(converted)
    probes, diffs, expected = [], [], []
    order = list(original.found_by or original.fetches)
    order += [p for p in converted.fetches if p not in order]
    for path in order:
        b, a = original.fetches.get(path), converted.fetches.get(path)
        how = original.found_by.get(path) or converted.found_by.get(path, "")
        outcome = "same"
        if is_dev_path(path) or (path in before_assets and path not in after_assets):
            outcome = "expected (dev server only)"
            expected.append(Difference("dev", f"GET {path}: served by the {server} dev server only", [f"found by: {how}"]))
        elif path in after_assets:
            kind, page = after_assets[path]
            why = asset_problem(kind, a) if a is not None else None
            if why and b is not None and asset_problem(kind, b):
                why = None   # the original's page names it too and it did not load there either
                outcome = "original fails"
            else:
                outcome = "not compared" if a is None else "differs" if why else "same"
            if why:
                diffs.append(Difference("bundle", f"GET {path}: {why}; {page} loads it as a "
                                                  f"{'script' if kind == 'script' else 'stylesheet'}",
                                        [f"found by: {converted.found_by.get(path) or how}"]))
        elif a is None or b is None:
            outcome = "not compared"
        elif original_fails(b):
            outcome = "original fails"
        elif _is_page(b) and _is_page(a) and b.status == a.status:
            outcome = "same"     # the page's markup differs by nature: its scripts are judged above
        else:
            why = compare(path, b, a)
            if why:
                outcome = "differs"
                diffs.append(Difference("http", f"GET {path}: {why}", [f"found by: {how}"]))
        probes.append(Probe(path, how, fetch_view(b), fetch_view(a), outcome))
    return probes, diffs, expected


def browser_paths(original: ServerRun) -> list[str]:
    """What the converted image is asked for first: the original's paths without the dev server's
    internals and its unbundled scripts (the converted pages' own assets are crawled from them)."""
    dev_assets = _assets(original)
    return [p for p in (original.found_by or original.fetches) if not is_dev_path(p) and p not in dev_assets]
