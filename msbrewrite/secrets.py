"""Build-time secrets never reach the runtime stage; the report says where the original leaked them."""
from __future__ import annotations

import posixpath
import re

from .analysis import StageFacts
from .dockerfile import parse_key_values, referenced_vars
from .plan import KEPT, BuildPlan
from .quoting import env_subset

# "auth" and "pass" only as whole name parts: NPM_AUTH, AUTH_TOKEN, DB_PASS, but not AUTHOR,
# OAUTH_CALLBACK_URL or BYPASS_CACHE; "pwd" only as a suffix part (MYSQL_PWD), since PWD alone is the
# shell's working directory
SECRET_RE = re.compile(r"(?i)(token|secret|passw(or)?d|passphrase|api[_-]?key|private[_-]?key|credential"
                       r"|(?<![a-z0-9])auth(?![a-z0-9])|(?<![a-z0-9])pass(?![a-z0-9])|(?<=[_-])pwd(?![a-z0-9]))")
# a URL that carries a password: postgres://user:secret@db/app (DATABASE_URL, REDIS_URL, ...)
URL_PASSWORD_RE = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@")

# credential files by name; templates such as .env.example hold no secret and may be needed
SECRET_FILE_RE = re.compile(
    r"(?:^|/)(?:\.npmrc|\.netrc|\.pypirc|\.git-credentials|\.env(?:\.(?!example\b|sample\b|template\b|dist\b)[^/]+)?"
    r"|id_(?:rsa|dsa|ecdsa|ed25519)|\.ssh(?=/|$))(?:/|$)")


def _env_args(line: str, escape: str) -> str:
    """The arguments of a runtime ENV line (continuations joined with the file's escape character)."""
    from .dockerfile import parse
    return parse(f"# escape={escape}\n{line}\n").instructions[0].args


def has_url_password(value: str) -> bool:
    return bool(URL_PASSWORD_RE.search(value))


def is_secret_path(path: str) -> bool:
    return bool(SECRET_FILE_RE.search(path.rstrip("/")))


def guard_secrets(facts: StageFacts, plan: BuildPlan) -> None:
    """Keep build-time secrets out of the runtime stage, and say where the original leaked them.

    Runs on every finished plan: language planners choose artifacts and environment, this pass
    drops credential files, secret-looking variables and secret build arguments they may have
    carried along.
    """
    for art in list(plan.artifacts):
        if is_secret_path(art.source) or is_secret_path(art.dest):
            plan.artifacts.remove(art)
            if not any(a.source == art.source for a in plan.artifacts):
                plan.produced.discard(art.source)
            plan.warnings.append(f"{art.source} is a credential file: not copied to the runtime stage "
                                 "(provide it at run time if the app needs it)")
    for line in list(plan.runtime_env):
        args = _env_args(line, facts.dockerfile.escape)
        pairs = parse_key_values(args)
        keys = [k for k, _ in pairs]
        refs = referenced_vars(line)
        leaked = [k for k, v in pairs if SECRET_RE.search(k) or has_url_password(v)]
        used = sorted(r for r in refs if SECRET_RE.search(r) and r not in leaked)
        if used and not leaked:
            leaked = [f"{', '.join(keys) or 'value'} (uses {', '.join(used)})"]
        clean = [(k, v) for k, v in pairs if k not in leaked and not any(
            SECRET_RE.search(r) for r in referenced_vars(v))]
        if leaked and clean and len(clean) < len(pairs):
            # the other variables of the line still reach the runtime
            at = plan.runtime_env.index(line)
            plan.runtime_env[at] = env_subset(args, facts.dockerfile.escape, {k for k, _ in clean})
            plan.warnings.append(f"ENV {', '.join(dict.fromkeys(leaked))} looks like a secret: "
                                 "not carried to the runtime stage (pass it at run time)")
        elif leaked:
            plan.runtime_env.remove(line)
            for ins in facts.stage.instructions:
                if ins.keyword == "ENV" and ins.raw.rstrip("\r\n") == line:
                    plan.fate(ins, KEPT, "build-time only (secret not carried)")
            plan.warnings.append(f"ENV {', '.join(dict.fromkeys(leaked))} looks like a secret: "
                                 "not carried to the runtime stage (pass it at run time)")
    for line in list(plan.runtime_args):
        name = line[4:].split("=", 1)[0].strip()
        if SECRET_RE.search(name):
            plan.runtime_args.remove(line)
    for line in plan.runtime_meta:
        used = sorted(r for r in referenced_vars(line) if SECRET_RE.search(r))
        if used:
            plan.warnings.append(f"{line.split(None, 1)[0]} uses {', '.join(used)}, which looks like a secret: "
                                 "it is not passed to the runtime stage and expands to nothing there")
    for cp in facts.copies:
        if cp.from_stage:
            continue
        named = [s for s in cp.sources if is_secret_path(s)]
        if named:
            plan.warnings.append(f"line {cp.ins.lineno}: the original image contains {', '.join(named)} "
                                 "(a credential file); the runtime stage does not copy it")
    _warn_context_secrets(facts, plan)


def _warn_context_secrets(facts: StageFacts, plan: BuildPlan) -> None:
    """A `COPY . ...` sends every context file not in .dockerignore: name the credential files."""
    if not facts.context:
        return
    whole = [cp for cp in facts.copies if not cp.from_stage and any(s.strip("./") == "" for s in cp.sources)]
    if not whole:
        return
    ignored = [p.strip().lstrip("/") for p in (facts.context.read(".dockerignore") or "").splitlines()
               if p.strip() and not p.startswith("#") and not p.startswith("!")]
    found = [f for f in facts.context.files()
             if is_secret_path(f) and not any(_ignores(p, f) for p in ignored)]
    if not found:
        return
    names = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    line = whole[0].ins.lineno
    plan.warnings.append(f"line {line}: COPY of the whole context put {names} into the original image; "
                         "add them to .dockerignore")
    inside = [posixpath.join(cp.dest, f) for cp in whole for f in found]
    carried = [a.source for a in plan.artifacts
               if any(path == a.source or path.startswith(a.source.rstrip("/") + "/") for path in inside)]
    if carried:
        plan.warnings.append(f"the runtime stage copies {carried[0]}, which still holds {names}: "
                             "add them to .dockerignore")


def _ignores(pattern: str, path: str) -> bool:
    import fnmatch
    pattern = pattern.rstrip("/")
    if pattern.startswith("**/"):
        pattern = pattern[3:]
    return (fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(posixpath.basename(path), pattern)
            or path.startswith(pattern + "/"))
