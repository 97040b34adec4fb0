"""BuildPlan and the bookkeeping of what happened to every original instruction."""
from __future__ import annotations

from msbrewrite.support.records import asdict, field, record, replace


# fates of original instructions
KEPT = "kept"              # stays in the builder, unchanged
KEPT_AND_COPIED = "kept+runtime"  # stays in the builder and is repeated in the runtime stage
MOVED = "moved"            # leaves the builder, appears unchanged in the runtime stage
REWRITTEN = "rewritten"    # changed (in either stage); reason says how
REMOVED = "removed"        # gone; reason says why
FATES = (KEPT, KEPT_AND_COPIED, MOVED, REWRITTEN, REMOVED)


class Refusal(Exception):
    """The input is understood but cannot (or must not) be converted; code 2 or 3."""

    def __init__(self, message: str, code: int = 3, reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason or "refused"


@record
class Fate:
    line: int
    instruction: str
    fate: str
    reason: str = ""


@record
class Evidence:
    signal: str
    where: str          # "Dockerfile:12" or "context:go.mod"
    weight: float


@record
class Detection:
    language: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    framework: str | None = None

    @property
    def confidence(self) -> str:
        return "high" if self.score >= 3 else "medium" if self.score >= 1.5 else "low"


@record
class Artifact:
    source: str          # absolute path in the builder
    dest: str            # absolute path in the runtime stage
    why: str = ""
    chown: str | None = None
    optional: bool = False


@record
class BuildPlan:
    language: str
    template: str
    runtime_base: str
    artifacts: list[Artifact] = field(default_factory=list)
    # builder edits: line text inserted after the FROM line / appended at the end
    builder_after_from: list[str] = field(default_factory=list)
    builder_append: list[str] = field(default_factory=list)
    builder_replace: dict[int, str] = field(default_factory=dict)   # instruction index -> new raw
    builder_drop: set[int] = field(default_factory=set)             # instruction index
    builder_before: dict[int, list[str]] = field(default_factory=dict)  # instruction index -> lines above it
    runtime_from_notes: list[str] = field(default_factory=list)     # comment lines right above the runtime FROM
    runtime_platform: str | None = None                             # --platform of the runtime FROM
    runtime_args: list[str] = field(default_factory=list)           # ARG lines to redeclare
    runtime_env: list[str] = field(default_factory=list)            # ENV lines (raw)
    start_env: list[str] = field(default_factory=list)              # ENV the start command set for itself
    runtime_setup: list[str] = field(default_factory=list)          # RUN lines on the runtime base
    runtime_packages: list[str] = field(default_factory=list)
    runtime_meta: list[str] = field(default_factory=list)           # LABEL/EXPOSE/VOLUME/... raw
    workdir: str | None = None
    user: str | None = None
    healthcheck: str | None = None
    entrypoint: list[str] | str | None = None
    cmd: list[str] | str | None = None
    base_has_cmd: bool = False
    needs_shell: bool = False
    runtime_shell: str | None = None        # SHELL line the runtime's shell-form commands need
    fates: dict[int, Fate] = field(default_factory=dict)
    decisions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    produced: set[str] = field(default_factory=set)     # builder paths the plan knows exist
    comments: dict[str, str] = field(default_factory=dict)  # keyword -> comment lines that moved with it
    extra: dict = field(default_factory=dict)           # language-specific template values
    debug: object = None        # a debug_stage.DebugStage when --debug-stage asks for the twin

    def fate(self, ins, fate: str, reason: str = "") -> None:
        self.fates[ins.index] = Fate(ins.lineno, ins.summary(), fate, reason)

    def copy(self, source: str, dest: str | None = None, why: str = "", **kw) -> Artifact:
        art = Artifact(source, dest or source, why, **kw)
        self.artifacts.append(art)
        self.produced.add(source)
        return art


@record
class Result:
    status: str                      # converted | unchanged | refused
    text: str                        # output Dockerfile (the input when unchanged / refused)
    exit_code: int = 0
    reason: str | None = None        # refusal message
    reason_code: str | None = None   # short machine reason, e.g. "unknown-language"
    detection: Detection | None = None
    runtime_base: str | None = None
    artifacts: list[Artifact] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fates: list[Fate] = field(default_factory=list)
    # the runtime sheds nothing the original carried (same base, no build packages, no caches)
    no_gain: bool = False
    # secret-looking files the runtime keeps because the app reads them: path, kind, read_by, line
    secrets: list[dict] = field(default_factory=list)
    # what the pipeline learnt about the input stage, for callers that look further (estimate, bulk)
    facts: object = field(default=None, repr=False, compare=False)

    @property
    def language(self) -> str | None:
        return self.detection.language if self.detection else None

    def to_dict(self) -> dict:
        data = asdict(replace(self, facts=None))
        del data["facts"]
        data["language"] = self.language
        return data
