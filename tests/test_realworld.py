"""Fidelity on real apps: the source trees of ../shared/realworld (MSB_REALWORLD).

Always (when the collection is present): every tree is converted through the command line with
its real build context (`msb convert --context ... --json`), and no conversion may end in an
internal error, every converted file must pass msb's own validation and build on Docker Engine
20.10 (both parsers accept it, no `# syntax=`, heredoc or `COPY --link`, every `COPY --from`
names a stage), and no refusal may give an internal reason (a crash, failed validation).

With the lab engine (marker `e2e`): a representative subset of the trees that can be built here
is built twice, original and converted (benchmarks/realworld.py does the work: build copies with
the lab's aliases, `msb verify --converted`, routes found in the sources), and the converted image
must do what the original does: the same HTTP statuses on `/` and on the routes the app's sources
declare, the page's scripts and stylesheets served, or the same exit code and output for a
program. The subset covers each kind of app the lab can build and each class of failure the full
sweep found, with small dependency trees so that it stays within about ten minutes on two cores
(the whole sweep takes about an hour):

- node: an Express server whose EXPOSE names the wrong port (mahambabp: asked on the port it
  logs), an Express app run under tini with its views read at run time and an apt package in the
  runtime (dockersamples result), an app whose package.json has no dependencies, so the install
  makes no node_modules (ashwaniwegile);
- python: a Flask app with several routes and templates (jminchew97), a Django project served by
  gunicorn with its SQLite database and collected static files (rshafikov);
- frontend: a Vite site served by `vite preview` (kol4id), a Vite site built under a public base
  path (Franco4447: its pages live under /pages/franco/);
- rust: the one tree whose build needs no crate from the network (kevinmmartins). No Go tree can
  be built here: the only one without modules from the network (fvosburgh) needs Go 1.11's GOPATH
  mode, and the lab's oldest Go is 1.19.

A tree whose original does not build or run on the lab's stand-in images is skipped with that
reason: there is nothing to compare with.
"""
from __future__ import annotations

import importlib.util
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("msb_realworld", ROOT / "benchmarks" / "realworld.py")
realworld = importlib.util.module_from_spec(_spec)
sys.modules["msb_realworld"] = realworld
_spec.loader.exec_module(realworld)

HAVE_TREES = (realworld.REALWORLD / "MANIFEST.tsv").is_file()
pytestmark = pytest.mark.skipif(not HAVE_TREES, reason=f"no real source trees at {realworld.REALWORLD} "
                                                       "(set MSB_REALWORLD to ../shared/realworld)")

# refusals that mean msb failed, not that the input cannot be converted
INTERNAL_REASONS = {"internal", "validation-failed", "too-complex", "worker-died", None, ""}

SUBSET = (
    "mahambabp__ecom-app__dockerfile",
    "dockersamples__example-voting-app__result__Dockerfile",
    "ashwaniwegile__my-node-project__Dockerfile",
    "jminchew97__BillTrackerAPI__Dockerfile",
    "rshafikov__my_storage__frontend__Dockerfile",
    "kol4id__sovatest__dockerfile",
    "Franco4447__presentacion-metodologia-investigacion__Dockerfile",
    "kevinmmartins__rust-hello-world__Dockerfile",
)

MSB = realworld.Msb(sys.executable, str(ROOT))


def rows() -> list:
    return realworld.read_manifest() if HAVE_TREES else []


@lru_cache(maxsize=1)
def conversions(tmp: str) -> dict:
    """Every tree converted once through the command line: name -> (outcome, converted text)."""
    out = Path(tmp)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda row: (row.name, realworld.convert_row(MSB, row, out)), rows())
        return dict(results)


@pytest.fixture(scope="module")
def converted_all(tmp_path_factory) -> dict:
    return conversions(str(tmp_path_factory.mktemp("realworld")))


def test_the_manifest_lists_every_tree():
    listed = rows()
    assert len(listed) >= 100
    missing = [r.name for r in listed if not r.dockerfile_path.is_file() or not r.context_path.is_dir()]
    assert not missing, missing


def test_no_tree_ends_in_an_internal_error(converted_all):
    crashed = [f"{name}: {o.reason}" for name, (o, _) in converted_all.items()
               if o.status not in ("converted", "refused", "unchanged")]
    assert not crashed
    internal = [f"{name}: {o.reason_code}: {o.reason}" for name, (o, _) in converted_all.items()
                if o.status == "refused" and o.reason_code in INTERNAL_REASONS]
    assert not internal
    # a refusal is an answer about the input, with its exit code and one line of reason
    for name, (o, _) in converted_all.items():
        if o.status == "refused":
            assert o.exit_code in (2, 3) and o.reason and "\n" not in o.reason, name


def test_most_trees_convert(converted_all):
    converted = sum(o.status == "converted" for o, _ in converted_all.values())
    assert converted >= 0.85 * len(converted_all), f"{converted} of {len(converted_all)} converted"


def test_every_converted_file_is_valid_for_docker_20_10(converted_all):
    official = pytest.importorskip("dockerfile")
    from msbrewrite.model.dockerfile import parse
    bad = []
    for name, (o, text) in converted_all.items():
        if o.status != "converted":
            continue
        try:
            official.parse_string(text)
        except Exception as exc:   # noqa: BLE001 - the official parser's own error type
            bad.append(f"{name}: the official parser rejects it: {exc}")
            continue
        model = parse(text)
        if len(model.stages) < 2:
            bad.append(f"{name}: not multi-stage")
        if model.directive("syntax"):
            bad.append(f"{name}: has a # syntax= line")
        if any(i.heredocs for i in model.instructions):
            bad.append(f"{name}: has a heredoc")
        names = {s.name.lower() for s in model.stages if s.name}
        for ins in model.stages[-1].instructions:
            if ins.keyword == "COPY" and "link" in ins.flags:
                bad.append(f"{name}: COPY --link")
            source = ins.flags.get("from")
            if ins.keyword == "COPY" and source and source.lower() not in names and not source.isdigit() \
                    and ":" not in source and "/" not in source:
                bad.append(f"{name}: COPY --from={source} names no stage")
    assert not bad


# --------------------------------------------------------------------------- built on the engine

@pytest.fixture(scope="module")
def lab_env() -> dict:
    env, reason = realworld.engine_env()
    if env is None:
        pytest.skip(reason)
    return env


def _row(name: str):
    for row in rows():
        if row.name == name:
            return row
    pytest.fail(f"{name} is not in the collection's MANIFEST.tsv")


@pytest.mark.e2e
@pytest.mark.parametrize("name", SUBSET)
def test_converted_image_behaves_like_the_original(name, lab_env, tmp_path):
    row = _row(name)
    blocker = realworld.build_blocker(row)
    assert blocker is None, f"{name} was chosen for the subset but cannot be built here: {blocker}"
    outcome, text = realworld.convert_row(MSB, row, tmp_path)
    assert outcome.status == "converted", f"{name}: {outcome.reason_code}: {outcome.reason}"
    outcome.buildable = True
    realworld.build_and_compare(MSB, lab_env, row, text, outcome, tmp_path, timeout=40)
    if not outcome.buildable:
        pytest.skip(f"{name}: {outcome.blocker}")
    if outcome.original_build != "ok":
        pytest.skip(f"{name}: {outcome.detail}")
    explain = "\n".join([f"{outcome.cause or ''}: {outcome.detail}", "converted:", *outcome.converted_log[-20:]])
    assert outcome.converted_build == "ok", explain
    if outcome.behaves == "inconclusive":
        pytest.skip(f"{name}: {outcome.detail}")
    assert outcome.behaves == "same", explain
