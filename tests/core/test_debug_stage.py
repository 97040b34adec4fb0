"""--debug-stage: a `debug` twin of the runtime on a base with a shell, placed before the runtime so
a plain `docker build` still produces the runtime."""
import pytest

from bulkapps import go_app, msb
from msbrewrite.core import config
from msbrewrite.core.convert import convert
from msbrewrite.core.debug_stage import debug_tag
from msbrewrite.model.dockerfile import parse
from msbrewrite.model.options import Options

DIGEST = "sha256:" + "cd" * 32


@pytest.fixture(autouse=True)
def fresh_cache():
    config._find.cache_clear()
    yield
    config._find.cache_clear()


def _stages(text: str):
    return [(s.name, s.image) for s in parse(text).stages]


@pytest.mark.parametrize("tag,want", [("nonroot", "debug-nonroot"), ("latest", "debug"), ("", "debug"),
                                      ("debug-nonroot", "debug-nonroot"), ("nonroot-amd64", "debug-nonroot-amd64"),
                                      ("latest-arm64", "debug-arm64")])
def test_distroless_debug_tags(tag, want):
    assert debug_tag(tag) == want


def test_debug_stage_sits_between_builder_and_runtime(tmp_path):
    path = go_app(tmp_path)
    result = convert(path.read_text(), tmp_path, Options(debug_stage=True))
    assert result.status == "converted", result.reason
    stages = _stages(result.text)
    assert [s[0] for s in stages] == ["builder", "debug", None]
    assert stages[1][1] == stages[2][1].replace(":nonroot", ":debug-nonroot")
    # the debug base's ENTRYPOINT is a shell: cleared, so the same CMD runs the app
    debug = parse(result.text).stages[1]
    assert [i.raw.strip() for i in debug.instructions if i.keyword == "ENTRYPOINT"] == ["ENTRYPOINT []"]


def test_off_by_default(tmp_path):
    path = go_app(tmp_path)
    assert "AS debug" not in convert(path.read_text(), tmp_path).text


def test_pinned_runtime_gets_a_pinned_debug_base_or_a_warning(tmp_path):
    path = go_app(tmp_path)
    runtime = "gcr.io/distroless/static-debian12:nonroot"
    unpinned = convert(path.read_text(), tmp_path, Options(debug_stage=True, digests={runtime: DIGEST}))
    assert _stages(unpinned.text)[1][1] == "gcr.io/distroless/static-debian12:debug-nonroot"
    assert any("not pinned" in w for w in unpinned.warnings)
    pins = {runtime: DIGEST, "gcr.io/distroless/static-debian12:debug-nonroot": "sha256:" + "ef" * 32}
    pinned = convert(path.read_text(), tmp_path, Options(debug_stage=True, digests=pins))
    assert _stages(pinned.text)[1][1] == "gcr.io/distroless/static-debian12:debug-nonroot@sha256:" + "ef" * 32
    assert not any("not pinned" in w for w in pinned.warnings)


def test_mirror_is_kept_on_the_debug_base(tmp_path):
    path = go_app(tmp_path)
    result = convert(path.read_text(), tmp_path, Options(debug_stage=True, mirror="registry.example.com/hub"))
    assert _stages(result.text)[1][1] == "registry.example.com/hub/gcr.io/distroless/static-debian12:debug-nonroot"


def test_convert_flag_on_both_command_paths(tmp_path):
    path = go_app(tmp_path)
    fast = msb("convert", path, "--debug-stage", "-q")
    typer_path = msb("convert", path, "--debug-stage", "--runtime=auto", "-q", "--diff")
    assert fast.returncode == 0, fast.stderr
    assert "FROM gcr.io/distroless/static-debian12:debug-nonroot AS debug" in fast.stdout
    assert typer_path.returncode == 0, typer_path.stderr
    assert "+FROM gcr.io/distroless/static-debian12:debug-nonroot AS debug" in typer_path.stdout


def test_config_key_and_migrate(tmp_path):
    (tmp_path / ".git").mkdir()
    one = go_app(tmp_path / "one", "one")
    two = go_app(tmp_path / "two", "two")
    (tmp_path / "one" / ".msb.toml").write_text("debug-stage = true\n")
    proc = msb("convert", one, "-q")
    assert proc.returncode == 0 and " AS debug" in proc.stdout
    assert " AS debug" not in msb("convert", two, "-q").stdout
    migrated = msb("migrate", tmp_path / "two", "--in-place", "--debug-stage", "-q")
    assert migrated.returncode == 0, migrated.stderr
    assert [s[0] for s in _stages(two.read_text())] == ["builder", "debug", None]


def test_a_config_key_with_a_wrong_type_is_an_error(tmp_path):
    (tmp_path / ".git").mkdir()
    path = go_app(tmp_path)
    (tmp_path / ".msb.toml").write_text('debug-stage = "yes"\n')
    proc = msb("convert", path, "-q")
    assert proc.returncode == 2 and "debug-stage" in proc.stderr
