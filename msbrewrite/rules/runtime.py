"""Rules every language shares for the runtime stage: the steps a language planner calls, in order.

`start` gives each original instruction its default fate and collects the runtime
metadata (ENV, EXPOSE, LABEL, VOLUME, STOPSIGNAL); `entry` rewrites CMD/ENTRYPOINT
through a language's argv mapper; `finish` settles base, user, workdir and
healthcheck once the language has chosen its artifacts.

What finish puts together lives beside it: start_command (what the start command says beyond
its argv), runtime_shell (whether the runtime keeps a shell, and which), healthcheck_probe (what a
HEALTHCHECK runs), runtime_dirs (WORKDIR and VOLUME mount points), runtime_packages (the install
step and the apt sources it needs), runtime_base (the FROM reference), runtime_user, app_ownership.
"""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable

from msbrewrite.rules import local_packages, loose_files, runtime_downloads, system_config, time_zone
from msbrewrite.model.analysis import StageFacts, is_root_user
from msbrewrite.model.bases import DEBIAN_SLIM, describe, with_digest, with_mirror
from msbrewrite.model.dockerfile import parse_key_values, referenced_vars
from msbrewrite.model.options import Options
from msbrewrite.model.stage_text import comments_of
from msbrewrite.rules.app_ownership import carry_state_dirs, drop_redundant, introduced_owner, owned_by_runtime_user
from msbrewrite.rules.healthcheck_probe import HEALTH_TOOLS, health_argv
from msbrewrite.rules.runtime_base import same_image_same_registry, same_pinned_image, untagged_distroless
from msbrewrite.rules.runtime_dirs import volumes, workdir, workdir_of_base
from msbrewrite.rules.runtime_packages import install_packages
from msbrewrite.rules.runtime_shell import (app_starts_a_shell, carry_shell_instruction, compose_overrides,
                                            healthcheck_wants_shell, install_carried_shell)
from msbrewrite.rules.runtime_user import choose_user
from msbrewrite.model.plan import KEPT, KEPT_AND_COPIED, MOVED, REMOVED, REWRITTEN, BuildPlan
from msbrewrite.rules.secret_values import SECRET_RE
from msbrewrite.rules.secrets import env_pair_secret, read_by_app
from msbrewrite.rules.start_command import cd_as_workdir, copied_onto_path, starts_a_shell
from msbrewrite.model.quoting import env_line, env_subset, env_value
from msbrewrite.model.shell import canonical_argv, drop_exec, shell_form_to_argv, split_words, start_assignments

# build tooling variables that mean nothing to the finished app
COMMON_BUILD_ENV = {"PATH", "DEBIAN_FRONTEND", "TZ_BUILD", "APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE"}
_RUNTIME_ONLY = {"EXPOSE", "LABEL", "VOLUME", "STOPSIGNAL", "MAINTAINER"}
_BUILD_ACTIONS = {"RUN", "COPY", "ADD"}


def start(facts: StageFacts, plan: BuildPlan, build_only_env: set[str]) -> None:
    steps = facts.stage.instructions
    last_build_action = max((i for i, ins in enumerate(steps) if ins.keyword in _BUILD_ACTIONS), default=-1)
    plan.fate(facts.stage.from_, REWRITTEN, "named the builder stage (AS builder)")
    for pos, ins in enumerate(steps):
        kw = ins.keyword
        if kw in _RUNTIME_ONLY:
            plan.runtime_meta.append(comments_of(ins) + ins.raw.rstrip("\r\n"))
            plan.builder_drop.add(ins.index)
            plan.fate(ins, MOVED, "runtime metadata belongs to the runtime stage")
            if kw == "LABEL":
                _need_args(facts, plan, ins.args)
        elif kw == "ENV":
            pairs = parse_key_values(ins.args)
            secret = [k for k, v in pairs if env_pair_secret(k, v) is not None]
            runtime_keys = [k for k, v in pairs if k not in build_only_env and k not in secret and
                            (k not in COMMON_BUILD_ENV or k == "PATH" and _app_path(facts, v))]
            if secret:
                labels = [k + (env_pair_secret(k, v) or "") for k, v in pairs if k in secret]
                plan.warnings.append(
                    f"line {ins.lineno}: ENV {', '.join(labels)} looks like a secret; the original image "
                    "leaked it, the runtime stage does not carry it (pass it at run time instead)"
                    + read_by_app(facts, secret))
            if runtime_keys and len(runtime_keys) == len(pairs):
                plan.runtime_env.append(ins.raw.rstrip("\r\n"))
                _need_args(facts, plan, ins.args)
                plan.fate(ins, KEPT_AND_COPIED, "environment the app may read at run time")
            elif runtime_keys:
                line = env_subset(ins.args, facts.dockerfile.escape, runtime_keys)
                plan.runtime_env.append(line)
                _need_args(facts, plan, line)
                plan.fate(ins, KEPT_AND_COPIED, "runtime part repeated in the runtime stage; "
                          f"build-only {', '.join(k for k, _ in pairs if k not in runtime_keys)} left in the builder")
            else:
                plan.fate(ins, KEPT, "build-time only" + (" (secret not carried)" if secret else ""))
        elif kw == "USER":
            if pos > last_build_action:
                plan.builder_drop.add(ins.index)
                if comments_of(ins):
                    plan.comments[kw] = comments_of(ins).rstrip("\n")
                plan.fate(ins, MOVED, "user for the runtime stage")
            else:
                plan.fate(ins, KEPT, "user for the build steps that follow it")
        elif kw in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            plan.builder_drop.add(ins.index)
            if comments_of(ins):
                plan.comments[kw] = comments_of(ins).rstrip("\n")
            if ins is not facts.cmd and ins is not facts.entrypoint and kw != "HEALTHCHECK":
                plan.fate(ins, REMOVED, f"overridden by a later {kw}")
            # final fates are set in entry() / finish()
        elif kw == "ARG":
            secret = [k for k, _ in parse_key_values(ins.args) if SECRET_RE.search(k)]
            plan.fate(ins, KEPT, "build argument" + (" (secret: stays in the builder)" if secret else ""))
        elif kw == "ONBUILD":
            plan.fate(ins, KEPT, "ONBUILD triggers stay with the builder stage")
            plan.warnings.append(f"line {ins.lineno}: ONBUILD now belongs to the builder stage; images built "
                                 "FROM the converted image will not run it")
        else:
            plan.fate(ins, KEPT)
        if kw == "RUN" and "type=secret" in " ".join(v for k, v in ins.flag_list if k == "mount"):
            plan.decisions.append(f"line {ins.lineno}: secret mount stays in the builder")
    for ins in facts.dockerfile.global_args:
        plan.fate(ins, KEPT, "global build argument")


def _need_args(facts: StageFacts, plan: BuildPlan, text: str) -> None:
    """Redeclare the ARGs an ENV/LABEL value depends on, so it does not expand to nothing."""
    for name in sorted(referenced_vars(text)):
        ins = facts.arg_instructions.get(name)
        if ins is None or _runtime_env_defines(plan, name, text):
            continue
        default = facts.args.get(name, "")
        line = f"ARG {name}" + (f"={env_value(default)}" if default else "")
        if line not in plan.runtime_args:
            plan.runtime_args.append(line)


def _runtime_env_defines(plan: BuildPlan, name: str, text: str) -> bool:
    """Whether a runtime ENV line before `text` sets `name` (`ENV X $X` still needs ARG X)."""
    from msbrewrite.rules.runtime_env_index import defined_before
    return defined_before(plan, name, text)


def entry(facts: StageFacts, plan: BuildPlan, rewrite: Callable[[list[str]], list[str] | None],
          shell_rewrite: Callable[[str], list[str] | str | None] | None = None) -> None:
    """Rewrite ENTRYPOINT and CMD through `rewrite` (argv -> argv, or None when unchanged).

    `shell_rewrite` (optional) sees a shell-form command that uses shell features first:
    it returns an exec-form argv, a new shell-form text, or None for the default handling.
    """
    for ins, attr in ((facts.entrypoint, "entrypoint"), (facts.cmd, "cmd")):
        if ins is None:
            continue
        if attr == "cmd" and facts.entrypoint is not None and not facts.entrypoint.is_json:
            # Docker runs a shell-form ENTRYPOINT as `sh -c` and never passes it the CMD; once the
            # ENTRYPOINT is exec form the CMD would become its arguments, so it goes
            plan.fate(ins, REMOVED, "a shell-form ENTRYPOINT ignores CMD; the original never passed it")
            plan.decisions.append(f"line {ins.lineno}: CMD dropped: the shell-form ENTRYPOINT never received it")
            continue
        if ins.is_json:
            written = list(ins.json_args)
            argv = canonical_argv(written, ins.workdir or facts.workdir)
            new = rewrite(argv) if argv else None
            if new is None and argv != written:
                new = argv      # `cargo r -r` is kept as the long form the planners read
            setattr(plan, attr, new if new is not None else argv)
            if new is not None and new != argv:
                plan.fate(ins, REWRITTEN, f"now runs {' '.join(new)}")
            else:
                plan.fate(ins, MOVED, "runs the copied artifact")
            continue
        text = ins.args
        if facts.start_build and facts.start_build[0] is ins:
            _, build, text = facts.start_build
            plan.builder_append.insert(0, "# the build the start command ran at every start, done once here\n"
                                          f"RUN {build}")
            plan.decisions.append(f"line {ins.lineno}: `{build}` ran at start-up; it runs in the builder now")
        text = cd_as_workdir(facts, plan, ins, text)
        text, exec_prefix = drop_exec(text)
        argv = shell_form_to_argv(text)
        moved = start_assignments(text) if argv is None else None
        if moved:
            pairs, argv = moved
            plan.start_env.append(env_line(pairs))
            names = ", ".join(k for k, _ in pairs)
            plan.decisions.append(f"line {ins.lineno}: {names} set with ENV for {ins.keyword}, which then runs "
                                  "without a shell (a command given to `docker run` sees it too)")
        if argv is not None:
            new = rewrite(argv)
            final = new if new is not None else argv
            setattr(plan, attr, final)
            also = f"; {', '.join(k for k, _ in moved[0])} set with ENV" if moved else ""
            if attr == "entrypoint":
                also += "; arguments given to `docker run` now reach it, where the shell form ignored them"
            plan.fate(ins, REWRITTEN, f"exec form {json.dumps(final)} (no shell needed; signals reach the app{also})")
            continue
        custom = shell_rewrite(text) if shell_rewrite else None
        if isinstance(custom, list):
            setattr(plan, attr, custom)
            plan.fate(ins, REWRITTEN, f"exec form {json.dumps(custom)} (no shell needed; signals reach the app)")
            continue
        if isinstance(custom, str):
            text = custom
        else:
            # a real shell command: keep it, map artifact paths inside it, and keep a shell
            words = split_words(text)
            new = rewrite(words) or words
            for old, repl in zip(words, new):
                if old != repl:
                    text = text.replace(old, repl)
        setattr(plan, attr, exec_prefix + text)
        plan.needs_shell = True
        plan.fate(ins, REWRITTEN if exec_prefix + text != ins.args else MOVED,
                  "shell form uses shell features; the runtime keeps a shell")
        plan.decisions.append(f"line {ins.lineno}: {ins.keyword} needs a shell ({ins.summary(40)})")


def entry_script(facts: StageFacts, plan: BuildPlan, argv: list[str] | None) -> None:
    """An entrypoint script runs on the runtime base: copy it and keep a shell."""
    if not argv:
        return
    first = argv[0]
    if first in ("sh", "bash", "/bin/sh", "/bin/bash") and len(argv) > 1 and not argv[1].startswith("-"):
        first = argv[1]
    if not (first.endswith(".sh") or first.endswith(".bash")):
        return
    path = posixpath.normpath(posixpath.join(facts.workdir, first))
    if "/" not in first:
        # a bare name is looked up on PATH, not in the working directory
        path = copied_onto_path(facts, first) or path
    if path in plan.produced:
        return
    plan.copy(path, path, "entrypoint script")
    plan.needs_shell = True
    plan.decisions.append(f"entrypoint script {first} is copied; the runtime keeps a shell to run it")


def _app_path(facts: StageFacts, value: str) -> bool:
    """`ENV PATH=.:$PATH`, `PATH=/app/bin:$PATH`: every folder the line adds is the app's own (the
    working directory, a folder of the app's that the build copied from the context), so the
    programs the app starts by name are found there in the runtime too. A toolchain's folder
    (/usr/local/go/bin, /root/.cargo/bin, one the build made) stays in the builder."""
    added = [e for e in value.split(":") if e not in ("$PATH", "${PATH}")]

    def own(entry: str) -> bool:
        if not entry or "$" in entry:
            return False
        if not entry.startswith("/"):
            return True         # relative: looked up from the working directory
        rel = facts.context_path(entry)
        return rel is not None and bool(facts.context) and facts.context.is_dir(rel)
    return bool(added) and all(own(e) for e in added)


def _files_the_command_names(facts: StageFacts, plan: BuildPlan) -> None:
    """A file the build copied into the image by its own path and the start command names
    (`COPY template.html /` + `CMD ["build", "--template-file", "/template.html"]`) is in the runtime,
    wherever it lies: no copy of the app's folders may hold it."""
    from msbrewrite.model.analysis import start_argv
    words = [w.partition("=")[2] if w.startswith("-") and "=" in w else w for w in start_argv(facts)]
    named = {posixpath.normpath(w) for w in words if w.startswith("/") and "$" not in w}
    if not named:
        return
    # copied by a same-path COPY of a folder, or inside an app folder staged whole
    covered = [a.dest.rstrip("/") for a in plan.artifacts if a.source.rstrip("/") == a.dest.rstrip("/")] + \
        [d.rstrip("/") for d in plan.extra.get("staged_app_dirs", [])]
    for cp, rel, dest, _ in loose_files.file_copies(facts):
        if dest in named and not any(dest == c or dest.startswith(c + "/") for c in covered if c):
            # a secret-looking file follows the one rule: the start command names it, so the app reads
            # it, and it stays, named in a warning
            loose_files.carry_file(facts, plan, rel, dest, f"named by the start command (copied by line "
                                   f"{cp.ins.lineno})", cp.ins.lineno)


def finish(facts: StageFacts, plan: BuildPlan, options: Options, shell_base: str = DEBIAN_SLIM) -> None:
    """Base switch for shells, runtime user, workdir and healthcheck."""
    base = describe(plan.runtime_base)
    if starts_a_shell(plan):
        plan.needs_shell = True
    shell_needs(facts, plan, options)
    carry_shell_instruction(facts, plan)
    if plan.needs_shell and not base.shell:
        plan.decisions.append(f"runtime base {shell_base} instead of {plan.runtime_base}: the app needs a shell"
                              + (" and system packages" if plan.runtime_packages else ""))
        plan.runtime_base = shell_base
        base = describe(shell_base)
    install_carried_shell(plan, base)
    workdir(facts, plan)
    choose_user(facts, plan, options, base, _exposed_ports(facts))
    workdir_of_base(facts, plan)
    drop_redundant(plan)
    owned_by_runtime_user(facts, plan)
    carry_state_dirs(facts, plan)
    from msbrewrite.rules.reach import make_reachable
    make_reachable(facts, plan, introduced_owner(facts, plan))
    _healthcheck(facts, plan, base)
    volumes(facts, plan)
    _files_the_command_names(facts, plan)
    runtime_downloads.carry(facts, plan)
    local_packages.carry(facts, plan)
    time_zone.carry(facts, plan)
    system_config.carry(facts, plan)
    loose_files.files_copied_elsewhere(facts, plan)
    for extra in options.extra_paths:
        path = posixpath.normpath(posixpath.join(facts.workdir, extra))
        plan.copy(path, path, "extra path from configuration")
    install_packages(facts, plan)
    if plan.entrypoint is None and plan.cmd is None and not plan.base_has_cmd:
        from msbrewrite.model.plan import Refusal
        raise Refusal("no ENTRYPOINT or CMD could be set for the runtime stage", reason="no-entrypoint")
    same_pinned_image(facts, plan)
    if not options.mirror:      # a mirror option names where every runtime image comes from
        same_image_same_registry(facts, plan)
    plan.runtime_base = with_digest(with_mirror(plan.runtime_base, options.mirror), options.digests)
    untagged_distroless(plan)


def _exposed_ports(facts: StageFacts) -> list[int]:
    ports = []
    for ins in facts.stage.instructions:
        if ins.keyword == "EXPOSE":
            for word in ins.args.split():
                m = re.match(r"(\d+)", word)
                if m:
                    ports.append(int(m.group(1)))
    return ports


def shell_needs(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    """What else runs in the runtime image besides its own command: the HEALTHCHECK, the
    commands compose files give it and a shell the app's code starts. Languages that add packages for a shell base call this
    before they do; finish() calls it again (it runs once)."""
    if plan.extra.get("shell_needs_checked"):
        return
    plan.extra["shell_needs_checked"] = True
    healthcheck_wants_shell(facts, plan, options)
    compose_overrides(facts, plan, options)
    app_starts_a_shell(facts, plan, options)


def _healthcheck(facts: StageFacts, plan: BuildPlan, base) -> None:
    checks = [i for i in facts.stage.instructions if i.keyword == "HEALTHCHECK"]
    for ins in checks[:-1]:
        plan.fate(ins, REMOVED, "overridden by a later HEALTHCHECK")
    if not checks:
        return
    ins = checks[-1]
    raw = ins.raw.rstrip("\r\n")
    found = health_argv(ins)
    if found is None:
        plan.healthcheck = raw
        plan.fate(ins, MOVED)
        return
    argv, shell = found
    tool = posixpath.basename(argv[0]) if argv else ""
    if shell and not base.shell:
        plan.warnings.append(f"line {ins.lineno}: HEALTHCHECK dropped: it needs a shell and {plan.runtime_base} "
                             "has none (probe from the orchestrator instead)")
        plan.fate(ins, REMOVED, f"needs a shell, absent from {plan.runtime_base}")
        return
    artifact_names = {posixpath.basename(a.dest) for a in plan.artifacts}
    absolute = argv[0].startswith("/") if argv else False
    if tool and tool not in base.tools and tool not in artifact_names and (not absolute or tool in HEALTH_TOOLS):
        if base.package_manager and tool in HEALTH_TOOLS and _original_lacked(facts, tool):
            # the check failed in the original: a runtime that passes it would change the health status
            plan.warnings.append(f"line {ins.lineno}: the HEALTHCHECK runs {tool}, which the original image "
                                 f"({facts.image}) did not have either: it fails in both, as before (install "
                                 f"{tool} in the Dockerfile, or probe with the app's own runtime)")
        elif base.package_manager and tool in HEALTH_TOOLS:
            plan.runtime_packages.append(tool)
            plan.decisions.append(f"{tool} installed in the runtime for the HEALTHCHECK")
        else:
            plan.warnings.append(f"line {ins.lineno}: HEALTHCHECK dropped: {tool} is not in {plan.runtime_base}")
            plan.fate(ins, REMOVED, f"{tool} is absent from {plan.runtime_base}")
            return
    plan.healthcheck = raw
    plan.fate(ins, MOVED)


# official images whose tools msb knows by name (model.bases): what they lack, they lack
_KNOWN_IMAGES = {"python", "node", "golang", "rust", "buildpack-deps", "debian", "ubuntu", "alpine"}


def _original_lacked(facts: StageFacts, tool: str) -> bool:
    """Whether the original image surely had no `tool`: a known official base without it, and no
    package of that name installed by the build."""
    known = facts.image_name.rsplit("/", 1)[-1] in _KNOWN_IMAGES
    installed = {p.split("=")[0] for p in facts.packages}
    return known and tool not in describe(facts.image).tools and tool not in installed


def builder_steps_as_root(facts: StageFacts, plan: BuildPlan) -> None:
    """msb's own builder steps (staging copies, prune, clean-ups) touch files the build's root steps
    made: when the builder ends as a non-root USER, they run as root, then the user is restored."""
    ins = facts.user_ins
    if not plan.builder_append or not facts.user or is_root_user(facts.user) or ins is None \
            or ins.index in plan.builder_drop or ins.index in plan.builder_replace:
        return
    if plan.builder_append[0].lstrip().startswith(("USER root", "# the clean-up below runs as root")):
        return
    plan.builder_append[0] = ("# msb's steps below run as root: the build's root steps made the files they touch\n"
                              "USER root\n" + plan.builder_append[0])
    plan.builder_append[-1] += f"\nUSER {facts.user}"
