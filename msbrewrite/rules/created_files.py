"""Files the build itself writes: `RUN echo ... > config.yaml`, `tee`, heredocs.

A config file the start command names may come from the context (COPY) or be written by a RUN
line or a COPY heredoc; either way the runtime needs it.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.support import lazy_re

# `> file`, `>> file`, `tee [-a] file`: the target word, quotes allowed
_WRITE_RE = lazy_re.compile(r"""(?:(?<![0-9&<>])>>?|\btee(?:\s+-a)?)\s*(["']?)([^\s;&|<>"']+)\1""")


def written_by_build(facts: StageFacts, path: str) -> bool:
    """Whether a RUN line writes `path` (absolute, normalised) or a COPY heredoc creates it."""
    for step in facts.steps:
        ins = step.ins
        if ins.keyword == "RUN":
            for m in _WRITE_RE.finditer(ins.raw):
                target = m.group(2)
                if target.startswith("/dev/") or "$" in target:
                    continue
                if posixpath.normpath(posixpath.join(step.workdir, target)) == path:
                    return True
        elif ins.keyword in ("COPY", "ADD") and ins.heredocs:
            for cp in facts.copies:
                if cp.ins is ins and _heredoc_dest(cp, path):
                    return True
    return False


def _heredoc_dest(cp, path: str) -> bool:
    for src in cp.sources:
        m = re.match(r"<<-?[\"']?([^\"']+)[\"']?$", src)
        if not m:
            continue
        dest = posixpath.join(cp.dest, m.group(1)) if cp.dest.endswith("/") else cp.dest
        if posixpath.normpath(dest) == path:
            return True
    return False


def written_secrets(facts: StageFacts) -> list[tuple[str, int, str]]:
    """Files the build writes a credential into: (absolute path, line, what wrote it).

    `git clone https://${TOKEN}@host/...` keeps the URL, token included, in the clone's
    `.git/config`; `git config --global url....insteadOf` with a token writes `~/.gitconfig`;
    `echo "...$NPM_TOKEN" > .npmrc` writes the token where the redirection points.
    """
    from msbrewrite.rules.secret_values import SECRET_RE, secret_value_kind
    out: list[tuple[str, int, str]] = []
    for step in facts.steps:
        if step.ins.keyword != "RUN":
            continue
        line = step.ins.lineno
        for c in step.commands:
            words = c.argv[1:]
            if c.program != "git" or not _logs_in(words, step.ins.raw):
                continue
            if words[:1] == ["clone"]:
                out.append((posixpath.join(_clone_dir(words[1:], c.cwd), ".git"), line,
                            "`git clone` with a token in its URL"))
            elif words[:1] == ["config"]:
                home = c.env.get("HOME") or step.env.get("HOME") or "/root"
                target = posixpath.join(home, ".gitconfig") if "--global" in words else posixpath.join(c.cwd, ".git")
                out.append((target, line, "`git config` with a token in a URL"))
        for m in _WRITE_RE.finditer(step.ins.raw):
            target = m.group(2)
            if target.startswith("/dev/") or "$" in target:
                continue
            names = re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", step.ins.raw)
            if any(SECRET_RE.search(n) for n in names) or secret_value_kind(step.ins.raw):
                out.append((posixpath.normpath(posixpath.join(step.workdir, target)), line,
                            "a RUN line that writes a secret"))
    return out


def _logs_in(words: list[str], raw: str) -> bool:
    """A git URL with credentials; a variable in the user part (`https://${TOKEN}@`) is expanded
    to nothing in `words`, so the instruction's own text decides then."""
    from msbrewrite.rules.secret_values import has_url_credentials
    if any(has_url_credentials(w) for w in words):
        return True
    return any("://@" in w or ":@" in w for w in words) and has_url_credentials(raw)


def _clone_dir(args: list[str], cwd: str) -> str:
    """The folder `git clone [options] URL [DIR]` creates."""
    # options that take a value, so the value is not taken for the URL
    valued = {"-b", "--branch", "-o", "--origin", "--depth", "-c", "--config", "--reference", "--separate-git-dir",
              "-u", "--upload-pack", "-j", "--jobs", "--filter", "--template", "--shallow-since",
              "--shallow-exclude"}
    plain, skip = [], False
    for w in args:
        if skip:
            skip = False
        elif w in valued:
            skip = True
        elif not w.startswith("-"):
            plain.append(w)
    if not plain:
        return cwd
    if len(plain) > 1:
        return posixpath.normpath(posixpath.join(cwd, plain[1]))
    name = plain[0].rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return posixpath.normpath(posixpath.join(cwd, name.removesuffix(".git")))
