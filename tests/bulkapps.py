"""Small sample trees for the discovery, bulk and check tests (written fresh in tmp dirs)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GO_MAIN = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n'

# a single-stage Go build msb converts; {name} keeps the apps apart
GO_DOCKERFILE = """\
# build and run the {name} service
FROM golang:1.22
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc
COPY go.mod ./
COPY . .
RUN go build -o /usr/local/bin/{name} .
EXPOSE 8080
CMD ["{name}"]
"""

MULTI_STAGE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
"""

UNKNOWN = "FROM debian:bookworm\nRUN echo hello > /greeting\nCMD [\"cat\", \"/greeting\"]\n"


def go_app(directory: Path, name: str = "svc", dockerfile: str = "Dockerfile", text: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "go.mod").write_text(f"module example.com/{name}\n\ngo 1.22\n")
    (directory / "main.go").write_text(GO_MAIN)
    path = directory / dockerfile
    path.write_text(text if text is not None else GO_DOCKERFILE.format(name=name))
    return path


# a guard against a hang only: a check of a 1,100-level tree took 310 s on a busy two-core machine
HANG = 1800


def msb(*args, cwd=None, check=False) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, check=check, timeout=HANG)


def git(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          capture_output=True, text=True, check=True)
