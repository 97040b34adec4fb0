"""`--optimize`: after the language plan, rewrite the builder the way an expert would.

Each rewrite is its own module and records its changes as decisions (prefixed "optimize:") and
as the fates of the instructions it touched:

- cache_mounts: BuildKit cache mounts for package-manager and compiler caches;
- artifacts: smaller artifacts (Go -trimpath/-s -w, Rust strip, npm ci, pip --no-cache-dir);
- deps_layer: the dependency layer before the source copy;
- hoist: msb's own clean-up steps (prune, pip removal) before the trailing source copies, and
  the config file it generates (nginx) at the top of the builder.

The runtime stage is the plan's; only builder text changes. Without the option nothing here runs.

May import: msbrewrite.languages, msbrewrite.rules, msbrewrite.model, msbrewrite.support.
"""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import BuildPlan
from msbrewrite.optimize import artifacts
from msbrewrite.optimize.cache_mounts import Mounts
from msbrewrite.optimize.deps_layer import dependency_layer
from msbrewrite.optimize.edits import Builder
from msbrewrite.optimize.hoist import hoist_cleanups, hoist_generated_files


def optimize(facts: StageFacts, plan: BuildPlan) -> None:
    builder = Builder(facts, plan)
    mounts = Mounts(builder)
    mounts.apply()
    language = plan.language
    if language == "go":
        artifacts.go_flags(builder)
    elif language == "rust":
        artifacts.rust_strip(builder)
    elif language in ("node", "frontend"):
        artifacts.npm_ci(builder)
    elif language == "python":
        artifacts.pip_no_cache(builder, mounts)
    dependency_layer(builder, mounts)
    hoist_cleanups(builder)
    hoist_generated_files(builder)
