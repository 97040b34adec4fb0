"""A Node app started with `npm start`, on a real engine: the runtime is chosen for the command it
runs after the conversion (`node tally.js`), not for the original's `npm start`. The previous
conversion kept `exec npm start` on node:20-slim, so npm stayed PID 1 between the engine and the
app (and in the image)."""
from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from e2e_support import engine_env, verify_json  # noqa: F401 (engine_env is a fixture)
from msbrewrite import convert

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parent / "data"
APP = DATA / "node-npm-start"


def docker(env: dict, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
    return subprocess.run([env["MSB_DOCKER"], *args], env=env, capture_output=True, text=True, timeout=timeout)


@contextlib.contextmanager
def converted_image(env: dict, tmp_path: Path, app: str):
    """tests/e2e/data/<app> converted by msb and built: (tag, result); the image goes afterwards."""
    context = tmp_path / "app"
    shutil.copytree(DATA / app, context)
    result = convert((context / "Dockerfile").read_text(), context)
    assert result.status == "converted", result.reason
    (context / "Dockerfile.msb").write_text(result.text)
    tag = f"msb-e2e/{app}-{uuid.uuid4().hex[:10]}"
    proc = docker(env, "build", "--network=host", "-q", "-t", tag, "-f", str(context / "Dockerfile.msb"), str(context))
    assert proc.returncode == 0, f"the converted file does not build:\n{result.text}\n{proc.stderr[-3000:]}"
    try:
        yield tag, result
    finally:
        docker(env, "image", "rm", "-f", tag)


@pytest.fixture
def image(engine_env, tmp_path):
    for needed in ("node:20-slim", "gcr.io/distroless/nodejs20-debian12:nonroot"):
        if docker(engine_env, "image", "inspect", needed).returncode != 0:
            pytest.skip(f"stand-in {needed} missing: run the lab's images.sh")
    with converted_image(engine_env, tmp_path, APP.name) as built:
        yield built


def test_npm_start_runs_as_node_on_a_runtime_without_npm(engine_env, image):
    tag, result = image
    proc = docker(engine_env, "run", "--rm", "--network=none", tag, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["words"] == 5                   # the app and its data file are there
    assert report["lifecycle"] is None, "npm still starts the app"
    assert report["pid"] == 1, "node is not PID 1: SIGTERM would not reach the app"
    # the runtime was chosen for `node tally.js`: no npm, no shell
    for program in ("npm", "sh"):
        probe = docker(engine_env, "run", "--rm", "--network=none", "--entrypoint", program, tag, "--version")
        assert probe.returncode != 0, f"{program} is in the runtime:\n{result.text}"


def _verified_alike(env: dict, app: str, *paths: str) -> dict:
    """The original and the converted image of tests/e2e/data/<app> both build and behave alike
    (asked for `paths` too): verify's report."""
    asked = [w for p in paths for w in ("--path", p)]
    code, report = verify_json(env, str(APP.parent / app / "Dockerfile"), "--no-discover", *asked)
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    return report


def test_a_global_cli_started_by_another_of_its_commands_is_in_the_runtime(engine_env):
    # `npm install -g pm2` gives pm2-docker too: the runtime lacked it and node ran pm2-docker as a
    # script (`Cannot find module '/srv/pm2-docker'`)
    _verified_alike(engine_env, "node-pm2-docker")


def test_an_entry_file_copied_on_its_own_line_beside_a_folder_is_in_the_runtime(engine_env):
    # `COPY index.js /srv/index.js` next to `COPY handlers/ /srv/handlers/`: only the folder was
    # staged, and the converted container stopped with `Cannot find module '/srv/index.js'`
    _verified_alike(engine_env, "node-file-beside-folder")


def test_files_copied_by_their_own_path_outside_the_app_folder_are_in_the_runtime(engine_env):
    # `COPY config/tideline.json /etc/tideline/tideline.json` and a helper into /usr/local/lib: no
    # app folder holds them, and the converted container stopped with ENOENT at start
    _verified_alike(engine_env, "node-etc-config")


def test_a_global_cli_named_unlike_its_package_is_in_the_runtime(engine_env):
    # `npm install -g node-static` gives the command `static`: the runtime did not install it and the
    # converted container stopped at once (exit 1)
    report = _verified_alike(engine_env, "node-global-other-name", "/", "/notices.txt")
    assert report["smoke"]["converted"]["statuses"]["/notices.txt"] == 200


def test_an_app_that_runs_by_node_env_keeps_the_original_mode(engine_env):
    # the original sets no NODE_ENV, so express runs in development mode and the page says so;
    # the previous conversion added NODE_ENV=production and the page changed
    _verified_alike(engine_env, "node-env-mode")


def test_a_global_cli_as_entrypoint_with_its_arguments_in_cmd_is_installed(engine_env):
    # ENTRYPOINT ["json-server"] + CMD [...]: the previous conversion kept the line but not the
    # global package, and the container could not start (executable file not found in $PATH)
    report = _verified_alike(engine_env, "node-global-entrypoint", "/boats", "/boats/2")
    assert report["smoke"]["converted"]["statuses"]["/boats/2"] == 200


def test_dependencies_moved_above_the_app_leave_the_app_folder_filtered(engine_env):
    # `mv node_modules ../` puts them in /usr/src/node_modules; the runtime copied all of /usr/src,
    # so the app folder came along unfiltered (.npmrc, Dockerfile, .github/) beside the staged copy
    # the report described
    code, report = verify_json(engine_env, str(DATA / "node-modules-above" / "Dockerfile"), "--no-discover",
                               "--keep-images")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    try:
        assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
        probe = ("const fs = require('fs'); console.log(JSON.stringify(['.npmrc', 'Dockerfile', '.github', "
                 "'server.js', '../node_modules/ms'].map(p => fs.existsSync('/usr/src/app/' + p))))")
        proc = docker(engine_env, "run", "--rm", "--network=none", report["converted"]["image"], "-e", probe)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == [False, False, False, True, True]
    finally:
        docker(engine_env, "image", "rm", "-f", report["original"].get("image") or "none",
               report["converted"].get("image") or "none")


def test_output_of_an_install_lifecycle_script_is_in_the_runtime(engine_env):
    # `"postinstall": "npm run compile"` compiles src/ into dist/ during `npm install`: the runtime
    # lacked dist/ and the converted container stopped with `Cannot find module '/dist/server.js'`
    code, report = verify_json(engine_env, str(DATA / "node-postinstall-build" / "Dockerfile"), "--no-discover",
                               "--path", "/jobs")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    assert report["smoke"]["converted"]["statuses"]["/jobs"] == 200


def test_a_global_cli_serving_a_mounted_folder_keeps_the_user_that_can_write_it(engine_env, tmp_path):
    # `WORKDIR /data` + `json-server db.json`, and nothing copied: db.json comes from a host folder
    # mounted at run time. The previous conversion copied a package.json the image never had (the
    # build failed) and ran as uid 1000, which cannot write root's db.json on the host.
    data = tmp_path / "data"
    data.mkdir()
    (data / "db.json").write_text('{"notices": [{"id": 1, "text": "welcome"}]}')
    post = ('curl -sf -X POST -H "Content-Type: application/json" -d \'{"text": "hello"}\' '
            'http://127.0.0.1:$PORT/notices')
    code, report = verify_json(engine_env, str(DATA / "node-global-cli-mounted-data" / "Dockerfile"),
                               "--no-discover", "--path", "/notices", f"--run-arg=-v={data}:/data",
                               "--smoke-cmd", post)
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    assert [n["text"] for n in json.loads((data / "db.json").read_text())["notices"]] == \
        ["welcome", "hello", "hello"]       # the original's POST, then the converted image's


def test_the_original_users_uid_stays_so_its_host_folder_stays_writable(engine_env, tmp_path):
    # USER node (uid 1000) and the README's `-v $(pwd)/notes:/inbox`: the host folder belongs to
    # 1000. The previous conversion ran as distroless's 65532, and every POST failed with EACCES.
    import os
    if os.geteuid() != 0:
        pytest.skip("the test hands a folder to uid 1000, which needs root")
    notes = tmp_path / "notes"
    notes.mkdir()
    os.chown(notes, 1000, 1000)
    tmp_path.chmod(0o755)
    post = "curl -sf -X POST -d 'buy milk' http://127.0.0.1:$PORT/"
    code, report = verify_json(engine_env, str(DATA / "node-user-host-folder" / "Dockerfile"), "--no-discover",
                               f"--run-arg=-v={notes}:/inbox", "--smoke-cmd", post)
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    assert len(list(notes.iterdir())) == 2      # one note from each image


def _stop_code(env: dict, tag: str, *run_args: str) -> tuple[int, str]:
    """Start the image, wait for its `ready` line, `docker stop` it: (exit code, its log)."""
    cid = docker(env, "run", "-d", "--network=none", *run_args, tag).stdout.strip()
    try:
        follow = subprocess.Popen([env["MSB_DOCKER"], "logs", "-f", cid], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        for line in follow.stdout:       # ends when the container does
            if line.strip() == "ready":
                break
        follow.kill()
        follow.wait()
        docker(env, "stop", "-t", "60", cid)
        code = int(docker(env, "inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip())
        return code, docker(env, "logs", cid).stdout
    finally:
        docker(env, "rm", "-f", cid)


def test_node_that_replaced_npm_as_pid_1_still_stops_on_sigterm(engine_env, tmp_path):
    # under `npm start`, node was npm's child and SIGTERM ended it; as PID 1 a signal without a
    # handler is ignored, so `docker stop` waited its whole timeout and killed it (exit 137)
    original = f"msb-e2e/node-npm-stop-original-{uuid.uuid4().hex[:10]}"
    built = docker(engine_env, "build", "--network=host", "-q", "-t", original, str(DATA / "node-npm-stop"))
    assert built.returncode == 0, built.stderr[-2000:]
    try:
        under_npm = _stop_code(engine_env, original)[0]
        assert under_npm not in (137, 143), under_npm          # npm reports the ended child as a failure
        with converted_image(engine_env, tmp_path, "node-npm-stop") as (tag, _):
            assert _stop_code(engine_env, tag)[0] == under_npm      # ended by SIGTERM with npm's status
            code, log = _stop_code(engine_env, tag, "-e", "HANDLE=1")
            assert code == 0 and "closing" in log, log           # the app's own handler ran, and decided
            # an exit hook that sends the signal again to die by it: as PID 1 that was ignored too
            assert _stop_code(engine_env, tag, "-e", "REENTER=1")[0] == under_npm
    finally:
        docker(engine_env, "image", "rm", "-f", original)


def test_a_private_state_folder_keeps_its_mode(engine_env, tmp_path):
    # `chmod 700 /upload`: a COPY of the folder itself made it 755 in the runtime, so any account
    # in the container could list what was uploaded
    with converted_image(engine_env, tmp_path, "node-private-upload") as (tag, result):
        stat = docker(engine_env, "run", "--rm", "--network=none", "--entrypoint", "/nodejs/bin/node", tag, "-e",
                      "const s = require('fs').statSync('/upload'); console.log((s.mode & 0o777).toString(8), s.uid)")
        assert stat.stdout.split() == ["700", "1000"], (stat.stdout, stat.stderr, result.text)


def test_dependencies_the_context_ships_are_in_the_runtime(engine_env):
    # `COPY node_modules/ node_modules/` and no install: the staged copy left node_modules out (the
    # install's copy brings it, but there was none) and the server stopped on `Cannot find module`
    _verified_alike(engine_env, "node-shipped-modules")


def test_the_time_zone_the_build_set_is_the_runtimes(engine_env):
    # `ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime`: only /etc/timezone came along (when
    # at all), and the converted app stamped its answers in UTC
    _verified_alike(engine_env, "node-time-zone")
