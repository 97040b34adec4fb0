"""The report of one verify run and its verdict (PASS, FAIL, INCONCLUSIVE, NOT VERIFIED, with the
exit code each means), rendered as text or JSON; and the summary of a verify of several files."""
from __future__ import annotations

import json

from msbrewrite.support.records import asdict, field, record
from msbrewrite.verify.judge import Smoke
from msbrewrite.verify.oracle import Difference, Probe
from msbrewrite.verify.size import human_size


def size_ratio(original: int | None, converted: int | None) -> float | None:
    if not original or converted is None:
        return None
    return round(converted / original, 4)


@record
class Build:
    role: str                    # original | converted
    dockerfile: str
    ok: bool = False
    image: str | None = None
    size: int | None = None
    seconds: float = 0.0
    ran: bool = False            # the build was attempted (one that fails at once takes 0.0 s)
    failing_step: str | None = None
    log_tail: list[str] = field(default_factory=list)


@record
class Report:
    dockerfile: str
    context: str
    converted_from: str          # "msb convert" or the path given with --converted
    original: Build
    converted: Build
    smoke: Smoke | None = None
    error: str | None = None     # verify could not run
    kept_images: bool = False
    notes: list[str] = field(default_factory=list)   # how the engine was used (e.g. the classic builder)
    strict: bool = False         # suspicious missing files fail the verdict
    probes: list[Probe] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)   # each one fails the verdict
    expected: list[Difference] = field(default_factory=list)      # a dev server's internals: never fail
    suspicious: list[Difference] = field(default_factory=list)    # missing files; fail only with --strict
    warnings: list[str] = field(default_factory=list)
    files: dict = field(default_factory=dict)      # app dirs, users, missing and write-permission details
    routes_skipped: list[dict] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)    # time spent per phase

    @property
    def ratio(self) -> float | None:
        return size_ratio(self.original.size, self.converted.size)

    @property
    def inconclusive(self) -> str | None:
        return self.smoke.inconclusive if self.smoke else None

    @property
    def failures(self) -> list[Difference]:
        return self.differences + (self.suspicious if self.strict else [])

    @property
    def verdict(self) -> str:
        if self.error:
            return "NOT VERIFIED"
        if not self.converted.ok or self.failures:
            return "FAIL"
        if self.inconclusive:
            return "INCONCLUSIVE"
        if self.smoke is None or not self.smoke.passed:
            return "FAIL"
        return "PASS"

    @property
    def exit_code(self) -> int:
        return {"PASS": 0, "FAIL": 1, "INCONCLUSIVE": 1, "NOT VERIFIED": 2}[self.verdict]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["size_ratio"] = self.ratio
        data["passed"] = self.exit_code == 0
        data["exit_code"] = self.exit_code
        data["verdict"] = self.verdict
        data["inconclusive"] = self.inconclusive
        return data


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2)


def _answer(view: dict | None) -> str:
    if not view:
        return "-"
    if view.get("location"):       # a redirect: where it goes is what it says
        return f"{view['status']} -> {view['location']}"
    ctype = (view.get("content_type") or "").split(";")[0]
    return f"{view['status'] or 'no answer'} {ctype}".strip()


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]


def render_text(report: Report, max_probes: int = 12) -> str:
    lines = [f"verify {report.dockerfile} (context {report.context}; converted by {report.converted_from})", ""]
    rows = [["", "build", "size", "time"] + (["image"] if report.kept_images else [])]
    for b in (report.original, report.converted):
        rows.append([b.role, "ok" if b.ok else ("failed" if b.ran else "-"), human_size(b.size),
                     f"{b.seconds:.1f}s" if b.ran else "-"] + ([b.image or ""] if report.kept_images else []))
    lines += _table(rows)
    for b in (report.original, report.converted):
        if b.ran and not b.ok:
            lines += ["", f"{b.role} build failed at: {b.failing_step or 'unknown step'}"]
            lines += [f"  | {line}" for line in b.log_tail]
    if report.ratio is not None:
        change = f"{100 * abs(1 - report.ratio):.1f}% {'smaller' if report.ratio <= 1 else 'LARGER'}"
        lines += ["", f"size ratio {report.ratio:.3f} (converted / original, {change})"]
    if report.probes:
        shown = [p for p in report.probes if p.found_by == "requested" or p.outcome != "same"]
        shown += [p for p in report.probes if p not in shown][:max(0, max_probes - len(shown))]
        rows = [["probe", "original", "converted", ""]]
        rows += [[p.path[:60], _answer(p.original), _answer(p.converted), "" if p.outcome == "same" else p.outcome]
                 for p in report.probes if p in shown]
        lines += [""] + _table(rows)
        rest = len(report.probes) - len(shown)
        if rest:
            lines.append(f"(and {rest} more probe{'s' if rest > 1 else ''} answered alike; --json lists them)")
    if report.smoke:
        state = "passed" if report.smoke.passed else ("INCONCLUSIVE" if report.smoke.inconclusive else "FAILED")
        lines += ["", f"smoke ({report.smoke.mode}): {state}: {report.smoke.detail}"]
        # the original's own log says why it is inconclusive; the converted one's why it failed
        run = report.smoke.original if report.smoke.inconclusive else report.smoke.converted
        tail = run.get("logs") or run.get("output") or []
        if report.smoke.inconclusive and tail:
            lines.append("  the original's log:")
        if not report.smoke.passed and tail:
            lines += [f"  | {line}" for line in tail[-15:]]
    if report.differences or report.suspicious:
        lines += ["", "differences:"]
        for d in report.differences + report.suspicious:
            tag = "" if d in report.differences else (" (suspicious)" if not report.strict else " (suspicious, --strict)")
            lines.append(f"  {d.kind}: {d.what}{tag}")
            lines += [f"    | {e}" for e in d.evidence[:3]]
    if report.expected:
        lines += ["", "expected differences (a dev server's internals, not in a production build):"]
        lines += [f"  {d.what}" for d in report.expected[:8]]
        if len(report.expected) > 8:
            lines.append(f"  (and {len(report.expected) - 8} more; --json lists them)")
    for w in report.warnings:
        lines.append(f"warning: {w}")
    if report.error:
        lines += ["", f"could not verify: {report.error}"]
    lines += [f"note: {note}" for note in report.notes]
    verdict = report.verdict
    if verdict == "INCONCLUSIVE":
        verdict += f" ({report.inconclusive})"
    lines += ["", f"verdict: {verdict}"]
    return "\n".join(lines) + "\n"


def render_summary(results: list[tuple[object, "Report | str"]]) -> str:
    """One row per Dockerfile of a multi-file verify: verdict, sizes, differences, first reason."""
    rows = [["dockerfile", "verdict", "original", "converted", "diffs", "why"]]
    for path, r in results:
        if not isinstance(r, Report):
            rows.append([str(path), "SKIPPED", "-", "-", "-", str(r)[:80]])
            continue
        why = (r.error or (r.failures[0].what if r.failures else "") or r.inconclusive or
               (r.smoke.detail if r.smoke and not r.smoke.passed else "") or
               ("converted build failed" if not r.converted.ok else ""))
        rows.append([str(path), r.verdict, human_size(r.original.size), human_size(r.converted.size),
                     str(len(r.failures)), why[:80]])
    counts: dict[str, int] = {}
    for row in rows[1:]:
        counts[row[1]] = counts.get(row[1], 0) + 1
    lines = ["summary:"] + ["  " + line for line in _table(rows)]
    lines.append("  " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    return "\n".join(lines) + "\n"


def summary_exit_code(results: list["Report | str"]) -> int:
    """1 when any file fails or is inconclusive, else 2 when any could not be verified (or none
    was), else 0."""
    reports = [r for r in results if isinstance(r, Report)]
    codes = {r.exit_code for r in reports}
    if 1 in codes:
        return 1
    if 2 in codes or not reports:
        return 2
    return 0
