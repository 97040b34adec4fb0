"""Which file names are Dockerfiles (Dockerfile, Containerfile, Dockerfile.prod, api.dockerfile)."""
from __future__ import annotations

# suffixes after "Dockerfile." that name a template, a backup or a companion file, not a Dockerfile
NOT_DOCKERFILE = frozenset({
    "dockerignore", "j2", "jinja", "jinja2", "tmpl", "tpl", "template", "in", "erb", "mustache", "hbs",
    "gotmpl", "bak", "orig", "rej", "swp", "old", "md", "msb-tmp",
})


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    if lower.startswith("."):
        return False          # editor swap files, our own temp files
    if lower in ("dockerfile", "containerfile"):
        return True
    for stem in ("dockerfile.", "containerfile."):
        if lower.startswith(stem):
            return lower.rsplit(".", 1)[-1] not in NOT_DOCKERFILE
    return lower.endswith(".dockerfile")
