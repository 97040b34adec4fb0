"""Shape checks for a parsed Cargo.toml: the keys msb reads must hold the types Cargo requires.

TOML parses `name = 5` happily; Cargo refuses the manifest. msb reads these values as strings,
lists and tables, so a wrong type is said in one line instead of failing somewhere inside.
"""
from __future__ import annotations

def manifest_problem(data: dict) -> str | None:
    """What is wrong with the keys msb reads, or None."""
    package = data.get("package")
    if package is not None and not isinstance(package, dict):
        return "[package] must be a table"
    for key in ("name", "default-run"):
        if isinstance(package, dict) and key in package and not isinstance(package[key], str):
            return f"[package] {key} must be a string"
    if isinstance(package, dict) and "autobins" in package and not isinstance(package["autobins"], bool):
        return "[package] autobins must be true or false"
    bins = data.get("bin")
    if bins is not None:
        if not isinstance(bins, list) or not all(isinstance(b, dict) for b in bins):
            return "bin must be an array of [[bin]] tables"
        for b in bins:
            if why := _target_problem("[[bin]]", b):
                return why
    lib = data.get("lib")
    if lib is not None:
        if not isinstance(lib, dict):
            return "[lib] must be a table"
        if why := _target_problem("[lib]", lib):
            return why
    workspace = data.get("workspace")
    if workspace is not None:
        if not isinstance(workspace, dict):
            return "[workspace] must be a table"
        for key in ("members", "default-members", "exclude"):
            value = workspace.get(key)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                return f"[workspace] {key} must be an array of strings"
    return None


def _target_problem(table: str, target: dict) -> str | None:
    for key in ("name", "path"):
        if key in target and not isinstance(target[key], str):
            return f"{table} {key} must be a string"
    return None
