"""Collect steps (a name the Dockerfile does not give, found in the builder) never fail the build:
with nothing to collect they exit 0 and say so in the build log. Each step is run here with sh in
an empty folder tree standing in for the builder."""
from __future__ import annotations

import re
import subprocess

import pytest

from msbrewrite import convert

CASES = {
    "java": ("FROM eclipse-temurin:17-jdk\nWORKDIR /opt/billing\nCOPY build/libs/ build/libs/\n"
             "CMD java -jar build/libs/*.jar\n", "msb: no runnable jar matches", ["/out", "/opt/billing"]),
    "go": ("FROM golang:1.22\nWORKDIR /srv/app\nCOPY . .\nRUN go build -v\nENTRYPOINT [\"./start.sh\"]\n",
           "msb: no executable found", ["/out", "/srv/app"]),
    "frontend": ("FROM node:18\nCOPY . /docs\nWORKDIR /docs\nRUN yarn install --frozen-lockfile\nRUN yarn build\n"
                 "CMD [\"yarn\", \"run\", \"serve\", \"--port\", \"3000\"]\n",
                 "msb: no index.html found", ["/tmp/site", "/docs"]),
}


def _collect_step(text: str) -> str:
    result = convert(text, None)
    assert result.status == "converted", result.reason
    block = next(b for b in result.text.split("\n\n") if b.startswith("# collect"))
    return block.split("\nRUN ", 1)[1].replace("\\\n", "")


@pytest.mark.parametrize("language", sorted(CASES))
def test_a_collect_step_with_nothing_to_collect_exits_0_and_says_so(language, tmp_path):
    text, message, roots = CASES[language]
    step = _collect_step(text)
    assert not re.search(r"\bexit 1\b|&& test -[fn]", step)
    for root in roots:      # the builder's paths, moved under tmp_path
        step = step.replace(root, str(tmp_path) + root)
    proc = subprocess.run(["sh", "-c", step], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert message in proc.stderr


def test_a_collected_jar_is_copied_as_its_folder(tmp_path):
    text = CASES["java"][0]
    result = convert(text, None)
    assert "COPY --from=builder /out/ /opt/billing/\n" in result.text
    assert result.text.rstrip().endswith('CMD ["java", "-jar", "/opt/billing/app.jar"]')
    step = _collect_step(text).replace("/out", f"{tmp_path}/out").replace("/opt/billing", f"{tmp_path}/opt/billing")
    libs = tmp_path / "opt/billing/build/libs"
    libs.mkdir(parents=True)
    (libs / "billing-1.0.jar").write_text("x" * 100)
    (libs / "billing-1.0-plain.jar").write_text("x" * 500)
    (libs / "billing-1.0-small.jar").write_text("x" * 10)
    proc = subprocess.run(["sh", "-c", step], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stderr
    assert (tmp_path / "out/app.jar").read_text() == "x" * 100    # the largest runnable one
