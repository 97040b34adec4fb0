"""What a Maven or Gradle build leaves behind, shared by both readers (maven.py, gradle.py):
the Archive a project writes, and the Java major a level value names ("1.8", "17").
"""
from __future__ import annotations

import re

from msbrewrite.support.records import record


@record
class Archive:
    """A file a build writes, relative to the context, and what we know of it."""
    path: str               # context-relative path, e.g. "api/target/api-1.0.jar"
    project_dir: str        # context-relative directory of the module
    kind: str = "jar"       # jar | war
    runnable: bool = False  # self-contained with a Main-Class (Spring Boot, shade, assembly, bootJar)
    main_class: str | None = None
    spring_boot: bool = False
    class_path_dir: str | None = None   # dependency directory the manifest Class-Path points into


def java_major_of(value: str | None) -> int | None:
    """'1.8' -> 8, '17' -> 17, '11.0.2' -> 11."""
    if not value:
        return None
    m = re.match(r"\s*1\.(\d+)\b", value) or re.match(r"\s*(\d+)", value)
    if not m:
        return None
    major = int(m.group(1))
    return major if 5 <= major <= 40 else None
