"""Whether the converted image still runs the app: the verdict of one smoke run, as a server
(stays up, answers on a port, answers each requested path like the original) or as a command-line
program (same exit code, same output), inconclusive when the original fails the same check. Pure."""
from __future__ import annotations

from msbrewrite.support import lazy_re

from msbrewrite.support.records import asdict, field, record
from msbrewrite.verify.clock import same_apart_from_times
from msbrewrite.verify.output import first_line
from msbrewrite.verify.package_manager import strip_text
from msbrewrite.verify.probe import ServerRun


@record
class CliRun:
    exit_code: int | None        # None: still running at the timeout
    stdout: str = ""
    stderr: str = ""
    listeners: list = field(default_factory=list)   # [address, port] while still running


@record
class Smoke:
    mode: str                    # server | cli | script
    passed: bool
    detail: str
    original: dict = field(default_factory=dict)
    converted: dict = field(default_factory=dict)
    inconclusive: str | None = None    # the original fails the same check: nothing to blame


def judge_server(original: ServerRun | None, converted: ServerRun, same_port: bool = True) -> Smoke:
    """The converted app must stay up, answer on a port (HTTP status below 500, or a TCP connect
    when it does not speak HTTP), answer each requested path like the original did, and pass
    --smoke-cmd. When the original fails the same check the result is inconclusive, not a failure.
    `same_port`: it must answer on the original's port (not so for a dev server replaced by a build)."""
    def fail(why: str, inconclusive: str | None = None) -> Smoke:
        return Smoke("server", False, why, as_dict(original), as_dict(converted), inconclusive)

    if original is not None and original.started and not converted.started:
        return fail("the converted image did not start, where the original did")
    if original is not None and original.started and original.stayed_up and original.port is None \
            and converted.port is None and not converted.stayed_up:
        # the original kept running without answering (a database it waits for); the converted one stopped
        return fail(f"the converted container exited (code {converted.exit_code}), where the original kept running")
    if original is not None and (not original.started or original.port is None):
        why = ("the original image did not start" if not original.started else
               f"the original container exited (code {original.exit_code}) before answering" if not original.stayed_up
               else "the original container answered on no port within the timeout")
        return fail(why, why)
    if not converted.started:
        return fail("the converted image did not start")
    if converted.port is None:
        if not converted.stayed_up:
            return fail(f"the converted container exited (code {converted.exit_code}) before answering")
        return fail("the converted container answered on no port within the timeout")
    if same_port and original is not None and original.port != converted.port:
        # clients (and `docker run -p`) reach the port the original served
        return fail(f"the converted container answers on :{converted.port}, the original on :{original.port} "
                    f"(:{original.port} answered nothing)")
    for path, code in converted.statuses.items():
        before = original.statuses.get(path) if original else None
        original_failed = original is not None and (before is None or before >= 500)
        if original_failed and (code >= 400 or not code):
            why = f"GET {path} fails in the original too ({before or 'no answer'})"
            return fail(why, why)
        if code >= 500:
            return fail(f"GET {path} on :{converted.port} answered {code}")
        if code and before and before < 500 and before != code:
            return fail(f"GET {path} answered {code}, the original answered {before}")
    if converted.command_rc not in (None, 0):
        if original is not None and original.command_rc not in (None, 0):
            why = f"--smoke-cmd fails on the original too (exit {original.command_rc})"
            return fail(why, why)
        return fail(f"--smoke-cmd exited with {converted.command_rc}")
    if not converted.stayed_up:
        if original is not None and not original.stayed_up:
            why = f"the original container exited too (code {original.exit_code}) after answering"
            return fail(why, why)
        return fail(f"the converted container exited (code {converted.exit_code}) after answering")
    answers = ", ".join(f"{p} {c if c else 'tcp'}" for p, c in converted.statuses.items())
    return Smoke("server", True, f"up on :{converted.port} ({answers})", as_dict(original), as_dict(converted))



CANNOT_RUN = (125, 126, 127)     # docker or the shell could not start the command


def judge_cli(original: CliRun | None, converted: CliRun, timeout: float,
              managers: tuple[bool, bool] = (False, False)) -> Smoke:
    """A CLI must exit with the original's code and print the same standard output (the times it
    prints of its own run aside). `managers`:
    whether the original's and the converted command run through npm/yarn/pnpm, whose own banner
    is then no part of the output compared."""
    def result(ok: bool, why: str) -> Smoke:
        return Smoke("cli", ok, why, as_dict(original), as_dict(converted))

    if original is not None and original.exit_code in CANNOT_RUN:
        why = f"the original cannot run its command (exit {original.exit_code}: {first_line(original.stderr)})"
        return Smoke("cli", False, why, as_dict(original), as_dict(converted), why)
    if original is None:
        if converted.exit_code == 0:
            return result(True, "exit 0 (no original to compare with)")
        return result(False, f"exit {converted.exit_code} (no original to compare with)")
    broken = _failing(original)
    if original.exit_code is None and converted.exit_code is None:
        listening = ports_of(original.listeners) or ports_of(converted.listeners)
        if listening:
            why = (f"still running and listening on {listening}, but not probed as a server: "
                   "pass --port PORT (or leave --mode at auto)")
            return Smoke("cli", False, why, as_dict(original), as_dict(converted), why)
        if broken:
            other = _failing(converted)
            if other and not same_apart_from_times(other, broken):
                return result(False, f"both still running, but the converted one fails otherwise: {other} "
                                     f"(the original: {broken})")
            why = f"the original keeps running but fails here too ({broken})"
            return Smoke("cli", False, why, as_dict(original), as_dict(converted), why)
        return result(True, f"both still running after {timeout:g}s, listening on no TCP port")
    if original.exit_code not in (None, 0) and converted.exit_code is None and not _failing(converted):
        # the original stopped with an error at start (a CLI it runs wants a newer Node, say) where the
        # conversion keeps running: nothing to compare it with (never a pass: the verdict is inconclusive)
        said = broken or first_line(original.stderr) or first_line(original.stdout) or "no output"
        why = f"the original fails here (exit {original.exit_code}: {said}); the converted one keeps running"
        return Smoke("cli", False, why, as_dict(original), as_dict(converted), why)
    if converted.exit_code != original.exit_code:
        got = "still running" if converted.exit_code is None else f"exit {converted.exit_code}"
        want = "still running" if original.exit_code is None else f"exit {original.exit_code}"
        hint = first_line(converted.stderr) or first_line(converted.stdout)
        return result(False, f"{got}, the original gave {want}" + (f": {hint}" if hint else ""))
    before, after = (strip_text(run.stdout) if pm else run.stdout for run, pm in zip((original, converted), managers))
    if original.exit_code not in (None, 0):
        other = _failing(converted)
        if other and not (broken and same_apart_from_times(other, broken)):
            return result(False, f"exit {converted.exit_code} as the original, but it fails otherwise: {other} "
                                 f"(the original: {broken or first_line(original.stderr) or 'no such line'})")
        if broken and same_apart_from_times(before, after):
            # the same crash on both sides shows that the app does not work here, not that it works
            why = f"the original fails here too (exit {original.exit_code}: {broken})"
            return Smoke("cli", False, why, as_dict(original), as_dict(converted), why)
    if not same_apart_from_times(before, after):
        if same_apart_from_times("\n".join(sorted(before.splitlines())), "\n".join(sorted(after.splitlines()))):
            # the same lines in another order: a listing of a folder whose files were copied in
            # another order, a hash map's or a set's iteration, threads writing side by side
            return result(True, f"exit {converted.exit_code}, the same lines as the original in another order")
        return result(False, "standard output differs from the original's: " + first_difference(before, after))
    return result(True, f"exit {converted.exit_code}, same output as the original")


# what the original printing one of these says: it does not work here (a crash, a missing module)
_BROKEN = ("crash", "Python module missing", "Node module missing", "shared library missing",
           "supervised program exited")


def _failing(run: CliRun) -> str | None:
    """The last line that shows `run` failing on its own (a traceback ends with its error), if any."""
    from msbrewrite.verify.logs import PACKAGES, match
    last = None
    for line in (run.stderr + "\n" + run.stdout).splitlines():
        found = match(line)
        if found and found.name in _BROKEN:
            last = _ADDRESS.sub("0x?", PACKAGES.sub("<site-packages>", found.line))[:160]
    return last


# a crash's program counter and pointers: a binary built with other flags puts the same code elsewhere
_ADDRESS = lazy_re.compile(r"\b0x[0-9a-fA-F]+\b")


def ports_of(sockets: list) -> str:
    return ", ".join(f":{p}" for p in sorted({int(p) for _, p in sockets}))


def first_difference(a: str, b: str) -> str:
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<end>"
        y = lb[i] if i < len(lb) else "<end>"
        if not same_apart_from_times(x, y):
            return f"line {i + 1}: {x[:100]!r} became {y[:100]!r}"
    return "trailing whitespace"


def as_dict(run) -> dict:
    if run is None:
        return {}
    data = asdict(run)
    for fetch in (data.get("fetches") or {}).values():
        fetch.pop("body", None)      # pages read for links: the hashes are enough in the report
    data.pop("diff", None)
    return data


def port_note(before: ServerRun | None, after: ServerRun) -> str:
    """How the probed ports were found, for the smoke line."""
    if after.port is None:
        return ""
    if before is not None and before.port == after.port and after.port_found_by in ("the original's port",
                                                                                    before.port_found_by):
        return f"; port {after.port} found by {before.port_found_by}"
    note = f"; port {after.port} found by {after.port_found_by}"
    if before is not None and before.port is not None:
        note += f" (the original's {before.port} by {before.port_found_by})"
    return note
