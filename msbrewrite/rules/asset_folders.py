"""Folders the context walk does not enter (`dist`, `build`, `vendor`, `target`, `.next`, at any depth)
can hold committed assets: `static/dist/bootstrap.css`, `public/vendor/jquery.js`. Their files are
missing from the walk, so the folder that holds them would look empty or build-only.
"""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts
from msbrewrite.rules.app_matching import Rule, build_only


def asset_folders(facts: StageFacts, appdir: str, rules: list[Rule], skip: list[str]) -> list[str]:
    """Top-level folders of the app directory that hold a folder the context walk does not enter
    (`static/dist`, `public/vendor`) with something in it, unless a rule makes it build-only (Go's
    `./vendor`, Java's `./target`): such a folder holds committed assets the app serves, and its files
    are missing from the walk, so without this its parent would look empty."""
    out: list[str] = []
    for rel in asset_paths(facts, appdir, rules, skip):
        head = rel.split("/", 1)[0]
        if head not in out:
            out.append(head)
    return out


def asset_paths(facts: StageFacts, appdir: str, rules: list[Rule], skip: list[str]) -> list[str]:
    """Those unwalked folders themselves, relative to the app directory (`static/dist`)."""
    rel_root = facts.context_path(appdir)
    skipped = getattr(facts.context, "skipped_dirs", None)
    if rel_root is None or skipped is None:
        return []
    from msbrewrite.model.package_json import dockerignored
    base = "" if rel_root in (".", "") else rel_root.rstrip("/") + "/"
    out: list[str] = []
    for d in skipped():
        if not d.startswith(base) or dockerignored(facts.context, d):
            continue
        rel = d[len(base):]
        if build_only(rel + "/-", rules, skip) or not facts.context.listdir(d):
            continue
        out.append(rel)
    return out
