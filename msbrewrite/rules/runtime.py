"""Rules every language shares for the runtime stage.

`start` gives each original instruction its default fate and collects the runtime
metadata (ENV, EXPOSE, LABEL, VOLUME, STOPSIGNAL); `entry` rewrites CMD/ENTRYPOINT
through a language's argv mapper; `finish` settles base, user, workdir and
healthcheck once the language has chosen its artifacts.
"""
from __future__ import annotations

import json
import posixpath
import re
from typing import Callable

from msbrewrite.rules import app_files, runtime_downloads
from msbrewrite.model.analysis import StageFacts, image_workdir, is_root_user
from msbrewrite.model.bases import DEBIAN_SLIM, describe, image_parts, with_digest, with_mirror
from msbrewrite.model.dockerfile import parse_key_values, referenced_vars
from msbrewrite.model.options import Options
from msbrewrite.model.stage_text import builder_name, comments_of
from msbrewrite.rules.runtime_user import choose_user
from msbrewrite.model.plan import KEPT, KEPT_AND_COPIED, MOVED, REMOVED, REWRITTEN, BuildPlan
from msbrewrite.rules.secrets import SECRET_RE, env_secret_reason
from msbrewrite.model.quoting import env_subset, env_value, run_lines
from msbrewrite.model.shell import canonical_argv, drop_exec, shell_form_to_argv, split_words

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
            secret = [k for k, v in pairs if env_secret_reason(k, v) is not None]
            runtime_keys = [k for k, _ in pairs if k not in build_only_env and k not in COMMON_BUILD_ENV
                            and k not in secret]
            if secret:
                labels = [k + (env_secret_reason(k, v) or "") for k, v in pairs if k in secret]
                plan.warnings.append(
                    f"line {ins.lineno}: ENV {', '.join(labels)} looks like a secret; the original image "
                    "leaked it, the runtime stage does not carry it (pass it at run time instead)")
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
        text = _cd_as_workdir(facts, plan, ins, text)
        text, exec_prefix = drop_exec(text)
        argv = shell_form_to_argv(text)
        if argv is not None:
            new = rewrite(argv)
            final = new if new is not None else argv
            setattr(plan, attr, final)
            plan.fate(ins, REWRITTEN, f"exec form {json.dumps(final)} (no shell needed; signals reach the app)")
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


def _cd_as_workdir(facts: StageFacts, plan: BuildPlan, ins, text: str) -> str:
    """`cd DIR && app` at start-up: the runtime's WORKDIR does the cd, when DIR is a known path
    (`cd ~` or `cd $UNSET` keep the shell: WORKDIR expands neither like the shell does)."""
    m = re.match(r"cd\s+([^\s;&|]+)\s*&&\s*(.+)\Z", text, re.S)
    if not m:
        return text
    target = _literal_dir(m.group(1), facts.env)
    if target is None:
        return text
    plan.workdir = posixpath.normpath(posixpath.join(facts.workdir, target))
    plan.decisions.append(f"line {ins.lineno}: `cd {m.group(1)}` at start-up became WORKDIR {plan.workdir}")
    return m.group(2)


def _literal_dir(word: str, env: dict[str, str]) -> str | None:
    """The directory a `cd WORD` reaches, or None when only the shell can tell: `~`, globs, quotes,
    and variables the image's ENV does not set to a plain path."""
    from msbrewrite.model.dockerfile import expand
    if re.search(r"[~*?\[\]'\"\\`]", word) or word.startswith("-"):
        return None
    if "$" in word:
        names = referenced_vars(word)
        if not names or not all(n in env and "$" not in env[n] for n in names) or \
                re.search(r"\$\{[^}]*[:+?=-]", word) or re.search(r"\$(?![A-Za-z_{])", word):
            return None
        word = expand(word, env)
        if re.search(r"[~*?\[\]'\"\\`$]", word) or not word:
            return None
    return word


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
        path = _copied_onto_path(facts, first) or path
    if path in plan.produced:
        return
    plan.copy(path, path, "entrypoint script")
    plan.needs_shell = True
    plan.decisions.append(f"entrypoint script {first} is copied; the runtime keeps a shell to run it")


_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def _copied_onto_path(facts: StageFacts, name: str) -> str | None:
    """Where a COPY put the script `name` in a PATH directory, if one did."""
    for cp in reversed(facts.copies):
        if cp.from_stage:
            continue
        for src in cp.sources:
            if posixpath.basename(src.rstrip("/")) != name:
                continue
            dest = posixpath.normpath(cp.dest)
            target = posixpath.join(dest, name) if cp.dest.endswith("/") or dest in _PATH_DIRS else dest
            if posixpath.dirname(target) in _PATH_DIRS:
                return target
    return None


def finish(facts: StageFacts, plan: BuildPlan, options: Options, shell_base: str = DEBIAN_SLIM) -> None:
    """Base switch for shells, runtime user, workdir and healthcheck."""
    base = describe(plan.runtime_base)
    if _starts_a_shell(plan):
        plan.needs_shell = True
    shell_needs(facts, plan, options)
    _carry_shell_instruction(facts, plan)
    if plan.needs_shell and not base.shell:
        plan.decisions.append(f"runtime base {shell_base} instead of {plan.runtime_base}: the app needs a shell"
                              + (" and system packages" if plan.runtime_packages else ""))
        plan.runtime_base = shell_base
        base = describe(shell_base)
    _install_carried_shell(plan, base)
    _workdir(facts, plan)
    choose_user(facts, plan, options, base, _exposed_ports(facts))
    _workdir_of_base(facts, plan)
    app_files.drop_redundant(plan)
    app_files.owned_by_runtime_user(facts, plan)
    app_files.carry_state_dirs(facts, plan)
    from msbrewrite.rules.reach import make_reachable
    make_reachable(facts, plan, app_files.introduced_owner(facts, plan))
    _healthcheck(facts, plan, base)
    _volumes(facts, plan)
    runtime_downloads.carry(facts, plan)
    for extra in options.extra_paths:
        path = posixpath.normpath(posixpath.join(facts.workdir, extra))
        plan.copy(path, path, "extra path from configuration")
    if plan.runtime_packages:
        base = describe(plan.runtime_base)
        pkgs = " ".join(sorted(set(plan.runtime_packages)))
        # versions follow the base image's release: pinning them would break on the next base update
        if base.package_manager == "apt":
            plan.runtime_setup.insert(0, _apt_sources(facts, plan) + "# hadolint ignore=DL3008\n"
                                      "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends "
                                      f"{pkgs} \\\n    && rm -rf /var/lib/apt/lists/*")
        elif base.package_manager == "apk":
            plan.runtime_setup.insert(0, f"# hadolint ignore=DL3018\nRUN apk add --no-cache {pkgs}")
    if plan.entrypoint is None and plan.cmd is None and not plan.base_has_cmd:
        from msbrewrite.model.plan import Refusal
        raise Refusal("no ENTRYPOINT or CMD could be set for the runtime stage", reason="no-entrypoint")
    _same_pinned_image(facts, plan)
    if not options.mirror:      # a mirror option names where every runtime image comes from
        _same_image_same_registry(facts, plan)
    plan.runtime_base = with_digest(with_mirror(plan.runtime_base, options.mirror), options.digests)
    _untagged_distroless(plan)


def _carry_shell_instruction(facts: StageFacts, plan: BuildPlan) -> None:
    """A shell-form command the runtime runs keeps the SHELL it ran under (`source`, `[[ ]]` and
    pipefail mean nothing to sh): the SHELL in effect at the CMD/ENTRYPOINT, else the image's last."""
    users = [ins for ins, value in ((facts.entrypoint, plan.entrypoint), (facts.cmd, plan.cmd))
             if ins is not None and isinstance(value, str)]
    checks = [i for i in facts.stage.instructions if i.keyword == "HEALTHCHECK"]
    found = _health_argv(checks[-1]) if checks else None
    if found is not None and found[1]:
        users.append(None)      # a health probe runs under the image's last SHELL
    shells = [i for i in facts.stage.instructions if i.keyword == "SHELL" and i.json_args]
    for user in users:
        before = [i for i in shells if user is None or i.index < user.index]
        if before:
            ins = before[-1]
            plan.runtime_shell = ins.raw.rstrip("\r\n")
            plan.needs_shell = True
            plan.fate(ins, KEPT_AND_COPIED, "the runtime's shell-form command runs under this shell")
            plan.decisions.append(f"line {ins.lineno}: SHELL {' '.join(ins.json_args)} carried to the runtime: "
                                  "its shell-form command was written for it")
            return


# shells a package of the same name installs, on apt and apk bases alike
_SHELL_PACKAGES = {"bash", "zsh", "dash", "mksh"}


def _install_carried_shell(plan: BuildPlan, base) -> None:
    """The carried SHELL's program must exist in the runtime: installed when the base lacks it."""
    if not plan.runtime_shell:
        return
    from msbrewrite.model.dockerfile import parse
    argv = parse(plan.runtime_shell + "\n").instructions[0].json_args or []
    program = posixpath.basename(argv[0]) if argv else "sh"
    if program == "sh" or program in base.tools:
        return
    if base.package_manager and program in _SHELL_PACKAGES:
        plan.runtime_packages.append(program)
        plan.decisions.append(f"{program} installed in the runtime: the carried SHELL runs it")
    else:
        plan.warnings.append(f"SHELL runs {argv[0]}, which {plan.runtime_base} may not have: "
                             "the runtime's shell-form command needs it")


_APT_SOURCE_SETUP = re.compile(r"sources\.list|add-apt-repository|apt-key\b|/etc/apt/keyrings|/usr/share/keyrings|"
                               r"trusted\.gpg|extrepo\b")


def _apt_sources(facts: StageFacts, plan: BuildPlan) -> str:
    """The apt sources and keys a build added (a vendor repository for google-chrome-stable,
    nodesource, postgresql...) reach the runtime before its install, or the package is not found.
    Directories every Debian and Ubuntu image has; /etc/apt/trusted.gpg only after `apt-key add`."""
    runs = " ".join(i.args for i in facts.stage.instructions if i.keyword == "RUN")
    if not _APT_SOURCE_SETUP.search(runs):
        return ""
    # the files the build names, so a runtime of another distribution never gets the builder's own sources
    named = list(dict.fromkeys(re.findall(r"/etc/apt/sources\.list\.d/[\w.+-]+\.(?:list|sources)|"
                                          r"/(?:usr/share|etc/apt)/keyrings/[\w.+-]+\.(?:gpg|asc)|"
                                          r"/etc/apt/trusted\.gpg\.d/[\w.+-]+\.(?:gpg|asc)", runs)))
    if any("sources.list.d/" in p for p in named):
        paths = named
    else:   # add-apt-repository or an edited sources.list: the directories as they are
        paths = ["/etc/apt/sources.list.d/", "/etc/apt/trusted.gpg.d/", "/usr/share/keyrings/"] + \
            (["/etc/apt/keyrings/"] if "/etc/apt/keyrings" in runs else [])
    if re.search(r"apt-key\s+(?:--\S+\s+)*add", runs):
        paths.append("/etc/apt/trusted.gpg")
    plan.produced.update(paths)     # parts of every Debian/Ubuntu image, or written by the build's apt-key
    plan.decisions.append("the build added apt sources and keys: the runtime gets them before its install ("
                          + ", ".join(paths) + ")")
    return "# the package sources and keys the build added, so the runtime's install finds the same packages\n" + \
        "".join(f"COPY --from={builder_name(facts.stage)} {p} {p}\n" for p in paths)


# programs a distroless image does not have: a command starting one needs a shell base
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "env"}


def _starts_a_shell(plan: BuildPlan) -> bool:
    """An exec-form command that starts a shell (`["sh", "-c", "..."]`, `["/usr/bin/env", ...]`) needs
    one in the runtime (every language: the runtime base follows from this)."""
    for value in (plan.entrypoint, plan.cmd):
        if isinstance(value, list) and value and posixpath.basename(value[0]) in _SHELLS:
            return True
    return False


def _same_pinned_image(facts: StageFacts, plan: BuildPlan) -> None:
    """A digest-pinned builder whose runtime is the very same image keeps the same reference: the tag
    alone may move to another build."""
    image = facts.image
    if "@" not in image or "$" in image:
        return
    name = image.split("@")[0]
    if plan.runtime_base in (name, name.split("/", 1)[-1] if name.startswith("docker.io/") else name):
        plan.runtime_base = image
        plan.decisions.append("the runtime is the builder's own image: the same digest pins it")


def _same_image_same_registry(facts: StageFacts, plan: BuildPlan) -> None:
    """A builder pulled from a registry or mirror of its own (`registry.example.com/mirror/node:16-alpine`)
    whose runtime is that very image keeps the full reference: the build may reach only that registry."""
    image = expand_image(facts)
    name = image.split("@")[0]
    if "@" in image or "$" in image or "/" not in name or "/" in plan.runtime_base:
        return
    if name.startswith(("docker.io/", "library/")) or name.rsplit("/", 1)[0] in ("docker.io/library",):
        return
    if image_parts(name) == image_parts(plan.runtime_base):
        plan.runtime_base = name
        plan.decisions.append(f"the runtime is the builder's own image: pulled from the same place ({name})")


def expand_image(facts: StageFacts) -> str:
    from msbrewrite.model.dockerfile import expand
    return expand(facts.image, facts.from_args)


def _untagged_distroless(plan: BuildPlan) -> None:
    """A root runtime on distroless is the untagged image: distroless publishes no version tags
    (`:nonroot` is the other variant, not a version), so only a digest pins it."""
    base = describe(plan.runtime_base)
    if base.distroless and "@" not in plan.runtime_base and not image_parts(plan.runtime_base)[1] \
            and image_parts(plan.runtime_base)[0] != "scratch":
        plan.runtime_from_notes += ["# distroless has no version tags; pin a digest under [tool.msb.digests]",
                                    "# hadolint ignore=DL3006"]


def _workdir(facts: StageFacts, plan: BuildPlan) -> None:
    if plan.workdir is None and facts.workdir not in ("/", ""):
        plan.workdir = facts.workdir


def _workdir_of_base(facts: StageFacts, plan: BuildPlan) -> None:
    """The app starts where the original started: a runtime base with a WORKDIR of its own (distroless
    :nonroot starts in /home/nonroot) gets the original's, / included, so relative paths still resolve."""
    if plan.workdir is None and facts.workdir in ("/", "") and _base_workdir(plan.runtime_base) != "/":
        plan.workdir = "/"


def _base_workdir(image: str) -> str:
    if "/distroless/" in image and "nonroot" in (image_parts(image)[1] or ""):
        return "/home/nonroot"
    return image_workdir(image)


def _volumes(facts: StageFacts, plan: BuildPlan) -> None:
    """A VOLUME's mount point gets the runtime user as owner: Docker would create it root-owned."""
    if not plan.user or is_root_user(plan.user):
        return
    if facts.user is not None and not is_root_user(facts.user) and facts.user_ins is not None \
            and facts.user_ins.index not in plan.builder_drop:
        return      # the builder ends as a non-root user: it may not create the directories
    owner = plan.user
    paths = []
    for ins in facts.stage.instructions:
        if ins.keyword == "VOLUME":
            words = list(ins.json_args) if ins.json_args is not None else split_words(ins.args)
            paths += [posixpath.normpath(posixpath.join(facts.workdir, w)) for w in words
                      if w.startswith("/") and "$" not in w]
    new = [p for p in dict.fromkeys(paths) if p not in plan.produced]
    if not new:
        return
    plan.builder_append.append("# mount points of the runtime VOLUMEs, copied with their owner\n"
                               + "\n".join(run_lines("mkdir -p", new)))
    for path in new:
        plan.copy(path, path, "VOLUME mount point owned by the runtime user", chown=owner)
    shown = " ".join(new[:5]) + (f" and {len(new) - 5} more" if len(new) > 5 else "")
    plan.decisions.append(f"VOLUME {shown} is created owned by {owner}, so the non-root app can write to it")


def _exposed_ports(facts: StageFacts) -> list[int]:
    ports = []
    for ins in facts.stage.instructions:
        if ins.keyword == "EXPOSE":
            for word in ins.args.split():
                m = re.match(r"(\d+)", word)
                if m:
                    ports.append(int(m.group(1)))
    return ports


def _health_argv(ins) -> tuple[list[str], bool] | None:
    """The HEALTHCHECK's command words and whether a shell runs them (None: HEALTHCHECK NONE)."""
    if re.match(r"(?i)HEALTHCHECK\s+NONE", ins.raw.strip()):
        return None
    if ins.json_args is not None:
        argv = list(ins.json_args)
        if argv and argv[0] == "CMD-SHELL":
            return split_words(" ".join(argv[1:])), True
        return argv, False
    m = re.search(r"(?i)\bCMD\b\s*(.*)", ins.args, re.S)
    return split_words(m.group(1) if m else ""), True


_HEALTH_TOOLS = ("curl", "wget")


def _health_tool_missing(argv: list[str], plan: BuildPlan, base) -> str | None:
    """The probe tool (curl, wget) the HEALTHCHECK runs and the base lacks, if any."""
    if not argv:
        return None
    tool = posixpath.basename(argv[0])
    built = {a.dest for a in plan.artifacts} | {posixpath.basename(a.dest) for a in plan.artifacts}
    if argv[0] in built or tool in built or tool in base.tools:
        return None
    return tool if tool in _HEALTH_TOOLS else None


def shell_needs(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    """What else runs in the runtime image besides its own command: the HEALTHCHECK, the
    commands compose files give it and a shell the app's code starts. Languages that add packages for a shell base call this
    before they do; finish() calls it again (it runs once)."""
    if plan.extra.get("shell_needs_checked"):
        return
    plan.extra["shell_needs_checked"] = True
    healthcheck_wants_shell(facts, plan, options)
    _compose_overrides(facts, plan, options)
    _app_starts_a_shell(facts, plan, options)


def _app_starts_a_shell(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    """`exec.Command("sh", "-c", ...)`, `os.system`, `child_process.exec`: the app runs a shell, so the
    runtime has one (on distroless the call fails, often silently)."""
    if describe(plan.runtime_base).shell:
        return
    from msbrewrite.rules.runtime_programs import starts_a_shell
    where = starts_a_shell(facts, plan.language)
    if not where:
        return
    _keep_a_shell(plan, options, f"the app starts a shell at run time ({where})")


def _compose_overrides(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    from msbrewrite.rules import compose_usage
    for o in compose_usage.overrides(facts):
        tool = compose_usage.runs_build_tool(o)
        if tool:
            fix = "build that service with `target: builder`" if o.dev else \
                "run what the build made instead (see CMD), or build it with `target: builder`"
            plan.warnings.append(f"{o.shown} runs {tool}, absent from the runtime image: {fix}")
        elif compose_usage.needs_shell(o) and not o.dev and not describe(plan.runtime_base).shell:
            _keep_a_shell(plan, options, f"{o.shown} needs a shell")


def _keep_a_shell(plan: BuildPlan, options: Options, why: str) -> None:
    """A runtime on msb's own choice of base keeps a shell; one the user chose gets a warning."""
    if options.flavour(plan.language) == "auto":
        if not plan.needs_shell:
            plan.decisions.append(f"{why}: the runtime keeps one")
        plan.needs_shell = True
    else:
        plan.warnings.append(f"{why}, absent from {plan.runtime_base}")


def healthcheck_wants_shell(facts: StageFacts, plan: BuildPlan, options: Options) -> None:
    """A HEALTHCHECK that needs a shell or curl/wget keeps a base that can run it: without it the
    container never turns healthy (Compose's `service_healthy` waits forever, Swarm restarts it).
    Only when the runtime flavour was not chosen by the user, who may probe from the orchestrator."""
    checks = [i for i in facts.stage.instructions if i.keyword == "HEALTHCHECK"]
    base = describe(plan.runtime_base)
    if not checks or options.flavour(plan.language) != "auto" or (base.shell and base.package_manager):
        return
    found = _health_argv(checks[-1])
    if found is None:
        return
    argv, shell = found
    need = "a shell" if shell and not base.shell else _health_tool_missing(argv, plan, base)
    if not need:
        return
    if not plan.needs_shell:
        plan.needs_shell = True
        plan.decisions.append(f"line {checks[-1].lineno}: the HEALTHCHECK needs {need}, absent from "
                              f"{plan.runtime_base}: the runtime keeps a base that has it")


def _healthcheck(facts: StageFacts, plan: BuildPlan, base) -> None:
    checks = [i for i in facts.stage.instructions if i.keyword == "HEALTHCHECK"]
    for ins in checks[:-1]:
        plan.fate(ins, REMOVED, "overridden by a later HEALTHCHECK")
    if not checks:
        return
    ins = checks[-1]
    raw = ins.raw.rstrip("\r\n")
    found = _health_argv(ins)
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
    if tool and tool not in base.tools and tool not in artifact_names and (not absolute or tool in _HEALTH_TOOLS):
        if base.package_manager and tool in _HEALTH_TOOLS:
            plan.runtime_packages.append(tool)
            plan.decisions.append(f"{tool} installed in the runtime for the HEALTHCHECK")
        else:
            plan.warnings.append(f"line {ins.lineno}: HEALTHCHECK dropped: {tool} is not in {plan.runtime_base}")
            plan.fate(ins, REMOVED, f"{tool} is absent from {plan.runtime_base}")
            return
    plan.healthcheck = raw
    plan.fate(ins, MOVED)



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
