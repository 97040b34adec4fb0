"""The runtime base image and the libraries it needs: distroless cc on a Debian release whose glibc
is the builder's, Debian slim with the libraries the crates load, a static runtime for musl, or
the same Alpine release when the binary links Alpine libraries."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.bases import DEBIAN_SLIM, DISTROLESS_CC, DISTROLESS_STATIC, alpine_version
from msbrewrite.languages.common import (BASE_LIBS, debian_packages, glibc_debian, glibc_runtime, native_libs,
                                         runtime_libraries)

SLIM_LIBS = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}     # already in debian slim images


class RuntimeBase:
    """RustPlanner's choice of runtime image (needs facts and plan, musl; sets release)."""

    def native_runtime_packages(self) -> list[str]:
        """Debian libraries the binary loads: from sys crates in Cargo.lock and -dev packages installed."""
        crates_table = native_libs().get("crates", {})
        lock = self.facts.context_file(posixpath.join(self.facts.workdir, "Cargo.lock")) or \
            self.facts.context.read("Cargo.lock") or ""
        pkgs = []
        for crate, lib in crates_table.items():
            if lib and re.search(rf'(?m)^name = "{re.escape(crate)}"$', lock):
                if crate == "libsqlite3-sys" and "bundled" in (self.facts.context.read("Cargo.toml") or ""):
                    continue
                if crate == "openssl-sys" and re.search(r'(?m)^name = "openssl-src"$', lock):
                    continue    # the vendored feature links OpenSSL statically
                pkgs.append(lib)
        pkgs += runtime_libraries(self.facts.packages, "debian")
        return sorted(set(pkgs))

    def apk_linked(self) -> bool:
        """Alpine's packaged Rust (`apk add rust cargo`) links dynamically against musl and the -dev
        libraries it finds (the official rust:alpine images default to static musl binaries)."""
        pkgs = {p.split("=")[0] for p in self.facts.packages}
        return self.facts.is_alpine and self.facts.image_name != "rust" and ("rust" in pkgs or "cargo" in pkgs)

    def alpine_shared_libs(self) -> list[str]:
        """Alpine libraries a rust:alpine build may link dynamically: -dev packages with a run-time library
        (`openssl-dev`, `libressl-dev`, `postgresql-dev`), unless the build asks for static ones (a
        `*-static` package, OPENSSL_STATIC, vendored OpenSSL) or the libc alone is in play."""
        facts = self.facts
        if not facts.is_alpine:
            return []
        libs = runtime_libraries(facts.packages, "alpine")
        rustflags = " ".join(c.env.get("RUSTFLAGS", "") for c in facts.find("cargo")) + facts.env.get("RUSTFLAGS", "")
        if "-crt-static" in rustflags:
            return libs or ["libgcc"]
        lock = self.facts.context_file(posixpath.join(facts.workdir, "Cargo.lock")) or ""
        static = any(p.split("=")[0].endswith("-static") for p in facts.packages) or \
            facts.env.get("OPENSSL_STATIC", "") not in ("", "0") or 'name = "openssl-src"' in lock
        return [] if static else libs

    def same_alpine(self) -> str:
        facts = self.facts
        m = re.match(r"(\d+\.\d+)", facts.image_tag)
        if facts.image_name == "alpine" and m:
            return f"alpine:{m.group(1)}"
        return alpine_version(facts.image_tag)

    def choose_base(self, libs: list[str], flavour: str) -> None:
        facts, plan = self.facts, self.plan
        if self.musl and self.apk_linked():
            plan.runtime_base = self.same_alpine()
            plan.runtime_packages += ["libgcc"] + runtime_libraries(facts.packages, "alpine")
            plan.decisions.append(f"Alpine-packaged Rust or -dev libraries link the binary dynamically against musl: "
                                  f"the runtime is the same Alpine release ({plan.runtime_base}) with libgcc")
            return
        shared = self.alpine_shared_libs() if self.musl else []
        if shared:
            plan.runtime_base = self.same_alpine()
            plan.runtime_packages += sorted({"libgcc", *shared})
            plan.decisions.append(f"the build links {', '.join(shared)} from Alpine packages and asks for no static "
                                  "ones (a *-static package, OPENSSL_STATIC, vendored OpenSSL): the binary may load "
                                  f"them at run time, so the runtime is the same Alpine release ({plan.runtime_base}) "
                                  "with them, which runs a static binary too")
            return
        if self.musl:
            plan.runtime_base = {"scratch": "scratch", "alpine": alpine_version(facts.image_tag),
                                 "slim": DEBIAN_SLIM}.get(flavour, DISTROLESS_STATIC)
            plan.decisions.append("musl build: the binary is static, so a static runtime")
            return
        release, warning = glibc_debian(facts)
        self.release = release
        if warning:
            plan.warnings.append(warning)
        extra = sorted(set(libs) - BASE_LIBS)
        if extra or flavour == "slim":
            plan.runtime_base = glibc_runtime(DEBIAN_SLIM, release)
            self.slim_packages(libs)
            if extra:
                plan.decisions.append(f"runtime libraries {', '.join(extra)} need a package manager: "
                                      f"{plan.runtime_base}")
        else:
            plan.runtime_base = glibc_runtime(DISTROLESS_CC, release)
            plan.decisions.append(f"glibc binary: distroless cc (libc, libgcc, libssl3) on Debian {release}, "
                                  "whose glibc is at least the builder's")

    def slim_packages(self, libs: list[str]) -> None:
        """A Debian slim runtime lacks what distroless cc carries: install the libraries and CA certificates."""
        want = sorted((set(libs) | {"ca-certificates"}) - SLIM_LIBS)
        self.plan.runtime_packages += debian_packages(want, self.release)
