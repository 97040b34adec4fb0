"""The pipeline: parse -> detect -> plan -> render -> validate, as one pure function."""
from __future__ import annotations


from msbrewrite.model.analysis import analyse
from msbrewrite.model.context import Context, Contexts
from msbrewrite.core.detect import detect as run_detectors, language_module
from msbrewrite.model.dockerfile import KNOWN_INSTRUCTIONS, ParseError, parse
from msbrewrite.model.instructions import Dockerfile
from msbrewrite.model.options import Options
from msbrewrite.model.plan import Detection, Refusal, Result
from msbrewrite.rules.platform import runtime_platform
from msbrewrite.core.render import builder_name, render
from msbrewrite.core.original_checks import warn_original_build
from msbrewrite.rules.secrets import guard_secrets
from msbrewrite.core.validate import validate
from msbrewrite.support import lazy_re

MIN_SCORE = 1.5
MAX_LINES = 10_000
MAX_LINE_BYTES = 65_535     # BuildKit's scanner stops at longer lines: the original would not build
# BuildKit rejects a flag on any other instruction ("unknown flag")
_TAKES_FLAGS = {"FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"}
_LONE_CR_RE = lazy_re.compile(r"\r(?![\n]|\Z)")
_WINDOWS_RE = lazy_re.compile(r"(?i)(windows|servercore|nanoserver|mcr\.microsoft\.com/windows)")


def load(text: str) -> Dockerfile:
    """Parse and check that the text is a single Dockerfile we can read (Refusal code 2 if not)."""
    if not text.strip():
        raise Refusal("empty file: not a Dockerfile", code=2, reason="empty")
    _check_lone_carriage_returns(text)
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        # bounded time and memory: no hand-written Dockerfile comes near this
        raise Refusal(f"{lines} lines: larger than any real Dockerfile (limit {MAX_LINES})", code=2,
                      reason="too-large")
    _check_line_lengths(text)
    try:
        df = parse(text)
    except ParseError as exc:
        raise Refusal(f"cannot parse: {exc}", code=2, reason="parse-error") from None
    unknown = [i for i in df.instructions if i.keyword not in KNOWN_INSTRUCTIONS]
    if unknown:
        first = unknown[0]
        raise Refusal(f"line {first.lineno}: unknown instruction {first.keyword[:40]!r}: not a Dockerfile",
                      code=2, reason="not-a-dockerfile")
    if not df.stages:
        raise Refusal("no FROM instruction: not a Dockerfile", code=2, reason="no-from")
    for ins in df.instructions:
        if ins.flag_list and ins.keyword not in _TAKES_FLAGS:
            raise Refusal(f"line {ins.lineno}: {ins.keyword} takes no flags (--{ins.flag_list[0][0][:40]}): "
                          "the original does not build", code=2, reason="invalid-flag")
    for ins in df.instructions:
        if ins.keyword in ("CMD", "ENTRYPOINT") and not ins.args.strip():
            raise Refusal(f"line {ins.lineno}: {ins.keyword} without a command (write {ins.keyword} [] to clear it)",
                          code=2, reason="empty-command")
    for ins in df.instructions:
        if ins.keyword == "FROM":
            break
        if ins.keyword != "ARG":
            raise Refusal(f"line {ins.lineno}: {ins.keyword} before the first FROM", code=2,
                          reason="instruction-before-from")
    return df


def _check_lone_carriage_returns(text: str) -> None:
    """Docker ends lines at LF only (CRLF too, the CR dropped): a file with CR-only line endings
    (old Mac editors) is one long line to it, so the original does not build as it reads."""
    lone = _LONE_CR_RE.search(text)
    if lone:
        lineno = text.count("\n", 0, lone.start()) + 1
        raise Refusal(f"line {lineno}: a carriage return without a line feed (CR-only line endings): Docker reads "
                      "no line break there; convert the file to LF line endings", code=2, reason="cr-line-endings")


def _check_line_lengths(text: str) -> None:
    if len(text) <= MAX_LINE_BYTES:
        return
    for lineno, line in enumerate(text.split("\n"), 1):
        # a character is at most 4 bytes: only lines that might be too long are encoded
        if len(line) * 4 > MAX_LINE_BYTES and len(line.encode("utf-8")) > MAX_LINE_BYTES:
            raise Refusal(f"line {lineno}: longer than {MAX_LINE_BYTES} bytes, which BuildKit rejects",
                          code=2, reason="line-too-long")


def detect(text: str, context_dir=None) -> list[Detection]:
    df = load(text)
    stage = df.stages[-1]
    return run_detectors(analyse(df, stage, Context(context_dir)))


def convert(text: str, context_dir=None, options: Options | None = None, contexts: Contexts | None = None) -> Result:
    """Convert Dockerfile text. Never raises for bad input: refusals come back in the Result.

    `contexts`, when given, holds the build contexts already read by earlier conversions of the
    same run (a bulk run shares one across its Dockerfiles): same answers, read once."""
    options = options or Options()
    try:
        context = contexts.get(context_dir) if contexts is not None and context_dir else Context(context_dir)
        return _convert(text, context, options)
    except Refusal as exc:
        return Result("refused", text, exit_code=exc.code, reason=exc.message, reason_code=exc.reason)
    except RecursionError:
        return Result("refused", text, exit_code=2, reason=_too_deep(text, context_dir, options),
                      reason_code="too-complex")


def _too_deep(text: str, context_dir, options: Options) -> str:
    """Which input is nested too deeply: the Dockerfile, or something read from the build context.
    The conversion is tried again without the context to tell them apart."""
    if context_dir is not None:
        try:
            _convert(text, Context(None), options)
        except RecursionError:
            return "the Dockerfile is nested too deeply to read"
        except Exception:   # noqa: BLE001 - only the recursion matters here
            pass
        return "a file in the build context is nested too deeply to read"
    return "the Dockerfile is nested too deeply to read"


def _convert(text: str, context: Context, options: Options) -> Result:
    from msbrewrite.core.option_values import problems
    bad = problems(options)
    if bad:
        raise Refusal(f"bad option: {bad[0]}", code=2, reason="bad-option")
    df = load(text)
    stages = df.stages
    if len(stages) > 1:
        return Result("unchanged", text, reason="already multi-stage: left unchanged",
                      reason_code="multi-stage")
    stage = stages[0]
    if _WINDOWS_RE.search(stage.image):
        raise Refusal(f"Windows base image {stage.image}: only Linux images are supported", reason="windows")
    if stage.image.lower() == "scratch":
        raise Refusal("FROM scratch: nothing is built, so there is nothing to split", reason="scratch")
    facts = analyse(df, stage, context)
    # read where secret-looking files are decided (secret_files.keeps)
    facts.memo["drop-dotenv"] = options.drop_dotenv
    if options.language:
        detection = _detector(options.language).detect(facts)
        module = language_module(options.language)
        detection.score = max(detection.score, MIN_SCORE)
    else:
        found = run_detectors(facts)
        if not found or found[0].score < MIN_SCORE:
            if not any(ins.keyword == "RUN" for ins in stage.instructions):
                # `FROM nginx` + `COPY site/ /usr/share/nginx/html/`: no build to move out of the image
                raise Refusal(f"nothing is built: the Dockerfile only adds files to {stage.image} (no RUN), so it "
                              "already is the runtime image; keep the file", reason="nothing-to-build")
            hint = f" (weak signal: {found[0].language})" if found else ""
            raise Refusal(f"unknown language: no Go, Rust, Node, Python, Java, frontend, C/C++, .NET, PHP, Ruby, Bun or Deno build found{hint}; "
                          "use --language to choose one", reason="unknown-language")
        detection = found[0]
        module = language_module(detection.language)
    plan = module.plan(facts, detection, options)
    guard_secrets(facts, plan)
    if options.optimize:
        from msbrewrite.optimize import optimize
        optimize(facts, plan)
    from msbrewrite.rules.runtime import builder_steps_as_root
    builder_steps_as_root(facts, plan)
    warn_original_build(facts, plan)
    plan.runtime_platform, why = runtime_platform(facts)
    if why:
        plan.decisions.append(why)
    if facts.context and facts.context.truncated:
        from msbrewrite.model.context import MAX_WALK
        plan.warnings.append(f"the build context holds more than {MAX_WALK:,} files (build folders skipped): msb "
                             f"read the first {MAX_WALK:,} in name order, so a decision about files beyond them "
                             "may be missing (add a .dockerignore, or pass --context with the app's own folder)")
    for ins in df.instructions:
        if ins.index not in plan.fates:
            plan.fate(ins, "kept")
    from msbrewrite.model.quoting import generated_problem
    why = generated_problem(plan)
    if why:
        raise Refusal(f"a generated line would carry a control character from the input: {why}",
                      code=2, reason="control-character")
    _refuse_unresolved_paths(plan)
    if options.debug_stage:
        from msbrewrite.core.debug_stage import plan_debug
        plan.debug = plan_debug(plan, options, builder_name(stage))
    out = render(df, stage, plan)
    validate(df, out, plan, builder_name(stage))
    result = Result("converted", out, detection=detection, runtime_base=plan.runtime_base,
                    artifacts=plan.artifacts, decisions=plan.decisions, warnings=plan.warnings,
                    fates=[plan.fates[i] for i in sorted(plan.fates)], facts=facts,
                    secrets=list(plan.extra.get("kept_secrets", [])))
    _say_when_nothing_is_gained(text, result)
    return result


def _refuse_unresolved_paths(plan) -> None:
    """A path the runtime copies that still holds `$VAR` depends on a value only the build's shell
    knows (a variable no ARG or ENV sets): Docker would expand it to something else in the COPY."""
    for art in plan.artifacts:
        if "$" in art.source:
            raise Refusal(f"the build writes {art.source}, which depends on a variable msb cannot resolve: "
                          "set it with ARG or ENV, or write the path", reason="unresolved-variable")


def _say_when_nothing_is_gained(text: str, result: Result) -> None:
    """An original already on the runtime's base, installing nothing for the build, comes out no
    smaller (the builder's extra layers are the only difference): say so instead of promising."""
    from msbrewrite.core.estimate import leaves_out
    shed = [p for p in leaves_out(text, result) if not p.startswith("build sources")]
    if not shed:
        result.no_gain = True
        result.warnings.append("no size gain expected: the runtime base is the image the original already ran on "
                               "and the build installs nothing the runtime leaves out; keep the original if size "
                               "was the goal")


def _detector(name: str):
    from msbrewrite.core.detect import LANGUAGES, detector
    try:
        if name not in LANGUAGES:
            raise ModuleNotFoundError(name)
        return detector(name)
    except ModuleNotFoundError:
        raise Refusal(f"unknown language {name!r}", code=2, reason="bad-language") from None
