"""The user the runtime stage really runs as matches what the report says it decided.

A runtime that claims "runs as root" must not pick a `:nonroot` image tag without an explicit
USER, and a non-root decision must not leave the image's root default in place.
"""
from __future__ import annotations

import re

import pytest

from msbrewrite import convert
from msbrewrite.model.analysis import is_root_user
from msbrewrite.model.dockerfile import parse
from snapshots import cases, run_case

# default USER of runtime images, from their image configuration
IMAGE_DEFAULT_USERS = {":nonroot": "65532", ":debug-nonroot": "65532"}
UNPRIVILEGED_IMAGES = ("nginx-unprivileged", "nginxinc/nginx-unprivileged")


def effective_user(text: str) -> str:
    final = parse(text).stages[-1]
    users = [i.args.strip() for i in final.instructions if i.keyword == "USER"]
    if users:
        return users[-1]
    image = final.image.split("@")[0]
    if any(u in image for u in UNPRIVILEGED_IMAGES):
        return "101"
    for tag, user in IMAGE_DEFAULT_USERS.items():
        if image.endswith(tag):
            return user
    return "root"


def converted_cases():
    out = []
    for case in cases():
        text, result = run_case(case)
        if result.status == "converted":
            out.append(pytest.param(text, result, id=case.name))
    return out


@pytest.mark.parametrize("text, result", converted_cases())
def test_runtime_user_matches_the_decision(text, result):
    user = effective_user(result.text)
    says_root = any(re.search(r"\bas root\b", d) for d in result.decisions)
    says_nonroot = any(re.search(r"runtime (runs as|keeps numeric USER)|runs as uid \d", d) for d in result.decisions)
    if says_root:
        assert is_root_user(user), (user, result.decisions)
    elif says_nonroot:
        assert not is_root_user(user), (user, result.decisions)
    else:   # no decision about the user: it is the original's
        assert is_root_user(user) == is_root_user(effective_user(text)), (user, result.decisions)


@pytest.mark.parametrize("text, result", converted_cases())
def test_users_msb_introduces_are_numeric(text, result):
    """Kubernetes' runAsNonRoot can only verify a numeric USER: a user the original never named is
    written as uid:gid; one it named keeps its name."""
    original = [i.args.strip() for i in parse(text).stages[-1].instructions if i.keyword == "USER"]
    final = [i.args.strip() for i in parse(result.text).stages[-1].instructions if i.keyword == "USER"]
    if not final or is_root_user(final[-1]):
        return
    if original:
        kept_uid = any("the uid and gid of the original's user" in d for d in result.decisions)
        assert final[-1] in (original[-1], original[-1].split(":")[0], "65532:65532") or \
            kept_uid and re.fullmatch(r"\d+:\d+", final[-1]), (original, final)
    else:
        assert re.fullmatch(r"\d+:\d+", final[-1]), final


PY_APP = ("FROM python:3.12-slim\nWORKDIR /app\n{create}COPY requirements.txt .\nRUN pip install -r requirements.txt\n"
          "COPY . .\n{user}CMD [\"python\", \"app.py\"]\n")


def _runtime(text: str) -> str:
    from msbrewrite import convert
    result = convert(text)
    assert result.status == "converted", result.reason
    return result.text.split("\nFROM ")[-1]


@pytest.mark.parametrize("user", ["svc", "svc:svc"])
def test_the_originals_account_commands_are_replayed_so_uids_match(user):
    text = PY_APP.format(create="RUN groupadd -g 1001 svc && useradd -u 1001 -g svc -m svc && chown -R svc /app\n",
                         user=f"USER {user}\n")
    runtime = _runtime(text)
    assert "RUN groupadd -g 1001 svc \\\n    && useradd -u 1001 -g svc -m svc\n" in runtime
    assert "chown" not in runtime       # only account commands: /app does not exist yet at that point
    assert runtime.rstrip().splitlines()[-2] == f"USER {user}"


@pytest.mark.parametrize("create", [
    "ARG UID=1001\nRUN useradd -u $UID svc\n",          # a variable the runtime stage lacks
    "RUN adduser --disabled-password svc\n",            # Debian's adduser: not in every slim image
])
def test_account_commands_that_might_not_run_are_not_replayed(create):
    runtime = _runtime(PY_APP.format(create=create, user="USER svc\n"))
    assert ("RUN groupadd --gid 10001 svc \\\n    && useradd --uid 10001 --gid svc --no-log-init --no-create-home "
            "--home-dir /home/svc svc \\\n    && install -d -o 10001 -g 10001 /home/svc") in runtime
    assert "USER svc" in runtime


def test_a_user_msb_creates_is_numeric():
    runtime = _runtime(PY_APP.format(create="", user=""))
    assert "useradd --uid 10001" in runtime and "USER 10001:10001" in runtime


def test_distroless_and_node_users_are_numeric():
    go = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD [\"/out/app\"]\n"
    assert "USER 65532:65532" in _runtime(go)
    node = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"
    from msbrewrite import Options, convert
    assert "USER 1000:1000" in convert(node, options=Options(runtime="slim")).text


def test_an_account_msb_recreates_with_a_new_uid_owns_what_the_original_gave_it():
    # Debian's adduser is not replayed, so svc gets uid 10001: the builder's files belong to the old uid
    text = PY_APP.format(create="RUN adduser -u 5678 --disabled-password svc && chown -R svc /app\n",
                         user="USER svc\n")
    runtime = _runtime(text)
    assert "useradd --uid 10001" in runtime
    assert re.search(r"COPY --from=builder --chown=svc:svc /tmp/msb-runtime/ /\n", runtime), runtime


def test_a_replayed_account_keeps_the_builders_ownership():
    text = PY_APP.format(create="RUN useradd -u 1001 svc && chown -R svc /app\n", user="USER svc\n")
    assert "COPY --from=builder /tmp/msb-runtime/ /\n" in _runtime(text)


START = "#!/bin/sh\nset -e\n{body}\nexec \"$@\"\n"
ENTRY_APP = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
             "COPY . .\nRUN useradd --system svc\n{user}ENTRYPOINT [\"{script}\"]\nCMD [\"python\", \"app.py\"]\n")


def _convert_with(tmp_path, body: str, user: str = "", script: str = "./start.sh"):
    from conftest import make_context

    from msbrewrite import convert
    make_context(tmp_path, {"requirements.txt": "flask\n", "app.py": "print(1)\n", "start.sh": START.format(body=body)})
    result = convert(ENTRY_APP.format(user=user, script=script), tmp_path)
    assert result.status == "converted", result.reason
    return result


@pytest.mark.parametrize("body", [
    "chown -R svc /app/data\nexec gosu svc \"$@\"",
    "exec su-exec svc \"$@\"",
    "exec su svc -s /bin/sh -c \"$*\"",
    "  [ \"$(id -u)\" = 0 ] && exec setpriv --reuid=svc --regid=svc --clear-groups \"$@\"",
    "usermod -u \"$PUID\" svc",
])
def test_an_entrypoint_script_that_switches_user_itself_starts_as_root(tmp_path, body):
    result = _convert_with(tmp_path, body)
    runtime = result.text.split("\nFROM ")[-1]
    assert is_root_user(effective_user(result.text)), runtime
    assert any("the entrypoint script ./start.sh needs it" in d for d in result.decisions)
    assert "RUN useradd --system svc\n" in runtime     # the account the script switches to exists


@pytest.mark.parametrize("body, user", [
    ("# chown -R svc /app (done by the orchestrator)\necho starting", ""),    # a comment is not a command
    ("echo \"suspended: $SUSPEND\"", ""),
    ("exec gosu svc \"$@\"", "USER svc\n"),     # the original already ran as svc: nothing changes
])
def test_other_entrypoint_scripts_do_not_keep_root(tmp_path, body, user):
    result = _convert_with(tmp_path, body, user)
    assert not is_root_user(effective_user(result.text))
    assert not any("entrypoint script" in d and "needs it" in d for d in result.decisions)


@pytest.mark.parametrize("start, tool", [
    ('CMD su svc -c "gunicorn -b 0.0.0.0:8080 app:app"', "su"),
    ('CMD ["gosu", "svc", "python", "app.py"]', "gosu"),
    ('CMD ["uwsgi", "--ini", "uwsgi.ini", "--uid", "svc"]', "uwsgi"),       # the server drops to svc itself
    ('CMD gunicorn --user=svc -b 0.0.0.0:8080 app:app', "gunicorn"),
])
def test_a_start_command_that_drops_to_another_account_starts_as_root(start, tool):
    # the root original switched to svc at start: as uid 10001, `su` asks for a password and svc
    # did not exist in the runtime
    result = convert("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install flask gunicorn\n"
                     f"RUN useradd --system svc\n{start}\n")
    runtime = result.text.split("\nFROM ")[-1]
    assert is_root_user(effective_user(result.text)), runtime
    assert any(d.startswith(f"runtime runs as root, as the original did: the CMD line needs it (it runs `{tool}`")
               for d in result.decisions), result.decisions
    assert "RUN useradd --system svc\n" in runtime


@pytest.mark.parametrize("body", ["nginx", "service nginx start", "/usr/sbin/sshd", "cron"])
def test_an_entrypoint_script_that_starts_a_system_daemon_starts_as_root(tmp_path, body):
    # the packaged nginx binds port 80 and writes /run and /var/log: a new user stops it at start
    result = _convert_with(tmp_path, body)
    assert is_root_user(effective_user(result.text))
    assert any("which needs root" in d for d in result.decisions)


@pytest.mark.parametrize("cmd, root", [
    ("CMD nginx && gunicorn -b 127.0.0.1:5000 app:app", True),
    ('CMD ["sh", "-c", "nginx; exec gunicorn app:app"]', True),
    ("CMD gunicorn -b 0.0.0.0:5000 app:app", False),
])
def test_a_start_line_that_starts_a_system_daemon_starts_as_root(cmd, root):
    from msbrewrite import convert
    text = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y nginx\nWORKDIR /app\n"
            "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n" + cmd + "\n")
    result = convert(text)
    assert result.status == "converted", result.reason
    assert is_root_user(effective_user(result.text)) == root, result.decisions


GO_USER = ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n{accounts}"
           "USER {user}\nCMD [\"/usr/local/bin/svc\"]\n")


@pytest.mark.parametrize("accounts, user, runs_as", [
    ("RUN groupadd -g 2000 svc && useradd -u 2000 -g svc svc\n", "svc", "2000:2000"),
    ("RUN useradd --uid 1500 --gid 1600 svc\n", "svc:1600", "1500:1600"),
    ("RUN addgroup -g 3000 -S svc && adduser -S -u 3000 -G svc svc\n", "svc", "3000:3000"),
    ("RUN useradd svc\n", "svc", "65532:65532"),        # a uid the build picks: not known here
])
def test_a_distroless_runtime_keeps_the_uid_of_the_user_the_original_named(tmp_path, accounts, user, runs_as):
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    result = convert(GO_USER.format(accounts=accounts, user=user), str(tmp_path))
    assert result.status == "converted", result.reason
    assert effective_user(result.text) == runs_as, result.decisions


@pytest.mark.parametrize("grant, owner", [
    ("RUN mkdir data && chgrp -R 0 data && chmod -R g=u data\n", "10001:0"),
    ("RUN mkdir data && chown -R 1001:0 data && chmod -R g+rwX data\n", "10001:0"),
    ("RUN mkdir data && chown -R :root data\n", "10001:0"),
    ("RUN mkdir data && chown -R root:root data\n", "10001:10001"),     # root's own: no signal
    ("RUN mkdir data && chmod 777 data\n", "10001:10001"),
])
def test_files_given_to_the_root_group_keep_group_zero(grant, owner):
    runtime = _runtime(PY_APP.format(create="", user="").replace("COPY . .\n", "COPY . .\n" + grant))
    assert f"COPY --from=builder --chown={owner} /tmp/msb-runtime/ /" in runtime
    assert "USER 10001:10001" in runtime


@pytest.mark.parametrize("cmd", [
    'CMD ["supervisord", "-c", "/etc/supervisor/supervisord.conf", "--nodaemon"]',
    "CMD python manage.py migrate && gunicorn app.wsgi; supervisord -n -c /etc/supervisor/supervisord.conf",
])
def test_supervisord_in_the_start_keeps_root(cmd):
    # its packaged configuration logs to /var/log/supervisor and listens under /var/run
    text = ("FROM python:3.12\nRUN apt-get update && apt-get install -y supervisor\nWORKDIR /app\n"
            "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n" + cmd + "\n")
    result = convert(text)
    assert result.status == "converted", result.reason
    runtime = result.text.split("\nFROM ")[-1]
    assert "USER " not in runtime, runtime
    assert any("starts supervisord, which needs root" in d for d in result.decisions), result.decisions
