"""Which image reference the runtime stage starts FROM, once its image is chosen: the builder's own
digest or registry when the runtime is the very same image, and the note an untagged distroless
image needs (distroless publishes no version tags).
"""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.bases import describe, image_parts
from msbrewrite.model.plan import BuildPlan


def same_pinned_image(facts: StageFacts, plan: BuildPlan) -> None:
    """A digest-pinned builder whose runtime is the very same image keeps the same reference: the tag
    alone may move to another build."""
    image = facts.image
    if "@" not in image or "$" in image:
        return
    name = image.split("@")[0]
    if plan.runtime_base in (name, name.split("/", 1)[-1] if name.startswith("docker.io/") else name):
        plan.runtime_base = image
        plan.decisions.append("the runtime is the builder's own image: the same digest pins it")


def same_image_same_registry(facts: StageFacts, plan: BuildPlan) -> None:
    """A builder pulled from a registry or mirror of its own (`registry.example.com/mirror/node:16-alpine`)
    whose runtime is that very image keeps the full reference: the build may reach only that registry."""
    image = expand_image(facts)
    name = image.split("@")[0]
    if "@" in image or "$" in image or "/" not in name or "/" in plan.runtime_base:
        return
    if name.startswith(("docker.io/", "library/")) or name.rsplit("/", 1)[0] in ("docker.io/library",):
        return
    if image_parts(name) == image_parts(plan.runtime_base):
        plan.runtime_base = name
        plan.decisions.append(f"the runtime is the builder's own image: pulled from the same place ({name})")


def expand_image(facts: StageFacts) -> str:
    from msbrewrite.model.dockerfile import expand
    return expand(facts.image, facts.from_args)


def untagged_distroless(plan: BuildPlan) -> None:
    """A root runtime on distroless is the untagged image: distroless publishes no version tags
    (`:nonroot` is the other variant, not a version), so only a digest pins it."""
    base = describe(plan.runtime_base)
    if base.distroless and "@" not in plan.runtime_base and not image_parts(plan.runtime_base)[1] \
            and image_parts(plan.runtime_base)[0] != "scratch":
        plan.runtime_from_notes += ["# distroless has no version tags; pin a digest under [tool.msb.digests]",
                                    "# hadolint ignore=DL3006"]
