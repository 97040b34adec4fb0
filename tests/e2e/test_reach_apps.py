"""What a runtime user msb introduces must reach and write, and a shell the app starts, on a real
engine: invented Go services that the previous conversions broke (EACCES at start, a 500 from a
missing /bin/sh), verified against their originals with `msb verify`."""
from __future__ import annotations

from pathlib import Path

import pytest

from e2e_support import engine_env, verify_json  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parent / "data"


def _found(report: dict) -> list[tuple[str, str]]:
    return [(d["kind"], d["what"]) for d in report.get("differences", []) + report.get("suspicious", [])]


def _passes(env: dict, app: str) -> dict:
    code, report = verify_json(env, str(DATA / app / "Dockerfile"), "--no-discover")
    assert report["original"]["ok"], "the original must build: " + "\n".join(report["original"].get("log_tail", []))
    assert report["converted"]["ok"], "\n".join(report["converted"].get("log_tail", []))
    assert code == 0 and report["verdict"] == "PASS", (_found(report), report["smoke"]["detail"])
    return report


def test_service_writing_a_log_folder_and_a_data_folder_runs_as_the_new_user(engine_env):
    """/var/log/ledger and $LEDGER_DATA_DIR=/data: created owned by 65532 on distroless, where the
    previous conversion stopped at start with `permission denied`."""
    report = _passes(engine_env, "go-ledger")
    assert report["files"]["users"]["converted"].split(":")[0] == "65532"


def test_service_under_root_starts_as_the_new_user(engine_env):
    """WORKDIR /root/pages and CMD /root/pages/pages: /root (700) is opened to 711, so uid 65532 can run
    the binary (the previous conversion did not start: permission denied)."""
    report = _passes(engine_env, "go-under-root")
    assert report["files"]["users"]["converted"].split(":")[0] == "65532"


def test_service_running_sh_keeps_a_shell(engine_env):
    """exec.Command("sh", "-c", ...) on every request: distroless answered 500, the slim runtime answers."""
    _passes(engine_env, "go-shell-hook")


def test_a_folder_an_env_variable_names_and_the_app_makes_is_made_for_the_runtime_user(engine_env):
    # ARCHIVE_DIR=/srv/archive: a root original made it on the first request; as uid 65532 the
    # converted app answered 500 (mkdir permission denied) until msb made it, owned by that user
    code, report = verify_json(engine_env, str(DATA / "go-env-folder" / "Dockerfile"), "--no-discover",
                               "--path", "/", "--path", "/reports/7")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    assert report["smoke"]["converted"]["statuses"]["/reports/7"] == 200


def test_a_folder_made_relative_to_the_root_working_directory_is_made_for_the_runtime_user(engine_env):
    # no WORKDIR, so the app starts in `/` and makes `notes` there: as uid 10001 the previous
    # conversion stopped at start (PermissionError: 'notes'); /notes is now made owned by that user
    report = _passes(engine_env, "py-cwd-root-writes")
    assert report["files"]["users"]["converted"].split(":")[0] == "10001"


def test_a_host_folder_the_readme_mounts_stays_writable(engine_env, tmp_path):
    # the README runs the image with `-v $(pwd)/uploads:/app/uploads`; Docker makes a missing host
    # folder root's, and the previous conversion's uid 10001 stopped at start (PermissionError)
    host = tmp_path / "uploads"
    code, report = verify_json(engine_env, str(DATA / "py-readme-upload" / "Dockerfile"), "--no-discover",
                               f"--run-arg=-v={host}:/app/uploads")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    assert code == 0 and report["verdict"] == "PASS", (_found(report), report["smoke"]["detail"])


def test_an_app_kept_in_a_folder_of_the_base_image_is_copied_entry_by_entry(engine_env):
    """WORKDIR /usr/src + `COPY app.py .`: /usr/src is the base image's, so it was not copied whole,
    and nothing else was copied: the converted container stopped with `can't open file
    '/usr/src/app.py'`. What the build copied there is now copied one entry at a time."""
    code, report = verify_json(engine_env, str(DATA / "py-app-in-usr-src" / "Dockerfile"), "--path", "/status")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    assert code == 0 and report["verdict"] == "PASS", (_found(report), report["smoke"]["detail"])
    assert report["smoke"]["converted"]["statuses"]["/status"] == 200


def test_a_data_folder_the_start_command_names_is_made_for_the_runtime_user(engine_env):
    """`CMD ["/usr/local/bin/tally", "--data=/data"]`: the app makes /data and writes there. The
    previous conversion ran it as 65532 on distroless, and it stopped at start with `mkdir /data:
    permission denied`."""
    report = _passes(engine_env, "go-data-flag")
    assert report["smoke"]["converted"]["statuses"]["/"] == 200
