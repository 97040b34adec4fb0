"""The runtime base: which Python image runs the app, and in which flavour.

A python:<version> builder gets python:<version>-slim (same distribution, alpine stays alpine),
a templated tag follows the same build argument, an image that is the official one plus a
packaging tool gets its slim python image, and a Debian or Ubuntu base with the distribution's
python3 keeps that distribution (slim where one exists). Conda and images that bring Python
packages of their own are refused. The flavour option may then turn a Debian 12 distribution
Python into distroless.
"""
from __future__ import annotations

import re

from msbrewrite.model.plan import Refusal
from msbrewrite.languages.python.detect import IMAGE_PY_RE, NAME

DISTROS = ("bookworm", "bullseye", "buster", "trixie", "stretch")
# images that are the official python image plus a packaging tool, nothing the app runs
TOOLCHAIN_IMAGES = ("astral-sh/uv",)


class RuntimeBase:
    """PythonPlanner's choice of base image (uses self.facts, self.plan, self.options; sets self.distro)."""

    def runtime_base(self) -> str:
        facts = self.facts
        name, tag = facts.image_name, facts.image_tag
        if re.search(r"(?i)conda|mamba", facts.image) or facts.find("conda") or facts.find("mamba"):
            raise Refusal("conda environments are not supported (their interpreter and libraries live in the "
                          "conda prefix, not in a python image)", reason="python-conda")
        if name == "python" and "$" in facts.image:
            return self.templated_base()
        if name == "python":
            # a pre-release (3.13.0rc1, 3.11-rc-slim) keeps its qualifier: the runtime must be the same
            # interpreter build the virtualenv was made with
            m = re.match(r"^(\d+(?:\.\d+)*(?:(?:a|b|rc)\d*)?)?-?(.*)$", tag if tag != "latest" else "")
            version, variant = m.group(1), m.group(2)
            words = [w for w in variant.split("-") if w]
            if "alpine" in variant or "slim" in words:
                return f"python:{tag}"      # already the small image: the same one runs the app
            distro = next((d for d in DISTROS if d in words), None)
            parts = [p for p in (version, *[w for w in words if w != distro], "slim", distro) if p]
            return "python:" + "-".join(parts)
        m = IMAGE_PY_RE.search(tag)
        if m:
            version = f"{m.group(1)}.{m.group(2)}"
            if "alpine" in tag:
                return f"python:{version}-alpine"
            if facts.cmd is None and facts.entrypoint is None:
                raise Refusal(f"{facts.image} starts the app with its own command, which python:{version}-slim "
                              "does not have; add a CMD naming the server", reason="python-base-command")
            if facts.image.split("@")[0].split(":")[0].endswith(TOOLCHAIN_IMAGES):
                distro = next((d for d in DISTROS if d in tag), None)
                self.plan.decisions.append(f"{facts.image} is the official python image plus a packaging tool: "
                                           f"runtime python:{version}-slim")
                return f"python:{version}-slim" + (f"-{distro}" if distro else "")
            # not a plain toolchain: its own packages (a server, a framework) sit outside the build's
            # virtualenv, and a python:slim runtime would not have them
            raise Refusal(f"{facts.image} brings Python packages of its own, installed outside this build; a "
                          f"python:{version}-slim runtime would lack them: build FROM python:{version} and install "
                          "them in the Dockerfile, then convert", reason="python-base-packages")
        if name in ("debian", "ubuntu") and (self.interpreter_packages() or "python3-pip" in self.package_names()):
            self.distro = True
            return self.distro_base()
        raise Refusal(f"Python found, but not where its interpreter comes from ({facts.image} is not a python "
                      "image and installs no python3 package); use a python:<version> base",
                      reason="python-interpreter-unknown")

    def templated_base(self) -> str:
        """FROM python:${PY_VERSION}: the runtime follows the same build argument."""
        facts = self.facts
        raw = facts.image.split("@")[0]
        repo, _, tag = raw.rpartition(":") if ":" in raw.rsplit("/", 1)[-1] else (raw, "", "latest")
        small = any(v in facts.image_tag for v in ("slim", "alpine")) or "slim" in tag or "alpine" in tag
        if "$" in repo and small:
            self.plan.decisions.append(f"runtime {raw} follows the builder's build argument (its default, "
                                       f"python:{facts.image_tag}, is already the small image)")
            return raw
        distro = next((d for d in DISTROS if facts.image_tag.endswith("-" + d)), None)
        if "$" in repo or (not small and distro and not tag.endswith(distro)):
            # a suffix cannot follow a value that holds the whole image (`FROM ${BASE}`) or the
            # distribution (`${V}` is `3.11-bookworm`: slim goes before it): the default's small image
            runtime = f"python:{self.runtime_tag(facts.image_tag)}"
            self.plan.warnings.append(f"the runtime is {runtime}, the small image of the build argument's default "
                                      f"python:{facts.image_tag}: a --build-arg naming another image or version "
                                      "moves only the builder")
            return runtime
        runtime_tag = tag if small else self.runtime_tag(tag)
        self.plan.decisions.append(f"runtime python:{runtime_tag} follows the builder's build argument")
        return f"{repo}:{runtime_tag}"

    @staticmethod
    def runtime_tag(tag: str) -> str:
        """The slim tag for a python tag: 3.11 -> 3.11-slim, 3.11-bookworm -> 3.11-slim-bookworm."""
        distro = next((d for d in DISTROS if tag.endswith("-" + d)), None)
        return f"{tag[:-len(distro) - 1]}-slim-{distro}" if distro else f"{tag}-slim"

    def package_names(self) -> list[str]:
        return [p.split("=")[0] for p in self.facts.packages]

    def interpreter_packages(self) -> list[str]:
        return [p.split("=")[0] for p in self.facts.packages
                if re.fullmatch(r"python3(\.\d+)?", p.split("=")[0])]

    def distro_base(self) -> str:
        facts = self.facts
        if facts.image_name == "debian" and not facts.image_tag.endswith("slim") and facts.image_tag != "latest":
            return f"debian:{facts.image_tag}-slim"
        return facts.image.split("@")[0] if "$" not in facts.image else f"{facts.image_name}:{facts.image_tag}"

    def choose_flavour(self) -> None:
        plan = self.plan
        flavour = self.options.flavour(NAME)
        if flavour in ("distroless",) or (flavour == "auto" and self.distro):
            interpreter = {"python3", "python3.11"}
            ok = (self.distro and self.venv and self.facts.image_name == "debian"
                  and re.match(r"^(bookworm|12)", self.facts.image_tag)
                  and not plan.needs_shell and set(plan.runtime_packages) <= interpreter)
            if ok:
                plan.runtime_packages = [p for p in plan.runtime_packages if p not in interpreter]
                plan.decisions = [d for d in plan.decisions if not d.startswith("packages the app may use")]
                plan.runtime_base = "gcr.io/distroless/python3-debian12"
                if plan.entrypoint is None and plan.cmd is not None:
                    plan.entrypoint = []    # the base's ENTRYPOINT is python3.11: CMD must not be its argument
                plan.decisions.append("distroless python3-debian12: the builder's Debian 12 python3 is the same "
                                      "interpreter at the same path, and nothing needs a shell")
            elif flavour == "distroless":
                plan.decisions.append(f"distroless python refused: its interpreter is Debian's python3.11 at "
                                      f"/usr/bin, the virtualenv was made for {self.facts.image}; {plan.runtime_base} kept")
        elif flavour in ("alpine", "scratch") and not self.facts.is_alpine:
            plan.decisions.append(f"{flavour} runtime refused: the virtualenv holds glibc builds for "
                                  f"{self.facts.image}; {plan.runtime_base} kept")
