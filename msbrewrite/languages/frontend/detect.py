"""frontend: how strongly a stage looks like a frontend build, as scored evidence, and
whether it is a static site the Node module leaves to frontend (`is_static_frontend`).

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection
from msbrewrite.languages.frontend.site import Site, SiteReader


NAME = "frontend"


def read_site(facts: StageFacts) -> Site:
    """What the stage builds and serves; the Node and frontend detectors both ask, so it is read once."""
    if "site" not in facts.memo:
        facts.memo["site"] = SiteReader(facts).read()
    return facts.memo["site"]


def detect(facts: StageFacts) -> Detection:
    site = read_site(facts)
    score = site.score if site.static else 0.0
    return Detection(NAME, score, site.evidence, site.framework)


def is_static_frontend(facts: StageFacts) -> tuple[bool, str]:
    """True when the image only serves files a Node build produced (the Node module steps aside)."""
    site = read_site(facts)
    return site.static, site.reason


def node_decision(facts: StageFacts) -> str | None:
    """For the Node module's report: why a stage that builds frontend assets stays a Node conversion."""
    site = read_site(facts)
    if site.static or site.build is None:
        return None
    return (f"frontend build at line {site.build_line} kept with the Node server, not served by nginx: "
            f"{site.reason}")
