"""How verify runs the two images as command-line programs: the image's own command, then
--smoke-cmd's arguments, each judged on exit code and output, and which of the two commands run
through a package manager. The Verifier's command-line half."""
from __future__ import annotations

import shlex
import subprocess

from msbrewrite.verify.judge import CANNOT_RUN, CliRun, Smoke, judge_cli
from msbrewrite.verify.oracle import Difference
from msbrewrite.verify.package_manager import runs_package_manager
from msbrewrite.verify.report import Report


class CliSmoke:
    """The command-line smoke run of a Verifier (its docker, settings, label, run id and progress)."""

    def _cli_runs(self, report: Report, original: str | None, converted: str) -> Smoke:
        """The image's own command, then --smoke-cmd's arguments when given, in both images."""
        from msbrewrite.verify.oracle import log_diffs

        runs = [("the image's command", [], min(self.s.timeout, 20) if self.s.smoke_cmd else self.s.timeout)]
        if self.s.smoke_cmd:
            runs.append(("--smoke-cmd", shlex.split(self.s.smoke_cmd), self.s.timeout))
        smoke = None
        for i, (what, args, timeout) in enumerate(runs):
            before = self._cli(original, "original", args, timeout, keep_diff=i == 0) if original else None
            after = self._cli(converted, "converted", args, timeout)
            self._converted_logs += (after.stdout + after.stderr).splitlines()
            managers = self._managers(args)
            judged = judge_cli(before, after, timeout, managers)
            if before is None or before.exit_code not in CANNOT_RUN:
                report.differences += log_diffs(
                    (before.stdout + before.stderr).splitlines() if before else None,
                    (after.stdout + after.stderr).splitlines(), managers)
            if what == runs[-1][0]:
                smoke = judged                  # the headline: --smoke-cmd's run, else the command's
            elif not judged.passed and not judged.inconclusive:
                report.differences.append(Difference("cli", f"{what}: {judged.detail}"))
        return smoke

    def _managers(self, args: list[str] | None = None) -> tuple[bool, bool]:
        """Whether each image's command (with these arguments in place of CMD) runs through a
        package manager, whose own lines are then not compared."""
        return tuple(runs_package_manager({**config, "Cmd": args} if args else config)
                     for config in self._configs)

    def _cli(self, image: str, role: str, args: list[str], timeout: float, keep_diff: bool = False) -> CliRun:
        self.progress(f"running the {role} image" + (f" with {shlex.join(args)}" if args else ""))
        name = f"msb-verify-{self.run_id}-{role}"
        try:
            proc = self.docker.run("run", "--name", name, "--network=none", "--label", self.label,
                                   *self.s.run_args, image, *args, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            if keep_diff:
                self._written = self.docker.run("diff", name).stdout
            sockets = self._listening(name)
            self.docker.run("rm", "-f", name)
            return CliRun(None, _text(exc.stdout), _text(exc.stderr), listeners=sockets)
        if keep_diff:
            self._written = self.docker.run("diff", name).stdout
        self.docker.run("rm", "-f", name)
        # 125: docker could not start the container (a USER the image lacks, ...): compared like any
        # exit code, so the original doing the same is inconclusive and the converted alone a failure
        return CliRun(proc.returncode, proc.stdout, proc.stderr)



def _text(data) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data
