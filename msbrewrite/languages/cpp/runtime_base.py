"""C/C++: the runtime libraries a dynamic binary loads and the base that has them: distroless static or
cc, a slim Debian with the packages, or the same Alpine; a gcc:N newer than Debian's GCC brings its own
libstdc++.

`RuntimeBase` is one part of `CppPlanner` (`msbrewrite.languages.cpp.plan`).
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.bases import DEBIAN_SLIM, DISTROLESS_CC, DISTROLESS_STATIC, alpine_version
from msbrewrite.languages.common import debian_packages, glibc_debian, glibc_runtime, native_libs, runtime_libraries
from msbrewrite.languages.cpp.compiler import Link
from msbrewrite.languages.cpp.detect import NAME

# libraries every glibc runtime has (the C library itself) and what distroless cc adds
LIBC_LIBS = {"c", "m", "pthread", "dl", "rt", "util", "resolv", "anl"}
CC_RUNTIME = {"libc6", "libgcc-s1", "libstdc++6"}
SLIM_HAS = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
SANITIZERS = {"address": "libasan8", "undefined": "libubsan1", "thread": "libtsan2", "leak": "liblsan0"}
# the GCC whose libstdc++ a Debian release ships: a newer gcc:N image links against its own
DEBIAN_GCC = {12: 12, 13: 14}
BUILDER_LIB_DIR = "/usr/local/lib64"
FLOATING_GCC = 99
# -dev packages with nothing to load at run time (headers, static or header-only libraries)
HEADERS_ONLY = {"linux-libc-dev", "linux-headers", "nlohmann-json3-dev", "libgtest-dev", "libgmock-dev",
                "catch2", "libcatch2-dev", "rapidjson-dev", "libasio-dev", "libcxxopts-dev", "libglm-dev",
                "libeigen3-dev", "libcli11-dev", "libstdc++-12-dev", "libstdc++-dev", "musl-dev", "libc-dev",
                "g++-dev"}


class RuntimeBase:
    """Chooses `plan.runtime_base` and `plan.runtime_packages` for how the chosen binaries link; sets `release`."""

    def libraries(self, link: Link, family: str) -> tuple[list[str], list[str]]:
        """(runtime packages, what msb could not name) for a dynamic binary."""
        table = native_libs().get(f"link-{family}", {})
        pkgs = set(runtime_libraries(self.facts.packages, family))
        unknown = []
        for lib in sorted(link.libs):
            low = lib.lower()
            name = low if "::" in low else re.sub(r"\.so[.\d]*$|\.a$", "", low).removeprefix("lib")
            if name in table:
                pkgs |= set(table[name].split())
            elif name in LIBC_LIBS or lib in self.own_libraries or not self._linked_lib(lib):
                continue
            else:
                unknown.append(lib)
        if family == "debian":
            if link.cxx:
                pkgs.add("libstdc++6")
            pkgs |= {SANITIZERS[s] for s in link.sanitizers if s in SANITIZERS}
            if link.openmp:
                pkgs.add("libgomp1")
        else:
            if link.cxx:
                pkgs |= {"libstdc++", "libgcc"}
            if link.openmp:
                pkgs.add("libgomp")
            if link.sanitizers:
                unknown.append("-fsanitize=" + ",".join(sorted(link.sanitizers)))
        dev_unknown = sorted({p.split("=")[0] for p in self.facts.packages
                              if p.split("=")[0].endswith(("-dev", "-devel")) and p.split("=")[0] not in HEADERS_ONLY
                              and p.split("=")[0] not in native_libs().get(family, {})})
        return sorted(pkgs), unknown + dev_unknown

    @staticmethod
    def _linked_lib(word: str) -> bool:
        # words of target_link_libraries that are not libraries: keywords, flags, generator expressions
        return word not in ("PRIVATE", "PUBLIC", "INTERFACE", "debug", "optimized", "general") and \
            not word.startswith(("-", "$", "/")) and re.fullmatch(r"[\w+.:-]+", word) is not None

    def gcc_major(self) -> int | None:
        if self.facts.image_name != "gcc":
            return None
        m = re.match(r"(\d+)", self.facts.image_tag)
        # `gcc:latest`, `gcc:bookworm`: a floating tag is the newest GCC, newer than any Debian's
        return int(m.group(1)) if m else FLOATING_GCC

    def debian_release(self) -> tuple[int, str | None]:
        facts = self.facts
        if facts.image_name == "gcc":
            tag = facts.image_tag.lower()
            if "bookworm" in tag or "bullseye" in tag:
                return 12, None
            if "trixie" in tag:
                return 13, None
            major = self.gcc_major()
            # the gcc images of GCC 15 and the floating tags moved to Debian 13 in 2025
            return (12 if major <= 14 else 13), None
        return glibc_debian(facts)

    def choose_base(self, link: Link) -> None:
        facts, plan = self.facts, self.plan
        flavour = self.options.flavour(NAME)
        if link.static and not link.sanitizers:
            plan.runtime_base = {"scratch": "scratch", "slim": DEBIAN_SLIM}.get(flavour, DISTROLESS_STATIC)
            plan.decisions.append("static binary (-static): no shared library is loaded, so distroless static")
            if link.libs & {"nss_files", "resolv"} or "-lnss" in " ".join(link.libs):
                plan.warnings.append("a static glibc binary still loads NSS modules for name lookups")
            return
        if facts.is_alpine:
            pkgs, unknown = self.libraries(link, "alpine")
            tag = facts.image_tag
            plan.runtime_base = f"alpine:{tag}" if facts.image_name == "alpine" and tag != "latest" \
                else alpine_version(tag)
            plan.runtime_packages += pkgs
            plan.decisions.append(f"Alpine build: the binary links musl, so the same Alpine release "
                                  f"({plan.runtime_base})" + (f" with {' '.join(pkgs)}" if pkgs else ""))
            self._warn_unknown(unknown)
            return
        self.release, warning = self.debian_release()
        if warning:
            plan.warnings.append(warning)
        pkgs, unknown = self.libraries(link, "debian")
        self._builder_runtime_libs(link)
        extra = sorted(set(pkgs) - CC_RUNTIME)
        if extra or unknown or flavour == "slim":
            plan.runtime_base = glibc_runtime(DEBIAN_SLIM, self.release)
            want = sorted((set(pkgs) - SLIM_HAS) | ({"ca-certificates"} if "libssl3" in pkgs else set()))
            plan.runtime_packages += debian_packages(want, self.release)
            if extra:
                plan.decisions.append(f"runtime libraries {', '.join(extra)} need a package manager: "
                                      f"{plan.runtime_base}")
            elif unknown:
                plan.decisions.append(f"libraries msb cannot name the runtime package of: {plan.runtime_base}, "
                                      "where they can be installed")
        else:
            plan.runtime_base = glibc_runtime(DISTROLESS_CC, self.release)
            plan.decisions.append(f"dynamic glibc binary needing only libc{', libstdc++' if link.cxx else ''} and "
                                  f"libgcc: distroless cc on Debian {self.release}, whose glibc is at least the builder's")
        self._warn_unknown(unknown)

    def _warn_unknown(self, unknown: list[str]) -> None:
        if unknown:
            self.plan.warnings.append(f"the runtime package of {', '.join(unknown[:6])} is not known to msb: if the "
                                      "binary stops with `error while loading shared libraries`, install it in the "
                                      "runtime stage")

    def _builder_runtime_libs(self, link: Link) -> None:
        """A gcc:N image newer than the runtime's Debian GCC links against its own libstdc++ (and
        sanitizer runtimes) in /usr/local/lib64: Debian's older copies lack its symbol versions."""
        major = self.gcc_major()
        system = DEBIAN_GCC.get(self.release, 12)
        if major is None or major <= system or not (link.cxx or link.sanitizers or link.openmp):
            return
        names = ["libstdc++.so.6", "libgcc_s.so.1"]
        names += [f"lib{s[0]}san.so.{8 if s == 'address' else 1 if s == 'undefined' else 2 if s == 'thread' else 0}"
                  for s in sorted(link.sanitizers) if s in SANITIZERS]
        names += ["libgomp.so.1"] if link.openmp else []
        for n in names:
            self.plan.copy(posixpath.join(BUILDER_LIB_DIR, n), posixpath.join(BUILDER_LIB_DIR, n),
                           f"GCC {major}'s runtime library")
        self.plan.runtime_env.append(f"ENV LD_LIBRARY_PATH={BUILDER_LIB_DIR}")
        self.plan.decisions.append(f"GCC {major} is newer than Debian {self.release}'s GCC {system}: its "
                                   f"{', '.join(names)} are copied from {BUILDER_LIB_DIR} (LD_LIBRARY_PATH)")
