"""A suggested .dockerignore for a context that has none (written by the CLI, never by convert()).

It keeps out what an expert keeps out of a build context: version control, dependency folders
the build installs again, build output it makes again, secrets files and editor junk, in the
language's conventions. A pattern naming something the Dockerfile itself mentions (a COPY
source, a path a RUN reads) is left out, so the suggestion cannot break the build. Secrets
files are the exception: they stay excluded unless a COPY/ADD names one as its source (then the
suggestion and the report say that the secret reaches the image): `cp .env.example .env` or
`COPY .env.example .env` does not need the real `.env`, and a `COPY . .` would ship it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

SECRETS = "secrets (pass them with --secret, never in the context)"
COMMON = {
    "version control": [".git", ".gitignore", ".gitattributes", ".hg", ".svn"],
    "editors and OS files": [".idea", ".vscode", "*.swp", "*~", "**/.DS_Store", "Thumbs.db"],
    SECRETS: [
        ".env", ".env.*", "!.env.example", "*.pem", "*.key", "id_rsa*", ".npmrc", ".pypirc", ".netrc",
        ".git-credentials", ".aws", ".ssh"],
    "container files": ["docker-compose*.yml", "compose*.yaml", ".dockerignore"],
}
BY_LANGUAGE = {
    "go": {"build output and test files": ["bin", "*.exe", "*.test", "*.out", "coverage.*"]},
    "rust": {"build output": ["target", "**/*.rs.bk"]},
    "node": {"dependencies (installed again in the image)": ["node_modules", "**/node_modules"],
             "build output and logs": ["dist", "build", ".next", "coverage", ".turbo", ".cache", "npm-debug.log*",
                                       "yarn-debug.log*", "yarn-error.log*", ".pnpm-store"]},
    "python": {"virtualenvs and caches": [".venv", "venv", "env", "__pycache__", "**/__pycache__", "*.py[cod]",
                                         ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".coverage", "htmlcov"],
               "build output": ["build", "dist", "*.egg-info"]},
    "java": {"build output": ["target", "build", ".gradle", "out", "*.class", "*.log"]},
}
BY_LANGUAGE["frontend"] = BY_LANGUAGE["node"]


def suggestion(language: str | None, dockerfile_text: str) -> str:
    sections = dict(COMMON)
    sections.update(BY_LANGUAGE.get(language or "", {}))
    lines = ["# suggested by msb convert --optimize: review before committing",
             "# (a file the build needs must not be listed here)"]
    for title, patterns in sections.items():
        if title == SECRETS:
            kept = [p for p in patterns if p.startswith("!") or not copied_secret(p, dockerfile_text)]
        else:
            kept = [p for p in patterns if not _mentioned(p, dockerfile_text)]
        if kept:
            lines += ["", f"# {title}", *kept]
    named = kept_secrets(dockerfile_text)
    if named:
        lines += ["", f"# not listed because the Dockerfile copies them, so they reach the image: {', '.join(named)}",
                  "# (pass their values at run time or with --secret instead)"]
    return "\n".join(lines) + "\n"


def copied_secret(pattern: str, dockerfile_text: str) -> bool:
    """A secrets entry stays out of the suggestion only when a COPY/ADD names a file it matches
    as its source: excluding it would break the build. Naming `.env` anywhere else (a destination,
    `cp .env.example .env`, an ENV value) does not need the real file, which stays excluded."""
    from msbrewrite.model.copy_sources import literal_sources
    allowed = [p[1:] for p in COMMON[SECRETS] if p.startswith("!")]    # `!.env.example` lets that one in
    return any(_names(pattern, source) and not any(_names(a, source) for a in allowed)
               for source in literal_sources(dockerfile_text))


def _names(pattern: str, source: str) -> bool:
    import fnmatch
    name = source.rsplit("/", 1)[-1]
    return fnmatch.fnmatchcase(source, pattern) or fnmatch.fnmatchcase(name, pattern) or \
        source.startswith(pattern + "/")


def kept_secrets(dockerfile_text: str) -> list[str]:
    """The secrets entries left out of the suggestion because the Dockerfile copies those files."""
    return [p for p in COMMON[SECRETS] if not p.startswith("!") and copied_secret(p, dockerfile_text)]


def _mentioned(pattern: str, text: str) -> bool:
    """The Dockerfile names this entry (e.g. COPY .npmrc, pip install dist/*.whl): keep it in the context."""
    stem = pattern.lstrip("!").replace("**/", "").split("*")[0].rstrip(".")
    if not stem:
        return False
    return re.search(r"(?<![\w.-])" + re.escape(stem) + r"(?![\w-])", text) is not None


def check_target(path: Path, optimize: bool) -> None:
    """Raise ValueError (a one-line message) when the suggestion cannot be written there."""
    if not optimize:
        raise ValueError("--dockerignore needs --optimize (or optimize = true in the configuration)")
    if path.exists() or path.is_symlink():
        raise ValueError(f"--dockerignore {path}: already exists, not overwritten")
    if not path.parent.is_dir():
        raise ValueError(f"--dockerignore {path}: no such directory {path.parent}")


def write_suggestion(path: Path, context: Path | None, dockerfile_text: str, language: str | None) -> str:
    """Write the suggestion to `path` (never over a file); return the line for the report."""
    if context is None:
        return "no build context: no .dockerignore suggested"
    if (Path(context) / ".dockerignore").exists():
        return f"{Path(context) / '.dockerignore'} exists: no .dockerignore suggested"
    data = suggestion(language, dockerfile_text).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)    # O_EXCL: never over a file
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    note = f"suggested .dockerignore written to {path} (review it, then move it to {Path(context) / '.dockerignore'})"
    named = kept_secrets(dockerfile_text)
    if named:
        note += (f"; warning: {', '.join(named)} not excluded because the Dockerfile copies it, so the secret "
                 "reaches the image: pass it at run time instead")
    return note
