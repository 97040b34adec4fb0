"""Project configuration: `[tool.msb]` in pyproject.toml or a `.msb.toml` file.

The nearest configuration wins (searching from the Dockerfile's directory upwards, stopping at
the repository root, the user's home or a file-system boundary); within one directory
`.msb.toml` wins over pyproject.toml. A file owned by another user (not root) is passed over,
with a warning. Files are not merged. Flags given on the command line win over the file.

    [tool.msb]                      # or, in .msb.toml, the same keys at the top level
    runtime = "slim"                # every language; or a table: runtime = { go = "distroless", python = "slim" }
    language = "python"             # skip detection
    mirror = "registry.example.com/hub"
    user = "nonroot"                # nonroot | root | a name or uid
    extra-paths = ["config/app.yaml"]
    exclude = ["legacy/**", "*.dev.Dockerfile"]
    optimize = true                 # --optimize for convert and migrate
    drop-dotenv = true              # --drop-dotenv: .env files the app reads are passed at run time
    debug-stage = true              # --debug-stage: a `debug` twin of the runtime with a shell

    [tool.msb.digests]              # emitted image -> digest pin
    "gcr.io/distroless/static-debian12:nonroot" = "sha256:..."
"""
from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from msbrewrite.core.option_values import extra_path_problem, image_problem, mirror_problem, user_problem
from msbrewrite.model.options import RUNTIMES, Options
from msbrewrite.model.quoting import has_control
from msbrewrite.support.tomlreader import toml
from msbrewrite.support import lazy_re
from msbrewrite.support import records
from msbrewrite.support.records import field, record

LANGUAGES = ("go", "rust", "node", "python", "java", "frontend")
KEYS = ("runtime", "language", "mirror", "digests", "user", "extra-paths", "exclude", "optimize", "drop-dotenv",
        "debug-stage")
_DIGEST_RE = lazy_re.compile(r"sha256:[0-9a-f]{64}")
_MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(ValueError):
    """A configuration file msb cannot use; the message is one line naming file and key."""


@record(frozen=True)
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
    drop_dotenv: bool | None = None
    debug_stage: bool | None = None


def find(start: str | Path | None) -> Config | None:
    """The nearest configuration for a directory, or None."""
    if start is None:
        return None
    return _find(Path(start).resolve())


@lru_cache(maxsize=1024)
def _find(directory: Path) -> Config | None:
    chain = _chain(directory)
    return chain[0] if chain else None


def _chain(directory: Path) -> tuple[Config, ...]:
    """Every configuration from `directory` up to the search's end, nearest first."""
    return _search(directory)[0]


def ignored(start: str | Path | None) -> list[str]:
    """One message per configuration file the search from `start` passed over for its owner."""
    if start is None:
        return []
    return list(_search(Path(start).resolve())[1])


class _Searches:
    """What the search from each directory finds: (configurations, passed-over messages), nearest
    first. A directory's answer is its own file plus its parent's answer, so a tree 1,000 folders
    deep costs one step per folder, not one walk to the top per folder (cubic in memory before)."""

    def __init__(self) -> None:
        self.found: dict[Path, tuple[tuple[Config, ...], tuple[str, ...]]] = {}

    def cache_clear(self) -> None:
        self.found.clear()

    def __call__(self, directory: Path) -> tuple[tuple[Config, ...], tuple[str, ...]]:
        path: list[Path] = []
        d: Path | None = directory
        home = _home()
        while d is not None and d not in self.found:
            path.append(d)
            d = _next_searched(d, home)
        configs, messages = self.found[d] if d is not None else ((), ())
        for here in reversed(path):
            cfg, why = _looked(here)
            configs = (cfg,) + configs if cfg else configs
            messages = why + messages
            self.found[here] = (configs, messages)
        return self.found[directory]


_search = _Searches()


def _next_searched(d: Path, home: Path | None) -> Path | None:
    """The directory the search reads after `d`, or None where it stops: at the repository root, at
    the user's home, and before a parent on another file system (a mount point), as git stops
    looking for a repository: above them lie folders other people control."""
    if os.path.exists(d / ".git") or d == home or d.parent == d:
        return None
    if _device(d.parent) != _device(d):
        return None
    return d.parent


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):   # no HOME and no passwd entry
        return None


def _device(d: Path) -> int | None:
    try:
        return os.stat(d).st_dev
    except OSError:
        return None


def _at(d: Path) -> Config | None:
    return _looked(d)[0]


@lru_cache(maxsize=4096)
def _looked(d: Path) -> tuple[Config | None, tuple[str, ...]]:
    """The configuration file of one directory (`.msb.toml`, else `[tool.msb]` in pyproject.toml)
    and the messages for files passed over because another user owns them."""
    passed_over: list[str] = []
    dedicated = d / ".msb.toml"
    if _present(dedicated) and _trusted(dedicated, passed_over):
        return _parse(dedicated, _read(dedicated), ""), tuple(passed_over)
    project = d / "pyproject.toml"
    if _present(project) and _trusted(project, passed_over):
        data = _read(project, needs=b"msb")
        table = data.get("tool", {}).get("msb") if isinstance(data.get("tool"), dict) else None
        if table is not None:
            return _parse(project, table, "[tool.msb] "), tuple(passed_over)
    return None, tuple(passed_over)


def _present(path: Path) -> bool:
    """Whether a configuration file is there; one that is a directory or a FIFO is an error, not absent."""
    try:
        info = os.stat(path)
    except OSError:     # absent, or a directory that cannot be searched: nothing in it can be read
        return False
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a file"
        raise ConfigError(f"{path}: not a regular file ({kind}): remove it or make it a configuration file")
    return True


def _trusted(path: Path, passed_over: list) -> bool:
    """A configuration decides base images and the user the app runs as: only a file its user
    (or root) owns is read, as git reads only a repository its user owns (safe.directory)."""
    owner = os.stat(path).st_uid
    if owner in (os.geteuid(), 0):
        return True
    passed_over.append(f"{path}: ignored: owned by uid {owner}, not by you (uid {os.geteuid()}) or root")
    return False


def excluded(path: str | Path) -> bool:
    """Whether an `exclude` pattern of a configuration above `path` matches it. Each pattern is
    read as a .gitignore line relative to the directory of the file that declares it (patterns.py);
    every configuration up to the end of the search counts, not only the nearest."""
    path = Path(path)
    is_dir = os.path.isdir(path)
    hit = False
    for cfg in _chain(path.parent):
        if cfg.exclude:
            rel = path.relative_to(cfg.path.parent).as_posix()
            hit = _excludes(cfg).matches(rel, is_dir) or hit
    return hit


_EXCLUDES: dict = {}


def _excludes(cfg: Config):
    from msbrewrite.support.patterns import PatternSet
    if cfg.path not in _EXCLUDES:
        _EXCLUDES[cfg.path] = PatternSet.of(cfg.exclude, str(cfg.path))
    return _EXCLUDES[cfg.path]


def unmatched_excludes() -> list[tuple[str, str]]:
    """(configuration file, pattern) for each `exclude` pattern consulted so far that matched nothing."""
    return [(sets.source, text) for sets in _EXCLUDES.values() for text in sets.unmatched()]


def _read(path: Path, needs: bytes = b"") -> dict:
    """The file's TOML; {} without parsing when it does not contain `needs` (a pyproject.toml
    without a word of msb holds no [tool.msb] table however its keys are written)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(_MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > _MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {_MAX_CONFIG_BYTES // 1024} KB: not a configuration file")
    if needs not in data:
        return {}
    tomllib = toml()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]     # editors on Windows write a byte-order mark; TOML itself does not allow one
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start}): not a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


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
            why = (user_problem if key == "user" else mirror_problem)(value.strip())
            if why:
                raise bad(raw_key, why)
            values[key] = value.strip()
        elif key in ("optimize", "drop-dotenv", "debug-stage"):
            if not isinstance(value, bool):
                raise bad(raw_key, "must be true or false")
            values[key.replace("-", "_")] = value
        elif key == "digests":
            if not isinstance(value, dict):
                raise bad(raw_key, "must be a table of image = \"sha256:...\"")
            for image, digest in value.items():
                if image_problem(image):
                    raise bad(f"{raw_key}.{image!r}", image_problem(image))
                if not isinstance(digest, str) or not _DIGEST_RE.fullmatch(digest):
                    raise bad(f"{raw_key}.{image}", "digest must look like sha256:<64 hex digits>")
            values["digests"] = dict(value)
        else:   # extra-paths, exclude
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise bad(raw_key, "must be a list of strings")
            for v in value:
                why = extra_path_problem(v) if key == "extra-paths" else (
                    "patterns must not hold control characters" if has_control(v) else None)
                if why:
                    raise bad(raw_key, why)
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
    out = records.replace(opts, digests=dict(opts.digests), extra_paths=list(opts.extra_paths),
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
    if cfg.drop_dotenv is not None and not explicit.get("drop_dotenv"):
        out.drop_dotenv = cfg.drop_dotenv
    if cfg.debug_stage is not None and not explicit.get("debug_stage"):
        out.debug_stage = cfg.debug_stage
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
