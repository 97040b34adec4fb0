"""What one `msb verify` run was asked to do (the command line's options, one Dockerfile's context)
and the shape of its progress callbacks."""
from __future__ import annotations

from collections.abc import Callable

from msbrewrite.support.records import field, record
from msbrewrite.verify.crawl import MAX_DEPTH, MAX_PAGES


@record
class Settings:
    context: str
    mode: str = "auto"                      # auto | server | cli
    port: int | None = None
    paths: list[str] = field(default_factory=list)     # requested paths; none: `/`
    smoke_cmd: str | None = None            # CLI: the arguments; server: a probe command
    smoke_script: str | None = None         # an executable run as `SCRIPT IMAGE`, exit 0 = works
    run_args: list[str] = field(default_factory=list)
    timeout: float = 60.0
    keep_images: bool = False
    no_cache: bool = False
    probe_image: str | None = None
    network: str = "host"                   # build network (the engine may have no bridge)
    strict: bool = False                    # suspicious missing files fail the verdict
    discover: bool = True                   # probe the routes read from the sources, crawl the links
    route_limit: int = 40
    crawl_pages: int = MAX_PAGES
    crawl_depth: int = MAX_DEPTH
    file_checks: bool = True                # compare the images' files and write permissions


Progress = Callable[[str], None]
