"""Unit tests of verify's pure parts: reading build logs, judging smoke runs, the report."""
from __future__ import annotations

import json

import pytest

from msbrewrite.verify.judge import CliRun, Smoke, judge_cli, judge_server
from msbrewrite.verify.output import failing_step, log_tail
from msbrewrite.verify.ports import candidate_ports, exposed_ports
from msbrewrite.verify.probe import ServerRun
from msbrewrite.verify.report import (Build, Report, render_json, render_summary, render_text, size_ratio,
                                      summary_exit_code)
from msbrewrite.verify.size import human_size
from msbrewrite.verify.verifier import slug
from msbrewrite.verify.oracle import Difference

BUILD_LOG = """\
#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s
#5 [builder 1/4] FROM docker.io/library/golang:1.22
#5 DONE 0.1s
#7 [builder 3/4] COPY . .
#7 DONE 0.1s
#8 [builder 4/4] RUN go build -o /out/app .
#8 0.512 main.go:3:8: package github.com/x/y is not in std
#8 ERROR: process "/bin/sh -c go build -o /out/app ." did not complete successfully: exit code: 1
------
 > [builder 4/4] RUN go build -o /out/app .:
------
error: failed to solve: process "/bin/sh -c go build -o /out/app ." did not complete successfully: exit code: 1
"""


def test_failing_step_names_the_step_buildkit_reported():
    assert failing_step(BUILD_LOG) == "[builder 4/4] RUN go build -o /out/app ."


def test_failing_step_can_be_a_base_image_lookup():
    log = "#4 [internal] load metadata for gcr.io/distroless/cc-debian13:nonroot\n" \
          "#4 ERROR: failed to do request: Head ...: no such host\n"
    assert failing_step(log) == "[internal] load metadata for gcr.io/distroless/cc-debian13:nonroot"


def test_failing_step_falls_back_to_the_engine_message():
    log = "#1 [internal] load build definition from Dockerfile\n" \
          "error: failed to solve: dockerfile parse error line 3: unknown instruction: RUNN\n"
    assert failing_step(log).startswith("error: failed to solve: dockerfile parse error line 3")
    assert failing_step("all good\n") is None


def test_log_tail_keeps_the_last_lines():
    assert log_tail("a\nb\nc\n", 2) == ["b", "c"]


def test_sizes_and_ratio():
    assert human_size(None) == "-"
    assert human_size(512) == "512 B"
    assert human_size(12_100_000) == "12.1 MB"
    assert human_size(1_170_000_000) == "1.2 GB"
    assert size_ratio(800_000_000, 12_000_000) == 0.015
    assert size_ratio(None, 5) is None and size_ratio(0, 5) is None


def test_ports_from_image_config():
    config = {"ExposedPorts": {"8080/tcp": {}, "53/udp": {}, "443/tcp": {}}}
    assert exposed_ports(config) == [443, 8080]
    assert exposed_ports({}) == [] and exposed_ports({"ExposedPorts": None}) == []
    assert candidate_ports(3000, [3000, 80]) == [3000, 80]
    assert candidate_ports(None, []) == []


def test_slug_is_a_valid_repository_component():
    assert slug("My App_v2") == "my-app-v2"
    assert slug("___") == "app"
    # cut where a separator falls at the 40th character: still a name Docker accepts
    cut = slug("automating-application-scaling-and-load-balance")
    assert cut == "automating-application-scaling-and-load" and not cut.endswith("-")


def _server(port=8080, statuses=None, up=True, **kw) -> ServerRun:
    return ServerRun(port=port, statuses=statuses if statuses is not None else {"/": 200}, stayed_up=up, **kw)


def test_server_passes_when_up_and_answering_like_the_original():
    smoke = judge_server(_server(port=80), _server(port=80))
    assert smoke.passed and smoke.detail == "up on :80 (/ 200)"


def test_server_answering_on_another_port_than_the_original_fails():
    # `docker run -p 8080:8080` reaches the original and not the converted image
    moved = judge_server(_server(), _server(port=80))
    assert not moved.passed and moved.inconclusive is None
    assert moved.detail == "the converted container answers on :80, the original on :8080 (:8080 answered nothing)"


def test_server_that_speaks_no_http_passes_on_a_tcp_connect():
    assert judge_server(None, _server(statuses={"/": 0})).passed


def test_server_failures():
    died = judge_server(_server(), ServerRun(port=None, stayed_up=False, exit_code=2))
    assert not died.passed and "exited (code 2) before answering" in died.detail
    silent = judge_server(_server(), ServerRun(port=None))
    assert not silent.passed and "no port" in silent.detail
    error = judge_server(_server(), _server(statuses={"/": 502}))
    assert not error.passed and "502" in error.detail
    lost_page = judge_server(_server(), _server(statuses={"/": 404}))
    assert not lost_page.passed and "the original answered 200" in lost_page.detail
    crashed_after = judge_server(_server(), _server(up=False, exit_code=1))
    assert not crashed_after.passed and "after answering" in crashed_after.detail
    probe_cmd = judge_server(_server(), _server(command_rc=1))
    assert not probe_cmd.passed and "--smoke-cmd" in probe_cmd.detail
    assert not judge_server(None, ServerRun(started=False)).passed


def test_a_path_failing_in_the_original_too_is_inconclusive():
    smoke = judge_server(_server(statuses={"/": 500}), _server(statuses={"/": 404}))
    assert not smoke.passed and smoke.inconclusive == "GET / fails in the original too (500)"
    # the converted image doing better than the original is no failure
    assert judge_server(_server(statuses={"/": 500}), _server(statuses={"/": 200})).passed


def test_an_original_that_does_not_start_is_inconclusive():
    dead = ServerRun(port=None, stayed_up=False, exit_code=1)
    smoke = judge_server(dead, ServerRun(port=None, stayed_up=False, exit_code=1))
    assert smoke.inconclusive == "the original container exited (code 1) before answering"
    assert judge_server(ServerRun(started=False), _server()).inconclusive == "the original image did not start"
    both_cmd = judge_server(_server(command_rc=1), _server(command_rc=1))
    assert both_cmd.inconclusive and "--smoke-cmd fails on the original too" in both_cmd.detail
    both_die = judge_server(_server(up=False, exit_code=3), _server(up=False, exit_code=3))
    assert both_die.inconclusive and not judge_server(_server(), _server(up=False, exit_code=3)).inconclusive


def test_cli_original_that_cannot_run_is_inconclusive():
    smoke = judge_cli(CliRun(127, "", "exec: /app/tool: not found\n"), CliRun(127, "", "same\n"), 30)
    assert not smoke.passed and smoke.inconclusive.startswith("the original cannot run its command (exit 127")


def test_cli_must_match_the_original():
    same = judge_cli(CliRun(0, "v1.2\n"), CliRun(0, "v1.2\n", "a log line\n"), 30)
    assert same.passed
    other_code = judge_cli(CliRun(0, "v1.2\n"), CliRun(127, "", "exec: wordcount: not found\n"), 30)
    assert not other_code.passed
    assert other_code.detail == "exit 127, the original gave exit 0: exec: wordcount: not found"
    other_output = judge_cli(CliRun(0, "a\nb\n"), CliRun(0, "a\nc\n"), 30)
    assert not other_output.passed and "line 2: 'b' became 'c'" in other_output.detail
    assert judge_cli(CliRun(None), CliRun(None), 30).passed
    assert not judge_cli(CliRun(None), CliRun(1), 30).passed
    assert judge_cli(None, CliRun(0), 30).passed and not judge_cli(None, CliRun(3), 30).passed


def test_cli_output_in_another_line_order_is_the_same_output():
    # a folder listing: the converted image's files were copied in another order
    reordered = judge_cli(CliRun(0, "static/app.css\nstatic/app.js\nREADME\n"),
                          CliRun(0, "README\nstatic/app.js\nstatic/app.css\n"), 30)
    assert reordered.passed and reordered.detail == "exit 0, the same lines as the original in another order"
    one_line_lost = judge_cli(CliRun(0, "b\na\nc\n"), CliRun(0, "a\nb\n"), 30)
    assert not one_line_lost.passed
    repeated = judge_cli(CliRun(0, "a\nb\n"), CliRun(0, "b\na\na\n"), 30)
    assert not repeated.passed


def test_a_build_that_fails_at_once_still_shows_its_log():
    report = _report()
    report.original = Build("original", "Dockerfile", seconds=0.0, ran=True,
                            failing_step="error: failed to solve: dockerfile parse error line 3",
                            log_tail=["error: failed to solve: dockerfile parse error line 3: unknown instruction"])
    report.error = "the original Dockerfile does not build, so there is nothing to compare with"
    text = render_text(report)
    assert "original build failed at: error: failed to solve" in text
    assert "  | error: failed to solve: dockerfile parse error line 3: unknown instruction" in text
    assert [line.split()[:2] for line in text.splitlines()[3:5]] == [["original", "failed"], ["converted", "ok"]]


def _report(converted_ok=True, smoke_ok=True, error=None) -> Report:
    original = Build("original", "Dockerfile", ok=True, image="a", size=800_000_000, seconds=20.0, ran=True)
    converted = Build("converted", "msb convert", ok=converted_ok, image="b" if converted_ok else None,
                      size=10_000_000 if converted_ok else None, seconds=3.0, ran=True,
                      failing_step=None if converted_ok else "[stage-1 2/3] COPY --from=builder /app/x /x",
                      log_tail=[] if converted_ok else ["ERROR: not found"])
    smoke = Smoke("server", smoke_ok, "up on :8080 (/ 200)") if converted_ok else None
    return Report("Dockerfile", ".", "msb convert", original, converted, smoke, error)


def test_exit_codes():
    assert _report().exit_code == 0
    assert _report(smoke_ok=False).exit_code == 1
    assert _report(converted_ok=False).exit_code == 1
    assert _report(error="no Docker engine answers").exit_code == 2


def test_verdicts():
    assert _report().verdict == "PASS"
    differs = _report()
    differs.differences.append(Difference("http", "GET /static/app.js: status 404, the original answered 200"))
    assert differs.verdict == "FAIL" and differs.exit_code == 1
    inconclusive = _report(smoke_ok=False)
    inconclusive.smoke.inconclusive = "the original image did not start"
    assert inconclusive.verdict == "INCONCLUSIVE" and inconclusive.exit_code == 1
    assert "verdict: INCONCLUSIVE (the original image did not start)" in render_text(inconclusive)
    # suspicious missing files are listed, and fail only with --strict
    listed = _report()
    listed.suspicious.append(Difference("files", "/app/data: missing (1 file, 30 bytes)"))
    assert listed.verdict == "PASS" and "(suspicious)" in render_text(listed)
    listed.strict = True
    assert listed.verdict == "FAIL"


def test_summary_of_several_files():
    fail = _report()
    fail.differences.append(Difference("log", "permission denied: the runtime user cannot write or read a path"))
    results = [("a/Dockerfile", _report()), ("b/Dockerfile", fail), ("c/Dockerfile", "nothing to verify: multi-stage")]
    text = render_summary(results)
    assert "a/Dockerfile  PASS" in text and "b/Dockerfile  FAIL" in text and "permission denied" in text
    assert "c/Dockerfile  SKIPPED" in text and "1 FAIL, 1 PASS, 1 SKIPPED" in text
    assert summary_exit_code([r for _, r in results]) == 1
    assert summary_exit_code([_report(), "skipped"]) == 0
    assert summary_exit_code([_report(), _report(error="no engine")]) == 2
    assert summary_exit_code(["skipped"]) == 2


def test_text_report_shows_sizes_failures_and_verdict():
    text = render_text(_report())
    assert "800.0 MB" in text and "10.0 MB" in text
    assert "size ratio 0.013" in text and "verdict: PASS" in text
    failed = render_text(_report(converted_ok=False))
    assert "converted build failed at: [stage-1 2/3] COPY --from=builder /app/x /x" in failed
    assert "  | ERROR: not found" in failed and "verdict: FAIL" in failed


def test_json_report():
    data = json.loads(render_json(_report()))
    assert data["size_ratio"] == 0.0125 and data["passed"] is True and data["exit_code"] == 0
    assert data["original"]["size"] == 800_000_000 and data["smoke"]["mode"] == "server"


def _msb(*args, env=None):
    import os
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-c", "from msbrewrite.cli.entry import main; main()", *args],
                          capture_output=True, text=True, env=dict(os.environ, **(env or {})), timeout=300)


def test_verify_without_a_docker_client_is_exit_2_in_one_line(tmp_path):
    from pathlib import Path
    go_basic = Path(__file__).resolve().parents[2] / "fixtures" / "convert" / "go-basic"
    proc = _msb("verify", str(go_basic / "Dockerfile"), "--context", str(go_basic / "context"),
                "--converted", str(go_basic / "expected.Dockerfile"), env={"MSB_DOCKER": str(tmp_path / "no-docker")})
    assert proc.returncode == 2
    assert "not found" in proc.stderr and "Traceback" not in proc.stderr
    assert "verdict: NOT VERIFIED" in proc.stdout


def test_verify_bad_input_is_exit_2(tmp_path):
    proc = _msb("verify", str(tmp_path / "missing" / "Dockerfile"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    proc = _msb("verify", str(tmp_path), "--mode", "sideways")
    assert proc.returncode == 2 and "--mode" in proc.stderr


def test_kept_images_are_named_in_the_table():
    report = _report()
    assert "image" not in render_text(report).splitlines()[2]
    report.kept_images = True
    table = render_text(report).splitlines()
    assert table[2].split() == ["build", "size", "time", "image"]
    assert table[3].split()[-1] == "a" and table[4].split()[-1] == "b"


def _fake_docker(tmp_path, client: str, buildx: bool):
    script = tmp_path / "docker"
    script.write_text("#!/bin/sh\n"
                      f'[ "$1" = buildx ] && exit {0 if buildx else 1}\n'
                      f'[ "$1" = version ] && {{ case "$*" in *Client*) echo {client};; *) echo 20.10.24;; esac; exit 0; }}\n'
                      "exit 1\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("client, buildx, buildkit", [
    ("28.2.2", False, "0"),     # a new client without the buildx plugin: the classic builder
    ("28.2.2", True, "1"),
    ("20.10.24", False, "1"),   # an old client carries BuildKit itself
])
def test_builder_follows_what_the_client_can_do(tmp_path, client, buildx, buildkit):
    from msbrewrite.verify.engine import Docker
    docker = Docker(_fake_docker(tmp_path, client, buildx))
    assert docker.require_engine() == "20.10.24"
    assert docker.env["DOCKER_BUILDKIT"] == buildkit
    assert (docker.builder_note is not None) == (buildkit == "0")


def test_verify_of_a_directory_ends_with_a_summary(tmp_path):
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "fixtures" / "convert"
    proc = _msb("verify", "--quiet", str(root / "go-basic"), str(root / "go-basic" / "expected.Dockerfile"),
                env={"MSB_DOCKER": str(tmp_path / "no-docker")})
    summary = proc.stdout[proc.stdout.index("summary:"):]
    assert "go-basic/Dockerfile" in summary and "NOT VERIFIED" in summary
    assert "expected.Dockerfile  SKIPPED" in summary      # already multi-stage: nothing to verify
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_converted_takes_a_single_dockerfile(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text("FROM scratch\n")
    proc = _msb("verify", str(tmp_path), "--converted", str(tmp_path / "x"))
    assert proc.returncode == 2 and proc.stderr == "msb: --converted and --context take a single Dockerfile\n"
    proc = _msb("verify", str(tmp_path / "empty-dir-missing"))
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_cli_runs_the_image_command_and_the_smoke_arguments(tmp_path):
    """The image's own command runs in both images besides --smoke-cmd's arguments: a converted
    image whose default command breaks fails even though `--version` still works."""
    from msbrewrite.verify.engine import Docker
    from msbrewrite.verify.settings import Settings
    from msbrewrite.verify.verifier import Verifier
    script = tmp_path / "docker"
    # `docker run ... IMAGE [ARGS]`: the converted image's default command cannot open its data file
    script.write_text("#!/bin/sh\n"
                      '[ "$1" = run ] || exit 0\n'
                      'for last; do :; done\n'
                      'case "$*" in\n'
                      '  *" img-new --version") echo "tool 1.0";;\n'
                      '  *" img-old --version") echo "tool 1.0";;\n'
                      '  *" img-old") echo "3 words";;\n'
                      '  *" img-new") echo "open /app/words.txt: no such file or directory" >&2; exit 1;;\n'
                      "esac\n")
    script.chmod(0o755)
    report = _report()
    verifier = Verifier(Docker(str(script)), Settings(context=str(tmp_path), smoke_cmd="--version"),
                        lambda m: None, lambda m: None)
    smoke = verifier._cli_runs(report, "img-old", "img-new")
    assert smoke.passed and smoke.detail == "exit 0, same output as the original"     # the --version run
    kinds = [(d.kind, d.what) for d in report.differences]
    assert ("cli", "the image's command: exit 1, the original gave exit 0: "
                   "open /app/words.txt: no such file or directory") in kinds
    assert any(k == "log" and "file missing" in what for k, what in kinds)
    assert report.verdict == "FAIL"


def test_healthcheck_test_runs_as_the_engine_runs_it():
    from msbrewrite.verify.probe import health_argv
    assert health_argv(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]) == \
        ["/bin/sh", "-c", "curl -f http://localhost/ || exit 1"]
    assert health_argv(["CMD", "/healthcheck", "--quiet"]) == ["/healthcheck", "--quiet"]
    assert health_argv(["NONE"]) is None and health_argv(None) is None and health_argv(["CMD"]) is None


def test_healthcheck_differences():
    from msbrewrite.verify.oracle import health_diffs
    shell = ["CMD-SHELL", "wget -q -O- localhost:8080/health"]
    ok, failing = ServerRun(health_rc=0), ServerRun(health_rc=127, health_output=["sh: wget: not found"])
    assert health_diffs(None, shell, None, failing) == []                  # the original has none
    dropped = health_diffs(shell, None, ok, ServerRun())
    assert [d.what for d in dropped] == ["the converted image has no HEALTHCHECK (the original runs "
                                         "`wget -q -O- localhost:8080/health`)"]
    fails = health_diffs(shell, shell, ok, failing)
    assert fails[0].kind == "health" and "exits 127 in the converted image" in fails[0].what
    assert fails[0].evidence == ["sh: wget: not found"]
    assert health_diffs(shell, shell, ServerRun(health_rc=1), failing) == []   # fails in the original too
    assert health_diffs(shell, shell, ok, ok) == []


def test_env_the_converted_image_lacks_or_changes_is_a_warning():
    from msbrewrite.verify.env import env_warnings
    original = {"Env": ["PATH=/usr/local/bin:/usr/bin", "NODE_VERSION=20.11.1", "APP_MODE=full", "UPLOAD_DIR=/data",
                        "GIN_MODE=release"]}
    converted = {"Env": ["PATH=/usr/bin", "APP_MODE=lite", "GIN_MODE=release"]}
    assert env_warnings(original, converted) == ["ENV not set in the converted image: UPLOAD_DIR",
                                                 "ENV set differently in the converted image: APP_MODE ('full' -> 'lite')"]
    assert env_warnings(original, original) == [] and env_warnings({}, converted) == []


def test_ports_from_the_command_of_a_server_that_exposes_nothing():
    from msbrewrite.verify.ports import command_ports
    assert command_ports({"Cmd": ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]}) == [8000]
    assert command_ports({"Cmd": ["uvicorn", "main:app", "--host", "0.0.0.0", "--port=8001"]}) == [8001]
    assert command_ports({"Entrypoint": ["sh", "-c"], "Cmd": ["flask run -h 0.0.0.0 -p 5000"]}) == [5000]
    assert command_ports({"Cmd": ["java", "-Dserver.port=9090", "-jar", "app.jar"], "Env": ["PORT=3000"]}) == \
        [9090, 3000]
    assert command_ports({"Cmd": ["python", "cli.py", "-p", "profile"]}) == []
    assert command_ports({}) == []


TRACEBACK = ("Traceback (most recent call last):\n  File \"/app/bin/tool\", line 9, in <module>\n"
             "ImportError: cannot import name 'BaseError' from 'tool.errors'\n")


def test_the_same_crash_on_both_sides_is_inconclusive_not_a_pass():
    smoke = judge_cli(CliRun(1, "", TRACEBACK), CliRun(1, "", TRACEBACK), 30)
    assert not smoke.passed
    assert smoke.inconclusive == ("the original fails here too (exit 1: ImportError: cannot import name 'BaseError' "
                                  "from 'tool.errors')")
    # a crash of its own in the converted image is still a failure to blame on the conversion
    other = judge_cli(CliRun(1, "", TRACEBACK), CliRun(1, "", TRACEBACK.replace("BaseError", "Missing")), 30)
    assert not other.passed and other.inconclusive is None
    # a usage message and a non-zero exit on both sides is the same behaviour
    assert judge_cli(CliRun(2, "usage: tool FILE\n"), CliRun(2, "usage: tool FILE\n"), 30).passed


def test_a_supervisor_whose_program_keeps_crashing_is_inconclusive():
    log = ("INFO spawned: 'web' with pid 8\nWARN exited: web (exit status 1; not expected)\n"
           "INFO spawned: 'web' with pid 9\n")
    smoke = judge_cli(CliRun(None, log), CliRun(None, log), 30)
    assert not smoke.passed and smoke.inconclusive.startswith("the original keeps running but fails here too")
    worse = judge_cli(CliRun(None, log), CliRun(None, log + "Traceback (most recent call last):\n"
                                                        "ModuleNotFoundError: No module named 'news'\n"), 30)
    assert not worse.passed and worse.inconclusive is None and "fails otherwise" in worse.detail
    assert judge_cli(CliRun(None, "INFO spawned: 'web'\n"), CliRun(None, "INFO spawned: 'web'\n"), 30).passed


BUILDKIT_NO_REGISTRY = """#3 [internal] load metadata for docker.io/library/python:3.10-slim-bullseye
#3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.10-slim-bullseye": \
dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host
------
 > [internal] load metadata for docker.io/library/python:3.10-slim-bullseye:
------
failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request
"""
CLASSIC_NO_REGISTRY = """Sending build context to Docker daemon  2.048kB
Step 1/2 : FROM python:3.10-slim-bullseye
Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host
"""


def test_a_base_image_no_registry_could_serve_is_named():
    from msbrewrite.verify.output import unreachable_image
    assert unreachable_image(BUILDKIT_NO_REGISTRY) == "docker.io/library/python:3.10-slim-bullseye"
    assert unreachable_image(CLASSIC_NO_REGISTRY) == "python:3.10-slim-bullseye"
    # a tag the registry does not have is the Dockerfile's fault, and a failing RUN is not a pull
    assert unreachable_image(BUILDKIT_NO_REGISTRY.replace("dial tcp: lookup registry-1.docker.io on "
                                                          "10.255.255.53:53: no such host", "manifest unknown")) is None
    assert unreachable_image(BUILD_LOG) is None


SYNTAX = ('  File "/app/main.py", line 212\n    print(f"{row["name"]}")\n               ^^^^\n'
          "SyntaxError: f-string: unmatched '['\n")
NODE_UNCAUGHT = ("node:internal/process/promises:288\n            triggerUncaughtException(err, true);\n"
                 "            ^\n\nError: connect ENETUNREACH 10.20.0.5:443\n"
                 "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n")


@pytest.mark.parametrize("stderr, line", [
    (SYNTAX, "SyntaxError: f-string: unmatched '['"),
    (NODE_UNCAUGHT, "triggerUncaughtException(err, true);"),
])
def test_a_crash_without_a_traceback_header_on_both_sides_is_inconclusive(stderr, line):
    # Python prints no `Traceback` for a file it cannot compile; Node names its own frames
    smoke = judge_cli(CliRun(1, "", stderr), CliRun(1, "", stderr), 30)
    assert not smoke.passed and smoke.inconclusive == f"the original fails here too (exit 1: {line})"


def test_a_converted_image_that_cannot_start_fails_where_the_original_only_waited():
    # the original started and waited (no database here), answering on no port: inconclusive alone,
    # but a converted container that could not even be created is a difference of its own
    waiting = ServerRun(port=None, stayed_up=True)
    not_created = judge_server(waiting, ServerRun(started=False))
    assert not not_created.passed and not_created.inconclusive is None
    assert not_created.detail == "the converted image did not start, where the original did"
    exited = judge_server(waiting, ServerRun(port=None, stayed_up=False, exit_code=127))
    assert not exited.passed and exited.inconclusive is None and "where the original kept running" in exited.detail
    assert judge_server(waiting, ServerRun(port=None, stayed_up=True)).inconclusive


def test_the_same_crash_from_packages_msb_moved_into_its_virtualenv_is_the_same_failure():
    crash = ("Traceback (most recent call last):\n  File \"/app/app.py\", line 1, in <module>\n"
             "ImportError: cannot import name 'url_quote' from 'werkzeug.urls' ({}/werkzeug/urls.py)\n")
    for moved_from in ("/usr/local/lib/python3.11/site-packages", "/usr/local/lib/python3.11/dist-packages",
                       "/root/.local/lib/python3.11/site-packages", "/usr/lib/python3/dist-packages"):
        smoke = judge_cli(CliRun(1, "", crash.format(moved_from)),
                          CliRun(1, "", crash.format("/opt/venv/lib/python3.11/site-packages")), 30)
        assert not smoke.passed and smoke.inconclusive == (
            "the original fails here too (exit 1: ImportError: cannot import name 'url_quote' from 'werkzeug.urls' "
            "(<site-packages>/werkzeug/urls.py))"), moved_from


def test_the_same_go_panic_at_another_address_is_the_same_failure():
    # CGO_ENABLED=0 moves the code: the program counter in the panic line differs, the failure does not
    panic = "panic: runtime error: invalid memory address or nil pointer dereference\n" \
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x48 pc={}]\n"
    smoke = judge_cli(CliRun(2, "", panic.format("0x63d368")), CliRun(2, "", panic.format("0x6393e8")), 30)
    assert not smoke.passed and smoke.inconclusive and "fails otherwise" not in (smoke.detail or "")


def test_a_missing_runtime_base_that_msb_chose_is_said_to_be_msbs():
    from msbrewrite.verify.output import unreachable_base_error
    original = "FROM python:3.11.9\nCMD [\"python\", \"app.py\"]\n"
    chosen = unreachable_base_error("docker.io/library/python:3.11.9-slim", original)
    assert chosen.endswith("(msb chose it for the runtime; the original does not use it)")
    theirs = unreachable_base_error("docker.io/library/python:3.11.9", original)
    assert theirs.endswith("pull or load it, then verify again")


def test_an_original_that_stops_with_an_error_where_the_conversion_runs_is_inconclusive():
    # the original's CLI wants a newer Node and exits 3; the conversion serves: nothing to compare
    original = CliRun(3, "", "Node.js version v16.20.2 detected.\nThe Angular CLI requires a minimum Node.js version\n")
    smoke = judge_cli(original, CliRun(None), 30)
    assert not smoke.passed and smoke.inconclusive and "Node.js version v16.20.2 detected." in smoke.inconclusive
    # a conversion that fails on its own is a failure, not inconclusive
    crashed = judge_cli(original, CliRun(None, "", "Error: Cannot find module 'express'\n"), 30)
    assert not crashed.passed and not crashed.inconclusive
