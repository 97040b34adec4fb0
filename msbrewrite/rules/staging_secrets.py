"""What the staging step does with secret-looking files in an app directory: which ones the app reads
(kept, and spared by the credential name rules), which go, and which .env files stay as plain
configuration. The rule itself (what looks like a secret, what the app reads) is secret_files'.
"""
from __future__ import annotations

import posixpath
import shlex

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import BuildPlan
from msbrewrite.rules.app_matching import Rule, build_only, matcher, name_matches
from msbrewrite.rules.secret_files import DOTENV, decide, is_dotenv, keeps, record_dropped_dotenv, record_kept
from msbrewrite.support.records import record

CREDENTIALS = "credential files"
ENV_TEST = ("\\( \\( -name .env -o -name '.env.*' \\) ! -name .env.example ! -name .env.sample "
            "! -name .env.template ! -name .env.dist")


@record
class Secrets:
    env_test: str                   # the `find` test that deletes .env files (but those kept)
    keep: list[str]                 # secret-looking files the app reads (relative to the app directory)
    drop: list[str]                 # the others, no name rule removes them
    plain_env: list[str]            # .env files with nothing secret: configuration, kept


def staging_secrets(facts: StageFacts, plan: BuildPlan, appdir: str, files: list[str] | None, rules: list[Rule],
             skip: list[str]) -> Secrets:
    """What the staging step does with secret-looking files (see secret_files for the rule).

    Without the context every .env file is left out (its content is unknown); templates such as
    .env.example stay.
    """
    if files is None:
        return Secrets(ENV_TEST + " \\)", [], [], [])
    root = facts.context_path(appdir) or ""
    others = [r for r in rules if r.kind != CREDENTIALS]
    # what another rule removes anyway (tests, sources) is never the app's
    candidates = [f for f in files if not build_only(f, others, skip)]
    found = decide(facts, candidates, root)
    secret_paths = {s.path for s in found}
    plain = [f for f in candidates if is_dotenv(posixpath.basename(f)) and f not in secret_paths]
    keep, drop = [], []
    line = _copy_line(facts, appdir)
    for s in found:
        where = posixpath.join(appdir, s.path)
        if keeps(facts, s):
            keep.append(s.path)
            record_kept(facts, plan, where, s, line)
            continue
        if s.kept:
            record_dropped_dotenv(plan, where, s)
        if s.kind != DOTENV and not matcher(rules).any(s.path):
            drop.append(s.path)
    kept_env = [k for k in plain + keep if is_dotenv(posixpath.basename(k))]
    env_test = ENV_TEST + "".join(f' ! -path "$s"/{shlex.quote(k)}' for k in kept_env) + " \\)"
    return Secrets(env_test, keep, drop, plain)


def spared_paths(rule: Rule, keep: list[str]) -> list[str]:
    """The kept files (and their folders) a credential name rule would remove."""
    out = []
    for k in keep:
        parts = k.split("/")
        for i in range(len(parts)):
            if name_matches(parts[i], rule.pattern):
                out.append("/".join(parts[:i + 1]))
    return list(dict.fromkeys(out))


def _copy_line(facts: StageFacts, appdir: str) -> int | None:
    """The line of the first COPY from the context into the app directory (where a finding points)."""
    for cp in facts.copies:
        dest = posixpath.normpath(cp.dest)
        if not cp.from_stage and (dest == appdir or dest.startswith(appdir.rstrip("/") + "/")):
            return cp.ins.lineno
    return None
