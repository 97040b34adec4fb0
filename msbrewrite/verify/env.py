"""Which ENV differences between the two images are worth a warning: a variable the original sets
and the converted image lacks or changes, unless base images or builds set it for themselves; and
the one the original runs with so that both logs can be compared (Python's output buffering). Pure."""
from __future__ import annotations

from msbrewrite.support import lazy_re

# set by base images or by builds for themselves: their absence says nothing about the app
_BASE_ENV = lazy_re.compile(r"(PATH|HOME|HOSTNAME|TERM|LANG|LC_\w+|GPG_KEY|\w+_VERSION|\w+_SHA256|\w*JAVA_HOME|JAVA_\w+|"
                            r"GO\w*|CARGO_\w+|RUSTUP_\w+|NPM_\w+|npm_\w+|YARN_\w+|PIP_\w+|PYTHON\w*|MAVEN_\w+|"
                            r"GRADLE_\w+|DEBIAN_FRONTEND|NODE_OPTIONS|PNPM_HOME|VIRTUAL_ENV|SSL_CERT_\w+)")


def env_warnings(original: dict, converted: dict) -> list[str]:
    """ENV the original image sets that the converted one lacks or changes (the app may read it)."""
    def env(config: dict) -> dict[str, str]:
        pairs = (e.partition("=") for e in config.get("Env") or [] if isinstance(e, str))
        return {k: v for k, _, v in pairs}
    before, after = env(original or {}), env(converted or {})
    missing = sorted(k for k in before if k not in after and not _BASE_ENV.fullmatch(k))
    changed = sorted(k for k in before if k in after and before[k] != after[k] and not _BASE_ENV.fullmatch(k))
    out = []
    if missing:
        out.append("ENV not set in the converted image: " + ", ".join(missing[:8]) +
                   (f" and {len(missing) - 8} more" if len(missing) > 8 else ""))
    if changed:
        out.append("ENV set differently in the converted image: " + ", ".join(
            f"{k} ({before[k][:30]!r} -> {after[k][:30]!r})" for k in changed[:5]))
    return out


def _env(config: dict) -> dict[str, str]:
    pairs = (e.partition("=") for e in (config or {}).get("Env") or [] if isinstance(e, str))
    return {k: v for k, _, v in pairs}


def unbuffered_original(original: dict, converted: dict, run_args: list[str]) -> list[str]:
    """`docker run` arguments for the original so its log is comparable: a Python runtime the
    conversion gave PYTHONUNBUFFERED=1 prints each line at once, while the original's stdout (a pipe,
    not a terminal) holds them in a buffer that a stopped server never flushes. A line the converted
    log shows and the original's buffer kept is not a difference of behaviour; the same setting for
    the original makes both logs say what the app printed. Nothing when the user set it, when the
    original sets it itself, or when the converted image does not."""
    if _env(original).get("PYTHONUNBUFFERED") or not _env(converted).get("PYTHONUNBUFFERED"):
        return []
    if any("PYTHONUNBUFFERED" in a for a in run_args):
        return []
    return ["-e", "PYTHONUNBUFFERED=" + _env(converted)["PYTHONUNBUFFERED"]]


_TERMINAL_FLAGS = ("-i", "-t", "-it", "-ti", "--interactive", "--tty")


def terminal_args(services: list[tuple[str, str, dict]], run_args: list[str]) -> tuple[list[str], str]:
    """`-i`/`-t` for both servers as the compose service that runs this image gives them
    (`stdin_open: true`, `tty: true`), and the note that says so: a dev server that stops when its
    input closes (react-scripts start) runs under verify as it does under compose. Nothing when the
    user passed either flag."""
    if any(a in _TERMINAL_FLAGS or a.startswith(("--interactive=", "--tty=")) for a in run_args):
        return [], ""
    for name, service, spec in services:
        flags = [flag for key, flag in (("stdin_open", "-i"), ("tty", "-t")) if spec.get(key) is True]
        if flags:
            said = ", ".join(f"{key}: true" for key, flag in (("stdin_open", "-i"), ("tty", "-t")) if flag in flags)
            return flags, (f"both images ran with {' '.join(flags)}, as {name} service {service} runs this "
                           f"image ({said})")
    return [], ""
