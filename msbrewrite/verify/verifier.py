"""One `msb verify` run from start to end: build the original and the converted Dockerfile on a real
engine, compare their sizes, run both (as servers, command-line programs or through a smoke
script), compare their files, and always clean up what it created."""
from __future__ import annotations

import os
import re
import subprocess
import time
import uuid

from msbrewrite.verify.cli_smoke import CliSmoke
from msbrewrite.verify.engine import Docker, EngineError
from msbrewrite.verify.env import env_warnings
from msbrewrite.verify.file_check import FileCheck
from msbrewrite.verify.judge import Smoke
from msbrewrite.verify.output import failing_step, log_tail, unreachable_base_error, unreachable_image
from msbrewrite.verify.report import Build, Report
from msbrewrite.verify.server_smoke import ServerSmoke
from msbrewrite.verify.settings import Progress, Settings
from msbrewrite.verify.size import human_size


def slug(text: str) -> str:
    """A docker repository name component from a directory name."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    # cut to 40, then trimmed again: a component must not end in a separator (Docker refuses it)
    return s[:40].rstrip("-") or "app"


class Verifier(ServerSmoke, CliSmoke, FileCheck):
    """One verify run: two builds, two smoke runs, cleanup. The server and command-line smoke runs
    and the file comparison are its halves in server_smoke, cli_smoke and file_check."""

    def __init__(self, docker: Docker, settings: Settings, progress: Progress, build_line: Progress):
        self.docker = docker
        self.s = settings
        self.progress = progress
        self.build_line = build_line
        self.run_id = uuid.uuid4().hex[:10]
        self.label = f"msb.verify={self.run_id}"
        self._written = ""
        self._unreachable_base: str | None = None     # set by a build that failed for want of a registry
        self._converted_logs: list[str] = []
        self._configs: tuple[dict, dict] = ({}, {})     # both images' config (their commands)
        self.repo = f"msb-verify/{slug(os.path.basename(os.path.abspath(settings.context)))}"

    def run(self, dockerfile: str, converted_file: str, converted_from: str) -> Report:
        report = Report(dockerfile, self.s.context, converted_from,
                        Build("original", dockerfile), Build("converted", converted_from))
        report.kept_images = self.s.keep_images
        report.strict = self.s.strict
        try:
            self.docker.require_engine()
            if self.docker.builder_note:
                report.notes.append(self.docker.builder_note)
            self._build(report.original, dockerfile)
            if report.original.ok:      # without a baseline the converted build proves nothing
                self._build(report.converted, converted_file)
            if not report.original.ok:
                step = report.original.failing_step
                report.error = ("the original Dockerfile does not build, so there is nothing to compare with"
                                + (f" ({step})" if step else ""))
            elif not report.converted.ok and self._unreachable_base:
                # the engine cannot fetch the image, which says nothing about the conversion
                original_text = open(dockerfile, encoding="utf-8", errors="replace").read() \
                    if os.path.isfile(dockerfile) else ""
                report.error = unreachable_base_error(self._unreachable_base, original_text)
            elif report.converted.ok:
                from msbrewrite.verify.size import size_difference, size_warning
                report.differences += size_difference(report.original.size, report.converted.size)
                report.warnings += size_warning(report.original.size, report.converted.size)
                start = time.monotonic()
                report.smoke = self._smoke(report, report.original.image, report.converted.image)
                report.seconds["run"] = round(time.monotonic() - start, 1)
                if self.s.file_checks:
                    start = time.monotonic()
                    self._files(report)
                    report.seconds["files"] = round(time.monotonic() - start, 1)
        except EngineError as exc:
            report.error = str(exc)
        except subprocess.TimeoutExpired as exc:
            report.error = f"docker did not answer within {exc.timeout:g}s ({' '.join(map(str, exc.cmd[1:3]))})"
        finally:
            self.cleanup(report)
        return report

    def cleanup(self, report: Report) -> None:
        try:
            self.docker.remove_containers(self.label)
            if not self.s.keep_images:
                self.docker.remove_images(report.original.image if report.original.ok else None,
                                          report.converted.image if report.converted.ok else None)
        except (EngineError, subprocess.TimeoutExpired):
            pass   # the engine went away: nothing left to clean

    def _build(self, b: Build, dockerfile: str) -> None:
        tag = f"{self.repo}:{b.role}-{self.run_id}"
        self.progress(f"building the {b.role} image ({b.dockerfile})")
        ok, log, seconds = self.docker.build(dockerfile, tag, self.s, self.build_line)
        b.seconds, b.ran = round(seconds, 1), True
        if not ok:
            b.failing_step = failing_step(log)
            b.log_tail = log_tail(log)
            self._unreachable_base = unreachable_image(log)
            self.progress(f"{b.role} build failed after {b.seconds:.1f}s")
            return
        b.ok, b.image = True, tag
        b.size, _ = self.docker.image_config(tag)
        self.progress(f"{b.role} built in {b.seconds:.1f}s: {human_size(b.size)}")

    # ---- smoke

    def _smoke(self, report: Report, original: str | None, converted: str) -> Smoke:
        self._written = ""       # what the original container wrote (`docker diff`)
        self._converted_logs: list[str] = []     # what the converted app printed (failed writes)
        if self.s.smoke_script:
            return self._smoke_script(original, converted)
        _, config = self.docker.image_config(converted)
        _, original_config = self.docker.image_config(original) if original else (0, {})
        self._configs = (original_config, config)
        report.warnings += env_warnings(original_config, config)
        if self.s.mode == "cli":
            return self._cli_runs(report, original, converted)
        # auto: a server is what answers on a port it names, or what is seen listening
        return self._server(report, original, original_config, converted, config)

    def _smoke_script(self, original: str | None, converted: str) -> Smoke:
        results = {}
        for role, image in (("original", original), ("converted", converted)):
            if not image:
                continue
            self.progress(f"smoke: {self.s.smoke_script} on the {role} image")
            env = dict(self.docker.env, E2E_SMOKE_LABEL=self.label, MSB_VERIFY_LABEL=self.label)
            try:
                cmd = [self.s.smoke_script] if os.access(self.s.smoke_script, os.X_OK) else ["bash", self.s.smoke_script]
                proc = subprocess.run([*cmd, image], capture_output=True, text=True, env=env,
                                      timeout=self.s.timeout * 4, errors="replace")
                results[role] = {"exit_code": proc.returncode, "output": log_tail(proc.stdout + proc.stderr, 30)}
            except subprocess.TimeoutExpired:
                results[role] = {"exit_code": None, "output": ["timed out"]}
            except OSError as exc:
                raise EngineError(f"cannot run smoke script {self.s.smoke_script}: {exc.strerror or exc}") from None
        got = results["converted"]["exit_code"]
        detail = f"{os.path.basename(self.s.smoke_script)} exited {got}"
        inconclusive = None
        if "original" in results:
            detail += f" (original: {results['original']['exit_code']})"
            if results["original"]["exit_code"] != 0 and got != 0:
                inconclusive = f"{os.path.basename(self.s.smoke_script)} fails on the original too"
        return Smoke("script", got == 0, detail, results.get("original", {}), results["converted"], inconclusive)
