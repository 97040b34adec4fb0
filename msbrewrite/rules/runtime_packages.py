"""The runtime's system packages: one install step on the base's package manager (apt or apk), and
before an apt install the package sources and keys the build added, or the package is not found.
"""
from __future__ import annotations

import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.bases import describe
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.stage_text import builder_name
from msbrewrite.support import lazy_re


def install_packages(facts: StageFacts, plan: BuildPlan) -> None:
    """The install step for the packages the runtime needs, first in its setup."""
    if plan.runtime_packages:
        base = describe(plan.runtime_base)
        pkgs = " ".join(sorted(set(plan.runtime_packages)))
        # versions follow the base image's release: pinning them would break on the next base update
        if base.package_manager == "apt":
            plan.runtime_setup.insert(0, apt_sources(facts, plan) + "# hadolint ignore=DL3008\n"
                                      "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends "
                                      f"{pkgs} \\\n    && rm -rf /var/lib/apt/lists/*")
        elif base.package_manager == "apk":
            plan.runtime_setup.insert(0, f"# hadolint ignore=DL3018\nRUN apk add --no-cache {pkgs}")


_APT_SOURCE_SETUP = lazy_re.compile(r"sources\.list|add-apt-repository|apt-key\b|/etc/apt/keyrings|/usr/share/keyrings|"
                                    r"trusted\.gpg|extrepo\b")


def apt_sources(facts: StageFacts, plan: BuildPlan) -> str:
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
