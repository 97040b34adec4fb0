"""Configuration the build copies from the context into /etc, or edits there, for programs the runtime
installs.

`COPY conf/nginx.conf /etc/nginx` configures the nginx the build installed with apt. The runtime
installs nginx again from its packages, which brings the packaged configuration, not the app's: the
copied file must follow, or nginx starts with the defaults (another port, no proxy to the app).
The same holds for a packaged file the build edits in place (`sed -i ... /etc/ImageMagick-6/policy.xml`
to allow PDF) or writes (`echo 'daemon off;' >> /etc/nginx/nginx.conf`): the runtime's fresh install
brings the unedited file back, or none, so the builder's copy follows.
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import BuildPlan

# package-manager and installer settings serve the build (and may hold index credentials)
_BUILD_ONLY = ("/etc/apt", "/etc/apk", "/etc/pip.conf", "/etc/npmrc", "/etc/yum", "/etc/dnf")


def carry(facts: StageFacts, plan: BuildPlan) -> None:
    """Copy each /etc path the build filled from the context, once the runtime installs packages."""
    if not plan.runtime_packages:
        return
    for cp in facts.copies:
        dest = posixpath.normpath(cp.dest)
        if cp.from_stage or "$" in dest or not dest.startswith("/etc/"):
            continue
        if _installer_settings(dest):
            continue
        if _carried(plan, dest):
            continue
        plan.copy(dest, dest, f"configuration the build copied into {dest} (line {cp.ins.lineno})")
        plan.decisions.append(f"{dest} comes along: the build copied it from the context for a program the "
                              "runtime installs")
    for path, lineno in _edited_in_place(facts):
        if _carried(plan, path):
            continue
        plan.copy(path, path, f"configuration the build edited in place (line {lineno})")
        plan.decisions.append(f"{path} comes along: the build edited it in place (line {lineno}) and the runtime "
                              "installs the packages again, which would bring back the unedited file")


def _carried(plan: BuildPlan, path: str) -> bool:
    """Whether the runtime already gets `path`, itself or inside a folder it copies."""
    return path in plan.produced or any(path.startswith(p.rstrip("/") + "/") for p in plan.produced)


# editors that rewrite a file in place: `sed -i`, `sed --in-place=.bak`, `perl -pi -e`
_SED_IN_PLACE = ("-i", "--in-place")


def _edited_in_place(facts: StageFacts) -> list[tuple[str, int]]:
    """/etc files a RUN edits in place or writes (absolute, no glob or variable), with the line of
    the edit: `sed -i`/`perl -pi`, a redirection (`echo 'daemon off;' >> /etc/nginx/nginx.conf`,
    `printf ... > /etc/php/8.2/conf.d/app.ini`) and `tee [-a]`."""
    out: dict[str, int] = {}
    for step in facts.steps:
        if step.ins.keyword != "RUN":
            continue
        for c in step.commands:
            for w in _edited_paths(c.program, c.argv[1:]):
                path = posixpath.normpath(w) if w.startswith("/etc/") else ""
                if not path or any(ch in path for ch in "*?[$") or etc_build_only(path):
                    continue
                out.setdefault(path, step.ins.lineno)
    return list(out.items())


def _edited_paths(program: str, words: list[str]) -> list[str]:
    found = _redirect_targets(words)
    if (program == "sed" and any(w.startswith(_SED_IN_PLACE) or _short_flags_with(w, "i") for w in words)
            or program == "perl" and any(_short_flags_with(w, "i") for w in words)):
        found += words
    elif program == "tee":
        found += [w for w in words if not w.startswith("-")]
    return found


def _redirect_targets(words: list[str]) -> list[str]:
    """The files `>`/`>>` write: `>> /etc/x` as two words or `>>/etc/x` as one (a file descriptor's
    redirection, `2>`, and a duplication, `>&2`, write no file msb would carry)."""
    out = []
    for i, w in enumerate(words):
        if w in (">", ">>", ">|") and i + 1 < len(words):
            out.append(words[i + 1])
        elif w.startswith(">") and not w.startswith((">&", ">>&")):
            out.append(w.lstrip(">|"))
    return out


def _short_flags_with(word: str, flag: str) -> bool:
    """`-i`, `-i.bak`, `-pi`, `-Ei`: a cluster of short flags that holds `flag` (sed's -i takes its suffix
    glued on, so only the letters before a dot count)."""
    return word.startswith("-") and not word.startswith("--") and flag in word[1:].split(".")[0]


# accounts the runtime creates itself, and files the engine writes at run time: never the builder's copy
_NOT_CARRIED = {"/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/hosts", "/etc/hostname",
                "/etc/resolv.conf"}


def _installer_settings(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") or path.startswith(p + ".") for p in _BUILD_ONLY)


def etc_build_only(path: str) -> bool:
    """An /etc path the runtime never takes from the builder: installer settings, accounts, engine files."""
    return path in _NOT_CARRIED or _installer_settings(path)
