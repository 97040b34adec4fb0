"""A web application deployed into a servlet container (Tomcat, Jetty): the same container on a
JRE, with the deployed webapps and the container's configuration."""
from __future__ import annotations

import posixpath

from msbrewrite.model.plan import Refusal
from msbrewrite.model.shell import resolve
from msbrewrite.languages.java.detect import SERVLET_WEBAPPS


class ServletDeploy:
    """JavaPlanner's servlet-container case (needs facts, plan and major)."""

    def plan_servlet(self) -> bool:
        facts, plan = self.facts, self.plan
        home = SERVLET_WEBAPPS.get(facts.image_name)
        if not home:
            return False
        webapps = posixpath.join(home, "webapps")
        catalina = facts.env.get("CATALINA_HOME", home) if facts.image_name == "tomcat" else home
        deployed = False
        for cp in facts.copies:
            if cp.from_stage:
                continue
            dest = posixpath.normpath(cp.dest)
            if dest.startswith(catalina + "/") and not dest.startswith(webapps):
                plan.copy(dest, dest, "container configuration")
            deployed |= dest.startswith(webapps)
        for c in facts.commands():
            if c.program in ("cp", "mv", "ln") and any(resolve(w, c.cwd).startswith(webapps) for w in c.argv[1:]):
                deployed = True
        if not deployed:
            raise Refusal(f"{facts.image_name} base, but nothing is deployed into {webapps}", reason="artifact-not-found")
        plan.copy(webapps, webapps, "the deployed web applications")
        plan.workdir = catalina     # the container's own working directory, not the build directory
        tag = facts.image_tag
        if "jdk" in tag:
            tag = tag.replace("jdk", "jre")
        else:
            tag = (tag + "-" if tag != "latest" else "") + f"jre{self.major}"
        plan.runtime_base = f"{facts.image_name}:{tag}"
        plan.decisions.append(f"web application on {facts.image_name}: the same container on a JRE ({plan.runtime_base})")
        if facts.cmd is None and facts.entrypoint is None:
            plan.base_has_cmd = True
        return True
