"""System packages of the runtime: the libraries the installed Python packages link, nothing to build with.

The builder's -dev packages become their runtime libraries (the Debian 12 and Alpine table, or the
-dev package itself where a release names its libraries differently), PyPI packages known to
build against a system library add it, build tools and what a python:*-slim image already has
stay out, and other packages the build installs are kept for the app to use.
"""
from __future__ import annotations

import re

from msbrewrite.languages.common import BUILD_UTILITIES, native_libs, runtime_libraries
from msbrewrite.languages.python.deps import dependency_names
from msbrewrite.support import lazy_re

# apt/apk packages used only to fetch or build things
BUILD_PACKAGES = {"curl", "wget", "git", "gnupg", "gnupg2", "dirmngr", "apt-transport-https", "apt-utils",
                  "software-properties-common", "lsb-release", "unzip", "xz-utils", "bzip2", "openssh-client",
                  "ssh", "vim", "nano", "less", "autoconf", "automake", "libtool", "swig", "gfortran",
                  "clang", "llvm", "rustc", "cargo", "cython3", "gettext", "build-base", "alpine-sdk", "bash",
                  "python3-pip", "python3-venv", "python3-setuptools", "python3-wheel", "python3-distutils",
                  "python3-virtualenv", "py3-pip", "py3-setuptools", "py3-wheel", "python3-dev", "python-dev",
                  "postgresql-client-common", "pipenv", "python3-poetry"}
# build packages without a program an app would run, or whose program python:*-slim already has
NOT_PROGRAMS = {"bash", "apt-transport-https", "apt-utils", "software-properties-common", "lsb-release", "gnupg",
                "gnupg2", "dirmngr", "postgresql-client-common", "build-base", "alpine-sdk", "gfortran", "swig"}
# programs a full python:<version> image carries (its buildpack-deps base) and python:*-slim lacks
FULL_IMAGE_PROGRAMS = ("git", "curl", "wget", "openssh-client", "unzip", "mercurial", "subversion")
# libraries a python:*-slim image already carries (its interpreter links them)
SLIM_HAS = {"libssl3", "libffi8", "zlib1g", "libsqlite3-0", "libbz2-1.0", "liblzma5", "libc6", "libgcc-s1",
            "ca-certificates", "tzdata", "netbase", "libexpat1", "libuuid1", "libncursesw6", "libreadline8"}
_PKG_NAME_RE = lazy_re.compile(r"^[a-z0-9][a-z0-9+._-]*$")


class SystemPackages:
    """PythonPlanner's runtime packages (uses self.facts, self.plan, self.distro, self.installs)."""

    def table_fits(self) -> bool:
        """The -dev -> library table names Debian 12 packages; other releases name their libraries differently."""
        facts = self.facts
        if facts.is_alpine:
            return True
        if self.distro:
            return facts.image_name == "debian" and re.match(r"^(bookworm|12)", facts.image_tag) is not None
        return not any(d in facts.image_tag for d in ("bullseye", "buster", "stretch"))

    def runtime_packages(self) -> None:
        facts, plan = self.facts, self.plan
        family = "alpine" if facts.is_alpine else "debian"
        pkgs = [p for p in self.package_names() if _PKG_NAME_RE.match(p)]
        table = native_libs().get(family, {})
        python_build = re.compile(r"(lib)?python3(\.\d+)?-(dev|venv|distutils|pip|setuptools|wheel)|py3-.*")
        dev = [p for p in pkgs if not python_build.fullmatch(p)]
        if self.table_fits():
            libs = set(runtime_libraries(dev, family))
            unknown = [p for p in dev if p.endswith("-dev") and p not in table]
            if unknown:
                plan.warnings.append(f"no runtime counterpart known for {', '.join(sorted(set(unknown)))}: if a "
                                     "compiled package links it, add its runtime library")
        else:
            # library names differ by release: the -dev package pulls in the right one
            libs = {p for p in dev if p.endswith("-dev") and table.get(p) != ""}
            if libs:
                plan.decisions.append(f"{facts.image} names its libraries differently from Debian 12: the -dev "
                                      "packages are installed in the runtime (they pull in the libraries)")
        # a utility the build used (dos2unix, patch, unzip) stays only where the app runs it (programs_run)
        extra = [p for p in pkgs if p not in table and not p.endswith(("-dev", "-devel")) and p not in BUILD_PACKAGES
                 and p not in BUILD_UTILITIES and not python_build.fullmatch(p)]
        if not self.distro:
            extra = [p for p in extra if not re.fullmatch(r"python3?(\.\d+)?", p)]
        elif not self.interpreter_packages() or "python3-pip" in pkgs:
            extra.append("python3")
        source_built = native_libs().get(f"pypi-{family}", {})
        names = dependency_names(facts)
        for name in sorted(names):
            if name in source_built:
                found = set(source_built[name].split()) - libs
                if found:
                    libs |= found
                    why = (f"{name}-binary is pinned to a release that may have no wheel for this Python, so pip "
                           f"builds it from source, linked to" if f"{name}-binary" in names else
                           f"{name} builds against")
                    plan.decisions.append(f"{why} a system library: {' '.join(sorted(found))} in the runtime")
        if not self.distro:
            libs -= SLIM_HAS
        dev_libs = set(runtime_libraries(dev, family)) & libs
        if dev_libs and self.table_fits():
            plan.decisions.append("runtime libraries for the -dev packages of the build: " + " ".join(sorted(dev_libs)))
        if extra:
            plan.decisions.append(f"packages the app may use at run time installed too: {' '.join(sorted(set(extra)))}")
        kept = libs | set(extra) | set(self.programs_run(pkgs))
        plan.runtime_packages += sorted(kept)
        left = sorted(set(pkgs) - kept - set(plan.runtime_packages))
        if left:
            # said, not silent: what the build installed stays in the builder
            why = ("no program the app's code or start command runs comes from them" if facts.context else
                   "without the context the app's code is not read: pass --context if it runs one of them")
            plan.decisions.append(f"build packages not installed in the runtime: {' '.join(left)} ({why})")
        if facts.find("crontab"):
            plan.warnings.append("crontab entries installed in the builder are not in the runtime stage: "
                                 "install them there (or run the job from the orchestrator)")

    def programs_run(self, pkgs: list[str]) -> list[str]:
        """Fetching tools the app itself runs (`subprocess.run(["git", ...])`, `os.system("curl ...")`, its
        start command) stay: those the build installed, which are otherwise build-only, and those a full
        python image carries (from buildpack-deps) that the slim runtime lacks. Only the context says so."""
        facts, plan = self.facts, self.plan
        if not facts.context:
            return []
        from msbrewrite.languages.common import start_words
        from msbrewrite.model.bases import same_image
        from msbrewrite.rules.runtime_programs import used_by_app
        installed = [p for p in pkgs if (p in BUILD_PACKAGES or p in BUILD_UTILITIES) and p not in NOT_PROGRAMS]
        full = facts.image_name == "python" and not self.distro and not facts.is_alpine and \
            "slim" not in facts.image_tag and not same_image(plan.runtime_base, facts.image)
        carried = [p for p in FULL_IMAGE_PROGRAMS if p not in installed] if full else []
        words = start_words(facts, plan) + [w for v in facts.env.values() for w in str(v).split()]
        used = used_by_app(facts, installed + carried, (".py",), words)
        if used:
            plan.decisions.append("the app runs programs " + ("the build installed or " if installed else "") +
                                  (f"{facts.image} carries " if carried else "") + "and python:*-slim has not: " +
                                  ", ".join(f"{pkg} ({where})" for pkg, where in sorted(used.items())) +
                                  "; installed in the runtime")
        return sorted(used)

    def warn_preinstalled(self) -> None:
        """Full python images carry -dev libraries a source build may link without any apt line."""
        facts = self.facts
        if facts.context or not self.installs or self.distro or facts.is_alpine or "slim" in facts.image_tag:
            return
        self.plan.warnings.append(f"{facts.image} ships -dev libraries; without the build context the requirements "
                                  "were not read, so a package compiled against one (psycopg2 needs libpq5, "
                                  "mysqlclient libmariadb3) may need its library added to the runtime")
