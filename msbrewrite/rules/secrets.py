"""Build-time secrets never reach the runtime stage; the report says where the original leaked them."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.dockerfile import parse_key_values, referenced_vars
from msbrewrite.model.plan import KEPT, BuildPlan
from msbrewrite.model.quoting import env_subset
from msbrewrite.rules.secret_values import SECRET_RE, has_url_password, secret_value_kind
from msbrewrite.support import lazy_re
from msbrewrite.rules.secret_files import Secret, decide, keeps, record_kept



def _env_args(line: str, escape: str) -> str:
    """The arguments of a runtime ENV line (continuations joined with the file's escape character)."""
    from msbrewrite.model.dockerfile import parse
    return parse(f"# escape={escape}\n{line}\n").instructions[0].args


def is_secret_path(path: str) -> bool:
    """A secret-looking file by its name alone (a .env file counts: its content is not known)."""
    from msbrewrite.rules.secret_files import classify
    return classify(path.rstrip("/"), lambda: None) is not None


def guard_secrets(facts: StageFacts, plan: BuildPlan) -> None:
    """Keep build-time secrets out of the runtime stage, and say where the original leaked them.

    Runs on every finished plan: language planners choose artifacts and environment, this pass
    drops credential files, secret-looking variables and secret build arguments they may have
    carried along.
    """
    _guard_artifacts(facts, plan)
    for line in list(plan.runtime_env):
        args = _env_args(line, facts.dockerfile.escape)
        pairs = parse_key_values(args)
        keys = [k for k, _ in pairs]
        refs = referenced_vars(line)
        leaked = [k for k, v in pairs if env_pair_secret(k, v) is not None]
        used = sorted(r for r in refs if SECRET_RE.search(r) and r not in leaked)
        labels = [k + (env_pair_secret(k, v) or "") for k, v in pairs if k in leaked]
        if used and not leaked:
            leaked = labels = [f"{', '.join(keys) or 'value'} (uses {', '.join(used)})"]
        clean = [(k, v) for k, v in pairs if k not in leaked and not any(
            SECRET_RE.search(r) for r in referenced_vars(v))]
        if leaked and clean and len(clean) < len(pairs):
            # the other variables of the line still reach the runtime
            at = plan.runtime_env.index(line)
            plan.runtime_env[at] = env_subset(args, facts.dockerfile.escape, {k for k, _ in clean})
            plan.warnings.append(f"ENV {', '.join(dict.fromkeys(labels))} looks like a secret: "
                                 "not carried to the runtime stage (pass it at run time)")
        elif leaked:
            plan.runtime_env.remove(line)
            for ins in facts.stage.instructions:
                if ins.keyword == "ENV" and ins.raw.rstrip("\r\n") == line:
                    plan.fate(ins, KEPT, "build-time only (secret not carried)")
            plan.warnings.append(f"ENV {', '.join(dict.fromkeys(labels))} looks like a secret: "
                                 "not carried to the runtime stage (pass it at run time)" + read_by_app(facts, leaked))
    for line in list(plan.runtime_args):
        name, _, value = line[4:].partition("=")
        if env_secret_reason(name.strip(), value) is not None:
            plan.runtime_args.remove(line)
    _guard_labels(facts, plan)
    for line in plan.runtime_meta:
        used = sorted(r for r in referenced_vars(line) if SECRET_RE.search(r))
        if used:
            plan.warnings.append(f"{line.split(None, 1)[0]} uses {', '.join(used)}, which looks like a secret: "
                                 "it is not passed to the runtime stage and expands to nothing there")
    for cp in facts.copies:
        if cp.from_stage:
            continue
        named = [s.path for s in decide(facts, [s for s in cp.sources if s.strip("./")], "" if facts.context else None)
                 if not keeps(facts, s)]
        if named:
            plan.warnings.append(f"line {cp.ins.lineno}: the original image contains {', '.join(named)} "
                                 "(a credential file); the runtime stage does not copy it")
    _warn_context_secrets(facts, plan)
    _guard_written(facts, plan)


# source files whose text names the variables an app reads from its environment
_CODE = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".svelte", ".vue", ".go", ".rs", ".java", ".kt",
         ".rb", ".php", ".sh")
_MAX_SCANNED = 2000
# folders a build or a framework writes: a type declaration there names a variable without reading it
_GENERATED = lazy_re.compile(r"(^|/)(node_modules|\.svelte-kit|\.next|\.nuxt|\.output|dist|build|out)/")


def read_by_app(facts: StageFacts, names: list[str]) -> str:
    """`; the app reads TOKEN at run time (src/api.ts:12): ...` when the context's code names one of
    the dropped variables: the deployment must now pass it, where the image used to carry it."""
    ctx = facts.context
    wanted = [n for n in names if re.fullmatch(r"\w+", n)]
    if not ctx or not wanted:
        return ""
    rx = re.compile(r"\b(" + "|".join(map(re.escape, wanted)) + r")\b")
    scanned = 0
    for rel in ctx.files():
        if not rel.endswith(_CODE) or rel.endswith(".d.ts") or _GENERATED.search(rel):
            continue
        scanned += 1
        if scanned > _MAX_SCANNED:
            break
        text = ctx.read(rel) or ""
        m = rx.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            return (f"; the app reads {m.group(1)} at run time ({rel}:{line}): the converted image needs it "
                    f"from `docker run -e {m.group(1)}`, compose `environment:` or a secret")
    return ""


def env_pair_secret(name: str, value: str) -> str | None:
    """env_secret_reason for a variable an ENV line sets: an empty value (`ENV TOKEN ""`) is a
    default the app reads, with nothing in it to leak, so it stays in the runtime."""
    if not value.strip().strip("\"'"):
        return None
    return env_secret_reason(name, value)


def env_secret_reason(name: str, value: str) -> str | None:
    """Why a variable must not reach the runtime: "" for its name or a password in a URL,
    " (a GitHub token)" for a value of a known token format; None when it looks harmless."""
    if SECRET_RE.search(name) or has_url_password(value):
        return ""
    kind = secret_value_kind(value)
    return f" (its value looks like {kind})" if kind else None


def _guard_labels(facts: StageFacts, plan: BuildPlan) -> None:
    """A LABEL is public metadata (`docker inspect`, the registry): one whose name or value looks like
    a secret follows the ENV rule. It stays in the builder, as written, and the runtime stage carries
    the other labels of the line."""
    from msbrewrite.model.dockerfile import assignment_words
    from msbrewrite.model.plan import KEPT_AND_COPIED
    escape = facts.dockerfile.escape
    for ins in facts.stage.instructions:
        if ins.keyword != "LABEL":
            continue
        pairs = parse_key_values(ins.args)
        secret = [i for i, (k, v) in enumerate(pairs) if v and env_secret_reason(k, v) is not None]
        if not secret:
            continue
        # looked up only for a secret-looking label: a scan per LABEL made many labels cost quadratic time
        entry = next((m for m in plan.runtime_meta if m.endswith(ins.raw.rstrip("\r\n"))), None)
        if entry is None:
            continue
        labels = [pairs[i][0] + (env_secret_reason(*pairs[i]) or "") for i in secret]
        raw = assignment_words(ins.args, escape)
        at = plan.runtime_meta.index(entry)
        if raw is not None and len(raw) == len(pairs) and len(secret) < len(pairs):
            kept = " ".join(f"{k}={w}" for i, (k, w) in enumerate(raw) if i not in secret)
            plan.runtime_meta[at] = entry[:len(entry) - len(ins.raw.rstrip("\r\n"))] + "LABEL " + kept
            plan.fate(ins, KEPT_AND_COPIED, f"the runtime stage gets the other labels; {', '.join(labels)} "
                      "stays in the builder (secret-looking)")
        else:
            del plan.runtime_meta[at]
            plan.fate(ins, KEPT, "secret-looking label: stays in the builder, not in the runtime image")
        plan.builder_drop.discard(ins.index)
        plan.warnings.append(f"line {ins.lineno}: LABEL {', '.join(labels)} looks like a secret; the original "
                             "image published it to anyone who can pull or inspect it, the runtime stage does not "
                             "carry it (labels are public: keep secrets out of them)")


def _guard_artifacts(facts: StageFacts, plan: BuildPlan) -> None:
    """A secret-looking file a planner copies stays only when the app reads it (then warned)."""
    for art in list(plan.artifacts):
        secret = _artifact_secret(facts, art)
        if secret is None:
            continue
        if keeps(facts, secret):
            record_kept(facts, plan, art.dest, secret)
            continue
        plan.artifacts.remove(art)
        if not any(a.source == art.source for a in plan.artifacts):
            plan.produced.discard(art.source)
        plan.warnings.append(f"{art.source} is a credential file: not copied to the runtime stage "
                             "(provide it at run time if the app needs it)")


def _artifact_secret(facts: StageFacts, art) -> Secret | None:
    for path in (art.source, art.dest):
        rel = facts.context_path(path) if facts.context else None
        found = decide(facts, [rel or path.rstrip("/")], "" if rel else None)
        if found:
            return found[0]
    return None


def _guard_written(facts: StageFacts, plan: BuildPlan) -> None:
    """A credential the build wrote into a file (a clone's .git/config, ~/.gitconfig) stays in
    the builder: the builder deletes it from what the runtime copies, after every other step."""
    from msbrewrite.rules.staging_step import STAGE_ROOT
    from msbrewrite.rules.created_files import written_secrets
    doomed: list[str] = []
    for path, line, what in written_secrets(facts):
        carried = []
        for art in plan.artifacts:
            for builder_path in (path, STAGE_ROOT + path):
                src = art.source.rstrip("/")
                if builder_path == src or builder_path.startswith(src + "/"):
                    carried.append(builder_path)
        if not carried:
            plan.decisions.append(f"line {line}: {what} leaves the token in {path}; the runtime stage does not copy it")
            continue
        doomed += carried
        plan.warnings.append(f"line {line}: {what} leaves the token in {path}, which the original image shipped; "
                             "the builder deletes it before the runtime stage copies the folder")
    if doomed:
        from msbrewrite.model.quoting import sh
        plan.builder_append.append("# credentials the build wrote stay out of the runtime stage\n"
                                   "RUN rm -rf " + " ".join(sh(p) for p in dict.fromkeys(doomed)))


def _warn_context_secrets(facts: StageFacts, plan: BuildPlan) -> None:
    """A `COPY . ...` sends every context file not in .dockerignore: name the credential files."""
    if not facts.context:
        return
    whole = [cp for cp in facts.copies if not cp.from_stage and any(s.strip("./") == "" for s in cp.sources)]
    if not whole:
        return
    sent = [f for f in facts.context.files() if not facts.context.ignored(f)]
    # what drop-dotenv leaves out although the app reads it has a warning of its own
    found = [s.path for s in decide(facts, sent, "") if not s.kept]
    if not found:
        return
    names = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    line = whole[0].ins.lineno
    plan.warnings.append(f"line {line}: COPY of the whole context put {names} into the original image; "
                         "the app does not read them, so the runtime stage leaves them out: add them to .dockerignore")
    inside = [posixpath.join(cp.dest, f) for cp in whole for f in found]
    carried = [a.source for a in plan.artifacts
               if any(path == a.source or path.startswith(a.source.rstrip("/") + "/") for path in inside)]
    if carried:
        plan.warnings.append(f"the runtime stage copies {carried[0]}, which still holds {names}: "
                             "add them to .dockerignore")
