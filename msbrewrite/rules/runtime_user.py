"""Who the runtime stage runs as.

Users msb introduces are numeric (USER 65532:65532, 10001:10001): Kubernetes' runAsNonRoot can
only verify a numeric user. A user the original named keeps its name, and when the original
created that account itself, the runtime replays the same commands so that its uid and gid match
the owner of any file made in the builder (COPY --from keeps numeric ownership).
"""
from __future__ import annotations

import re
import shlex

import posixpath

from msbrewrite.model.analysis import StageFacts, command_argv, is_root_user
from msbrewrite.model.bases import Base, image_parts
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.quoting import sh
from msbrewrite.model.shell import shell_script, split_commands
from msbrewrite.rules.start_ports import start_ports
from msbrewrite.support import lazy_re

PRIVILEGED_PORT = 1024
EXISTING_USERS = {"nobody", "www-data", "daemon"}
APP_USER, APP_ID = "app", "10001"
# account tools by package family: BusyBox has adduser/addgroup, Debian's slim images useradd/groupadd
_ACCOUNT_TOOLS = {"apt": {"useradd", "groupadd"}, "apk": {"adduser", "addgroup"}}


def choose_user(facts: StageFacts, plan: BuildPlan, options: Options, base: Base, ports: list[int]) -> None:
    want = options.user
    original = facts.user
    if want == "root" or (want is None and is_root_user(original)):
        plan.user = None if original is None else original
        plan.decisions.append("runtime runs as root, as the original did")
        return
    if want is None and (original is None or is_root_user(original)):
        where, tool = _start_that_switches_user(facts)
        if where:
            plan.user = original
            plan.decisions.append(f"runtime runs as root, as the original did: {where} needs it (it runs `{tool}` "
                                  "to switch to another account before the app starts)")
            # the accounts the build made are the ones the script can switch to
            replay = _original_account_commands(facts, base, None)
            if replay:
                plan.runtime_setup.append("RUN " + " \\\n    && ".join(replay))
                plan.decisions.append("the original's accounts are created in the runtime too, with its own commands")
            return
    if want is None and (original is None or is_root_user(original)):
        started = _root_daemon_started(facts)
        if started:
            plan.user = original
            plan.decisions.append(f"runtime runs as root, as the original did: {started}")
            return
    if want is None and original is None and any(p < PRIVILEGED_PORT for p in ports):
        plan.decisions.append(f"runtime runs as root: the original exposes port {min(ports)} and set no USER")
        return
    bound = [p for p in start_ports(facts, _start_script(facts)[1]) if p < PRIVILEGED_PORT] \
        if want is None and original is None else []
    if bound:
        plan.decisions.append(f"runtime runs as root: the app binds port {bound[0]} (its start command or "
                              "ENV PORT), below 1024, and the original set no USER")
        return
    if want in (None, "nonroot") and original is None and _kept_as_root(facts, plan, want):
        return
    if want and want not in ("nonroot",):
        plan.user = want
        return
    if original and re.fullmatch(r"\d+(:\d+)?", original):
        plan.user = original
        plan.decisions.append(f"runtime keeps numeric USER {original}")
        if base.distroless and base.nonroot_user and not image_parts(plan.runtime_base)[1]:
            plan.runtime_base += ":nonroot"     # a pinned tag; USER below still decides who runs
        return
    if _numeric_uid_named_group(facts, plan, base, original):
        return
    if base.distroless:
        kept = _original_uid(facts, original)
        if kept:
            # the uid is the image's contract with its volumes and host folders: a distroless image
            # runs any uid, so the original's stays
            plan.user = kept
            if not image_parts(plan.runtime_base)[1]:
                plan.runtime_base += ":nonroot"
            plan.decisions.append(f"runtime runs as {kept}, the uid and gid of the original's user {original}, so "
                                  "volumes and host folders it wrote stay writable")
            return
        if base.nonroot_user:
            plan.user = base.nonroot_id
            if not image_parts(plan.runtime_base)[1]:
                plan.runtime_base += ":nonroot"
            why = f" instead of {original}" if original else ""
            plan.decisions.append(f"runtime runs as the distroless nonroot user (uid 65532){why}")
        return
    if base.nonroot_user and original == base.nonroot_user:
        plan.user = original
        plan.decisions.append(f"runtime runs as the base image's user {original}")
        return
    if base.nonroot_user and original is None:
        plan.user = base.nonroot_id
        uid = base.nonroot_id.split(":")[0]
        plan.decisions.append(f"runtime runs as the base image's user {base.nonroot_user} (uid {uid})")
        return
    name = (original or APP_USER).split(":")[0]
    if name in EXISTING_USERS:
        # Debian and Alpine images already have these accounts: creating them again fails
        plan.user = original
        plan.decisions.append(f"runtime runs as {original}, an account the base image already has")
        return
    replay = _original_account_commands(facts, base, name)
    if replay:
        plan.runtime_setup.append("RUN " + " \\\n    && ".join(replay))
        plan.user = original or name
        plan.decisions.append(f"runtime runs as {name}, created by the original's own commands, so its uid "
                              "matches files made in the builder")
        return
    # with a home of its own: the root original could write ~/.cache and ~/.config, and libraries do
    # (model and package caches, matplotlib, npx), so a missing home would stop them
    if base.package_manager == "apk":
        q = sh(name)
        plan.runtime_setup.append(f"RUN addgroup -S -g {APP_ID} {q} && adduser -S -u {APP_ID} -G {q} -D {q}")
    else:
        # no skeleton files, no lastlog/faillog record (sparse files a high uid makes megabytes
        # long in a layer) and no backups of the account files: the account costs ~2 kB, so an
        # image already on its runtime base does not come out larger than the original
        q, home = sh(name), sh(f"/home/{name}")
        plan.runtime_setup.append(f"RUN groupadd --gid {APP_ID} {q} \\\n"
                                  f"    && useradd --uid {APP_ID} --gid {q} --no-log-init --no-create-home "
                                  f"--home-dir {home} {q} \\\n"
                                  f"    && install -d -o {APP_ID} -g {APP_ID} {home} \\\n"
                                  f"    && rm -f /etc/passwd- /etc/group- /etc/shadow- /etc/gshadow-")
    plan.user = name if original else f"{APP_ID}:{APP_ID}"
    # a new uid: files the original's account owned in the builder belong to another uid now
    plan.extra["account_created"] = name
    plan.decisions.append(f"runtime runs as non-root user {name}, uid {APP_ID} (created in the runtime stage)")


def _kept_as_root(facts: StageFacts, plan: BuildPlan, want: str | None) -> bool:
    """A new user could not read or write what the root original did (a host folder a compose service
    mounts, a system folder the app writes in): root stays, unless the user asked for non-root."""
    from msbrewrite.rules.reach import root_needed
    why = root_needed(facts, plan)
    if not why:
        return False
    if want == "nonroot":
        plan.warnings.append(f"runs as a non-root user as asked, though {why}")
        return False
    plan.decisions.append(f"runtime runs as root, as the original did: {why}")
    return True


def _numeric_uid_named_group(facts: StageFacts, plan: BuildPlan, base: Base, original: str | None) -> bool:
    """`USER 1000:docker`: the uid needs no account, but Docker must find the group by name in the
    runtime's /etc/group or the container does not start. The group is made there (with the
    original's own command when it has one, so the gid matches) unless the base has it already."""
    m = re.fullmatch(r"(\d+):([A-Za-z_][\w.-]*)", original or "")
    tools = _ACCOUNT_TOOLS.get(base.package_manager or "", set())
    if not m or not tools:
        return False
    group = m.group(2)
    create = _original_group_command(facts, base, group) or \
        (f"groupadd {sh(group)}" if "groupadd" in tools else f"addgroup -S {sh(group)}")
    # the base may have the group already (users, staff...): creating it again would fail
    plan.runtime_setup.append(f"RUN grep -q {sh('^' + group + ':')} /etc/group || {create}")
    plan.user = original
    plan.decisions.append(f"runtime keeps USER {original}; the group {group} is created in the runtime "
                          "when its base lacks it")
    return True


def _original_group_command(facts: StageFacts, base: Base, group: str) -> str | None:
    """The original's own groupadd/addgroup for `group`, when it runs as written on the runtime base."""
    tools = _ACCOUNT_TOOLS.get(base.package_manager or "", set())
    if (base.package_manager == "apk") != facts.is_alpine:
        return None
    for step in facts.steps:
        for c in split_commands(step.ins.args):
            if c.program in ("groupadd", "addgroup") and c.program in tools and c.argv[-1] == group \
                    and not any("$" in w or "`" in w for w in c.argv):
                return shlex.join(c.argv)
    return None


# accounts the official images ship, by image name: (account, uid:gid)
_IMAGE_ACCOUNTS = {"node": {"node": "1000:1000"}}


def _original_uid(facts: StageFacts, original: str | None) -> str | None:
    """The numeric uid:gid of the non-root user the original named, where it is certain: an account
    its base image ships (node's `node`), or one its own useradd/adduser made with `-u UID` and a
    known group (`-g GID`, a `groupadd -g GID` of that group, or a group named after the user)."""
    if not original or is_root_user(original):
        return None
    name, _, group = original.partition(":")
    shipped = _IMAGE_ACCOUNTS.get(facts.image_name or "", {}).get(name)
    if shipped and group in ("", name):
        return shipped
    gids: dict[str, str] = {}
    uid = gid = None
    for c in (c for step in facts.steps for c in step.commands):
        opts = _account_options(c.program, c.argv[1:])
        if c.program in ("groupadd", "addgroup") and opts.get("gid") and opts.get("name"):
            gids[opts["name"]] = opts["gid"]
        if c.program in ("useradd", "adduser") and opts.get("name") == name and opts.get("uid"):
            uid, gid = opts["uid"], opts.get("gid") or gids.get(opts.get("group") or name)
    if uid and gid and uid.isdigit() and gid.isdigit() and (not group or gids.get(group, gid) == gid):
        return f"{uid}:{gid}"
    return None


def _account_options(program: str, words: list[str]) -> dict[str, str]:
    """uid, gid, group and the account's name from useradd/groupadd/BusyBox adduser/addgroup words
    (useradd's -G lists extra groups; BusyBox adduser's -G is the account's own group)."""
    out: dict[str, str] = {}
    keys = {"-u": "uid", "--uid": "uid", "-g": "gid", "--gid": "gid", "--ingroup": "group",
            "-G": "group" if program == "adduser" else "extra"}
    i = 0
    while i < len(words):
        w = words[i]
        key, eq, value = w.partition("=")
        if key in keys and (eq or i + 1 < len(words)):
            value = value if eq else words[i + 1]
            field = keys[key]
            # useradd -g takes a group name or a number; BusyBox adduser -G names the group
            if field == "gid" and not value.isdigit():
                field = "group"
            out[field] = value
            i += 1 if eq else 2
            continue
        if not w.startswith("-"):
            out["name"] = w
        i += 1
    return out


def _original_account_commands(facts: StageFacts, base: Base, name: str | None) -> list[str]:
    """The original's useradd/groupadd (or BusyBox adduser/addgroup) commands, when they run as
    written on the runtime base: same package family, no variables, and one of them creates `name`
    (any account when `name` is None)."""
    tools = _ACCOUNT_TOOLS.get(base.package_manager or "", set())
    if not tools or (base.package_manager == "apk") != facts.is_alpine:
        return []
    account_tools = _ACCOUNT_TOOLS["apt"] | _ACCOUNT_TOOLS["apk"]
    found = [c for step in facts.steps for c in step.commands if c.program in account_tools]
    if not found or any(c.program not in tools for c in found):
        return []
    written = [c for step in facts.steps for c in split_commands(step.ins.args) if c.program in account_tools]
    if any("$" in word or "`" in word for c in written for word in c.argv):
        return []   # an ARG can change at build time, and the runtime stage has neither ARG nor ENV
    found = [[c.program, *c.argv[1:]] for c in found]
    if not any(argv[0] in ("useradd", "adduser") and name in (None, argv[-1]) for argv in found):
        return []
    return [shlex.join(argv) for argv in found]


# commands only root can run: an entrypoint script that fixes ownership or switches to an account
# itself (the pattern of the official postgres and redis images) must start as root
_NEEDS_ROOT_RE = lazy_re.compile(r"(?m)^[^#\n]*?(?<![\w.-])(gosu|su-exec|setpriv|runuser|s6-setuidgid|chpst|setuidgid|"
                                 r"su(?=\s+-?\w)|chown|chgrp|useradd|adduser|usermod|groupadd|addgroup|groupmod)(?![\w.-])")
_SHELLS = ("sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env")


def _start_that_switches_user(facts: StageFacts) -> tuple[str | None, str | None]:
    """(where, program) when the start script (ENTRYPOINT, else CMD) read from the context, or the
    start command itself, runs a command only root can (`su env -c "gunicorn ..."`, `gosu app node
    server.js`, `uwsgi --uid uwsgi`, whose server drops to that account itself)."""
    first, text = _start_script(facts)
    if text:
        m = _NEEDS_ROOT_RE.search(text)
        return (f"the entrypoint script {first}", m.group(1)) if m else (None, None)
    ins = facts.entrypoint or facts.cmd
    if ins is None:
        return None, None
    argv = command_argv(ins) or []
    text = shell_script(argv) or (ins.args if not ins.is_json else shlex.join(argv))
    m = _NEEDS_ROOT_RE.search(text) or _DROPS_TO_RE.search(text)
    return (f"the {ins.keyword} line", m.group(1)) if m else (None, None)


# servers that start as root and drop to the account an option names
_DROPS_TO_RE = lazy_re.compile(r"(?<![\w.-])(uwsgi|gunicorn)(?=\s(?:.*?\s)?--(?:uid|user)[\s=]\S)")


# system daemons whose packaged configuration needs root: nginx and apache bind port 80 and write their
# pid file under /run and logs under /var/log; sshd and cron switch users themselves; supervisord
# logs to /var/log/supervisor and listens on a socket under /var/run (and starts programs as others)
_ROOT_DAEMONS = {"nginx", "apache2", "apache2ctl", "apachectl", "httpd", "sshd", "cron", "crond", "supervisord"}
# ...of which these are no language's own case when they are the whole start command
_SUPERVISORS = {"supervisord"}


def _root_daemon_started(facts: StageFacts) -> str | None:
    """Why the start needs root: its script, or a shell line that starts the app too, starts a system
    daemon (`nginx; gunicorn app:app`). A start command that is the daemon alone is the language's case
    (a static site on nginx)."""
    first, text = _start_script(facts)
    where = f"the start script {first}"
    if not text:
        ins = facts.entrypoint or facts.cmd
        argv = command_argv(ins) or []
        # `sh -c "nginx && gunicorn app:app"` in exec form runs the same shell line
        text = shell_script(argv) or (ins.args if ins is not None and not ins.is_json else "")
        where = f"the {ins.keyword} line" if ins is not None else ""
        if len(split_commands(text)) < 2 and not (argv and posixpath.basename(argv[0]) in _SUPERVISORS):
            return None
        text = text or shlex.join(argv)
    for c in split_commands(text):
        name = c.program
        if name == "service" and len(c.argv) > 2 and c.argv[2] in ("start", "restart"):
            name = c.argv[1]
        if name in _ROOT_DAEMONS:
            return f"{where} starts {name}, which needs root with its packaged configuration"
    return None


def _start_script(facts: StageFacts) -> tuple[str | None, str | None]:
    """The start script (ENTRYPOINT, else CMD) and its text read from the context, or (None, None)."""
    ins = facts.entrypoint or facts.cmd
    argv = command_argv(ins)
    if not argv:
        return None, None
    first = argv[0]
    while first in _SHELLS and len(argv) > 1:
        argv = argv[1:]
        if argv[0].startswith("-"):
            return None, None   # `sh -c '...'`: an inline command, not a script
        first = argv[0]
    cwd = ins.workdir or facts.workdir
    candidates = [posixpath.normpath(posixpath.join(cwd, first))]
    if "/" not in first:    # a bare name is looked up on PATH
        candidates = [posixpath.join(d, first) for d in ("/usr/local/bin", "/usr/bin", "/bin")] + candidates
    for path in candidates:
        text = facts.context_file(path) if facts.context else None
        if not text or not (first.endswith((".sh", ".bash")) or text.startswith("#!") and "sh" in text.split("\n")[0]):
            continue
        return first, text
    return None, None
