"""Packages a build installs from .deb files reach the runtime as files, with their dependencies."""
from __future__ import annotations

import pytest

from msbrewrite import Options, convert
from msbrewrite.model.analysis import analyse
from msbrewrite.model.context import Context
from msbrewrite.core.convert import load
from msbrewrite.rules.local_packages import local_debs

PY = "FROM python:3.11\nWORKDIR /app\n{run}\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"


def _debs(run: str) -> list[str]:
    df = load(PY.format(run=run))
    return local_debs(analyse(df, df.stages[0], Context(None)))


@pytest.mark.parametrize("run, debs", [
    ("RUN dpkg -i pandoc-3.1.7-1-amd64.deb", ["/app/pandoc-3.1.7-1-amd64.deb"]),
    ("RUN dpkg --install /tmp/tool.deb && rm /tmp/tool.deb", ["/tmp/tool.deb"]),
    ("RUN apt-get update && apt-get install -y ./vendor/wkhtmltox_0.12.6-1_amd64.deb",
     ["/app/vendor/wkhtmltox_0.12.6-1_amd64.deb"]),
    ("RUN cd /opt && dpkg -i *.deb", ["/opt/*.deb"]),
    ("RUN apt-get install -y nginx", []),
    ("RUN dpkg -l | grep nginx", []),
])
def test_the_deb_files_a_build_installs(run, debs):
    assert _debs(run) == debs


def _convert(tmp_path, base: str = "python:3.11"):
    (tmp_path / "requirements.txt").write_text("idna\n")
    (tmp_path / "app.py").write_text("import subprocess\nsubprocess.run(['pandoc', '-v'])\n")
    (tmp_path / "pandoc.deb").write_bytes(b"!<arch>\n")
    text = PY.format(run="COPY pandoc.deb .\nRUN dpkg -i pandoc.deb").replace("python:3.11", base)
    return convert(text, tmp_path, Options())


def test_the_runtime_gets_the_packages_files_and_what_they_depend_on(tmp_path):
    result = _convert(tmp_path)
    builder, runtime = result.text.split("\nFROM ")
    assert "for f in /app/pandoc.deb; do" in builder and "dpkg -L \"$p\"" in builder
    assert "COPY --from=builder /tmp/msb-debs/packages /tmp/msb-debs/packages" in runtime
    assert "xargs -a /tmp/msb-debs/packages apt-get install -y --no-install-recommends" in runtime
    assert "COPY --from=builder /tmp/msb-debs/files/ /" in runtime
    # the archive itself stays out of the app's copy
    assert "-o -name pandoc.deb" in builder


def test_a_runtime_without_apt_says_the_package_is_missing(tmp_path):
    result = _convert(tmp_path, base="python:3.11-alpine")
    assert "msb-debs" not in result.text
    assert any("installs /app/pandoc.deb from .deb files" in w for w in result.warnings)
