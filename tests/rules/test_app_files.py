"""The run-time file rule: each app directory reaches the runtime minus what is provably build-only."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import make_context

from msbrewrite import convert
from msbrewrite.rules.app_files import app_dirs, is_system_dir
from msbrewrite.rules.app_matching import Rule
from msbrewrite.model.analysis import analyse
from msbrewrite.model.context import Context
from msbrewrite.core.convert import load

GO = "FROM golang:1.22\nWORKDIR /srv/app\nCOPY . .\nRUN go build -o server .\nEXPOSE 8080\nCMD [\"./server\"]\n"


def _stage_step(text: str) -> str:
    return next(block for block in text.split("\n\n") if "the runtime's copy of" in block)


@pytest.mark.parametrize("pattern, rel, hit", [
    ("*.go", "main.go", True), ("*.go", "cmd/api/main.go", True), ("*.go", "templates/index.html", False),
    ("./vendor", "vendor/x/y.go", True), ("./vendor", "third/vendor/x", False), ("testdata", "pkg/testdata/a", True),
    ("./src/test", "src/test/java/A.java", True), ("./src/test", "src/main/A.java", False),
])
def test_rule_matches_a_path_or_one_of_its_parents(pattern, rel, hit):
    assert Rule(pattern, "x").matches(rel) is hit


def test_app_dirs_are_the_copy_destinations_folded_into_their_parents():
    df = load("FROM node:20\nWORKDIR /app\nCOPY package.json ./\nCOPY src ./src\nCOPY conf /etc/app/\n"
              "COPY data /data\nWORKDIR /app/server\nCMD [\"node\", \"index.js\"]\n")
    facts = analyse(df, df.stages[0], Context(None))
    assert app_dirs(facts) == ["/app", "/data", "/etc/app"]
    assert is_system_dir("/etc/app") and not is_system_dir("/usr/src/app") and not is_system_dir("/srv")


def test_go_runtime_gets_data_and_config_but_no_sources(tmp_path):
    make_context(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n", "main_test.go": "package main\n",
                     "data/quotes.txt": "q\n", "Rocket.toml": "[default]\n", ".github/workflows/ci.yml": "x\n",
                     "internal/db/db.go": "package db\n", "internal/db/schema.sql": "create\n"})
    r = convert(GO, tmp_path)
    step = _stage_step(r.text)
    # only the rules that match the context are written out, plus credentials and what builds write
    assert "-name '*.go' -o -name go.mod" in step and "-name .github" in step and "-name .npmrc" in step
    assert "--exclude=./server" in step        # the binary is copied on its own, not twice
    assert "COPY --from=builder --chown=65532:65532 /tmp/msb-runtime/srv/ /srv/" in r.text
    report = next(d for d in r.decisions if d.startswith("/srv/app is copied"))
    assert "(3 file(s)" in report            # data/quotes.txt, Rocket.toml, internal/db/schema.sql
    assert "Go sources and build files: go.mod, *.go" in report and "VCS and CI files: .github/" in report


def test_nothing_copied_when_the_context_holds_only_build_inputs(tmp_path):
    make_context(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n"})
    r = convert(GO, tmp_path)
    assert "/tmp/msb-runtime" not in r.text
    assert any("every file the context puts there is build-only" in d for d in r.decisions)


def test_a_build_step_that_may_write_files_keeps_the_stage(tmp_path):
    make_context(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n"})
    r = convert(GO.replace("RUN go build", "RUN make assets && go build"), tmp_path)
    assert "/tmp/msb-runtime" in r.text


def test_without_context_the_builder_subtracts_by_name():
    r = convert(GO)
    step = _stage_step(r.text)
    for test in ("-name '*.go'", "-name go.mod", '-path "$s"/vendor', "-name .git", "-name Dockerfile",
                 "-name .npmrc", "-name '.env.*'", "! -name .env.example"):
        assert test in step, test


def test_env_files_kept_only_without_secrets(tmp_path):
    make_context(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n", ".env": "PORT=8080\n",
                     "config/.env.prod": "DB_PASSWORD=hunter2\n", ".env.example": "TOKEN=\n"})
    r = convert(GO, tmp_path)
    step = _stage_step(r.text)
    # the plain .env stays; every other .env file (secrets, or written by RUN) is deleted
    assert '! -path "$s"/.env' in step and "config/.env.prod" not in step.split("! -path")[1]
    assert any(".env kept: configuration" in d for d in r.decisions)


def test_the_new_user_owns_the_app_directory_but_not_the_original_account(tmp_path):
    r = convert(GO)
    assert "COPY --from=builder --chown=65532:65532 /tmp/msb-runtime/srv/ /srv/" in r.text
    own = ("FROM python:3.11\nRUN useradd --create-home worker\nWORKDIR /home/worker/app\nCOPY . .\n"
           "RUN pip install -r requirements.txt\nUSER worker\nCMD [\"python\", \"app.py\"]\n")
    r = convert(own)
    assert r.status == "converted", r.reason
    staged = next(line for line in r.text.splitlines() if "/tmp/msb-runtime/" in line and line.startswith("COPY"))
    assert "--chown" not in staged       # the replayed account has the same uid: builder ownership is right


def test_hostile_workdir_is_quoted_in_the_generated_step():
    r = convert('FROM golang:1.22\nWORKDIR /srv/a`id`;b\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n')
    assert r.status == "converted", r.reason
    step = _stage_step(r.text)
    # the shell never sees the backticks or the semicolon as syntax
    assert "s='/tmp/msb-runtime/srv/a`id`;b'" in step and "tar -C '/srv/a`id`;b'" in step


def test_app_directory_in_a_system_directory_is_not_copied_whole():
    r = convert("FROM golang:1.22\nWORKDIR /usr/local/bin\nCOPY . .\nRUN go build -o server .\nCMD [\"./server\"]\n")
    assert "/tmp/msb-runtime" not in r.text
    assert any("a directory of the base image" in w for w in r.warnings)


@pytest.mark.parametrize("made", ["RUN mkdir -p /srv/site/views\n", "WORKDIR /srv/site/views\nWORKDIR /\n",
                                  "COPY conf/ /srv/site/views/\n"])
def test_a_single_file_copied_onto_an_existing_directory_lands_inside_it(made):
    # Docker puts `COPY page.html /srv/site/views` INTO the folder when it exists at that point
    df = load(f"FROM golang:1.22\n{made}COPY page.html /srv/site/views\nCOPY main.go /srv/site\n"
              "WORKDIR /srv/site\nRUN go build -o app .\nCMD [\"./app\"]\n")
    facts = analyse(df, df.stages[0], Context(None))
    assert [c.dest for c in facts.copies][-2:] == ["/srv/site/views/", "/srv/site/"]
    assert facts.context_path("/srv/site/views/page.html") == "page.html"
    assert app_dirs(facts) == ["/srv/site"]


def test_a_file_copied_onto_a_new_path_keeps_that_name():
    df = load("FROM golang:1.22\nCOPY settings.toml /etc/app.toml\nCOPY main.go /src/main.go\n"
              "RUN go build -o /app /src/main.go\nCMD [\"/app\"]\n")
    facts = analyse(df, df.stages[0], Context(None))
    assert [c.dest for c in facts.copies] == ["/etc/app.toml", "/src/main.go"]
    assert app_dirs(facts) == []


def test_a_folder_of_its_own_beside_files_copied_into_root_is_still_copied():
    text = "FROM golang:1.22\nADD main.go /\nADD pages/* /pages/\nRUN go build -o /app /main.go\nCMD [\"/app\"]\n"
    df = load(text)
    assert app_dirs(analyse(df, df.stages[0], Context(None))) == ["/", "/pages"]
    r = convert(text)
    assert "COPY --from=builder --chown=65532:65532 /tmp/msb-runtime/ /" in r.text
    assert "tar -C /pages" in r.text
    assert not any("a directory of the base image" in w for w in r.warnings)   # only main.go went into /
    kept = convert(text.replace("ADD main.go /", "ADD main.go motd.txt /"))
    assert any("files into /, a directory of the base image" in w for w in kept.warnings)


def test_check_does_not_flag_a_conversion_with_no_gain(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
                                         "RUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"app.py\"]\n")
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("import flask\n")
    r = convert((tmp_path / "Dockerfile").read_text(), tmp_path)
    assert r.status == "converted" and r.no_gain
    assert any(w.startswith("no size gain expected") for w in r.warnings)
    proc = subprocess.run([sys.executable, "-m", "msbrewrite", "check", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "no size gain expected" in proc.stdout


def test_state_folders_made_by_the_build_exist_in_the_runtime_owned_by_the_new_user():
    r = convert("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt "
                "&& mkdir -p /data /opt/build && chmod 777 /var/log/shop && chmod +x /usr/local/bin/run\n"
                "CMD [\"python\", \"app.py\"]\n")
    assert "COPY --from=builder --chown=10001:10001 /data /data" in r.text
    # a folder with a mode of its own (777) travels inside its parent, which keeps the mode
    assert "RUN mkdir -p /tmp/msb-state/var/log/ && cp -a /var/log/shop /tmp/msb-state/var/log/" in r.text
    assert "COPY --from=builder --chown=10001:10001 /tmp/msb-state/var/log/ /var/log/" in r.text
    assert "/opt/build" not in r.text.split("# runtime")[1]       # not a state folder by name
    assert "/usr/local/bin/run /usr" not in r.text                 # chmod +x opens nothing for writing


def test_a_folder_only_a_workdir_made_exists_in_the_runtime_for_the_new_user():
    # `WORKDIR /data` then `WORKDIR /app`: the original had an empty /data the app kept its store in
    r = convert("FROM python:3.11\nWORKDIR /data\nWORKDIR /build\nRUN echo made > note\nWORKDIR /app\nCOPY . .\n"
                "RUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n")
    runtime = r.text.split("# runtime")[1]
    assert "COPY --from=builder --chown=10001:10001 /data /data" in runtime
    assert "/build" not in runtime          # a RUN worked there: not an empty folder left for the app


def test_credentials_written_or_copied_into_the_app_directory_never_reach_the_runtime():
    """Issue 13, item 2: without a context, the staged copy deletes credential files by name,
    including those a RUN step writes, and the report says the runtime does not copy them."""
    r = convert("FROM node:20\nWORKDIR /app\nCOPY . .\n"
                "RUN echo \"//registry.npmjs.org/:_authToken=$NPM_TOKEN\" > .npmrc && npm ci\n"
                "CMD [\"node\", \"server.js\"]\n")
    step = _stage_step(r.text)
    for name in (".npmrc", ".netrc", ".pypirc", ".git-credentials", "id_rsa", ".ssh"):
        assert f"-name {name}" in step, name
    assert "-name .env -o -name '.env.*'" in step
    # the only way from the builder's /app to the runtime is the staged copy
    runtime = r.text.split("# runtime")[1]
    assert [line for line in runtime.splitlines() if line.startswith("COPY") and " /app " in line + " "] == []


GO_ROOT = "FROM golang:1.22\nWORKDIR /\nCOPY . .\nRUN go build -o /svc .\nCMD [\"/svc\"]\n"


def test_a_context_copied_into_root_reaches_the_runtime_entry_by_entry(tmp_path):
    make_context(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n", "conf/app.yml": "a: 1\n",
                            "internal/x.go": "package internal\n", "motd.txt": "hi\n"})
    r = convert(GO_ROOT, tmp_path)
    assert "tar -C /conf" in r.text and "tar -C /internal" not in r.text    # a folder of sources only stays
    assert "COPY --from=builder /motd.txt /motd.txt" in r.text
    assert not any("a directory of the base image" in w for w in r.warnings)
    # distroless :nonroot starts in /home/nonroot: the app starts in / as the original did
    assert "\nWORKDIR /\n" in r.text.split("# runtime")[1]


def test_a_context_that_merges_with_system_folders_is_not_copied_into_root(tmp_path):
    make_context(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n", "etc/app.conf": "x\n"})
    r = convert(GO_ROOT, tmp_path)
    assert "/tmp/msb-runtime" not in r.text
    assert any("files into /, a directory of the base image" in w for w in r.warnings)


def test_a_runtime_base_that_starts_in_root_gets_no_workdir_line(tmp_path):
    from msbrewrite import Options
    make_context(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n"})
    r = convert(GO_ROOT, tmp_path, Options(runtime="scratch"))
    assert "WORKDIR" not in r.text.split("# runtime")[1]


@pytest.mark.parametrize("builder, runtime", [
    ("harbor.example.com/library/python:3.11-slim", "FROM harbor.example.com/library/python:3.11-slim\n"),
    ("python:3.11-slim", "FROM python:3.11-slim\n"),
    ("harbor.example.com/library/python:3.11", "FROM python:3.11-slim\n"),   # another image: the registry may lack it
])
def test_a_runtime_that_is_the_builders_own_image_comes_from_the_same_registry(builder, runtime):
    r = convert(f"FROM {builder}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                "CMD [\"python\", \"app.py\"]\n")
    assert r.status == "converted", r.reason
    assert runtime in r.text.split("# runtime")[1]


@pytest.mark.parametrize("name, test", [("Dockerfile", "-name Dockerfile"), ("dockerfile", "-name dockerfile"),
                                        ("api.dockerfile", "-name '*.dockerfile'"),
                                        ("Containerfile", "-name Containerfile"), ("compose.yaml", "-name compose.yaml")])
def test_docker_build_files_of_every_spelling_stay_out_of_the_runtime(tmp_path, name, test):
    """A lowercase `dockerfile` or a Podman `Containerfile` in the app directory is a build file like
    `Dockerfile`: the staged copy leaves it out and the report names its kind."""
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("import flask\n")
    (tmp_path / name).write_text("FROM scratch\n")
    text = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    r = convert(text, tmp_path)
    assert r.status == "converted", r.reason
    step = next(s for s in r.text.split("\n\n") if "the runtime's copy of /app" in s)
    assert test in step, step


def _many_folders(n: int) -> str:
    return ("FROM golang:1.22\nWORKDIR /src\n" + "".join(f"COPY f{i} /app/d{i}/\n" for i in range(n))
            + 'RUN go build -o /app/server .\nCMD ["/app/server"]\n')


def test_app_directories_that_leave_out_the_same_paths_share_one_step_in_the_build_order():
    r = convert(_many_folders(12))
    assert r.status == "converted", r.reason
    assert r.text.count("the runtime's cop") == 1
    assert "for d in /app/d0 /app/d1 /app/d2 /app/d3 /app/d4 /app/d5 /app/d6 /app/d7 \\\n" \
           "        /app/d8 /app/d9 /app/d10 /app/d11; do" in r.text
    assert "COPY --from=builder --chown=65532:65532 /tmp/msb-runtime/app/ /app/" in r.text


def test_the_output_does_not_depend_on_the_interpreter_hash_seed():
    code = "import sys; from msbrewrite import convert; print(convert(sys.stdin.read()).text)"
    outs = {subprocess.run([sys.executable, "-c", code], input=_many_folders(40), capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outs) == 1


def test_thousands_of_app_directories_stay_under_the_parser_line_limit():
    r = convert(_many_folders(7000))      # one line of 7,000 words would be over Docker's 64 KiB
    assert r.status == "converted", r.reason
    assert max(len(line) for line in r.text.splitlines()) < 65535


def test_assets_under_a_dist_folder_keep_their_parent_when_the_context_lands_in_root(tmp_path):
    # the context walk skips `dist` folders: committed assets there must still reach the runtime
    (tmp_path / "static" / "dist").mkdir(parents=True)
    (tmp_path / "static" / "dist" / "app.css").write_text("body{}\n")
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    df = "FROM python:3.11\nRUN pip install flask\nCOPY . .\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n"
    result = convert(df, tmp_path)
    assert "/static" in result.text and "COPY --from=builder /tmp/msb-runtime/ /" in result.text
    # the report says what the folder holds, not "0 file(s)" alone
    assert ("/static is copied (0 file(s) from the context, committed assets in dist/ (not counted) and what the "
            "build wrote there)") in result.decisions


def test_go_vendor_folder_stays_build_only_in_root(tmp_path):
    (tmp_path / "vendor" / "example.com" / "m").mkdir(parents=True)
    (tmp_path / "vendor" / "example.com" / "m" / "m.go").write_text("package m\n")
    (tmp_path / "main.go").write_text("package main\nfunc main() {}\n")
    (tmp_path / "go.mod").write_text("module x\n")
    df = "FROM golang:1.22\nCOPY . .\nRUN go build -o /server .\nCMD [\"/server\"]\n"
    assert "/vendor" not in convert(df, tmp_path).text.split("FROM ")[-1]


def _converted(tmp_path, files: dict[str, str], dockerfile: str):
    make_context(tmp_path, files)
    result = convert(dockerfile, str(tmp_path))
    assert result.status == "converted", result.reason
    return result


def test_a_file_the_start_command_names_by_its_path_reaches_the_runtime(tmp_path):
    # `COPY template.html /` beside a global CLI: no copy of the app's folder holds it, and the
    # converted container stopped at `--template-file /template.html`
    result = _converted(tmp_path, {"template.html": "<html>{{marks}}</html>\n"},
                        "FROM node:20\nRUN npm install -g static-marks\nCOPY template.html /\nWORKDIR /marks\n"
                        'ENTRYPOINT ["static-marks"]\nCMD ["build", "--template-file=/template.html", "*"]\n')
    assert "COPY --from=builder /template.html /template.html\n" in result.text


def test_a_glob_copy_into_another_folder_does_not_hide_the_files_copied_into_usr_src(tmp_path):
    result = _converted(tmp_path, {"requirements.txt": "flask\n", "app.py": "print('hi')\n"},
                        "FROM python:3.12\nCOPY requirements*.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n"
                        "WORKDIR /usr/src\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n")
    assert "COPY --from=builder /usr/src/app.py /usr/src/app.py\n" in result.text


def test_a_key_the_start_command_names_stays_with_a_warning(tmp_path):
    result = _converted(tmp_path, {"key.pem": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"},
                        "FROM node:20\nRUN npm install -g http-server\nCOPY key.pem /certs/key.pem\nWORKDIR /site\n"
                        'CMD ["http-server", "-S", "-K", "/certs/key.pem"]\n')
    assert "COPY --from=builder /certs/key.pem /certs/key.pem\n" in result.text
    assert any("/certs/key.pem" in w and "stays in the runtime stage" in w for w in result.warnings), result.warnings


NODE_ELSEWHERE = ("FROM node:20\nWORKDIR /app\nCOPY package.json .\nRUN npm install\nCOPY server.js .\n{line}\n"
                  "CMD [\"node\", \"server.js\"]\n")


@pytest.mark.parametrize("line, carried", [
    ("COPY conf/shop.yaml /etc/shop/shop.yaml", "/etc/shop/shop.yaml"),
    ("COPY conf/shop.yaml /srv/settings.yaml", "/srv/settings.yaml"),            # renamed, outside system folders
    ("COPY conf/shop.yaml /etc/shop/settings.yaml", "/etc/shop/settings.yaml"),  # renamed to a file's name
    ("COPY conf/shop.yaml /etc/nginx/conf.d", None),     # into the base's conf.d folder
    ("COPY conf/shop.yaml /etc/shop/", "/etc/shop/shop.yaml"),                   # into a folder
    ("COPY shop.service /etc/systemd/system/", "/etc/systemd/system/shop.service"),
    # what served only the build stays behind
    ("COPY conf/shop.yaml /tmp/shop.yaml", None),
    ("COPY requirements.txt /srv/requirements.txt", None),
    ("COPY conf/shop.yaml /srv/shop.yaml\nRUN rm /srv/shop.yaml", None),
    ("COPY conf/pip.conf /etc/pip.conf", None),
    ("COPY conf/shop.yaml /etc/nginx", None),            # into the base's /etc/nginx folder, not a file there
    ("COPY conf/ /etc/shop/", None),                     # a folder: the app-folder rules decide
])
def test_a_file_copied_by_its_own_path_outside_the_app_folder_reaches_the_runtime(tmp_path, line, carried):
    make_context(tmp_path, {"package.json": "{}", "server.js": "require('fs')\n", "conf/shop.yaml": "a: 1\n",
                            "conf/pip.conf": "[global]\n", "lib/format.js": "//\n", "shop.service": "[Unit]\n",
                            "requirements.txt": "flask\n"})
    r = convert(NODE_ELSEWHERE.format(line=line), tmp_path)
    runtime = r.text.split("# runtime", 1)[1]
    copies = [a.dest for a in r.artifacts if a.why.startswith("a file the build copied from the context")]
    assert copies == ([carried] if carried else [])
    for dest in copies:
        # the user msb introduced may write what the root original could, outside the system's folders
        owner = "" if dest.startswith("/etc/") else "--chown=65532:65532 "
        assert f"COPY --from=builder {owner}{dest} {dest}" in runtime


def test_a_secret_copied_outside_the_app_folder_follows_the_secret_rule(tmp_path):
    # a key the app never reads stays out, and the report says so; one it reads stays, with a warning
    make_context(tmp_path, {"package.json": "{}", "server.js": "require('http')\n", "certs/tls.key": "KEY\n"})
    text = NODE_ELSEWHERE.format(line="COPY certs/tls.key /etc/shop/tls.key")
    r = convert(text, tmp_path)
    assert "/etc/shop/tls.key" not in r.text.split("# runtime", 1)[1]
    assert "/etc/shop/tls.key: left out, as a secret-looking file the app does not read" in r.decisions
    (tmp_path / "server.js").write_text("require('fs').readFileSync('/etc/shop/tls.key')\n")
    kept = convert(text, tmp_path)
    assert "COPY --from=builder /etc/shop/tls.key /etc/shop/tls.key" in kept.text
    assert any("tls.key" in w and "stays in the runtime stage" in w for w in kept.warnings)


def test_a_file_another_rule_copies_keeps_that_rules_reason(tmp_path):
    # the entrypoint script rule says why the runtime keeps a shell; this rule must not take it first
    make_context(tmp_path, {"requirements.txt": "flask\n", "app.py": "import flask\n",
                            "entrypoint.sh": "#!/bin/sh\nexec python app.py\n"})
    r = convert("FROM python:3.11\nWORKDIR /srv/app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
                "COPY . .\nCOPY entrypoint.sh /entrypoint.sh\nRUN chmod +x /entrypoint.sh\n"
                "ENTRYPOINT [\"/entrypoint.sh\"]\n", tmp_path)
    assert [a.why for a in r.artifacts if a.dest == "/entrypoint.sh"] == ["entrypoint script"]


@pytest.mark.parametrize("path, system", [
    ("/var/lib", True), ("/var/lib/dpkg", True), ("/var/lib/apt/lists", True), ("/var/lib/nginx", True),
    ("/var/lib/app", False), ("/var/lib/douban/provider", False),
])
def test_a_folder_under_var_lib_is_the_apps_unless_a_base_image_keeps_state_there(path, system):
    assert is_system_dir(path) is system
