"""The builder step that stages an app directory: copy it to `/tmp/msb-runtime/<app dir>` (the heavy
dependency folders left out of the archive), then delete the build-only paths there with one
`find`. Also what that step never reads, so a later clean-up may run before it.
"""
from __future__ import annotations

import posixpath
import shlex

from msbrewrite.rules.app_matching import Rule
from msbrewrite.rules.staging_secrets import CREDENTIALS, Secrets, spared_paths

STAGE_ROOT = "/tmp/msb-runtime"
WHY = "the app directory without build-only files"
# dependency folders never worth staging twice: excluded from the staging archive at the top level
HEAVY = ("./.git", "./node_modules", "./target", "./vendor", "./.venv", "./venv", "./.gradle", "./pkg/mod", "./build")


def stage_step(appdir: str, staging: str, rules: list[Rule], skip: list[str], secrets: Secrets) -> str:
    """The builder step: copy the app directory to `staging`, then delete the build-only paths there."""
    tar_ex, finds = _parts(rules, skip, secrets)
    q_app, q_stage = shlex.quote(appdir), shlex.quote(staging)
    # no pipe and no cd: the step reads the same under hadolint's DL4006 and DL3003
    step = (f"# the runtime's copy of {appdir}: everything but what only the build needs\n"
            f"RUN s={q_stage} && mkdir -p \"$s\" \\\n"
            f"    && tar -C {q_app}{tar_ex} -cf /tmp/msb-runtime.tar . \\\n"
            f"    && tar -C \"$s\" -xf /tmp/msb-runtime.tar && rm /tmp/msb-runtime.tar")
    if finds:
        step += " \\\n    && " + finds
    return step


def stage_loop(appdirs: list[str], rules: list[Rule], skip: list[str], secrets: Secrets) -> str:
    """One builder step for several app directories that leave out the same paths: a loop, so N
    directories cost one layer and one copy of the rules (a step each could pass Docker's layer limit)."""
    tar_ex, finds = _parts(rules, skip, secrets)
    named = ", ".join(appdirs) if len(appdirs) <= 4 else f"{len(appdirs)} app directories ({appdirs[0]}, ...)"
    step = (f"# the runtime's copies of {named}: everything but what only the build needs\n"
            f"RUN set -e; for d in {_words(appdirs)}; do \\\n"
            f"        s={STAGE_ROOT}\"$d\"; mkdir -p \"$s\"; \\\n"
            f"        tar -C \"$d\"{tar_ex} -cf /tmp/msb-runtime.tar .; \\\n"
            f"        tar -C \"$s\" -xf /tmp/msb-runtime.tar; rm /tmp/msb-runtime.tar")
    if finds:
        step += "; \\\n        " + finds
    return step + "; \\\n    done"


def _words(paths: list[str], per_line: int = 8) -> str:
    """Shell words, a few per line: a Dockerfile line over 64 KiB is refused by Docker's parser."""
    words = [shlex.quote(p) for p in paths]
    return " \\\n        ".join(" ".join(words[i:i + per_line]) for i in range(0, len(words), per_line))


def step_key(rules: list[Rule], skip: list[str], secrets: Secrets) -> tuple[str, str]:
    """What a staging step does whatever its directory: directories with the same key share a step."""
    return _parts(rules, skip, secrets)


def _parts(rules: list[Rule], skip: list[str], secrets: Secrets) -> tuple[str, str]:
    """The archive's excludes and the `find` that deletes build-only paths under "$s" (the staged copy)."""
    anchored = [r.pattern for r in rules if r.pattern.startswith("./") and "*" not in r.pattern]
    # an artifact inside a folder a rule removes anyway needs no test of its own
    skip = [s for s in skip if not any(f"./{s}" == p or f"./{s}".startswith(p + "/") for p in anchored)]
    heavy = [r.pattern for r in rules if r.pattern in HEAVY] + [f"./{s}" for s in skip]
    groups: dict[str, list[str]] = {}

    def path_test(pattern: str) -> str:     # anchored at the staged copy ($s), not at a `cd`
        return f'-path "$s"/{shlex.quote(pattern[2:])}'

    for r in rules:
        test = path_test(r.pattern) if r.pattern.startswith("./") else f"-name {shlex.quote(r.pattern)}"
        spared = spared_paths(r, secrets.keep) if r.kind == CREDENTIALS else []
        if spared:
            # a credential file the app reads stays: the name rule skips it (and its folder)
            test = "\\( " + test + "".join(f' ! -path "$s"/{shlex.quote(k)}' for k in spared) + " \\)"
        groups.setdefault(r.kind, []).append(test)
    if skip:
        groups["artifacts (copied on their own)"] = [path_test("./" + s) for s in skip]
    if secrets.drop:
        groups["secret-looking files the app does not read"] = [path_test("./" + d) for d in secrets.drop]
    groups[".env files"] = [secrets.env_test]
    lines = [" -o ".join(tests) for tests in groups.values()]
    tar_ex = "".join(f" --exclude={shlex.quote(p)}" for p in dict.fromkeys(heavy))
    finds = ("find \"$s\" -depth \\( " + " \\\n        -o ".join(lines) + " \\) -exec rm -rf {} +") if lines else ""
    return tar_ex, finds


def excluded(appdir: str, rules: list[Rule], skip: list[str]) -> list[str]:
    """The absolute paths the staging archive leaves out (the step never reads them)."""
    heavy = [r.pattern[2:] for r in rules if r.pattern in HEAVY] + skip
    return [posixpath.join(appdir, p) for p in heavy]
