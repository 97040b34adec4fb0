"""A runtime user msb introduces reads what the root original read and writes where it wrote: in
the image (an app under /root, folders its code or variables name) and in what a compose service
that runs the image mounts. Where msb cannot make that so, the runtime keeps root and says why."""
from __future__ import annotations

import pytest

from msbrewrite import Options, convert


def _write(tmp_path, files: dict[str, str]):
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def _stages(result) -> tuple[str, str]:
    assert result.status == "converted", result.reason
    builder, _, runtime = result.text.rpartition("\nFROM ")
    return builder, "FROM " + runtime


def _user(runtime: str) -> str | None:
    users = [line.split(None, 1)[1] for line in runtime.splitlines() if line.startswith("USER ")]
    return users[-1] if users else None


GO_MOD = "module example.com/svc\n\ngo 1.22\n"
PY_APP = ("FROM python:3.12-slim\nWORKDIR {workdir}\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
          "COPY . .\nCMD [\"python\", \"app.py\"]\n")
PY_FILES = {"requirements.txt": "flask\n", "app.py": "import flask\n"}


# ---------------------------------------------------------------- the app under /root

def test_an_app_under_root_is_reached_through_an_opened_root(tmp_path):
    result = convert(PY_APP.format(workdir="/root/app"), _write(tmp_path, PY_FILES))
    builder, runtime = _stages(result)
    assert "\nRUN mkdir -p /tmp/msb-reach/root && chmod 711 /tmp/msb-reach/root\n" in builder
    assert "COPY --from=builder --chown=10001:10001 /tmp/msb-runtime/root/ /root/\n" in runtime
    assert "COPY --from=builder /tmp/msb-reach/ /\n" in runtime
    assert _user(runtime) == "10001:10001"
    assert "the app lives under /root (mode 700): /root becomes 711 in the runtime, so the runtime user reaches it" \
        in result.decisions


def test_a_go_binary_under_root_on_distroless(tmp_path):
    text = "FROM golang:1.22\nWORKDIR /root/svc\nCOPY . .\nRUN go build -o server .\nCMD [\"./server\"]\n"
    result = convert(text, _write(tmp_path, {"go.mod": GO_MOD, "main.go": "package main\n\nfunc main() {}\n"}))
    _, runtime = _stages(result)
    assert runtime.startswith("FROM gcr.io/distroless/static-debian12:nonroot\n")
    assert "COPY --from=builder /tmp/msb-reach/ /\n" in runtime and _user(runtime) == "65532:65532"


def test_an_app_elsewhere_or_run_as_root_leaves_root_closed(tmp_path):
    result = convert(PY_APP.format(workdir="/app"), _write(tmp_path / "a", PY_FILES))
    assert "msb-reach" not in result.text
    as_root = PY_APP.format(workdir="/root/app").replace("CMD", "USER root\nCMD")
    assert "msb-reach" not in convert(as_root, _write(tmp_path / "b", PY_FILES)).text


# ---------------------------------------------------------------- folders the app writes

GO_APP = ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n{env}"
          "CMD [\"svc\"]\n")
GO_WRITES = ('package main\n\nimport (\n\t"os"\n\t"path/filepath"\n)\n\nfunc main() {\n'
             '\tf, _ := os.OpenFile("/log/app/log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)\n'
             '\tdefer f.Close()\n'
             '\tos.WriteFile(filepath.Join(os.Getenv("DATA_DIR"), "state.json"), []byte("{}"), 0o644)\n}\n')


def test_folders_the_code_and_its_variables_write_are_created_for_the_new_user(tmp_path):
    result = convert(GO_APP.format(env="ENV DATA_DIR=/data CACHE_DIR=/cache\n"),
                     _write(tmp_path, {"go.mod": GO_MOD, "main.go": GO_WRITES}))
    builder, runtime = _stages(result)
    assert "# folders the app writes, created so the runtime user owns them\nRUN mkdir -p /log/app /data\n" in builder
    assert "COPY --from=builder --chown=65532:65532 /log/app /log/app\n" in runtime
    assert "COPY --from=builder --chown=65532:65532 /data /data\n" in runtime
    assert "/cache /cache" not in runtime       # the app never reads CACHE_DIR
    assert _user(runtime) == "65532:65532"
    assert "the app writes in /log/app (main.go:9), /data (ENV DATA_DIR): created owned by 65532:65532, as a root " \
           "original could write there" in result.decisions


def test_without_the_context_a_variable_named_for_writing_counts(tmp_path):
    result = convert(GO_APP.format(env="ENV LOG_FILE=/var/log/svc/svc.log\n"))
    builder, runtime = _stages(result)
    assert "RUN mkdir -p /var/log/svc\n" in builder
    assert "COPY --from=builder --chown=65532:65532 /var/log/svc /var/log/svc\n" in runtime


def test_a_file_written_straight_into_a_system_folder_keeps_root(tmp_path):
    files = {**PY_FILES, "app.py": "import logging\n\nlogging.basicConfig(filename='/var/log/notes.log')\n"}
    result = convert(PY_APP.format(workdir="/app"), _write(tmp_path, files))
    _, runtime = _stages(result)
    assert _user(runtime) is None and "useradd" not in runtime
    assert "runtime runs as root, as the original did: the app writes in /var/log (app.py:3), a folder of the base " \
           "image that only root may write" in result.decisions


def test_writes_inside_the_app_folder_or_tmp_need_nothing(tmp_path):
    files = {**PY_FILES, "app.py": "open('/app/notes.txt', 'a').write('x')\nopen('/tmp/scratch', 'w')\n"}
    result = convert(PY_APP.format(workdir="/app"), _write(tmp_path, files))
    _, runtime = _stages(result)
    assert "# folders the app writes" not in result.text
    assert _user(runtime) == "10001:10001"


# ---------------------------------------------------------------- what compose mounts

def _compose(tmp_path, volumes: str, extra: str = "", files: dict | None = None):
    compose = f"services:\n  web:\n    build: .\n{extra}    volumes:\n{volumes}volumes:\n  storage:\n"
    return _write(tmp_path, {**PY_FILES, **(files or {}), "docker-compose.yml": compose})


def test_a_host_folder_of_root_only_keys_keeps_root(tmp_path):
    ctx = _compose(tmp_path, "      - /etc/letsencrypt:/etc/letsencrypt:ro\n      - /etc/localtime:/etc/localtime:ro\n")
    result = convert(PY_APP.format(workdir="/app"), ctx)
    _, runtime = _stages(result)
    assert _user(runtime) is None and "useradd" not in runtime
    assert "runtime runs as root, as the original did: docker-compose.yml service web (volume " \
           "/etc/letsencrypt:/etc/letsencrypt:ro) mounts the host's /etc/letsencrypt, whose owner and mode only the " \
           "host knows" in result.decisions


def test_a_writable_host_folder_keeps_root_and_readable_ones_do_not(tmp_path):
    result = convert(PY_APP.format(workdir="/app"), _compose(tmp_path / "a", "      - ./uploads:/app/uploads\n"))
    assert _user(_stages(result)[1]) is None
    assert any("mounts the host folder ./uploads, which the app may write" in d for d in result.decisions)
    readable = _compose(tmp_path / "b", "      - ./settings.yml:/app/settings.yml\n      - ./certs:/app/certs:ro\n"
                        "      - /etc/localtime:/etc/localtime:ro\n", files={"settings.yml": "a: 1\n"})
    assert _user(_stages(convert(PY_APP.format(workdir="/app"), readable))[1]) == "10001:10001"


def test_a_named_volume_gets_its_mount_point_owned_by_the_new_user(tmp_path):
    result = convert(PY_APP.format(workdir="/app"), _compose(tmp_path, "      - storage:/app/storage\n"))
    builder, runtime = _stages(result)
    assert "RUN mkdir -p /app/storage\n" in builder
    assert "COPY --from=builder --chown=10001:10001 /app/storage /app/storage\n" in runtime
    assert _user(runtime) == "10001:10001"


def test_a_mount_point_the_app_folder_already_brings_is_not_copied_twice(tmp_path):
    ctx = _compose(tmp_path, "      - storage:/app/storage\n", files={"storage/.keep": ""})
    assert "/app/storage" not in convert(PY_APP.format(workdir="/app"), ctx).text


def test_a_service_with_its_own_user_or_a_development_file_is_not_ours(tmp_path):
    own_user = _compose(tmp_path / "a", "      - /etc/letsencrypt:/etc/letsencrypt:ro\n", extra="    user: root\n")
    assert _user(_stages(convert(PY_APP.format(workdir="/app"), own_user))[1]) == "10001:10001"
    dev = _write(tmp_path / "b", {**PY_FILES, "docker-compose.dev.yml":
                                  "services:\n  web:\n    build: .\n    volumes:\n      - .:/app\n"})
    assert _user(_stages(convert(PY_APP.format(workdir="/app"), dev))[1]) == "10001:10001"


def test_non_root_asked_for_is_kept_with_a_warning(tmp_path):
    ctx = _compose(tmp_path, "      - /etc/letsencrypt:/etc/letsencrypt:ro\n")
    result = convert(PY_APP.format(workdir="/app"), ctx, Options(user="nonroot"))
    assert _user(_stages(result)[1]) == "10001:10001"
    assert any(w.startswith("runs as a non-root user as asked, though docker-compose.yml service web") for w in
               result.warnings), result.warnings


# ---------------------------------------------------------------- relative writes and made folders

PY_NO_WORKDIR = ("FROM python:3.12\nCOPY app/ /app/\nRUN pip install flask\nCMD [\"python\", \"/app/main.py\"]\n")


def _py_at_root(tmp_path, code: str):
    return convert(PY_NO_WORKDIR, _write(tmp_path, {"app/main.py": code}))


def test_a_relative_folder_lands_in_the_working_directory_root_without_a_workdir(tmp_path):
    result = _py_at_root(tmp_path, "import os\n\nif not os.path.exists('files'):\n    os.makedirs('files')\n")
    builder, runtime = _stages(result)
    assert "RUN mkdir -p /files\n" in builder
    assert "COPY --from=builder --chown=10001:10001 /files /files\n" in runtime
    assert "the app writes in /files (app/main.py:4): created owned by 10001:10001, as a root original could " \
           "write there" in result.decisions


def test_a_file_written_relative_to_a_root_working_directory_keeps_root(tmp_path):
    result = _py_at_root(tmp_path, "with open('visits.log', 'a') as f:\n    f.write('x')\n")
    _, runtime = _stages(result)
    assert _user(runtime) is None
    assert any(d.startswith("runtime runs as root, as the original did: the app writes in / (app/main.py:1)")
               for d in result.decisions)


def test_a_folder_made_by_a_call_that_fails_when_it_exists_needs_its_parent(tmp_path):
    # os.makedirs without exist_ok raises when msb has made the folder first: the app makes it in
    # its parent, so the parent is what the runtime user must own
    nested = _py_at_root(tmp_path / "a", "import os\n\nos.makedirs('/data/uploads')\n")
    builder, runtime = _stages(nested)
    assert "RUN mkdir -p /data\n" in builder and "/data/uploads" not in runtime
    at_top = _py_at_root(tmp_path / "b", "import os\n\nos.makedirs('/uploads')\n")
    assert _user(_stages(at_top)[1]) is None
    tolerant = _py_at_root(tmp_path / "c", "import os\n\nos.makedirs('/uploads', exist_ok=True)\n")
    builder, runtime = _stages(tolerant)
    assert "RUN mkdir -p /uploads\n" in builder and _user(runtime) == "10001:10001"


def test_relative_writes_inside_the_app_folder_need_nothing(tmp_path):
    files = {**PY_FILES, "app.py": "import os, sqlite3\n\nos.makedirs('uploads')\nsqlite3.connect('app.db')\n"
                                   "open('./out/report.txt', 'w')\n"}
    result = convert(PY_APP.format(workdir="/app"), _write(tmp_path, files))
    _, runtime = _stages(result)
    assert "# folders the app writes" not in result.text and _user(runtime) == "10001:10001"


# ---------------------------------------------------------------- what the README's docker run mounts

def test_a_host_folder_the_readme_mounts_keeps_root(tmp_path):
    readme = ("# Drop box\n\n```sh\ndocker build -t dropbox .\ndocker run -p 3000:3000 \\\n"
              "  -v $(pwd)/local_uploads:/app/uploads -e PIN=1234 dropbox\n```\n")
    result = convert(PY_APP.format(workdir="/app"), _write(tmp_path, {**PY_FILES, "README.md": readme}))
    assert _user(_stages(result)[1]) is None
    assert any("README.md `docker run` (volume $(pwd)/local_uploads:/app/uploads) mounts the host folder "
               "$(pwd)/local_uploads, which the app may write" in d for d in result.decisions)


@pytest.mark.parametrize("name, text, shown", [
    ("deploy.sh", '#!/bin/sh\ndocker build -t box .\ndocker run -d --volume "$(pwd)/queue":/app/queue box\n',
     "$(pwd)/queue"),
    ("Makefile", "run:\n\tdocker run --rm -v $$(pwd)/queue:/app/queue box\n", "$(pwd)/queue"),
])
def test_a_host_folder_a_top_level_script_mounts_keeps_root(tmp_path, name, text, shown):
    result = convert(PY_APP.format(workdir="/app"), _write(tmp_path, {**PY_FILES, name: text}))
    assert _user(_stages(result)[1]) is None
    assert any(f"{name} `docker run` (volume {shown}:/app/queue) mounts the host folder" in d
               for d in result.decisions)


def test_a_script_inside_a_folder_is_not_how_the_project_runs_it(tmp_path):
    text = "docker run -v $(pwd)/queue:/app/queue box\n"
    result = convert(PY_APP.format(workdir="/app"), _write(tmp_path, {**PY_FILES, "tools/dev.sh": text}))
    assert _user(_stages(result)[1]) == "10001:10001"


def test_a_named_volume_the_readme_mounts_is_made_for_the_new_user(tmp_path):
    readme = "Run it:\n\n    docker run --rm -v notes:/app/notes notes-app\n"
    result = convert(PY_APP.format(workdir="/srv"), _write(tmp_path, {**PY_FILES, "README.md": readme}))
    builder, runtime = _stages(result)
    assert "RUN mkdir -p /app/notes\n" in builder and _user(runtime) == "10001:10001"


def test_a_compose_bind_from_a_variable_path_is_a_host_folder(tmp_path):
    result = convert(PY_APP.format(workdir="/app"), _compose(tmp_path, "      - ${PWD}/data:/app/data\n"))
    assert _user(_stages(result)[1]) is None


def test_a_compose_file_at_the_repository_root_that_builds_this_folder_is_read(tmp_path):
    # the usual monorepo: compose.yml at the root builds ./api and mounts a host file the app writes,
    # its path given by a variable alone; without the repository's .git the folders above stay unread
    app = {"api/" + rel: text for rel, text in PY_FILES.items()}
    compose = "services:\n  web:\n    build:\n      context: ./api\n    volumes:\n      - ${NOTES_DB}:/app/data\n"
    _write(tmp_path, {**app, "docker-compose.yml": compose})
    stranger = convert(PY_APP.format(workdir="/app"), tmp_path / "api")
    assert _user(_stages(stranger)[1]) == "10001:10001"
    (tmp_path / ".git").mkdir()
    result = convert(PY_APP.format(workdir="/app"), tmp_path / "api")
    assert _user(_stages(result)[1]) is None
    assert any(d.startswith("runtime runs as root, as the original did: ../docker-compose.yml service web "
                            "(volume ${NOTES_DB}:/app/data)") for d in result.decisions), result.decisions


def test_a_volume_the_root_original_wrote_is_said_to_need_handing_over(tmp_path):
    result = convert(PY_APP.format(workdir="/app"), _compose(tmp_path, "      - storage:/app/storage\n"))
    assert any(w.startswith("a volume at /app/storage that the original (root) already wrote keeps files only "
                            "root may write") and "chown -R 10001 /app/storage" in w for w in result.warnings)
    declared = PY_APP.format(workdir="/app").replace("CMD", "VOLUME /var/lib/notes\nCMD")
    result = convert(declared, _write(tmp_path / "v", PY_FILES))
    assert any(w.startswith("a volume at /var/lib/notes that the original (root)") for w in result.warnings)


def test_a_relative_volume_is_mounted_from_the_root(tmp_path):
    # Docker mounts `VOLUME [ "app/data" ]` at /app/data whatever the WORKDIR
    declared = PY_APP.format(workdir="/srv").replace("CMD", 'VOLUME [ "app/data" ]\nCMD')
    result = convert(declared, _write(tmp_path, PY_FILES))
    _, runtime = _stages(result)
    assert "--chown=10001:10001 /app/data /app/data" in runtime
    assert any(w.startswith("a volume at /app/data that the original (root)") for w in result.warnings)


GLOBAL_CLI = "FROM node:20\nRUN npm install -g json-server\nWORKDIR /data\n{copy}ENTRYPOINT json-server {file} -H 0.0.0.0\n"


def test_a_working_folder_the_image_leaves_empty_for_a_named_data_file_is_a_mount(tmp_path):
    _write(tmp_path, {"package.json": '{"dependencies": {"json-server": "0.17.4"}}', ".gitignore": "db.json\n"})
    result = convert(GLOBAL_CLI.format(copy="", file="db.json"), str(tmp_path))
    _, runtime = _stages(result)
    assert _user(runtime) is None, runtime
    assert ("runtime runs as root, as the original did: the app's working directory /data gets db.json from a "
            "mount at run time (no line of the build puts it in the image), and the host decides who may write "
            "there") in result.decisions
    # the project file the image never received is not copied either, and the global CLI stays
    assert "package.json" not in runtime and 'ENTRYPOINT ["json-server", "db.json", "-H", "0.0.0.0"]' in runtime


def test_a_data_file_the_image_has_or_makes_is_no_mount(tmp_path):
    _write(tmp_path, {"db.json": "{}"})
    copied = convert(GLOBAL_CLI.format(copy="COPY db.json .\n", file="db.json"), str(tmp_path))
    made = convert(GLOBAL_CLI.format(copy="RUN echo '{}' > seed.json\n", file="seed.json"), str(tmp_path))
    for result in (copied, made):
        assert not any("from a mount at run time" in d for d in result.decisions), result.decisions
        assert _user(_stages(result)[1]) not in (None, "root", "0")


def test_folders_the_start_command_names_for_data_are_made_for_the_new_user(tmp_path):
    _write(tmp_path, {"go.mod": GO_MOD, "main.go": "package main\n\nfunc main() {}\n"})
    go = ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n"
          'CMD ["/usr/local/bin/svc", "--data=/data", "--db", "/srv/state/app.db", "--log-file=/var/log/svc/out.log",'
          ' "--config=/cfg/app.yml", "--data-dir", "relative/path"]\n')
    result = convert(go, str(tmp_path))
    # a config file is read, not written; a relative path is the app's own folder
    assert ("the app writes in /data (the start command's --data), /srv/state (the start command's --db), "
            "/var/log/svc (the start command's --log-file): created owned by 65532:65532, as a root original could "
            "write there") in result.decisions, result.decisions


def test_an_object_saved_to_a_path_is_a_write(tmp_path):
    # Werkzeug's upload.save(), Pillow's image.save(): a relative path lands in the working folder
    _write(tmp_path, {"requirements.txt": "flask\n",
                      "app.py": "def upload(f):\n    f.save('/srv/inbox/' + f.filename)\n"
                                "def thumb(img):\n    img.save('thumbs/small.png')\n"})
    result = convert(PY_APP.format(workdir="/app"), str(tmp_path))
    assert any(d.startswith("the app writes in /srv/inbox (app.py:2)") for d in result.decisions), result.decisions
