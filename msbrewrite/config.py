"""Project configuration: `[tool.msb]` in pyproject.toml or a `.msb.toml` file.

The nearest configuration wins (searching from the Dockerfile's directory upwards, stopping at
the repository root); within one directory `.msb.toml` wins over pyproject.toml. Files are not
merged. Flags given on the command line win over the file.

    [tool.msb]                      # or, in .msb.toml, the same keys at the top level
    runtime = "slim"                # every language; or a table: runtime = { go = "distroless", python = "slim" }
    language = "python"             # skip detection
    mirror = "registry.example.com/hub"
    user = "nonroot"                # nonroot | root | a name or uid
    extra-paths = ["config/app.yaml"]
    exclude = ["legacy/**", "*.dev.Dockerfile"]
    optimize = true                 # --optimize for convert and migrate

    [tool.msb.digests]              # emitted image -> digest pin
    "gcr.io/distroless/static-debian12:nonroot" = "sha256:..."
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .options import RUNTIMES, Options
from .tomlreader import toml

LANGUAGES = ("go", "rust", "node", "python", "java", "frontend")
KEYS = ("runtime", "language", "mirror", "digests", "user", "extra-paths", "exclude", "optimize")
_DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")


class ConfigError(ValueError):
    """A configuration file msb cannot use; the message is one line naming file and key."""


@dataclass(frozen=True)
class Config:
    path: Path
    runtime: str | None = None
    runtime_by_language: dict = field(default_factory=dict)
    language: str | None = None
    mirror: str | None = None
    digests: dict = field(default_factory=dict)
    user: str | None = None
    extra_paths: tuple = ()
    exclude: tuple = ()
    optimize: bool | None = None


def find(start: str | Path | None) -> Config | None:
    """The nearest configuration for a directory, or None."""
    if start is None:
        return None
    return _find(Path(start).resolve())


@lru_cache(maxsize=1024)
def _find(directory: Path) -> Config | None:
    for d in (directory, *directory.parents):
        dedicated = d / ".msb.toml"
        if dedicated.is_file():
            return _parse(dedicated, _read(dedicated), "")
        project = d / "pyproject.toml"
        if project.is_file():
            data = _read(project)
            table = data.get("tool", {}).get("msb") if isinstance(data.get("tool"), dict) else None
            if table is not None:
                return _parse(project, table, "[tool.msb] ")
        if (d / ".git").exists():
            return None     # configuration above a repository does not apply to it
    return None


def _read(path: Path) -> dict:
    tomllib = toml()
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _parse(path: Path, table, where: str) -> Config:
    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"{path}: {where}key '{key}': {why}")

    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where.strip() or 'configuration'} must be a table")
    values: dict = {}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in KEYS:
            raise bad(raw_key, f"unknown key (known: {', '.join(KEYS)})")
        if key == "runtime":
            if isinstance(value, str):
                values["runtime"] = _flavour(value, bad, raw_key)
            elif isinstance(value, dict):
                per = {}
                for lang, flavour in value.items():
                    if lang not in LANGUAGES:
                        raise bad(f"{raw_key}.{lang}", f"unknown language (known: {', '.join(LANGUAGES)})")
                    per[lang] = _flavour(flavour, bad, f"{raw_key}.{lang}")
                values["runtime_by_language"] = per
            else:
                raise bad(raw_key, "must be a flavour string or a table language = flavour")
        elif key == "language":
            if value not in LANGUAGES:
                raise bad(raw_key, f"must be one of {', '.join(LANGUAGES)}")
            values["language"] = value
        elif key in ("mirror", "user"):
            if not isinstance(value, str) or not value.strip():
                raise bad(raw_key, "must be a non-empty string")
            values[key] = value.strip()
        elif key == "optimize":
            if not isinstance(value, bool):
                raise bad(raw_key, "must be true or false")
            values["optimize"] = value
        elif key == "digests":
            if not isinstance(value, dict):
                raise bad(raw_key, "must be a table of image = \"sha256:...\"")
            for image, digest in value.items():
                if not isinstance(digest, str) or not _DIGEST_RE.fullmatch(digest):
                    raise bad(f"{raw_key}.{image}", "digest must look like sha256:<64 hex digits>")
            values["digests"] = dict(value)
        else:   # extra-paths, exclude
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise bad(raw_key, "must be a list of strings")
            values["extra_paths" if key == "extra-paths" else "exclude"] = tuple(value)
    return Config(path, **values)


def _flavour(value, bad, key: str) -> str:
    if value not in RUNTIMES:
        raise bad(key, f"runtime flavour must be one of {', '.join(RUNTIMES)}")
    return value


def apply(opts: Options, config_from, explicit: dict | None = None) -> Options:
    """Options with the nearest configuration filled in; options marked explicit (CLI flags) win."""
    explicit = explicit or {}
    cfg = find(config_from)
    if cfg is None:
        return opts
    out = dataclasses.replace(opts, digests=dict(opts.digests), extra_paths=list(opts.extra_paths),
                              runtime_overrides=dict(opts.runtime_overrides))
    if cfg.runtime and not explicit.get("runtime"):
        out.runtime = cfg.runtime
    if cfg.runtime_by_language and not explicit.get("runtime_overrides"):
        out.runtime_overrides = {**cfg.runtime_by_language, **out.runtime_overrides}
    if cfg.language and not explicit.get("language"):
        out.language = cfg.language
    if cfg.user and not explicit.get("user"):
        out.user = cfg.user
    if cfg.mirror and not explicit.get("mirror"):
        out.mirror = cfg.mirror
    if cfg.optimize is not None and not explicit.get("optimize"):
        out.optimize = cfg.optimize
    if cfg.extra_paths and not explicit.get("extra_paths"):
        out.extra_paths = list(cfg.extra_paths)
    if cfg.digests and not explicit.get("digests"):
        pins = dict(cfg.digests)
        if out.mirror:
            # pins may name the image with or without the mirror prefix
            prefix = out.mirror.rstrip("/") + "/"
            pins.update({prefix + image: d for image, d in cfg.digests.items() if not image.startswith(prefix)})
        out.digests = {**pins, **out.digests}
    return out
