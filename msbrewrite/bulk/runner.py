"""Many Dockerfiles at once: convert in parallel, summarise, write in place or as one patch.

Workers only compute (convert() is pure); the parent process does every write, one file at a
time through write_atomic, so an interrupted run leaves each file either old or new.
"""
from __future__ import annotations

import difflib
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from msbrewrite.bulk.contexts import choose, context_for
from msbrewrite.bulk.discover import Found
from msbrewrite.support.records import asdict, field, record

CONVERTED, UNCHANGED, REFUSED, FAILED = "converted", "unchanged", "refused", "failed"
GO_PARSER = "dockerfile"     # the official parser's module (validate.py imports it on first use)


@record
class Item:
    path: str                 # absolute
    context: str | None = None
    status: str = FAILED
    reason: str | None = None
    reason_code: str | None = None
    language: str | None = None
    runtime_base: str | None = None
    artifacts: list[str] = field(default_factory=list)
    leaves_out: list[str] = field(default_factory=list)
    no_gain: bool = False     # converted, but the image would be no smaller: not work for `check`
    warnings: list[str] = field(default_factory=list)
    secrets: list[dict] = field(default_factory=list)   # secret-looking files the runtime keeps (the app reads them)
    config: str | None = None  # the configuration file this file's options came from (absolute)
    line: int = 1             # the FROM line a finding points at
    old: str | None = None    # texts, kept for converted files only (patch / in-place)
    new: str | None = None

    def to_dict(self, base: Path | None = None) -> dict:
        data = asdict(self)
        del data["old"], data["new"]
        data["path"] = display(self.path, base)
        data["context"] = display(self.context, base) if self.context else None
        data["config"] = display(self.config, base) if self.config else None
        return data


def display(path: str, base: Path | None = None) -> str:
    """A path relative to `base` (default: the working directory) when it lies inside it."""
    base = base or Path.cwd()
    try:
        return Path(path).relative_to(base.resolve()).as_posix()
    except ValueError:
        return path


# Set by run() before the workers fork, so they inherit them: the run's build contexts (walked
# once each, model.context.Contexts) and each file's context as run() chose it (path -> dir).
_contexts = None
_chosen: dict = {}
_UNKNOWN = object()


def process(found: Found, flags: dict, contexts=None) -> Item:
    """Convert one file (runs in a worker). Never raises. `contexts`: the build contexts to
    share with other files (default: the run's)."""
    from msbrewrite.core.config import ConfigError, apply, find, ignored
    from msbrewrite.core.convert import convert
    from msbrewrite.core.estimate import leaves_out
    from msbrewrite.bulk.files import read_dockerfile
    from msbrewrite.model.options import Options
    from msbrewrite.model.plan import Refusal

    item = Item(str(found.path))
    if found.error:
        item.reason, item.reason_code = found.error, "unreadable"
        return item
    try:
        text = read_dockerfile(str(found.path))
    except Refusal as exc:
        item.status, item.reason, item.reason_code = (FAILED if exc.reason in ("missing", "unreadable") else REFUSED,
                                                      exc.message, exc.reason)
        return item
    try:
        ctx = _chosen.get(found.path, _UNKNOWN)
        if ctx is _UNKNOWN:
            ctx = None if flags.get("no_context") else context_for(found.path, found.root, text)
        item.context = str(ctx) if ctx else None
        opts = Options(runtime=flags.get("runtime", "auto"), language=flags.get("language"), user=flags.get("user"),
                       optimize=bool(flags.get("optimize")), debug_stage=bool(flags.get("debug_stage")))
        opts = apply(opts, found.path.parent, explicit=flags.get("explicit", {}))
        cfg = find(found.path.parent)
        item.config = str(cfg.path) if cfg else None
        result = convert(text, ctx, opts, contexts=contexts if contexts is not None else _contexts)
        item.status = {"converted": CONVERTED, "unchanged": UNCHANGED}.get(result.status, REFUSED)
        item.reason, item.reason_code = result.reason, result.reason_code
        item.language, item.runtime_base = result.language, result.runtime_base
        item.artifacts = [a.source for a in result.artifacts]
        item.warnings = ignored(found.path.parent) + list(result.warnings)
        item.secrets = list(result.secrets)
        if result.status == "converted":
            item.old, item.new = text, result.text
            item.line = result.facts.stage.from_.lineno
            try:
                item.leaves_out = leaves_out(text, result)
                item.no_gain = result.no_gain
            except Exception as exc:    # only an estimate: never let it cost the conversion
                item.warnings.append(f"no estimate of what leaves the image ({type(exc).__name__}: {exc})")
    except ConfigError as exc:
        item.status, item.reason, item.reason_code = FAILED, str(exc), "config"
    except Exception as exc:   # a bug in msb: report it for this file and go on with the others
        item.status, item.reason, item.reason_code = FAILED, f"internal error: {type(exc).__name__}: {exc}", "internal"
    return item


def _quiet_worker() -> None:
    # Ctrl-C is the parent's to handle: it stops the pool and never leaves a write half done
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call(args):
    return process(*args)


def run(found: list[Found], flags: dict, jobs: int | None = None, on_item=None, contexts=None) -> list[Item]:
    """Convert every file; `on_item(item)` is called in the parent as each one finishes.
    Results come back in the order of `found`, whatever the number of processes. Files built
    from one context share it (`contexts`, default a new model.context.Contexts): it is walked
    once, here, before the workers fork, and they inherit it."""
    jobs = jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(found)))
    if GO_PARSER in sys.modules:
        # the official parser is a Go library: once this process has loaded it, Go's runtime
        # threads do not survive a fork and a forked worker can hang inside it. The CLI never
        # loads it before forking; a library caller that converted already runs serially.
        jobs = 1
    if found:
        _warm()
    global _contexts, _chosen
    from msbrewrite.model.context import Contexts
    _contexts = contexts if contexts is not None else Contexts()
    try:
        _chosen = choose(found, flags, _contexts)
        return _run(found, [(f, flags) for f in found], jobs, on_item)
    finally:
        _contexts, _chosen = None, {}


def _run(found: list[Found], tasks: list, jobs: int, on_item) -> list[Item]:
    items: list[Item | None] = [None] * len(found)
    if jobs == 1:
        for i, task in enumerate(tasks):
            items[i] = _call(task)
            if on_item:
                on_item(items[i])
        return items  # type: ignore[return-value]
    _run_parallel(found, tasks, items, jobs, on_item)
    return items  # type: ignore[return-value]


def _run_parallel(found: list[Found], tasks: list, items: list, jobs: int, on_item) -> None:
    """Chunks of files in worker processes. A worker that dies (killed for memory, or a crash in
    native code) fails the files still pending, each with a reason, instead of hanging the run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool
    # fork lets the workers inherit the warmed imports; other start methods still work, slower
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    size = max(1, len(tasks) // (jobs * 8))
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=_quiet_worker)
    try:
        futures = [pool.submit(_chunk, [(i, tasks[i]) for i in range(start, min(start + size, len(tasks)))])
                   for start in range(0, len(tasks), size)]
        for future in as_completed(futures):
            for i, item in future.result():
                items[i] = item
                if on_item:
                    on_item(item)
    except BrokenProcessPool:
        for i, item in enumerate(items):
            if item is None:
                items[i] = Item(str(found[i].path), reason="a worker process died while this file was pending "
                                "(out of memory, or a crash in native code); run with --jobs 1 to find the file",
                                reason_code="worker-died")
                if on_item:
                    on_item(items[i])
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool) -> None:
    """Ctrl-C: end the pool now, whatever its workers were doing, without waiting for the chunks
    in flight (the workers ignore SIGINT)."""
    # SIGKILL, not SIGTERM: a worker may be stuck in native code; its results are dropped anyway
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    results = getattr(pool, "_result_queue", None)
    if results is not None:
        # A worker killed halfway through sending a result leaves a partial message in the pipe,
        # and the pool's thread waits for the rest of it. This process holds the last write end:
        # closing it turns that wait into end-of-file, which the thread takes as a broken pool
        # and ends. Otherwise the interpreter's exit joins that thread forever.
        results._writer.close()
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        # let the pool's thread close its pipes before exit: at interpreter exit it would race the
        # exit hook that wakes it, which then prints a traceback (a guard only: it ends at once)
        manager.join(timeout=60)


def _chunk(pairs):
    return [(i, _call(task)) for i, task in pairs]


def _warm() -> None:
    """Import the pipeline and every language module, and load the templates, once before
    forking, so that each worker inherits them instead of paying for them again. (Not the
    official parser: a Go library cannot be forked; each worker loads its own.)"""
    from msbrewrite.core import config, convert, estimate  # noqa: F401
    from msbrewrite.core.detect import available, language_module
    from msbrewrite.languages.templates import warm_templates
    for name in available():
        language_module(name)
    warm_templates()
    try:
        import dockerfile_parse  # noqa: F401 - pure Python, safe to inherit
    except ImportError:
        pass


def write_in_place(items: list[Item], on_write=None) -> list[Item]:
    """Rewrite converted files atomically; a file edited since it was read is left alone."""
    from msbrewrite.bulk.files import Changed, replace_if_unchanged
    for item in items:
        if item.status != CONVERTED:
            continue
        try:
            replace_if_unchanged(item.path, item.old, item.new)
        except Changed as exc:
            item.status, item.reason, item.reason_code = FAILED, exc.strerror, "changed"
            continue
        except OSError as exc:
            item.status, item.reason, item.reason_code = FAILED, f"cannot write ({exc.strerror or exc})", "unwritable"
            continue
        if on_write:
            on_write(item)
    return items


def patch(items: list[Item], base: Path | None = None, roots: dict | None = None) -> str:
    """One unified diff of every converted file that `git apply` takes.

    Each path is relative to the git repository holding the file (git apply reads paths from the
    top of the work tree, wherever it runs), else to the root the file was found under (`roots`:
    path -> root), else to `base` (default: the working directory). Never absolute.
    """
    chunks = []
    for item in items:
        if item.status != CONVERTED:
            continue
        name = patch_path(item.path, (roots or {}).get(item.path) or base)
        a, b = _git_name("a/" + name), _git_name("b/" + name)
        chunks.append(f"diff --git {a} {b}\n")
        chunks.append(_diff(item.old, item.new, a, b))
    return "".join(chunks)


def patch_path(path: str, root: Path | None = None) -> str:
    """The name of a file in a patch: relative to the top of the repository holding the root it
    was found under (where `git apply` runs, also for a file in a repository nested below that
    top), else to its own repository's top, else to `root`."""
    p = Path(path)
    for start in ([Path(root).resolve()] if root else []) + [p.parent]:
        top = _repository_top(start)
        if top is not None and (top == p.parent or top in p.parents):
            return p.relative_to(top).as_posix()
    anchor = Path(root or Path.cwd()).resolve()
    try:
        return p.relative_to(anchor).as_posix()
    except ValueError:
        return p.name       # an explicit file outside every root: named from its own directory


def _repository_top(directory: Path) -> Path | None:
    d = directory
    while True:
        if os.path.exists(d / ".git"):
            return d
        if d.parent == d:
            return None
        d = d.parent


def _git_name(name: str) -> str:
    """A path as git writes it in a patch: C-quoted when it holds quotes, backslashes or controls,
    or bytes that are not UTF-8 (a name the file system holds as raw bytes), which become octal
    escapes, so the patch stays text and `git apply` finds the file."""
    raw = os.fsencode(name)
    try:
        raw.decode("utf-8")
        foreign = False
    except UnicodeDecodeError:
        foreign = True
    if not foreign and not any(ch in '"\\' or ord(ch) < 32 for ch in name):
        return name
    escapes = {ord('"'): '\\"', ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n"}
    if not foreign:
        return '"' + "".join(escapes.get(ord(ch), f"\\{ord(ch):03o}" if ord(ch) < 32 else ch) for ch in name) + '"'
    return '"' + "".join(escapes.get(b, f"\\{b:03o}" if b < 32 or b > 126 else chr(b)) for b in raw) + '"'


def _diff(before: str, after: str, a: str, b: str) -> str:
    out = []
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     fromfile=a, tofile=b):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def counts(items: list[Item]) -> dict:
    status = Counter(i.status for i in items)
    refused = Counter(i.reason_code or "refused" for i in items if i.status == REFUSED)
    failed = Counter(i.reason_code or "failed" for i in items if i.status == FAILED)
    return {"files": len(items), CONVERTED: status[CONVERTED], UNCHANGED: status[UNCHANGED],
            REFUSED: status[REFUSED], FAILED: status[FAILED],
            "refused_by_reason": dict(refused.most_common()), "failed_by_reason": dict(failed.most_common())}


def summary(items: list[Item], seconds: float, action: str) -> str:
    """The closing table: converted / already multi-stage / refused by reason / failed."""
    c = counts(items)
    rate = len(items) / seconds if seconds > 0 else 0.0
    rows = [(f"converted{action}", c[CONVERTED]), ("already multi-stage (unchanged)", c[UNCHANGED]),
            ("refused", c[REFUSED])]
    rows += [(f"  {reason}", n) for reason, n in c["refused_by_reason"].items()]
    rows.append(("failed", c[FAILED]))
    rows += [(f"  {reason}", n) for reason, n in c["failed_by_reason"].items()]
    width = max(len(r[0]) for r in rows)
    lines = [f"Finished {len(items)} file(s) in {seconds:.2f}s ({rate:.1f} files/s)"]
    lines += [f"  {label:<{width}}  {n:>5}" for label, n in rows]
    return "\n".join(lines)


class Clock:
    def __init__(self) -> None:
        self.start = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start
