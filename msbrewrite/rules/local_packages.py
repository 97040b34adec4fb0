"""Packages a build installs from a .deb file (`dpkg -i pandoc.deb`, `apt-get install ./tool.deb`).

No repository has them, so the runtime cannot install them by name, and a runtime without them
lacks the programs they bring (the app's `subprocess.run(["pandoc", ...])` fails). The builder lists
their files as dpkg recorded them and the runtime gets those files; what they depend on comes from
the runtime's own repositories, as `apt-get install ./tool.deb` took it. The .deb itself is never
copied into a runtime layer (Docker 20.10 has no build mounts: a later `rm` would not shrink it).
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.bases import describe
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.quoting import sh_glob
from msbrewrite.model.stage_text import builder_name

STAGE = "/tmp/msb-debs"
WHY = "files of the packages the build installed from .deb files"


def local_debs(facts: StageFacts) -> list[str]:
    """Builder paths (globs kept) of the .deb files the build installs."""
    found: list[str] = []
    for c in facts.commands():
        args = c.argv[1:]
        if c.program == "dpkg" and any(a in ("-i", "--install") or
                                       (a.startswith("-") and not a.startswith("--") and "i" in a) for a in args):
            files = [a for a in args if not a.startswith("-") and a.endswith(".deb")]
        elif c.program in ("apt-get", "apt") and "install" in args or c.program == "gdebi":
            # a path, not a package name: apt takes `./x.deb` or `/tmp/x.deb`, never a bare name
            files = [a for a in args if a.endswith(".deb") and a.startswith(("./", "../", "/"))]
        else:
            continue
        for f in files:
            path = posixpath.normpath(posixpath.join(c.cwd, f))
            if "$" not in path and path not in found:
                found.append(path)
    return found


def carry(facts: StageFacts, plan: BuildPlan) -> None:
    debs = local_debs(facts)
    if not debs:
        return
    shown = ", ".join(debs)
    if describe(plan.runtime_base).package_manager != "apt":
        plan.warnings.append(f"the build installs {shown} from .deb files, which {plan.runtime_base} cannot "
                             "install: the programs they bring are not in the runtime; run on a Debian-based base")
        return
    plan.builder_append.append(_list_step(debs))
    builder = builder_name(facts.stage)
    plan.produced.add(f"{STAGE}/packages")
    plan.runtime_setup.append(
        f"# what the packages installed from .deb files depend on, from the runtime's repositories\n"
        f"COPY --from={builder} {STAGE}/packages {STAGE}/packages\n"
        "# hadolint ignore=DL3008\n"
        f"RUN if [ -s {STAGE}/packages ]; then apt-get update \\\n"
        f"    && xargs -a {STAGE}/packages apt-get install -y --no-install-recommends \\\n"
        f"    && rm -rf /var/lib/apt/lists/*; fi; rm -rf {STAGE}")
    plan.copy(f"{STAGE}/files/", "/", WHY)
    plan.decisions.append(f"{shown}: installed from .deb files in the build; the runtime gets the files dpkg "
                          "lists for those packages and installs what they depend on")


def _list_step(debs: list[str]) -> str:
    """The builder step that lists each package's files (regular files and links, as dpkg recorded
    them) and its dependencies' names. The package is named by the .deb when it is still there, else
    by its file name (`pandoc-3.1.7-1-amd64.deb`, `wkhtmltox_0.12.6_amd64.deb`); a name dpkg does
    not know lists nothing, so the step never fails the build."""
    files = " ".join(sh_glob(d) for d in debs)
    return (
        "# packages installed from .deb files: no repository has them, so the runtime gets their files\n"
        f"RUN mkdir -p {STAGE}/files && : > {STAGE}/list && : > {STAGE}/depends \\\n"
        f"    && for f in {files}; do \\\n"
        "        p=$(dpkg-deb -f \"$f\" Package 2>/dev/null || basename \"$f\" .deb | sed 's/[_-][0-9].*//'); \\\n"
        "        dpkg -L \"$p\" 2>/dev/null | while IFS= read -r x; do \\\n"
        "            if [ -f \"$x\" ] || [ -L \"$x\" ]; then printf '%s\\n' \"$x\"; fi; done >> "
        f"{STAGE}/list; \\\n"
        f"        dpkg-query -W -f='${{Depends}}\\n' \"$p\" >> {STAGE}/depends 2>/dev/null || true; \\\n"
        "    done \\\n"
        f"    && if [ -s {STAGE}/list ]; then tar -cf - -T {STAGE}/list 2>/dev/null | tar -C {STAGE}/files -xf -; fi \\\n"
        f"    && tr ',' '\\n' < {STAGE}/depends | sed 's/|.*//; s/(.*//; s/:any//; s/[[:space:]]//g' \\\n"
        f"        | sed '/^$/d' | sort -u > {STAGE}/packages")
