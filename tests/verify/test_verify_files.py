"""`msb verify`'s file checks: reading an exported image, the app's directories, classing the
files a conversion drops, and the write permissions it loses."""
from __future__ import annotations

import io
import tarfile

import pytest

from msbrewrite.verify.files import (Account, Entry, Tree, app_dirs, can_write, classify, is_state_path,
                                     lost_writes, missing_files, read_tree, resolve_user, summarise_missing,
                                     written_paths)

PASSWD = "root:x:0:0:root:/root:/bin/bash\nnotes:x:1001:1001::/home/notes:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"
GROUP = "root:x:0:\nnotes:x:1001:\nnonroot:x:65532:\nwriters:x:2000:notes\n"


def _tar(entries: list[tuple[str, str, int, int, int, bytes]]) -> io.BytesIO:
    """(name, kind, mode, uid, gid, data) -> a tar stream like `docker export` writes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, kind, mode, uid, gid, data in entries:
            info = tarfile.TarInfo(name)
            info.mode, info.uid, info.gid = mode, uid, gid
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, "target"
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def test_read_tree_from_an_export_stream():
    tree = read_tree(_tar([
        ("etc/", "dir", 0o755, 0, 0, b""), ("etc/passwd", "file", 0o644, 0, 0, PASSWD.encode()),
        ("etc/group", "file", 0o644, 0, 0, GROUP.encode()),
        ("app/", "dir", 0o755, 1001, 1001, b""), ("app/data.json", "file", 0o600, 1001, 1001, b"{}"),
        ("app/current", "link", 0o777, 0, 0, b"")]))
    assert tree.entries["/app"] == Entry("dir", 0, 0o755, 1001, 1001)
    assert tree.entries["/app/data.json"] == Entry("file", 2, 0o600, 1001, 1001)
    assert tree.entries["/app/current"].kind == "link"
    assert "notes:x:1001" in tree.passwd and "writers" in tree.group


def test_app_dirs_from_workdir_and_entrypoint():
    assert app_dirs({"WorkingDir": "/app", "Cmd": ["gunicorn", "app:app"]}) == ["/app"]
    assert app_dirs({"WorkingDir": "/", "Entrypoint": ["/srv/api/server"], "Cmd": ["--config", "/etc/api/c.toml"]}) == \
        ["/srv/api/server"]
    assert app_dirs({"Entrypoint": ["java", "-jar", "/opt/app/app.jar"]}) == ["/opt/app"]
    assert app_dirs({"Entrypoint": ["/usr/local/bin/server"]}) == []
    assert app_dirs({"WorkingDir": "/usr/src/app", "Cmd": ["node", "/usr/src/app/server.js"]}) == ["/usr/src/app"]
    # with the image's files: what is a directory and what a file is known, absent paths are not the app
    tree = _tree({"/nodejs/bin/node": ("file", 9, 0o755, 0, 0), "/srv/site": ("dir", 0, 0o755, 0, 0),
                  "/srv/app/run": ("file", 9, 0o755, 0, 0)})
    config = {"Entrypoint": ["/nodejs/bin/node"], "Cmd": ["/srv/app/run", "--root", "/srv/site", "/data/none"]}
    assert app_dirs(config, tree) == ["/srv/app", "/srv/site"]


@pytest.mark.parametrize("rel, kind, reason", [
    (".git/HEAD", "expected", "version control"),
    ("Dockerfile", "expected", "build file"),
    ("dockerfile", "expected", "build file"),
    ("api.dockerfile", "expected", "build file"),
    ("Containerfile", "expected", "build file"),
    ("dockerfiles/notes.txt", "suspicious", None),
    ("__pycache__/app.cpython-311.pyc", "expected", "cache"),
    ("tests/test_app.py", "expected", "test"),
    ("internal/api/handler_test.go", "expected", "test"),
    ("README.md", "expected", "documentation"),
    ("main.go", "expected", "compiled-language source"),
    ("src/main/java/App.java", "expected", "compiled-language source"),
    ("src/index.ts", "expected", "compiled-language source"),
    ("Cargo.lock", "expected", "compiled-language source"),
    ("requirements.txt", "expected", "dependency manifest"),
    ("package-lock.json", "expected", "dependency manifest"),
    ("smoke.sh", "expected", "test"),
    (".vscode/settings.json", "expected", "editor or CI file"),
    (".idea/workspace.xml", "expected", "editor or CI file"),
    (".github/workflows/ci.yml", "expected", "editor or CI file"),
    (".prettierignore", "expected", "development tooling"),
    (".eslintignore", "expected", "development tooling"),
    ("jest.config.js", "expected", "development tooling"),
    (".husky/pre-commit", "expected", "development tooling"),
    (".devcontainer/devcontainer.json", "expected", "editor files"),
    ("renovate.json", "expected", "VCS and CI files"),
    (".ipynb_checkpoints/notes-checkpoint.ipynb", "expected", "caches"),
    ("views/.index.html.swp", "expected", "editor files"),
    ("build/report.html", "suspicious", None),          # Java's build output rule is not every language's
    ("coverage.js", "suspicious", None),
    ("vscode/notes.txt", "suspicious", None),
    ("package.json", "suspicious", None),
    ("node_modules/typescript/lib/tsc.js", "expected", "build output or dependency tree"),
    ("data/quotes.json", "suspicious", None),
    ("static/app.js", "suspicious", None),
    ("templates/index.html", "suspicious", None),
    ("config.toml", "suspicious", None),
    ("app.py", "suspicious", None),
])
def test_classification_of_missing_files(rel, kind, reason):
    got_kind, got_reason = classify("/app/" + rel, "/app")
    assert got_kind == kind
    if reason:
        assert got_reason == reason


def _tree(entries: dict[str, tuple], passwd=PASSWD, group=GROUP) -> Tree:
    return Tree({p: Entry(*e) for p, e in entries.items()}, passwd, group)


def test_missing_files_moved_and_grouped():
    before = _tree({"/app": ("dir", 0, 0o755, 0, 0), "/app/server": ("file", 900, 0o755, 0, 0),
                    "/app/main.go": ("file", 50, 0o644, 0, 0), "/app/data": ("dir", 0, 0o755, 0, 0),
                    "/app/data/a.json": ("file", 30, 0o644, 0, 0), "/app/data/b.json": ("file", 20, 0o644, 0, 0),
                    "/app/static/app.js": ("file", 7, 0o644, 0, 0), "/etc/hosts": ("file", 1, 0o644, 0, 0)})
    after = _tree({"/app": ("dir", 0, 0o755, 0, 0), "/usr/local/bin/server": ("file", 900, 0o755, 0, 0),
                   "/app/static/app.js": ("file", 7, 0o644, 0, 0)})
    missing = missing_files(before, after, ["/app"])
    assert [(m.path, m.kind, m.reason) for m in missing] == [
        ("/app/data/a.json", "suspicious", "not a build input, test, cache or VCS file"),
        ("/app/data/b.json", "suspicious", "not a build input, test, cache or VCS file"),
        ("/app/main.go", "expected", "compiled-language source"),
        ("/app/server", "expected", "moved to /usr/local/bin/server")]
    assert summarise_missing(missing, "suspicious") == [
        {"path": "/app/data", "reason": "not a build input, test, cache or VCS file", "files": 2, "size": 50}]
    # a directory the converted image lacks as a whole: the app runs from elsewhere
    gone = missing_files(before, _tree({"/srv/www/index.html": ("file", 3, 0o644, 0, 0)}), ["/app"])
    assert {(m.kind, m.reason) for m in gone} == {("expected", "/app is not in the converted image")}
    # a group of one is shown as the file itself
    assert [g["path"] for g in summarise_missing(missing, "expected")] == ["/app/main.go", "/app/server"]


def test_files_a_build_names_by_content_hash_are_paired_with_the_converted_builds():
    before = _tree({"/app": ("dir", 0, 0o755, 0, 0), "/app/build/start.2a622a63.js": ("file", 90, 0o644, 0, 0),
                    "/app/build/1-17bdbc31.js": ("file", 40, 0o644, 0, 0),
                    "/app/build/2-aa11bb22.js": ("file", 40, 0o644, 0, 0)})
    after = _tree({"/app": ("dir", 0, 0o755, 0, 0), "/app/build/start.70409c69.js": ("file", 91, 0o644, 0, 0),
                   "/app/build/1-42ad93ec.js": ("file", 41, 0o644, 0, 0)})
    missing = missing_files(before, after, ["/app"])
    assert [(m.path, m.kind) for m in missing] == [
        ("/app/build/1-17bdbc31.js", "expected"),
        ("/app/build/2-aa11bb22.js", "suspicious"),     # one to one: the second chunk has no twin
        ("/app/build/start.2a622a63.js", "expected")]
    assert missing[2].reason == ("built again as /app/build/start.70409c69.js (the build names the file by its "
                                 "content hash)")


def test_resolve_user():
    tree = _tree({})
    assert resolve_user("", tree) == Account("root", 0, frozenset({0}))
    assert resolve_user("notes", tree) == Account("notes", 1001, frozenset({1001, 2000}))
    assert resolve_user("65532:65532", tree).uid == 65532
    assert resolve_user("1234", tree) == Account("1234", 1234, frozenset({1234}))      # a bare uid
    assert resolve_user("ghost", tree) is None
    assert resolve_user("notes:writers", tree).gids == frozenset({2000})


def test_can_write():
    notes = Account("notes", 1001, frozenset({1001, 2000}))
    root = Account("root", 0, frozenset({0}))
    assert can_write(Entry("dir", 0, 0o755, 0, 0), root)
    assert not can_write(Entry("dir", 0, 0o755, 0, 0), notes)
    assert can_write(Entry("dir", 0, 0o755, 1001, 0), notes)
    assert not can_write(Entry("file", 0, 0o444, 1001, 0), notes)
    assert can_write(Entry("dir", 0, 0o775, 0, 2000), notes)
    assert can_write(Entry("dir", 0, 0o777, 0, 0), notes)


def test_state_paths():
    assert is_state_path("/app/db/notes.sqlite", "file") and is_state_path("/app/logs", "dir")
    assert is_state_path("/app/app.log", "file") and is_state_path("/srv/uploads", "dir")
    assert not is_state_path("/app/app.py", "file") and not is_state_path("/app/static", "dir")
    assert not is_state_path("/app/node_modules/x/cache", "dir")


@pytest.mark.parametrize("name", ["yarn.lock", "poetry.lock", "Cargo.lock", "Gemfile.lock", "composer.lock",
                                  "Pipfile.lock", "uv.lock", "yarn-error.log", "npm-debug.log", "npm-debug.log.1"])
def test_package_manager_files_are_not_state(name):
    """Lock files and an installer's error log come from the build: a new user that cannot write
    them loses nothing the app does (seen on real apps: a false FAIL)."""
    assert not is_state_path(f"/app/{name}", "file")
    assert is_state_path("/app/server.lock", "file") and is_state_path("/app/yarn-app.log", "file")


def test_written_paths_from_docker_diff():
    diff = "C /app\nA /app/logs/app.log\nC /app/logs\nA /app/__pycache__/x.pyc\nC /root/.cache\nD /app/old\n"
    assert written_paths(diff, ["/app"]) == [("C", "/app"), ("A", "/app/logs/app.log"), ("C", "/app/logs")]


def test_lost_writes():
    root = Account("root", 0, frozenset({0}))
    nonroot = Account("65532", 65532, frozenset({65532}))
    dirs = {"/app": ("dir", 0, 0o755, 0, 0), "/app/logs": ("dir", 0, 0o755, 0, 0),
            "/app/db": ("dir", 0, 0o755, 0, 0), "/app/static": ("dir", 0, 0o755, 0, 0),
            "/app/app.py": ("file", 5, 0o644, 0, 0), "/app/cache": ("dir", 0, 0o755, 65532, 0)}
    before, after = _tree(dirs), _tree(dirs)
    written = written_paths("C /app\nC /app/logs\nA /app/logs/app.log\n", ["/app"])
    diffs, warns = lost_writes(before, after, root, nonroot, ["/app"], written)
    assert [(d.path, d.why) for d in diffs] == [
        ("/app/db", "a state file or folder by nature"),
        ("/app/logs", "the original wrote here during the run")]
    assert diffs[1].original == "0:0 755" and diffs[1].converted == "0:0 755"
    assert sorted(w.path for w in warns) == ["/app", "/app/app.py", "/app/static"]
    # a non-root original that could not write there either loses nothing
    assert lost_writes(before, after, nonroot, nonroot, ["/app"], written) == ([], [])


def test_a_go_vendor_folder_is_a_build_input_but_a_php_one_is_not():
    before = _tree({"/app": ("dir", 0, 0o755, 0, 0), "/app/go.mod": ("file", 40, 0o644, 0, 0),
                    "/app/vendor": ("dir", 0, 0o755, 0, 0), "/app/vendor/modules.txt": ("file", 90, 0o644, 0, 0),
                    "/app/vendor/golang.org/x/sys/unix/asm_linux_amd64.s": ("file", 300, 0o644, 0, 0),
                    "/app/vendor/golang.org/x/sys/PATENTS": ("file", 30, 0o644, 0, 0),
                    "/srv": ("dir", 0, 0o755, 0, 0), "/srv/vendor": ("dir", 0, 0o755, 0, 0),
                    "/srv/vendor/autoload.php": ("file", 70, 0o644, 0, 0)})
    after = _tree({"/app": ("dir", 0, 0o755, 0, 0), "/srv": ("dir", 0, 0o755, 0, 0)})
    missing = {m.path: m.kind for m in missing_files(before, after, ["/app", "/srv"])}
    assert missing["/app/vendor/golang.org/x/sys/unix/asm_linux_amd64.s"] == "expected"
    assert missing["/app/vendor/golang.org/x/sys/PATENTS"] == "expected"
    assert missing["/srv/vendor/autoload.php"] == "suspicious"
