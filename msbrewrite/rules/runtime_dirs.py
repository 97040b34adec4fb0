"""The runtime's directories: the WORKDIR the app starts in (the original's, also / when the base
has a WORKDIR of its own) and the VOLUME mount points, created owned by a non-root runtime user.
"""
from __future__ import annotations


from msbrewrite.model.analysis import StageFacts, image_workdir, is_root_user
from msbrewrite.model.bases import image_parts
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.quoting import run_lines


def workdir(facts: StageFacts, plan: BuildPlan) -> None:
    if plan.workdir is None and facts.workdir not in ("/", ""):
        plan.workdir = facts.workdir


def workdir_of_base(facts: StageFacts, plan: BuildPlan) -> None:
    """The app starts where the original started: a runtime base with a WORKDIR of its own (distroless
    :nonroot starts in /home/nonroot) gets the original's, / included, so relative paths still resolve."""
    if plan.workdir is None and facts.workdir in ("/", "") and _base_workdir(plan.runtime_base) != "/":
        plan.workdir = "/"


def _base_workdir(image: str) -> str:
    if "/distroless/" in image and "nonroot" in (image_parts(image)[1] or ""):
        return "/home/nonroot"
    return image_workdir(image)


def volumes(facts: StageFacts, plan: BuildPlan) -> None:
    """A VOLUME's mount point gets the runtime user as owner: Docker would create it root-owned."""
    if not plan.user or is_root_user(plan.user):
        return
    if facts.user is not None and not is_root_user(facts.user) and facts.user_ins is not None \
            and facts.user_ins.index not in plan.builder_drop:
        return      # the builder ends as a non-root user: it may not create the directories
    from msbrewrite.rules.reach import volume_paths, warn_existing_volumes
    owner = plan.user
    new = [p for p in volume_paths(facts) if p not in plan.produced]
    if not new:
        return
    plan.builder_append.append("# mount points of the runtime VOLUMEs, copied with their owner\n"
                               + "\n".join(run_lines("mkdir -p", new)))
    for path in new:
        plan.copy(path, path, "VOLUME mount point owned by the runtime user", chown=owner)
    shown = " ".join(new[:5]) + (f" and {len(new) - 5} more" if len(new) > 5 else "")
    plan.decisions.append(f"VOLUME {shown} is created owned by {owner}, so the non-root app can write to it")
    if facts.user is None or is_root_user(facts.user):
        warn_existing_volumes(plan, new, owner)
