"""Who owns the app files in the runtime and which folders the app writes to there: the user msb
introduced owns the staged app directories and the state folders the build made (`mkdir -p /data`,
`chmod 777 /var/log/app`), and single-file copies a staged directory already brings are dropped.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts, is_root_user
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.quoting import sh
from msbrewrite.rules.staging_step import WHY
from msbrewrite.support import lazy_re


def owned_by_runtime_user(facts: StageFacts, plan: BuildPlan) -> None:
    """When msb chose the runtime user (the original ran as root, or as an account the runtime does
    not recreate), that user owns the app directories and state paths: the original could write there."""
    owner = _introduced_owner(facts, plan)
    if owner is None:
        return      # root, or the original's own account recreated with its uid: builder ownership is kept
    # paths the start command writes besides the app directory: path -> why
    written = plan.extra.get("written_at_start", {})
    for art in plan.artifacts:
        if (art.why == WHY or art.source in written) and not art.chown:
            art.chown = owner
            if art.source in written:
                plan.decisions.append(f"{art.source} belongs to the runtime user {owner}: {written[art.source]}, "
                                      "as the root original could")


# artifacts a staged app directory already carries when they lie inside it
_REDUNDANT = ("read at run time", "config file named on the command line", "entrypoint script", "app source",
              "extra path from configuration")


def drop_redundant(plan: BuildPlan) -> None:
    """Remove single-file copies that a staged app directory already brings."""
    dirs = plan.extra.get("staged_app_dirs", [])
    plan.artifacts = [art for art in plan.artifacts
                      if not (art.why.startswith(_REDUNDANT) and art.source == art.dest and
                              any(art.source.startswith(d.rstrip("/") + "/") for d in dirs))]


# names of folders an app writes to at run time (logs, uploads, databases)
_STATE_NAME_RE = lazy_re.compile(r"^(data|logs?|uploads?|media|storage|db|database|files|sessions|cache|state|tmp|"
                                 r"backups?|var|run|sqlite|attachments|downloads)$", re.I)
# the builder folder that holds a state folder with a mode of its own, inside its parents
STATE_ROOT = "/tmp/msb-state"
_NOT_STATE = ("/tmp", "/root", "/usr", "/etc", "/proc", "/sys", "/dev", "/bin", "/sbin", "/lib", "/lib64",
              "/var/lib/apt", "/var/lib/dpkg", "/var/cache", "/run", "/opt/venv", "/go", "/usr/local")


def carry_state_dirs(facts: StageFacts, plan: BuildPlan) -> None:
    """Folders the build made for the app to write in (`mkdir -p /data`, `chmod 777 /var/log/app`)
    exist in the runtime too, owned by the user msb introduced (a root original could write them)."""
    made: dict[str, str] = {}
    modes: dict[str, str] = {}          # folder -> the mode a `chmod 700 DIR` gave it
    for c in facts.commands():
        words = [w for w in c.argv[1:] if not w.startswith("-")]
        if c.program == "chmod" and len(words) > 1 and re.fullmatch(r"[0-7]{3,4}", words[0]):
            modes.update({posixpath.normpath(posixpath.join(c.cwd, w)): words[0] for w in words[1:]})
        if c.program == "mkdir":
            for w in c.argv[1:]:
                if not w.startswith("-") and "$" not in w and "*" not in w:
                    path = posixpath.normpath(posixpath.join(c.cwd, w))
                    if _STATE_NAME_RE.match(posixpath.basename(path)):
                        made.setdefault(path, "made by mkdir in the build")
        elif c.program == "chown" or (c.program == "chmod" and _grants_write(c.argv)):
            words = [w for w in c.argv[1:] if not w.startswith("-")][1:]
            for w in words:
                path = posixpath.normpath(posixpath.join(c.cwd, w))
                if "$" not in w and "*" not in w and posixpath.basename(path) and "." not in posixpath.basename(path):
                    made[path] = f"given to the app by {c.program} in the build"
    for path in _empty_workdirs(facts):
        made.setdefault(path, "made by WORKDIR in the build")
    staged = plan.extra.get("staged_app_dirs", [])
    taken = {a.source.rstrip("/") for a in plan.artifacts} | {a.dest.rstrip("/") for a in plan.artifacts}
    owner = _introduced_owner(facts, plan)
    for path, why in sorted(made.items()):
        if path in ("/", "") or any(path == n or path.startswith(n + "/") for n in _NOT_STATE) or \
                any(path == d or path.startswith(d.rstrip("/") + "/") for d in staged) or path in taken or \
                any(t.startswith(path + "/") for t in taken):
            continue
        mode = modes.get(path, "755").lstrip("0") or "0"
        if mode != "755":
            # COPY makes the folder it copies into 755: a private one (chmod 700) travels inside
            # its parent, which keeps its mode, as the staged app folders do
            parent = posixpath.dirname(path)
            wrap = STATE_ROOT + parent.rstrip("/") + "/"
            plan.builder_append.append(f"# {path} keeps its mode {mode} (a COPY of the folder itself would make it 755)\n"
                                       f"RUN mkdir -p {sh(wrap)} && cp -a {sh(path)} {sh(wrap)}")
            if wrap not in plan.produced:
                plan.copy(wrap, parent.rstrip("/") + "/", f"state folder ({why}), mode {mode}").chown = owner
        else:
            plan.copy(path, path, f"state folder ({why})").chown = owner
        plan.decisions.append(f"{path} exists in the runtime too ({why})" +
                              (f", owned by {owner}" if owner else ""))


def _empty_workdirs(facts: StageFacts) -> list[str]:
    """Folders a WORKDIR made that nothing filled (`WORKDIR /data` then `WORKDIR /app`): no COPY
    into them and no RUN in them. The original image has them, empty, for the app to write in; the
    last WORKDIR is the runtime's own."""
    steps = [s.workdir for s in facts.steps if s.ins.keyword == "RUN"]
    copies = [posixpath.normpath(c.dest) for c in facts.copies]
    out = []
    for ins in facts.stage.instructions:
        if ins.keyword != "WORKDIR" or "$" in ins.args:
            continue
        path = posixpath.normpath(ins.args.strip().strip('"'))
        if not path.startswith("/") or path == posixpath.normpath(facts.workdir):
            continue
        inside = lambda p: p == path or p.startswith(path.rstrip("/") + "/")    # noqa: E731
        if not any(inside(p) for p in steps + copies):
            out.append(path)
    return out


def _grants_write(argv: list[str]) -> bool:
    """`chmod 777 DIR`, `chmod -R g+w DIR`: the build opened DIR for writing (not `chmod +x script`)."""
    words = [w for w in argv[1:] if not w.startswith("-")]
    mode = words[0] if words else ""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return any(d in "2367" for d in mode[-2:])
    return "w" in mode


def introduced_owner(facts: StageFacts, plan: BuildPlan) -> str | None:
    """The runtime user msb introduced, as uid:gid or name:name (None: root, or the original's own account)."""
    return _introduced_owner(facts, plan)


def _introduced_owner(facts: StageFacts, plan: BuildPlan) -> str | None:
    user = plan.user
    recreated = facts.user and user == facts.user and plan.extra.get("account_created") != user.split(":")[0]
    if not user or is_root_user(user) or (not is_root_user(facts.user) and recreated):
        return None
    if gives_group_zero(facts):
        # the build gave its files to group 0 (`chgrp -R 0 DIR && chmod -R g=u DIR`) so that any uid run
        # in the root group (OpenShift's arbitrary uid, `docker run -u 1000650000:0`) can write: keep it
        return f"{user.split(':')[0]}:0"
    return user if ":" in user or user.isdigit() else f"{user}:{user}"


def gives_group_zero(facts: StageFacts) -> bool:
    """The build hands files to the root group (`chgrp -R 0`, `chown -R 1001:0`, `chown :root`), the
    convention for images run under an arbitrary uid whose group is 0."""
    for c in facts.commands():
        words = [w for w in c.argv[1:] if not w.startswith("-")]
        if c.program == "chgrp" and words[:1] in (["0"], ["root"]):
            return True
        if c.program == "chown" and words and re.fullmatch(r"[^:.]*[:.](0|root)", words[0]) \
                and words[0].split(":")[0].split(".")[0] not in ("0", "root"):
            return True
    return False
