"""Conversions that must keep what the original image did: its platform, its shell-form
ENTRYPOINT ignoring CMD, config files the build writes, binaries outside cache mounts; and
patches `git apply` takes from anywhere."""
from __future__ import annotations

import subprocess

import pytest

from bulkapps import go_app, msb
from msbrewrite import convert
from msbrewrite.model.dockerfile import parse


def runtime(text: str):
    return parse(text).stages[-1]


@pytest.mark.parametrize("platform", ["linux/arm64", "$TARGETPLATFORM", "${BUILDPLATFORM}"])
def test_the_builder_platform_is_carried_to_the_runtime(platform):
    result = convert(f"FROM --platform={platform} golang:1.22\nRUN go build -o /s .\nCMD [\"/s\"]\n")
    assert result.status == "converted", result.reason
    assert runtime(result.text).platform == platform


def test_a_cross_compiling_builder_leaves_the_runtime_on_the_target_platform():
    result = convert("FROM --platform=$BUILDPLATFORM golang:1.22\nARG TARGETOS TARGETARCH\n"
                     "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /s .\nCMD [\"/s\"]\n")
    assert result.status == "converted", result.reason
    assert runtime(result.text).platform is None


def test_shell_form_entrypoint_still_ignores_cmd():
    result = convert("FROM golang:1.22\nRUN go build -o /app/server .\nENTRYPOINT /app/server\n"
                     "CMD [\"--port\", \"8080\"]\n")
    assert result.status == "converted", result.reason
    final = runtime(result.text).instructions
    assert [i.json_args for i in final if i.keyword == "ENTRYPOINT"] == [["/app/server"]]
    assert not [i for i in final if i.keyword == "CMD"]
    assert any(f.fate == "removed" and f.instruction.startswith("CMD") for f in result.fates)


def test_exec_form_entrypoint_keeps_its_cmd():
    result = convert("FROM golang:1.22\nRUN go build -o /app/server .\nENTRYPOINT [\"/app/server\"]\n"
                     "CMD [\"--port\", \"8080\"]\n")
    assert [i.json_args for i in runtime(result.text).instructions if i.keyword == "CMD"] == [["--port", "8080"]]


@pytest.mark.parametrize("writes,flag", [
    ('RUN echo "port: 80" > config.yaml', ["-config", "config.yaml"]),
    ("RUN printf 'a=1' | tee /etc/app.ini", ["--config=/etc/app.ini"]),
    ("COPY <<EOF /src/app.toml\nport = 80\nEOF", ["--config=app.toml"]),
])
def test_a_config_file_the_build_writes_is_copied(writes, flag):
    import json
    text = f"FROM golang:1.22\nWORKDIR /src\nRUN go build -o /s .\n{writes}\nCMD {json.dumps(['/s', *flag])}\n"
    result = convert(text)
    assert result.status == "converted", result.reason
    value = flag[-1].split("=", 1)[-1]
    path = value if value.startswith("/") else "/src/" + value
    assert path in [a.source for a in result.artifacts]


def test_a_go_binary_left_in_a_cache_mount_is_refused():
    result = convert("FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
                     "RUN --mount=type=cache,target=/out go build -o /out/app .\nCMD [\"/out/app\"]\n")
    assert result.status == "refused" and "cache mount" in result.reason


def test_a_go_binary_copied_out_of_the_cache_in_the_same_run_is_fine():
    result = convert("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/out "
                     "go build -o /out/app . && cp /out/app /usr/local/bin/app\nCMD [\"app\"]\n")
    assert result.status == "converted", result.reason
    assert [a.source for a in result.artifacts][0] == "/usr/local/bin/app"


def test_a_go_mod_the_image_never_receives_does_not_make_it_go(tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "go.mod").write_text("module example.com/tools\n")
    (tmp_path / "run.sh").write_text("echo hi\n")
    result = convert("FROM alpine:3.20\nCOPY run.sh /run.sh\nRUN chmod +x /run.sh\nCMD [\"/run.sh\"]\n", tmp_path)
    assert result.status == "refused" and result.reason_code == "unknown-language"


def test_a_file_that_only_adds_files_to_its_base_already_is_the_runtime(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>hi</p>\n")
    result = convert("FROM nginx\nWORKDIR /data\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY site /data/site\n",
                     tmp_path)
    assert result.status == "refused" and result.reason_code == "nothing-to-build"
    assert result.reason == ("nothing is built: the Dockerfile only adds files to nginx (no RUN), so it already is "
                             "the runtime image; keep the file")


def test_patch_paths_are_relative_to_the_repository_from_anywhere(tmp_path):
    repo = tmp_path / "repo"
    go_app(repo / "svc", name="svc")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = msb("migrate", repo / "svc", "--patch", tmp_path / "p.diff", "-q", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    diff = (tmp_path / "p.diff").read_text()
    assert "diff --git a/svc/Dockerfile b/svc/Dockerfile" in diff and "a//" not in diff
    applied = subprocess.run(["git", "apply", str(tmp_path / "p.diff")], cwd=repo / "svc", capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert "AS builder" in (repo / "svc" / "Dockerfile").read_text()


def test_patch_paths_outside_a_repository_are_relative_to_the_root(tmp_path):
    go_app(tmp_path / "tree" / "svc", name="svc")
    (tmp_path / "elsewhere").mkdir()
    proc = msb("migrate", tmp_path / "tree", "--patch", "-", "-q", cwd=tmp_path / "elsewhere")
    assert proc.returncode == 0, proc.stderr
    assert "diff --git a/svc/Dockerfile b/svc/Dockerfile" in proc.stdout


@pytest.mark.parametrize("line, carried", [
    ("ENV PATH=.:$PATH", True),                     # the app's own folder: programs it starts are there
    ("ENV PATH=/srv/tool/bin:$PATH", True),         # a folder of the app's, from the context
    ("ENV PATH=/srv/tool/.venv/bin:$PATH", False),  # one the build makes
    ("ENV PATH=/usr/local/go/bin:$PATH", False),    # a toolchain the runtime does not have
    ("ENV PATH=/root/.cargo/bin:.:$PATH", False),
])
def test_folders_an_env_path_adds_for_the_app_reach_the_runtime(tmp_path, line, carried):
    (tmp_path / "tool.py").write_text("print('hi')\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "helper").write_text("#!/bin/sh\necho help\n")
    result = convert(f"FROM python:3.12-slim\nWORKDIR /srv/tool\nCOPY . .\n{line}\nCMD [\"python\", \"tool.py\"]\n",
                     tmp_path)
    assert result.status == "converted", result.reason
    assert (line in result.text.rpartition("\nFROM ")[2]) is carried


def test_a_shell_form_entrypoint_made_exec_form_says_run_arguments_now_reach_it():
    # `ENTRYPOINT flask run` ignored what `docker run IMAGE ARGS` gave it; exec form passes ARGS on
    from msbrewrite import convert
    r = convert("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install flask\n"
                "ENTRYPOINT flask run --host=0.0.0.0 --port=8000\n")
    said = [f.reason for f in r.fates if f.instruction.startswith("ENTRYPOINT")]
    assert said and said[0].endswith("arguments given to `docker run` now reach it, where the shell form ignored them)")
