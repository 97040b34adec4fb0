"""A Go site whose Dockerfile copies 70 page folders into 70 directories, on a real engine. The
original builds (its image has about 80 layers); every folder is an app directory, and a staging
step each put the converted builder past the engine's layer limit (about 125), so the converted
file did not build. Folders that leave out the same paths now share one step: the builder gets
one layer more, and the runtime serves every page without the folders' tests."""
from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from e2e_support import engine_env  # noqa: F401 (a fixture)
from msbrewrite import convert

pytestmark = pytest.mark.e2e

APP = Path(__file__).resolve().parents[2] / "fixtures" / "convert" / "go-asset-folders-one-step" / "context"
PAGES = 70
MAIN = """package main

import (
	"fmt"
	"os"
)

// prints the first line of every page and whether a test folder is left anywhere
func main() {
	for i := 1; i <= %d; i++ {
		page, err := os.ReadFile(fmt.Sprintf("/site/p%%d/page.txt", i))
		if err != nil {
			fmt.Println("missing", i)
			os.Exit(1)
		}
		fmt.Print(string(page))
		if _, err := os.Stat(fmt.Sprintf("/site/p%%d/__tests__", i)); err == nil {
			fmt.Println("tests", i)
		}
	}
}
"""


def docker(env: dict, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([env["MSB_DOCKER"], *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_seventy_app_directories_build_and_run_like_the_original(engine_env, tmp_path):
    for needed in ("golang:1.22", "gcr.io/distroless/static-debian12:nonroot"):
        if docker(engine_env, "image", "inspect", needed).returncode != 0:
            pytest.skip(f"stand-in {needed} missing: run the lab's images.sh")
    context = tmp_path / "site"
    context.mkdir()
    shutil.copy(APP / "go.mod", context / "go.mod")
    (context / "main.go").write_text(MAIN % PAGES)
    copies = []
    for i in range(1, PAGES + 1):
        page = context / "pages" / f"p{i}"
        (page / "__tests__").mkdir(parents=True)
        (page / "page.txt").write_text(f"page {i}\n")
        (page / "__tests__" / "page.test.js").write_text("test('page')\n")
        copies.append(f"COPY pages/p{i} /site/p{i}")
    (context / "Dockerfile").write_text("FROM golang:1.22\nWORKDIR /src\nCOPY go.mod main.go ./\n"
                                        "RUN CGO_ENABLED=0 go build -o /usr/local/bin/pages .\n"
                                        + "\n".join(copies) + '\nCMD ["pages"]\n')
    result = convert((context / "Dockerfile").read_text(), context)
    assert result.status == "converted", result.reason
    assert result.text.count("the runtime's cop") == 1, "one staging step for the 70 folders"
    (context / "Dockerfile.msb").write_text(result.text)
    tag = f"msb-e2e/many-dirs-{uuid.uuid4().hex[:10]}"
    outputs = {}
    try:
        for name, dockerfile in (("original", "Dockerfile"), ("converted", "Dockerfile.msb")):
            proc = docker(engine_env, "build", "--network=host", "-q", "-t", f"{tag}-{name}",
                          "-f", str(context / dockerfile), str(context))
            assert proc.returncode == 0, f"the {name} file does not build:\n{proc.stderr[-2000:]}"
            run = docker(engine_env, "run", "--rm", "--network=none", f"{tag}-{name}", timeout=120)
            assert run.returncode == 0, run.stdout + run.stderr
            outputs[name] = run.stdout
    finally:
        docker(engine_env, "image", "rm", "-f", f"{tag}-original", f"{tag}-converted")
    expected_pages = "".join(f"page {i}\n" for i in range(1, PAGES + 1))
    assert outputs["converted"] == expected_pages                 # every page, no test folder
    assert outputs["original"].startswith("page 1\ntests 1\n")    # the original shipped them
