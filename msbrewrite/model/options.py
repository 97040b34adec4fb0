"""User choices that shape a conversion."""
from __future__ import annotations

from msbrewrite.support.records import field, record


RUNTIMES = ("auto", "distroless", "slim", "alpine", "scratch")


@record
class Options:
    runtime: str = "auto"                 # runtime flavour
    language: str | None = None           # force a language instead of detecting
    mirror: str | None = None             # registry prefix for emitted runtime images
    digests: dict[str, str] = field(default_factory=dict)   # image -> sha256:... pin
    user: str | None = None               # "root", "nonroot" or an explicit user for the runtime
    extra_paths: list[str] = field(default_factory=list)    # more builder paths to copy
    runtime_overrides: dict[str, str] = field(default_factory=dict)  # language -> flavour
    optimize: bool = False                # rewrite the builder as an expert would (msbrewrite/optimize)
    drop_dotenv: bool = False             # leave out .env files the app reads (passed at run time instead)
    debug_stage: bool = False             # add a `debug` stage: the runtime on a base with a shell

    def flavour(self, language: str) -> str:
        if self.runtime != "auto":
            return self.runtime
        return self.runtime_overrides.get(language, "auto")
