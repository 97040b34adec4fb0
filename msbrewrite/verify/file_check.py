"""How verify compares the two images' files: both exported at once, the files under the app's
directories the converted image lacks, and the paths its user can no longer write that the
original's run wrote or the converted app was refused. The Verifier's files half."""
from __future__ import annotations

import subprocess

from msbrewrite.support.records import asdict
from msbrewrite.verify.engine import EngineError
from msbrewrite.verify.files import MAX_LISTED
from msbrewrite.verify.output import first_line
from msbrewrite.verify.report import Report


class FileCheck:
    """The file comparison of a Verifier (its docker, label and progress)."""

    def _files(self, report: Report) -> None:
        """Both images' files from `docker export`: what the converted one lacks under the app's
        directories, and what its user can no longer write there."""
        from msbrewrite.verify.files import (app_dirs, exercised_writes, lost_writes, missing_files, resolve_user,
                                   summarise_missing, written_paths)
        from msbrewrite.verify.oracle import exercised_write_diffs, file_diffs, write_diffs

        self.progress("listing both images' files")
        _, before_cfg = self.docker.image_config(report.original.image)
        _, after_cfg = self.docker.image_config(report.converted.image)
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(2) as pool:      # the engine writes the two tars at once
            trees = pool.map(self._tree, (report.original.image, report.converted.image))
            before, after = list(trees)
        dirs = app_dirs(before_cfg, before)
        for d in app_dirs(after_cfg, after):
            if d not in dirs:
                dirs.append(d)
        volumes = sorted(set(before_cfg.get("Volumes") or {}) | set(after_cfg.get("Volumes") or {}))
        missing = missing_files(before, after, dirs)
        report.suspicious += file_diffs(missing)
        who_before = resolve_user(before_cfg.get("User") or "", before)
        who_after = resolve_user(after_cfg.get("User") or "", after)
        info = {"app_dirs": dirs, "volumes": volumes,
                "users": {"original": before_cfg.get("User") or "root", "converted": after_cfg.get("User") or "root"},
                "missing": {"suspicious": summarise_missing(missing, "suspicious"),
                            "expected": summarise_missing(missing, "expected")}}
        if who_before and who_after:
            written = written_paths(self._written, dirs + volumes)
            lost, maybe = lost_writes(before, after, who_before, who_after, dirs + volumes, written)
            report.differences += write_diffs(lost, info["users"]["converted"])
            # a warning the run proves: the converted app tried to write there and was refused
            hit, maybe = exercised_writes(maybe, self._written, self._converted_logs, after_cfg.get("WorkingDir") or "/")
            report.differences += exercised_write_diffs(hit, info["users"]["converted"])
            info["written_by_original"] = [f"{c} {p}" for c, p in written][:MAX_LISTED]
            info["write_warnings"] = [asdict(w) for w in maybe][:MAX_LISTED]
            if maybe:
                where = ", ".join(w.path for w in maybe[:3]) + (", ..." if len(maybe) > 3 else "")
                report.warnings.append(f"{len(maybe)} path{'s' if len(maybe) > 1 else ''} the original's user could "
                                       f"write and {info['users']['converted']} cannot ({where}); the app did not "
                                       "write them during the run")
        else:
            report.notes.append("write permissions not compared: a USER the image's /etc/passwd does not define")
        expected = sum(g["files"] for g in info["missing"]["expected"])
        if expected:
            report.notes.append(f"{expected} file{'s' if expected > 1 else ''} under {', '.join(dirs)} not in the "
                                "converted image, as expected (build inputs, tests, caches, VCS; --json lists them)")
        report.files = info

    def _tree(self, image: str):
        from msbrewrite.verify.files import read_tree
        created = self.docker.run("create", "--label", self.label, image, "/msb-verify-never-started")
        if created.returncode != 0:
            raise EngineError(f"cannot create a container of {image}: {first_line(created.stderr)}")
        cid = created.stdout.strip()
        try:
            proc = subprocess.Popen([self.docker.binary, "export", cid], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=self.docker.env)
            try:
                return read_tree(proc.stdout)
            finally:
                proc.stdout.close()
                proc.wait()
        finally:
            self.docker.run("rm", "-f", cid)
