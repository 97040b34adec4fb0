"""Run every language detector over a stage and keep the best, with its evidence."""
from __future__ import annotations

import importlib

from .analysis import StageFacts
from .plan import Detection

# order breaks ties: a frontend build beats a Node server when both score the same, and so do
# Bun and Deno (their images run package.json apps too); C/C++ comes last, since Go, Rust, Python
# and Node images often compile a little C on the side
LANGUAGES = ("go", "rust", "frontend", "deno", "bun", "node", "python", "java", "ruby", "php", "dotnet", "cpp")


def language_module(name: str):
    return importlib.import_module(f"msbrewrite.languages.{name}")


def available() -> list[str]:
    out = []
    for name in LANGUAGES:
        try:
            language_module(name)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def detect(facts: StageFacts) -> list[Detection]:
    """All detections with a positive score, best first."""
    results = []
    for name in available():
        det = language_module(name).detect(facts)
        if det.score > 0:
            results.append(det)
    order = {n: i for i, n in enumerate(LANGUAGES)}
    results.sort(key=lambda d: (-d.score, order[d.language]))
    return results
