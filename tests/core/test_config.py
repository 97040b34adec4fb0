import json
import os
import sys

import pytest

from bulkapps import go_app, msb
from msbrewrite.core import config
from msbrewrite.core.config import ConfigError, apply, find
from msbrewrite.core.convert import convert
from msbrewrite.model.options import Options

DIGEST = "sha256:" + "ab" * 32


@pytest.fixture(autouse=True)
def fresh_cache():
    config._find.cache_clear()
    yield
    config._find.cache_clear()


def test_nearest_configuration_wins_and_msb_toml_beats_pyproject(tmp_path):
    (tmp_path / ".git").mkdir()    # the repository root bounds the search
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.msb]\nruntime = "slim"\n')
    sub = tmp_path / "svc"
    sub.mkdir()
    (sub / ".msb.toml").write_text('runtime = "distroless"\n')
    (sub / "pyproject.toml").write_text('[tool.msb]\nruntime = "alpine"\n')
    deeper = sub / "cmd" / "api"
    deeper.mkdir(parents=True)
    assert find(deeper).path == sub / ".msb.toml"
    assert find(deeper).runtime == "distroless"
    other = tmp_path / "web"
    other.mkdir()
    assert find(other).path == tmp_path / "pyproject.toml"


def test_pyproject_without_tool_msb_is_passed_over(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".msb.toml").write_text('user = "root"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    assert find(tmp_path / "app").user == "root"


def test_search_stops_at_the_repository_root(tmp_path):
    (tmp_path / ".msb.toml").write_text('user = "root"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find(repo) is None


def test_cli_flags_win_over_the_file(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".msb.toml").write_text('runtime = "slim"\nuser = "app"\nlanguage = "go"\n')
    from_file = apply(Options(), tmp_path, explicit={})
    assert (from_file.runtime, from_file.user, from_file.language) == ("slim", "app", "go")
    flags = apply(Options(runtime="scratch", user="root", language="rust"), tmp_path,
                  explicit={"runtime": True, "user": True, "language": True})
    assert (flags.runtime, flags.user, flags.language) == ("scratch", "root", "rust")


def test_runtime_table_sets_a_flavour_per_language(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".msb.toml").write_text('[runtime]\ngo = "slim"\npython = "distroless"\n')
    opts = apply(Options(), tmp_path, explicit={})
    assert opts.flavour("go") == "slim" and opts.flavour("python") == "distroless" and opts.flavour("rust") == "auto"
    assert apply(Options(runtime="scratch"), tmp_path, {"runtime": True}).flavour("go") == "scratch"


@pytest.mark.parametrize("body, key", [
    ('runtim = "slim"\n', "runtim"),
    ('runtime = "tiny"\n', "runtime"),
    ('[runtime]\ncobol = "slim"\n', "runtime.cobol"),
    ('[digests]\n"alpine:3.20" = "md5:1"\n', "digests.alpine:3.20"),
    ('extra-paths = "conf"\n', "extra-paths"),
])
def test_bad_keys_name_the_key_and_the_file(tmp_path, body, key):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".msb.toml").write_text(body)
    with pytest.raises(ConfigError) as err:
        find(tmp_path)
    message = str(err.value)
    assert f"'{key}'" in message and str(tmp_path / ".msb.toml") in message and "\n" not in message


def test_unknown_key_is_a_one_line_usage_error_on_the_command_line(tmp_path):
    path = go_app(tmp_path / "app")
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.msb]\nmirorr = "registry.example.com"\n')
    for args in (["convert", path], ["check", tmp_path], ["migrate", tmp_path]):
        run = msb(*args)
        assert run.returncode == 2, (args, run.stderr)
        assert run.stderr.strip().count("\n") == 0
        assert "'mirorr'" in run.stderr and "pyproject.toml" in run.stderr
        assert "Traceback" not in run.stderr


def test_mirror_digest_and_extra_paths_reach_the_output(tmp_path):
    path = go_app(tmp_path / "app")
    (tmp_path / ".git").mkdir()
    plain = convert(path.read_text(), path.parent, Options())
    base = plain.runtime_base
    (tmp_path / ".msb.toml").write_text(
        'mirror = "registry.example.com/hub"\nextra-paths = ["main.go"]\n'
        f'[digests]\n"{base}" = "{DIGEST}"\n')
    opts = apply(Options(), path.parent, explicit={})
    result = convert(path.read_text(), path.parent, opts)
    assert result.status == "converted"
    assert f"FROM registry.example.com/hub/{base}@{DIGEST}" in result.text
    assert "COPY --from=builder /src/main.go /src/main.go" in result.text
    # the command line reads the same file
    run = msb("convert", path, "-q")
    assert run.returncode == 0 and run.stdout == result.text


def test_excludes_from_the_configuration_skip_files(tmp_path):
    (tmp_path / ".git").mkdir()
    go_app(tmp_path / "api", name="api")
    go_app(tmp_path / "legacy" / "old", name="old")
    (tmp_path / ".msb.toml").write_text('exclude = ["legacy"]\n')
    import json
    doc = json.loads(msb("check", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [f["path"] for f in doc["files"]] == ["api/Dockerfile"]


# ------------------------------------------------------------------ whose configuration is read

def _clear():
    for cached in (config._find, config._search, config._looked):
        cached.cache_clear()


def _give_away(path, monkeypatch):
    """Make `path` another user's file: chown as root, else pretend to be someone else."""
    if os.geteuid() == 0:
        os.chown(path, 4242, 4242)
    else:
        monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 4242)
    _clear()


def test_a_configuration_another_user_owns_is_passed_over(tmp_path, monkeypatch):
    planted = tmp_path / ".msb.toml"
    planted.write_text('mirror = "evil.example.com/hub"\nuser = "root"\n')
    work = tmp_path / "ci" / "app"
    work.mkdir(parents=True)
    assert find(work).mirror == "evil.example.com/hub"
    _give_away(planted, monkeypatch)
    assert find(work) is None
    assert config.ignored(work) == [f"{planted}: ignored: owned by uid {os.stat(planted).st_uid}, not by you "
                                    f"(uid {os.geteuid()}) or root"]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_the_command_line_warns_about_a_configuration_it_passed_over(tmp_path):
    planted = tmp_path / ".msb.toml"
    planted.write_text('mirror = "evil.example.com/hub"\nuser = "root"\n')
    os.chown(planted, 4242, 4242)
    go_app(tmp_path / "ci" / "app")
    proc = msb("convert", "Dockerfile", cwd=tmp_path / "ci" / "app")
    assert proc.returncode == 0, proc.stderr
    assert "evil.example.com" not in proc.stdout
    assert f"msb: warning: {planted}: ignored: owned by uid 4242" in proc.stderr
    proc = msb("check", ".", "-f", "json", cwd=tmp_path / "ci")
    doc = json.loads(proc.stdout)
    assert "evil.example.com" not in doc["files"][0]["runtime_base"]
    assert doc["files"][0]["config"] is None
    assert any("owned by uid 4242" in w for w in doc["files"][0]["warnings"])
    assert proc.stderr.count("owned by uid 4242") == 1


def test_the_search_stops_at_the_users_home(tmp_path, monkeypatch):
    (tmp_path / ".msb.toml").write_text('user = "root"\n')
    home = tmp_path / "home" / "dev"
    (home / "src" / "app").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    _clear()
    assert find(home / "src" / "app") is None
    (home / ".msb.toml").write_text('user = "app"\n')
    _clear()
    assert find(home / "src" / "app").user == "app"


def test_the_search_stops_at_a_file_system_boundary(tmp_path, monkeypatch):
    (tmp_path / ".msb.toml").write_text('user = "root"\n')
    mount = tmp_path / "mnt"
    (mount / "app").mkdir(parents=True)
    real = config._device
    # `mnt` is a mount point: its device differs from its parent's
    monkeypatch.setattr(config, "_device", lambda d: 999 if mount in (d, *d.parents) else real(d))
    _clear()
    assert find(mount / "app") is None


def test_every_report_names_the_configuration_file(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".msb.toml").write_text('runtime = "slim"\n')
    go_app(tmp_path / "svc")
    conf = str(tmp_path / ".msb.toml")
    proc = msb("convert", "svc/Dockerfile", cwd=tmp_path)
    assert f"  config {conf}" in proc.stderr.splitlines(), proc.stderr
    proc = msb("convert", "svc/Dockerfile", "--json", cwd=tmp_path)
    assert json.loads(proc.stdout)["config"] == conf
    proc = msb("check", ".", cwd=tmp_path)
    assert "  config:     .msb.toml" in proc.stdout.splitlines(), proc.stdout
    proc = msb("check", ".", "-f", "json", cwd=tmp_path)
    assert json.loads(proc.stdout)["files"][0]["config"] == ".msb.toml"
    proc = msb("check", ".", "-f", "sarif", cwd=tmp_path)
    run = json.loads(proc.stdout)["runs"][0]
    assert run["invocations"][0]["properties"]["configurationFiles"] == [".msb.toml"]
    assert run["results"][0]["properties"]["config"] == ".msb.toml"
    proc = msb("migrate", ".", "-q", cwd=tmp_path)
    assert "  configuration: .msb.toml" in proc.stderr.splitlines(), proc.stderr
    proc = msb("migrate", ".", "--json", "-q", cwd=tmp_path)
    assert json.loads(proc.stdout)["files"][0]["config"] == ".msb.toml"


def _nested(root, depth):
    d = root
    for _ in range(depth):
        d = d / "d"
    d.mkdir(parents=True)
    return [root.joinpath(*["d"] * k) for k in range(depth + 1)]


def _search_steps(dirs) -> int:
    """Python lines run to find the configuration of every folder (no clock: see test_linear_growth)."""
    for cached in (config._find, config._search, config._looked):
        cached.cache_clear()
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += 1
        return tracer

    dirs = [d.resolve() for d in dirs]     # resolving a path is the operating system's work, per folder
    sys.settrace(tracer)
    try:
        for d in dirs:
            config._find(d)
    finally:
        sys.settrace(None)
    return count


def test_the_search_costs_one_step_per_folder_in_a_deep_tree(tmp_path):
    # every folder of a deep tree asks (as migrate's discovery does): each answer reuses its parent's
    (tmp_path / "a" / ".git").mkdir(parents=True)
    (tmp_path / "b" / ".git").mkdir(parents=True)
    small = _search_steps(_nested(tmp_path / "a", 150))
    large = _search_steps(_nested(tmp_path / "b", 300))
    assert large < 2.4 * small, (small, large)
