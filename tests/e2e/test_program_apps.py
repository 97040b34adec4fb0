"""Programs a Python app runs itself, on a real engine: an invented service on the full python:3.11
image runs `git` (which that image carries from buildpack-deps) when it answers. python:3.11-slim
has no git, so the converted image answered 503 where the original answered 200; the runtime now
installs the git the app runs."""
from __future__ import annotations

from pathlib import Path

import pytest

from e2e_support import FIXTURES, engine_env, verify_json  # noqa: F401 (engine_env is a fixture)

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parent / "data"


def _passes(engine_env, app: str, *args: str) -> dict:
    """verify on an invented app: both images build and the conversion behaves like the original."""
    code, report = verify_json(engine_env, str(DATA / app / "Dockerfile"), "--no-discover", *args)
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])
    return report


def test_service_running_git_from_the_full_image_keeps_it(engine_env):
    code, report = verify_json(engine_env, str(DATA / "py-runs-git" / "Dockerfile"), "--no-discover")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", found
    # the slim runtime plus git is still far smaller than the full image
    assert report["converted"]["size"] < report["original"]["size"]


def test_system_config_a_run_writes_follows_the_program_the_runtime_installs(engine_env):
    # the build writes /etc/gitconfig with `printf ... >`; the runtime installs git afresh, which
    # brings no such file: the greeting answered 500 until the builder's file came along
    code, report = verify_json(engine_env, str(DATA / "py-etc-gitconfig" / "Dockerfile"), "--no-discover")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report.get("smoke"))
    assert report["smoke"]["converted"]["statuses"]["/"] == 200


def test_a_pinned_binary_driver_built_from_source_gets_its_library(engine_env):
    # psycopg2-binary==2.9.4 has no wheel for Python 3.11: pip compiles it against the builder's
    # libpq, and the converted image stopped with `ImportError: libpq.so.5` until libpq5 came along
    code, report = verify_json(engine_env, str(DATA / "py-pinned-binary" / "Dockerfile"), "--no-discover")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    assert code == 0 and report["verdict"] == "PASS", report["smoke"]
    assert report["smoke"]["converted"]["stdout"].startswith("libpq "), report["smoke"]


def test_a_pinned_binary_driver_installed_from_a_wheel_needs_no_library(engine_env):
    # psycopg2-binary==2.9.6 has a cp311 wheel that bundles libpq: the previous conversion installed
    # libpq5 anyway, and the image came out larger than its python:3.11-slim original
    code, report = verify_json(engine_env, str(DATA / "py-pinned-wheel" / "Dockerfile"), "--no-discover")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    assert code == 0 and report["verdict"] == "PASS", (report["smoke"], report.get("differences"))
    # same base, so what is left is the runtime's own few kB (its user's account files), said as a warning
    assert report["converted"]["size"] - report["original"]["size"] < 64 * 1024


def test_an_entrypoint_script_copied_onto_path_keeps_its_place(engine_env):
    # COPY docker-entrypoint.sh /usr/local/bin/: the previous conversion pointed ENTRYPOINT at the
    # virtualenv's bin/ (where pip's console scripts go), and the container could not start
    code, report = verify_json(engine_env, str(DATA / "py-entrypoint-on-path" / "Dockerfile"), "--no-discover")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    found = [(d["kind"], d["what"]) for d in report.get("differences", [])]
    assert code == 0 and report["verdict"] == "PASS", (found, report["smoke"]["detail"])


def test_a_file_copied_into_an_app_folder_without_a_workdir_is_converted(engine_env):
    # `COPY ./service/board.py /app/` with no WORKDIR: the previous conversion took `/` for the app's
    # home and refused ("copied to /"); /app is the app's folder
    case = FIXTURES / "convert" / "python-file-into-app-folder"
    code, report = verify_json(engine_env, str(case / "Dockerfile"), "--context", str(case / "context"),
                               "--no-discover")
    assert report["original"]["ok"] and report["converted"]["ok"], report.get("error")
    assert code == 0 and report["verdict"] == "PASS", report["smoke"]["detail"]


def test_a_requirements_file_the_build_never_installs_adds_no_library(engine_env):
    # pip installs one package by name; requirements.txt beside it lists pyodbc: the previous
    # conversion installed unixodbc for it, and the image came out larger than its slim original
    code, report = verify_json(engine_env, str(DATA / "py-unused-requirements" / "Dockerfile"), "--no-discover")
    assert report["original"]["ok"] and report["converted"]["ok"], report["converted"].get("log_tail")
    assert code == 0 and report["verdict"] == "PASS", (report["smoke"], report.get("differences"))


def test_a_start_script_that_runs_pip_keeps_pip(engine_env):
    # start.sh runs `python -m pip install -r requirements.txt` before the server: the previous
    # conversion removed pip from the virtualenv and the container stopped with "No module named pip"
    report = _passes(engine_env, "py-pip-at-start")
    assert report["smoke"]["converted"]["statuses"]["/"] == 200


def test_an_app_kept_under_var_lib_keeps_its_packages(engine_env):
    # ADD . /var/lib/quoter: the previous conversion took /var/lib/quoter for a folder of the base
    # image, copied only its top-level files, and the server stopped on `No module named 'quotes'`
    report = _passes(engine_env, "py-var-lib-app")
    assert report["smoke"]["converted"]["statuses"]["/"] == 200


def test_files_given_to_the_root_group_stay_writable_by_an_arbitrary_uid(engine_env):
    # `chgrp -R 0 data && chmod -R g=u data` lets any uid in group 0 write (OpenShift runs images so):
    # the previous conversion gave the files to 10001:10001 and such a uid got 500 (Permission denied)
    report = _passes(engine_env, "py-group-zero", "--run-arg=--user=1000650000:0")
    assert report["smoke"]["original"]["statuses"]["/"] == 200, report["smoke"]
    assert report["smoke"]["converted"]["statuses"]["/"] == 200


def test_a_package_installed_from_a_deb_file_reaches_the_runtime(engine_env):
    # `apt-get install ./shout_1.2-1_all.deb`: no repository has that package, so the previous
    # conversion's runtime had no `shout` and answered 503; now it gets the package's files and
    # installs the jq it depends on
    report = _passes(engine_env, "py-local-deb")
    assert report["smoke"]["original"]["statuses"]["/"] == 200, report["smoke"]
    assert report["smoke"]["converted"]["statuses"]["/"] == 200
    assert report["converted"]["size"] < report["original"]["size"]
