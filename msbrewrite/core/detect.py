"""Run every language detector over a stage and keep the best, with its evidence."""
from __future__ import annotations

import importlib

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection

# order breaks ties: a frontend build beats a Node server when both score the same, and so do
# Bun and Deno (their images run package.json apps too); C/C++ comes last, since Go, Rust, Python
# and Node images often compile a little C on the side
LANGUAGES = ("go", "rust", "frontend", "deno", "bun", "node", "python", "java", "ruby", "php", "dotnet", "cpp")


def language_module(name: str):
    """The language's planner (`plan(facts, detection, options)`): imported for the chosen one only."""
    return importlib.import_module(f"msbrewrite.languages.{name}.plan")


def detector(name: str):
    """The language's detector (`detect(facts)`): small modules, imported for every detection."""
    return importlib.import_module(f"msbrewrite.languages.{name}.detect")


def available() -> list[str]:
    out = []
    for name in LANGUAGES:
        try:
            detector(name)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def detect(facts: StageFacts) -> list[Detection]:
    """All detections with a positive score, best first."""
    results = []
    for name in available():
        det = detector(name).detect(facts)
        if det.score > 0:
            results.append(det)
    order = {n: i for i, n in enumerate(LANGUAGES)}
    results.sort(key=lambda d: (-d.score, order[d.language]))
    return results
