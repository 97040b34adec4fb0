"""The time zone a build sets: `ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime` (often with
`echo Asia/Shanghai > /etc/timezone`).

/etc/localtime is what the C library and Node's ICU read; /etc/timezone is only its name. A runtime
stage starts from its base's own /etc (UTC), and a slim or distroless base may have no zone files,
so the zone file comes from the builder and the link is made again in the runtime. Never by COPY
onto /etc/localtime: when the base has that link, COPY writes through it into the UTC zone file.
A runtime without a shell gets `ENV TZ`, which the C library and ICU read as well.
"""
from __future__ import annotations

import posixpath

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.bases import describe
from msbrewrite.model.plan import BuildPlan
from msbrewrite.model.quoting import env_line, sh
from msbrewrite.model.stage_text import builder_name
from msbrewrite.support import lazy_re

_ZONE = lazy_re.compile(r"^/usr/share/zoneinfo/([A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*)$")


def set_by_build(facts: StageFacts) -> tuple[str, str, int] | None:
    """The zone file a RUN points /etc/localtime at (`ln -s`, `cp`), the zone's name and the line."""
    for step in facts.steps:
        if step.ins.keyword != "RUN":
            continue
        for c in step.commands:
            words = [w for w in c.argv[1:] if not w.startswith("-")]
            if c.program in ("ln", "cp") and len(words) == 2 and posixpath.normpath(words[1]) == "/etc/localtime":
                zone = posixpath.normpath(words[0])
                m = _ZONE.match(zone)
                if m:
                    return zone, m.group(1), step.ins.lineno
    return None


def carry(facts: StageFacts, plan: BuildPlan) -> None:
    found = set_by_build(facts)
    if found is None:
        return
    path, name, line = found
    installed = any(p.split("=")[0] == "tzdata" for p in facts.packages)
    if not installed and (facts.is_alpine or "slim" in facts.image_tag):
        # the builder may lack the zone file itself (a dangling link there): a COPY of it would fail
        plan.warnings.append(f"the build sets the time zone {name} (line {line}) on an image that may lack its zone "
                             f"file: the runtime keeps its own (UTC); set ENV TZ={name} and install tzdata")
        return
    copy = f"COPY --from={builder_name(facts.stage)} {path} {path}\n"
    plan.produced.update({path, "/etc/localtime", "/etc/timezone"})   # system_config copies none of them
    if describe(plan.runtime_base).shell:
        plan.runtime_setup.append(f"# the time zone the build set (line {line}): its zone file, the link and the name\n"
                                  + copy + f"RUN ln -sf {sh(path)} /etc/localtime "
                                  f"&& printf '%s\\n' {sh(name)} > /etc/timezone")
        plan.decisions.append(f"the time zone the build set (line {line}) is set in the runtime too: {name}")
    else:
        plan.runtime_setup.append(f"# the time zone the build set (line {line}): no shell to link it, so TZ names it\n"
                                  + copy.rstrip("\n"))
        plan.runtime_env.append(env_line([("TZ", name)]))
        plan.decisions.append(f"the time zone the build set (line {line}) is set in the runtime with ENV TZ={name} "
                              "(no shell to link /etc/localtime)")
