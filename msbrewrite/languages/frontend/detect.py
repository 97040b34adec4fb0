"""frontend: how strongly a stage looks like a frontend build, as scored evidence.

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
