"""Configuration the build copies from the context into /etc, for programs the runtime installs.

`COPY conf/nginx.conf /etc/nginx` configures the nginx the build installed with apt. The runtime
installs nginx again from its packages, which brings the packaged configuration, not the app's: the
copied file must follow, or nginx starts with the defaults (another port, no proxy to the app).
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
        if any(dest == p or dest.startswith(p + "/") or dest.startswith(p + ".") for p in _BUILD_ONLY):
            continue
        if dest in plan.produced or any(dest.startswith(p.rstrip("/") + "/") for p in plan.produced):
            continue
        plan.copy(dest, dest, f"configuration the build copied into {dest} (line {cp.ins.lineno})")
        plan.decisions.append(f"{dest} comes along: the build copied it from the context for a program the "
                              "runtime installs")
