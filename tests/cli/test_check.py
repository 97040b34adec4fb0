import json
from pathlib import Path

import jsonschema
import pytest

from bulkapps import MULTI_STAGE, UNKNOWN, go_app, msb
from msbrewrite.core.convert import convert
from msbrewrite.model.options import Options

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def tree(tmp_path):
    go_app(tmp_path / "api", name="api")
    # comment lines above FROM: the finding must point at the FROM line
    go_app(tmp_path / "worker", name="worker", dockerfile="worker.Dockerfile",
           text="# worker image\n\n" + (tmp_path / "api" / "Dockerfile").read_text().replace("api", "worker"))
    go_app(tmp_path / "done", text=MULTI_STAGE)
    (tmp_path / "misc").mkdir()
    (tmp_path / "misc" / "Dockerfile").write_text(UNKNOWN)
    return tmp_path


def test_exit_codes(tree):
    assert msb("check", tree).returncode == 1
    assert msb("check", tree / "done", tree / "misc").returncode == 0
    assert msb("check", tree / "missing").returncode == 2
    assert msb("check", tree, "--format", "xml").returncode == 2


def test_text_names_base_and_what_leaves_the_image(tree):
    run = msb("check", "api", cwd=tree)
    expected_base = convert((tree / "api" / "Dockerfile").read_text(), tree / "api", Options()).runtime_base
    assert run.stdout.splitlines()[0] == f"api/Dockerfile:2: single-stage go Dockerfile can be multi-stage " \
                                         f"-> runtime {expected_base}"
    assert "leaves out: Go toolchain of golang:1.22" in run.stdout
    assert "leaves out: build packages: gcc" in run.stdout
    assert "copies:     /usr/local/bin/api" in run.stdout
    assert "1 of 1 Dockerfile(s) can become multi-stage" in run.stderr


def test_sarif_validates_against_the_2_1_0_schema(tree):
    run = msb("check", ".", "--format", "sarif", cwd=tree)
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    results = doc["runs"][0]["results"]
    where = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]:
             r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results}
    assert where == {"api/Dockerfile": 2, "worker/worker.Dockerfile": 4}
    assert all(r["ruleId"] == doc["runs"][0]["tool"]["driver"]["rules"][0]["id"] for r in results)
    # nothing to report is still a valid document
    empty = json.loads(msb("check", "done", "--format", "sarif", cwd=tree).stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(empty)
    assert empty["runs"][0]["results"] == []


def test_schema_check_is_real():
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}   # driver without a name
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(bad)


def test_json_document_is_stable(tree):
    doc = json.loads(msb("check", ".", "--format", "json", cwd=tree).stdout)
    assert set(doc) == {"version", "msb", "summary", "findings", "secrets", "files"}
    from importlib import metadata
    assert doc["msb"] == metadata.version("msbrewrite")
    assert doc["secrets"] == []
    assert [f["path"] for f in doc["findings"]] == ["api/Dockerfile", "worker/worker.Dockerfile"]
    assert {f["path"]: f["status"] for f in doc["files"]} == {
        "api/Dockerfile": "converted", "worker/worker.Dockerfile": "converted",
        "done/Dockerfile": "unchanged", "misc/Dockerfile": "refused"}
    assert doc["summary"]["refused_by_reason"] == {"unknown-language": 1}
    again = json.loads(msb("check", ".", "--format", "json", "-j", "1", cwd=tree).stdout)
    assert again == doc


def test_github_annotations(tree):
    lines = msb("check", ".", "--format", "github", cwd=tree).stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::warning file=api/Dockerfile,line=2,title=msb MSB001::Single-stage go Dockerfile")
    assert all("\n" not in line for line in lines)


def test_report_to_a_file(tree, tmp_path):
    out = tmp_path / "report.sarif"
    run = msb("check", tree / "api", "--format", "sarif", "-o", out)
    assert run.returncode == 1 and run.stdout == ""
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(out.read_text()))
