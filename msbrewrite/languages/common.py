"""Helpers more than one language module uses."""
from __future__ import annotations

import functools
import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import BuildPlan
from msbrewrite.support.tomlreader import toml
from msbrewrite.support import lazy_re


CONFIG_FILE_RE = lazy_re.compile(r"^[\w./-]+\.(ya?ml|json|toml|ini|conf|cfg|properties|env)$")
# distroless/base already carries these, no need to install them
BASE_LIBS = {"libssl3", "libc6", "libgcc-s1", "libstdc++6", "ca-certificates", "tzdata", "zlib1g"}


@functools.lru_cache(maxsize=1)
def native_libs() -> dict:
    from importlib import resources     # here: most conversions never read the table
    with resources.files("msbrewrite").joinpath("data/native_libs.toml").open("rb") as fh:
        return toml().load(fh)


def runtime_libraries(packages: list[str], family: str) -> list[str]:
    """Runtime counterparts of the -dev packages a builder installs ('debian' or 'alpine')."""
    if not packages:
        return []
    table = native_libs().get(family, {})
    out = []
    for pkg in packages:
        pkg = pkg.split("=")[0]
        if pkg in table:
            if table[pkg]:
                out.append(table[pkg])
        elif pkg.endswith("-dev") or pkg.endswith("-devel"):
            continue    # unknown -dev package: headers only, say nothing rather than guess a name
    return sorted(set(out))


def load_toml(text: str | None) -> dict:
    if not text:
        return {}
    tomllib = toml()
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return {}


def written_by_build(facts: StageFacts, path: str) -> bool:
    from msbrewrite.rules.created_files import written_by_build as written
    return written(facts, path)


def copy_config_args(facts: StageFacts, plan: BuildPlan, argv: list[str] | None) -> None:
    """Config files named on the command line (`-config config.yaml`) go to the runtime too."""
    for word in argv or []:
        value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        if value.startswith("-") or not CONFIG_FILE_RE.match(value):
            continue
        path = posixpath.normpath(posixpath.join(facts.workdir, value))
        rel = facts.context_path(path)
        if (rel is not None and facts.context.exists(rel)) or (not facts.context and rel is not None) \
                or written_by_build(facts, path):
            if path not in plan.produced:
                plan.copy(path, path, "config file named on the command line")


def strip_tag_version(name: str) -> str:
    return name.split("@")[0]


def copies_whole_context(facts: StageFacts) -> bool:
    """`COPY . .` and friends: the builder receives the whole build context."""
    return any(src.strip("/") in (".", "", "*", "./*") for cp in facts.copies if not cp.from_stage
               for src in cp.sources)


# ---------------------------------------------------------------- glibc of the builder
# A dynamically linked (glibc) binary needs a runtime whose glibc is at least as new as the
# builder's, or it stops with "GLIBC_2.38 not found". Debian 12 ships glibc 2.36, Debian 13 2.41.
_CODENAMES = {"stretch": 12, "buster": 12, "bullseye": 12, "bookworm": 12, "trixie": 13}
_NEWER_THAN_13 = ("forky", "sid", "testing", "unstable", "rolling", "devel", "rawhide")
# the first version of an official image whose floating tag moved to Debian 13 (August 2025)
_TRIXIE_SINCE = {"golang": (1, 24), "rust": (1, 89)}
_UBUNTU_OLD = ("trusty", "xenial", "bionic", "focal", "jammy")   # glibc <= 2.35


def glibc_debian(facts: StageFacts) -> tuple[int, str | None]:
    """(Debian release whose glibc runs what this builder links, warning or None)."""
    name, tag = facts.image_name, facts.image_tag.lower()
    unsure = (f"builder {facts.image}: its glibc version is not known, so the runtime assumes Debian 12 "
              "(glibc 2.36); if the app stops with `GLIBC_2.xx not found`, build on a Debian 12 based image")
    if any(word in tag for word in _NEWER_THAN_13):
        return 13, (f"builder {facts.image} may have a newer glibc than Debian 13; if the app stops with "
                    "`GLIBC_2.xx not found`, build on a Debian 13 based image")
    for codename, release in _CODENAMES.items():
        if codename in tag:
            return release, None
    if name in _TRIXIE_SINCE:
        m = re.match(r"(\d+)\.(\d+)", tag)
        if m:
            return (13 if (int(m.group(1)), int(m.group(2))) >= _TRIXIE_SINCE[name] else 12), None
        return 13, None     # latest, 1, slim: floating tags follow the current Debian release
    if name in ("debian", "buildpack-deps"):
        m = re.match(r"(\d+)", tag)
        return (12 if m and int(m.group(1)) <= 12 else 13), None
    if name == "ubuntu":
        m = re.match(r"(\d+)\.(\d+)", tag)
        if m:
            return (12 if (int(m.group(1)), int(m.group(2))) <= (22, 4) else 13), None
        return (12 if any(c in tag for c in _UBUNTU_OLD) else 13), None
    if name in ("centos", "rockylinux", "almalinux", "amazonlinux"):
        return 12, None     # glibc 2.34 or older
    return 12, unsure


def glibc_runtime(image: str, release: int) -> str:
    """The Debian 12 image name moved to `release` (distroless -debian13, debian:trixie-slim)."""
    if release == 13:
        return image.replace("-debian12", "-debian13").replace("bookworm", "trixie")
    return image


def debian_packages(packages: list[str], release: int) -> list[str]:
    """Package names on `release`: Debian 13 renamed some libraries in the 64-bit time_t move."""
    renamed = {"libssl3": "libssl3t64"} if release == 13 else {}
    return [renamed.get(p, p) for p in packages]


# packages a build installs for itself (fetching, unpacking, compiling), never for the app
BUILD_UTILITIES = {"curl", "wget", "git", "ca-certificates", "gnupg", "gnupg2", "apt-transport-https",
                   "software-properties-common", "lsb-release", "unzip", "zip", "xz-utils", "tar", "bzip2",
                   "gzip", "patch", "dos2unix", "file", "openssl", "musl", "protobuf-compiler", "protoc",
                   "clang", "llvm", "lld", "binutils", "upx", "upx-ucl", "mercurial", "openssh-client",
                   "bash", "coreutils", "findutils", "sed", "grep", "gawk", "automake", "autoconf", "libtool",
                   "nasm", "yasm", "perl", "sudo", "vim", "nano", "less"}


def carry_runtime_tools(facts: StageFacts, plan: BuildPlan, options, suffixes: tuple[str, ...],
                        skip: set[str] = frozenset(), libraries: bool = False) -> None:
    """Programs the builder installs that the app runs (its sources, scripts or start command say
    so) are installed in the runtime, on a base with a package manager; the others are reported.
    `skip`: packages the language already carries. Plain libraries the build installs (`libnss3`,
    not a -dev package) come along when `libraries` (native modules load them) or when a program
    does (they are usually its dependencies, as for a browser)."""
    from msbrewrite.rules import runtime_programs
    packages = [p for p in runtime_programs.candidates(facts) if p not in skip]
    # a distroless or scratch flavour the user chose gets no package manager: report only
    may_carry = options.flavour(plan.language) in ("auto", "slim", "alpine")
    used = {}
    if may_carry:
        # fonts are never a build tool: whatever renders text at run time loads them
        used = {p: "fonts" for p in packages if runtime_programs.is_font(p)}
        if facts.context:
            # the start command, and ENV values such as PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium
            from msbrewrite.rules.compose_usage import overrides
            words = start_words(facts, plan) + [w for v in facts.env.values() for w in str(v).split()] + \
                [w for o in overrides(facts) if not o.dev for w in runtime_programs.command_words(o.argv)]
            used.update(runtime_programs.used_by_app(facts, [p for p in packages if p not in used], suffixes, words))
            browsers = [p for p in packages if runtime_programs.is_browser(p) and p not in used]
            driver = runtime_programs.browser_driver(facts) if browsers else None
            used.update({p: f"started by {driver}" for p in browsers if driver})
    if used:
        plan.runtime_packages += sorted(used)
        plan.needs_shell = True     # a base with the package manager that installs them
        plan.decisions.append("the app runs programs the build installed: " + ", ".join(
            f"{pkg} ({where})" for pkg, where in sorted(used.items())) + "; installed in the runtime")
    # the table is read only when the build installs packages at all
    mapped = {**native_libs().get("debian", {}), **native_libs().get("alpine", {})} \
        if facts.packages or packages else {}
    libs = [p for p in dict.fromkeys(x.split("=")[0] for x in facts.packages)
            if p.startswith("lib") and not p.endswith(("-dev", "-devel", "-doc", "-dbg")) and p not in mapped
            and p not in skip and p not in plan.runtime_packages and "$" not in p
            and p not in BUILD_UTILITIES]      # libtool is a build tool whose name starts like a library
    if libs and may_carry and (libraries or used):
        plan.runtime_packages += libs
        plan.needs_shell = True
        plan.decisions.append(f"libraries the build installed for run time: {' '.join(libs)}; installed in the "
                              "runtime")
    elif libs:
        plan.warnings.append(f"the build installs {', '.join(libs[:6])}; the runtime stage does not carry them "
                             "(nothing msb carries needs them): if the app loads them, use --runtime slim")
    tools = [p for p in packages if p not in used and p not in mapped and p not in BUILD_UTILITIES]
    if tools:
        shown = ", ".join(tools[:6]) + (f" and {len(tools) - 6} more" if len(tools) > 6 else "")
        why = "nothing in the context runs them" if facts.context else "without the context msb cannot tell"
        plan.warnings.append(f"the build installs {shown}; the runtime stage does not carry them ({why}): if the "
                             "app runs them, use --runtime slim and install them there")


def start_words(facts: StageFacts, plan: BuildPlan) -> list[str]:
    """The words of what the runtime starts: the converted command once the language has rewritten it
    (a `cargo run` that became the binary runs no cargo), else the original's."""
    from msbrewrite.model.analysis import command_argv
    from msbrewrite.rules.runtime_programs import command_words
    if plan.entrypoint is not None or plan.cmd is not None:
        return command_words(plan.entrypoint) + command_words(plan.cmd)
    return command_words(command_argv(facts.entrypoint)) + command_words(command_argv(facts.cmd))


def follow_moves(facts: StageFacts, path: str, after) -> str:
    """Where a built file ends up when later commands `cp`, `mv` or `install` it elsewhere."""
    from msbrewrite.model.command_index import follow_moves as follow
    return follow(facts, path, after)


def moved_out_of(facts: StageFacts, directory: str, after) -> list[str]:
    """Names of files later `cp`/`mv`/`install` commands take out of `directory` (a build's output dir)."""
    from msbrewrite.model.command_index import moved_out_of as taken
    return taken(facts, directory, after)


def cache_mounts(facts: StageFacts, command) -> list[str]:
    """Targets of the `RUN --mount=type=cache` that runs `command`: their content never reaches the image."""
    from msbrewrite.model.command_index import step_of
    step = step_of(facts, command)
    out = []
    for name, value in step.ins.flag_list if step else ():
        fields = dict(f.split("=", 1) for f in value.split(",") if "=" in f)
        if name == "mount" and fields.get("type") == "cache":
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if target:
                out.append(posixpath.normpath(posixpath.join(step.workdir, target)))
    return out


def read_xml(context, rel: str):
    """The root element of the context's XML file `rel` (pom.xml, *.csproj), None when absent or not XML."""
    text = context.read(rel)
    if not text:
        return None
    import xml.etree.ElementTree as ET   # only projects with XML manifests pay for the parser
    try:
        return ET.fromstring(re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text))
    except ET.ParseError:
        return None
