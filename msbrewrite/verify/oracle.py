"""`msb verify`'s comparison of what the two images did: every probe and every difference, with
its evidence. Pure: the runs come from msbrewrite.verify.probe (servers) and msbrewrite.verify.cli_smoke
(command-line programs)."""
from __future__ import annotations

from msbrewrite.support.records import field, record
from msbrewrite.verify.crawl import Fetch, compare
from msbrewrite.verify.files import LostWrite, Missing, summarise_missing
from msbrewrite.verify.logs import log_differences, loopback_only
from msbrewrite.verify.package_manager import strip_lines
from msbrewrite.verify.probe import ServerRun


@record
class Difference:
    kind: str                  # http | log | listener | files | write | cli | smoke | health | size
    what: str                  # one line
    evidence: list[str] = field(default_factory=list)


@record
class Probe:
    path: str
    found_by: str              # requested | route (framework, file:line) | link from PATH | seed
    original: dict | None
    converted: dict | None
    outcome: str               # same | differs | original fails | not compared


def fetch_view(f: Fetch | None) -> dict | None:
    if f is None:
        return None
    return {"status": f.status, "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
            "location": f.location}


def original_fails(f: Fetch | None) -> bool:
    return f is None or f.status == 0 or f.status >= 500


def http_probes(original: ServerRun | None, converted: ServerRun,
                shapes: bool = True) -> tuple[list[Probe], list[Difference]]:
    """Each path probed, and the ones the converted image answers differently. A path the original
    fails on (no answer, 5xx) is not compared: that is not the conversion's doing."""
    probes, diffs = [], []
    order = list((original.found_by if original else converted.found_by) or converted.fetches)
    for path in order + [p for p in converted.fetches if p not in order]:
        before = original.fetches.get(path) if original else None
        after = converted.fetches.get(path)
        how = (original.found_by if original else converted.found_by).get(path, "")
        if after is None:
            outcome = "not compared"
        elif original is not None and original_fails(before):
            outcome = "original fails"
        else:
            why = compare(path, before, after, shapes) if original is not None else None
            outcome = "differs" if why else "same"
            if why:
                diffs.append(Difference("http", f"GET {path}: {why}", [f"found by: {how}"]))
        probes.append(Probe(path, how, fetch_view(before), fetch_view(after), outcome))
    return probes, diffs


def listener_difference(original: ServerRun | None, converted: ServerRun) -> list[Difference]:
    """The converted server listens on a loopback address only where the original did not: it
    answers verify's probe (which shares its network namespace) but no other container or host."""
    port = converted.port
    if port is None:
        return []
    after = {(a, p) for a, p in converted.listeners}
    before = {(a, p) for a, p in original.listeners} if original else set()
    if loopback_only(after, port) and not (original and loopback_only(before, port)):
        addrs = sorted(a for a, p in after if p == port)
        return [Difference("listener", f"port {port} listens on {', '.join(addrs)} only: unreachable from "
                                       "outside the container", [f"original: {_listening(before, port)}"])]
    return []


def _listening(sockets: set, port: int) -> str:
    addrs = sorted(a for a, p in sockets if p == port)
    return ", ".join(f"{a}:{port}" for a in addrs) if addrs else "not seen"


def log_diffs(original_lines: list[str] | None, converted_lines: list[str],
              managers: tuple[bool, bool] = (False, False), answered_alike=lambda path: False) -> list[Difference]:
    """Failure signatures the converted log alone shows; a package manager's lines about itself
    (`managers`: the original's and the converted command run through one) are not the app's."""
    before, after = (strip_lines(lines) if pm else lines
                     for lines, pm in zip((original_lines or [], converted_lines), managers))
    return [Difference("log", f"{sig.name}: {sig.meaning}", [sig.line])
            for sig in log_differences(before, after, answered_alike=answered_alike)]


def answered_alike(original: ServerRun | None, converted: ServerRun):
    """Whether both servers answered a request for this path alike: a probe with the same status
    in both, or a request only --smoke-cmd made when it exited and printed the same in both."""
    def alike(path: str) -> bool:
        if original is None:
            return False
        before, after = original.fetches.get(path), converted.fetches.get(path)
        if before is not None or after is not None:
            return before is not None and after is not None and before.status == after.status
        return (converted.command_rc is not None and original.command_rc == converted.command_rc
                and original.command_output == converted.command_output)
    return alike


def write_diffs(lost: list[LostWrite], user: str) -> list[Difference]:
    return [Difference("write", f"{w.path} ({w.kind}): {w.why}, the converted user {user} cannot write it",
                       [f"original {w.original}, converted {w.converted} (uid:gid mode)"]) for w in lost]


def exercised_write_diffs(hit: list[tuple[LostWrite, str]], user: str) -> list[Difference]:
    """Paths the converted user cannot write that the app wrote (or tried to) during the run."""
    return [Difference("write", f"{w.path} ({w.kind}): the app writes here during the run, the converted user "
                                f"{user} cannot write it", [line, f"original {w.original}, converted {w.converted} "
                                                                  "(uid:gid mode)"]) for w, line in hit]


def file_diffs(missing: list[Missing]) -> list[Difference]:
    return [Difference("files", f"{g['path']}: missing ({g['files']} file{'s' if g['files'] > 1 else ''}, "
                                f"{g['size']} bytes)", [g["reason"]])
            for g in summarise_missing(missing, "suspicious")]


def health_diffs(original_test: list[str] | None, converted_test: list[str] | None,
                 original: ServerRun | None, converted: ServerRun) -> list[Difference]:
    """The HEALTHCHECK an orchestrator runs: dropped, or failing where the original's passes."""
    from msbrewrite.verify.probe import health_argv
    if health_argv(original_test) is None:
        return []
    shown = " ".join(original_test[1:])
    if health_argv(converted_test) is None:
        return [Difference("health", f"the converted image has no HEALTHCHECK (the original runs `{shown}`)")]
    if original is None or original.health_rc != 0 or converted.health_rc in (None, 0):
        return []     # not run, or the original's fails too: nothing to hold against the conversion
    shown = " ".join(converted_test[1:])
    return [Difference("health", f"HEALTHCHECK `{shown}` exits {converted.health_rc} in the converted image, "
                                 "0 in the original", converted.health_output)]
