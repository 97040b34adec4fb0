"""Checks every output passes before it is returned. A failure is a refusal, never a broken file."""
from __future__ import annotations

import io
import posixpath

from msbrewrite.model.dockerfile import parse
from msbrewrite.model.instructions import Dockerfile
from msbrewrite.model.plan import BuildPlan, Refusal


def validate(before: Dockerfile, text: str, plan: BuildPlan, builder: str) -> None:
    """`before` is the parsed input (already parsed by the pipeline), `text` the output."""
    problems = list(_problems(before, text, plan, builder))
    if problems:
        raise Refusal("converted file failed validation: " + "; ".join(problems), reason="validation-failed")


def _problems(before: Dockerfile, text: str, plan: BuildPlan, builder: str):
    yield from _parser_problems(text)
    model = parse(text)
    stages = model.stages
    names = [s.name for s in stages if s.name]
    if len(names) != len(set(names)):
        yield "stage names are not unique"
    if len(stages) < 2:
        yield "the result is not multi-stage"
        return
    final = stages[-1]
    for ins in final.instructions:
        if ins.keyword in ("COPY", "ADD") and ins.flags.get("from") == builder:
            words = ins.json_args if ins.is_json else ins.args.split()
            for src in words[:-1]:
                if src not in plan.produced and posixpath.normpath(src) not in plan.produced:
                    yield f"COPY --from={builder} {src} is not produced by the builder plan"
    if not plan.base_has_cmd and not any(i.keyword in ("CMD", "ENTRYPOINT") for i in final.instructions):
        yield "the runtime stage has no ENTRYPOINT or CMD"
    if model.directive("syntax") and not before.directive("syntax"):
        yield "a # syntax= line was added"
    added_heredocs = sum(len(i.heredocs) for i in model.instructions) - sum(
        len(i.heredocs) for i in before.instructions)
    if added_heredocs > 0:
        yield "heredocs were added (Docker Engine 20.10 cannot build them)"
    if "--link" in text and "--link" not in before.text:
        yield "COPY --link was added (Docker Engine 20.10 cannot build it)"


def _parser_problems(text: str):
    """BuildKit's own parser (the `dockerfile` package) decides. dockerfile-parse reads every file
    BuildKit reads and rejects almost nothing (all 304 corpus files, even the ones BuildKit
    refuses), so it is the check only where the official parser cannot load: its import costs
    7 ms of every start and would add no finding. The snapshot tests read every expected output
    with both."""
    try:
        import dockerfile as official
    except ImportError:
        official = None
    if official is not None:
        try:
            official.parse_string(text)
        except Exception as exc:   # the official parser raises its own GoParseError
            yield f"the official parser rejects it ({exc})"
        return
    try:
        from dockerfile_parse import DockerfileParser
        parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
        parser.structure  # noqa: B018 - parsing happens on access
    except Exception as exc:
        yield f"dockerfile-parse rejects it ({exc})"
