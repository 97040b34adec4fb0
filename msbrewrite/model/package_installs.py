"""Which packages a RUN command installs: the package-manager commands and the words that name packages.

`msbrewrite.model.analysis` collects `StageFacts.packages` with these.
"""
from __future__ import annotations

from msbrewrite.model.shell import Command

PKG_INSTALL = {("apt-get", "install"), ("apt", "install"), ("apk", "add"), ("yum", "install"),
               ("dnf", "install"), ("microdnf", "install")}

# options whose next word is their value, not a package: `apk add --virtual .build-deps gcc`
_VALUE_OPTIONS = {"apk": {"--virtual", "-t", "--repository", "-X", "--root", "-p", "--arch", "--cache-dir",
                          "--keys-dir"},
                  "apt-get": {"-o", "-t", "--target-release", "-c", "--config-file"},
                  "apt": {"-o", "-t", "--target-release", "-c", "--config-file"},
                  "yum": {"-c", "--config", "--releasever"}, "dnf": {"-c", "--config", "--releasever"},
                  "microdnf": {"--config"}}


def package_words(c: Command) -> list[str]:
    """The subcommand and package names of a package-manager command (options and their values left out)."""
    takes_value = _VALUE_OPTIONS.get(c.program, set())
    out, skip = [], False
    for w in c.argv[1:]:
        if skip:
            skip = False
        elif w in takes_value:
            skip = True
        elif not w.startswith("-"):
            out.append(w)
    return out
