"""SARIF 2.1.0 for `msb check`: one result per convertible single-stage Dockerfile.

GitHub code scanning reads this and shows each finding on the pull request, at the FROM line.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from msbrewrite.support.version import version
from msbrewrite.bulk.runner import CONVERTED, FAILED, Item, display

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule(rule_id: str, name: str, short: str, full: str, help_text: str, level: str, tags: list[str]) -> dict:
    return {"id": rule_id, "name": name, "shortDescription": {"text": short}, "fullDescription": {"text": full},
            "help": {"text": help_text}, "defaultConfiguration": {"level": level}, "properties": {"tags": tags}}


RULE_ID = "MSB001"
RULE = _rule(
    RULE_ID, "SingleStageDockerfile", "Single-stage Dockerfile can become a multi-stage build",
    "The image ships its build toolchain, sources and build-only dependencies. A multi-stage build keeps the "
    "build as it is in a builder stage and copies only the artifacts into a minimal runtime image.",
    "Run `msb convert Dockerfile --diff` to review the change, or `msb migrate . --in-place` to apply it to "
    "every Dockerfile.", "warning", ["docker", "image-size", "security"])

FAILED_ID = "MSB002"
FAILED_RULE = _rule(
    FAILED_ID, "UncheckedDockerfile", "A Dockerfile or directory could not be checked",
    "msb could not read this file or directory (permissions, a file changed during the run, or an internal "
    "error), so the check is incomplete.",
    "Make the file readable, or exclude it, and run the check again.", "error", ["docker"])

SECRET_ID = "MSB003"
SECRET_RULE = _rule(
    SECRET_ID, "SecretReadByApp", "The image ships a secret-looking file the app reads at run time",
    "The original image bakes in a file that holds a secret (a .env file, a private key, credentials) and the "
    "app loads it when it starts, so the converted image keeps it. Anyone who can pull the image can read it.",
    "Pass the file at run time instead (`docker run --env-file`, compose `env_file:` or `secrets:`, a mounted "
    "volume), add it to .dockerignore, and convert with --drop-dotenv for .env files.",
    "warning", ["docker", "security", "secrets"])


def secret_message(secret: dict) -> str:
    """One kept secret, for every report format."""
    from msbrewrite.rules.secret_files import how_to_pass
    name = secret["path"].rsplit("/", 1)[-1]
    return (f"The image ships {secret['path']} ({secret['kind']}), which the app reads ({secret['read_by']}); "
            f"pass it at run time instead with {how_to_pass(secret['kind'], name)}.")


def secret_findings(items: list[Item]) -> list[tuple[Item, dict]]:
    """(item, secret) for every secret-looking file a converted image keeps."""
    return [(item, s) for item in items if item.status == CONVERTED for s in item.secrets]


def message(item: Item) -> str:
    text = f"Single-stage {item.language or ''} Dockerfile can be multi-stage on {item.runtime_base}".replace("  ", " ")
    if item.leaves_out:
        text += "; the final image would leave out: " + "; ".join(item.leaves_out)
    return text + "."


def _location(path: str, base: Path | None) -> dict:
    """A relative URI against the source root when the file lies under it, else a file: URI."""
    shown = display(path, base)
    if Path(shown).is_absolute():
        return {"uri": Path(shown).as_uri()}
    # the name's bytes as the file system holds them: a folder name that is not UTF-8 is still a URI
    return {"uri": quote(os.fsencode(shown), safe="/"), "uriBaseId": "%SRCROOT%"}


def document(items: list[Item], base: Path | None = None) -> dict:
    results = []
    for item in items:
        if item.status == FAILED:
            results.append({
                "ruleId": FAILED_ID,
                "ruleIndex": 1,
                "level": "error",
                "message": {"text": f"msb could not check this file: {item.reason}"},
                "locations": [{"physicalLocation": {"artifactLocation": _location(item.path, base)}}],
                "partialFingerprints": {"msbFinding/v1": f"{display(item.path, base)}:{FAILED_ID}"},
            })
            continue
        for secret in item.secrets if item.status == CONVERTED else []:
            results.append(_secret_result(item, secret, base))
        if item.status != CONVERTED or item.no_gain:
            continue
        results.append({
            "ruleId": RULE_ID,
            "ruleIndex": 0,
            "level": "warning",
            "message": {"text": message(item)},
            "locations": [{"physicalLocation": {
                "artifactLocation": _location(item.path, base),
                "region": {"startLine": item.line},
            }}],
            "partialFingerprints": {"msbFinding/v1": f"{display(item.path, base)}:{RULE_ID}"},
            "properties": {"language": item.language, "runtimeBase": item.runtime_base,
                           "artifacts": item.artifacts, "leavesOut": item.leaves_out,
                           "config": display(item.config, base) if item.config else None},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "msb", "version": version(), "semanticVersion": version(),
                                "rules": [RULE, FAILED_RULE, SECRET_RULE]}},
            "invocations": [{"executionSuccessful": not any(i.status == FAILED for i in items),
                             # the configuration files that decided options (mirror, user...)
                             "properties": {"configurationFiles": sorted({display(i.config, base)
                                                                          for i in items if i.config})}}],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def _secret_result(item: Item, secret: dict, base: Path | None) -> dict:
    return {
        "ruleId": SECRET_ID,
        "ruleIndex": 2,
        "level": "warning",
        "message": {"text": secret_message(secret)},
        "locations": [{"physicalLocation": {
            "artifactLocation": _location(item.path, base),
            "region": {"startLine": secret.get("line") or item.line},
        }}],
        "partialFingerprints": {"msbFinding/v1": f"{display(item.path, base)}:{SECRET_ID}:{secret['path']}"},
        "properties": {"file": secret["path"], "kind": secret["kind"], "readBy": secret["read_by"]},
    }


def dumps(items: list[Item], base: Path | None = None) -> str:
    return json.dumps(document(items, base), indent=2)
