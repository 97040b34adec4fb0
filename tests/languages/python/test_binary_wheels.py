"""A pinned `-binary` driver needs the system library of its source twin only where pip builds it
from source: where the pinned release has no wheel for the image's Python (or for Alpine's musl).
Where a wheel exists it bundles the library, and installing it again only makes the image larger."""
from __future__ import annotations

import pytest

from msbrewrite import convert
from msbrewrite.languages.python.deps import has_wheel


@pytest.mark.parametrize("release, python, alpine, wheel", [
    ((2, 9, 6), (3, 11), False, True),      # cp37..cp311
    ((2, 9, 4), (3, 11), False, False),     # cp36..cp310: built from source
    ((2, 9, 6), (3, 12), False, False),
    ((2, 9, 9), (3, 12), False, True),
    ((2, 9, 10), (3, 7), False, False),     # dropped the oldest Python
    ((2, 9, 2), (3, 10), True, False),      # no musllinux wheels before 2.9.3
    ((2, 9, 5), (3, 11), True, True),
    ((2, 9, 20), (3, 13), False, True),     # newer than the table: its last row's range
    ((2, 6, 2), (3, 6), False, False),      # older than the table: nothing known
])
def test_which_pinned_releases_have_a_wheel(release, python, alpine, wheel):
    assert has_wheel("psycopg2-binary", release, python, alpine) is wheel


APP = ("FROM {image}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"
       "CMD [\"python\", \"app.py\"]\n")


def _runtime(tmp_path, image: str, pin: str) -> tuple[str, list[str]]:
    (tmp_path / "requirements.txt").write_text(f"psycopg2-binary{pin}\n")
    (tmp_path / "app.py").write_text("import psycopg2\n")
    result = convert(APP.format(image=image), tmp_path)
    assert result.status == "converted", result.reason
    return result.text.rpartition("\nFROM ")[2], result.decisions


def test_a_pin_with_a_wheel_for_the_image_python_installs_no_library(tmp_path):
    runtime, decisions = _runtime(tmp_path, "python:3.10-slim", "==2.9.6")
    assert "libpq5" not in runtime and not any("libpq" in d for d in decisions)


@pytest.mark.parametrize("image, pin", [
    ("python:3.11", "==2.9.4"),         # no cp311 wheel for that release
    ("python:3", "==2.9.6"),            # which Python the tag brings is not known
    ("python:3.11", "~=2.9.1"),         # a range: the release pip picks is not known here
])
def test_a_pin_that_may_build_from_source_gets_the_library(tmp_path, image, pin):
    runtime, decisions = _runtime(tmp_path, image, pin)
    assert "libpq5" in runtime
    assert any(d.startswith("psycopg2-binary is pinned to a release that may have no wheel for this Python")
               for d in decisions)


def test_libraries_follow_what_pip_installs_not_every_requirements_file(tmp_path):
    # the build installs two packages by name; requirements.txt beside it is never read by pip
    (tmp_path / "requirements.txt").write_text("pyodbc==5.1.0\nflask\n")
    (tmp_path / "app.py").write_text("import flask\n")
    text = ("FROM python:3.11\nWORKDIR /app\nRUN pip install --no-cache-dir flask flask-sqlalchemy\nCOPY . .\n"
            "CMD [\"python\", \"app.py\"]\n")
    result = convert(text, tmp_path)
    assert result.status == "converted" and "unixodbc" not in result.text


def test_a_requirements_file_that_includes_another_brings_its_libraries(tmp_path):
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("psycopg2==2.9.9\n")
    (tmp_path / "requirements" / "prod.txt").write_text("-r base.txt\ngunicorn\n")
    (tmp_path / "requirements" / "dev.txt").write_text("-r base.txt\nmysqlclient\n")
    (tmp_path / "app.py").write_text("import psycopg2\n")
    text = ("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements/prod.txt\n"
            "CMD [\"python\", \"app.py\"]\n")
    runtime = convert(text, tmp_path).text.rpartition("\nFROM ")[2]
    assert "libpq5" in runtime and "libmariadb" not in runtime and "mysql" not in runtime


@pytest.mark.parametrize("runtime, builder, same", [
    ("python:3.9.16-slim", "dockerhub/library/python:3.9.16-slim", True),    # the builder names a mirror
    ("mirror.example/python:3.9-slim", "python:3.9-slim", True),
    ("python:3.9-slim", "python:3.9-slim@sha256:" + "a" * 64, True),
    ("python:3.9-slim", "python:3.10-slim", False),
    ("python:3.9-slim", "mypython:3.9-slim", False),
])
def test_the_same_image_whichever_side_names_its_mirror(runtime, builder, same):
    from msbrewrite.model.bases import same_image
    assert same_image(runtime, builder) is same


def test_a_slim_base_behind_a_mirror_prefix_still_drops_the_build_tools_from_the_venv(tmp_path):
    # the venv's setuptools and pkg_resources (about 9 MB) made the image larger than its original
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("import flask\n")
    text = APP.format(image="dockerhub/library/python:3.9.16-slim")
    result = convert(text, tmp_path)
    assert "# setuptools, pkg_resources and wheel build packages: the runtime's virtualenv goes without them" \
        in result.text


def test_a_package_pip_always_builds_keeps_the_libraries_of_the_full_image_it_linked(tmp_path):
    # uWSGI has no wheel: on the full python image pip links it against libxml2, which slim lacks
    (tmp_path / "requirements.txt").write_text("uWSGI==2.0.28\n")
    (tmp_path / "app.py").write_text("def application(env, start):\n    return [b'ok']\n")
    result = convert(APP.format(image="python:3.12").replace('["python", "app.py"]', '["uwsgi", "--http", ":8000"]'),
                     tmp_path)
    assert result.status == "converted", result.reason
    runtime = result.text.rpartition("\nFROM ")[2]
    assert "apt-get install -y --no-install-recommends libpcre2-8-0 libxml2 libyaml-0-2" in runtime, runtime
