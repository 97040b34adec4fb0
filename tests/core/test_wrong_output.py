"""Conversions whose output built but ran wrongly: each test names the input that used to come out
silently broken and checks what the converted image would really do."""
from __future__ import annotations

import pytest

from msbrewrite import convert
from msbrewrite.model.dockerfile import parse


def runtime(text: str):
    return parse(text).stages[-1]


def runtime_of(dockerfile: str, context=None, options=None):
    result = convert(dockerfile, context, options)
    assert result.status == "converted", result.reason
    return result, runtime(result.text)


def final(stage, keyword: str):
    found = [i for i in stage.instructions if i.keyword == keyword]
    return found[-1] if found else None


# ------------------------------------------------------------------ `exec` in a shell-form command

EXEC_CASES = {
    "go": ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app/server .\n"
           "CMD exec /app/server --port 8080\n", ["/app/server", "--port", "8080"]),
    # plain node, like `CMD node server.js`: distroless, whose ENTRYPOINT is node
    "node": ("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD exec node server.js\n",
             ["server.js"]),
    "java": ("FROM maven:3-eclipse-temurin-17\nWORKDIR /src\nCOPY . .\nRUN mvn -B package\n"
             "CMD exec java -jar target/app.jar\n", ["java", "-jar", "target/app.jar"]),
    "rust": ("FROM rust:1.75\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n"
             "CMD exec ./target/release/app\n", ["/usr/local/bin/app"]),
}


@pytest.mark.parametrize("language", sorted(EXEC_CASES))
def test_exec_is_dropped_from_a_command_turned_into_exec_form(language):
    text, argv = EXEC_CASES[language]
    _, stage = runtime_of(text)
    assert final(stage, "CMD").json_args == argv


def test_exec_stays_when_the_command_keeps_a_shell():
    _, stage = runtime_of("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
                          "CMD exec node server.js --port $PORT\n")
    assert final(stage, "CMD").args == "exec node server.js --port $PORT"


# ------------------------------------------------------------------ `cd X &&` at start-up

NODE_CD = "FROM node:20\n{env}WORKDIR /src\nCOPY . .\nRUN npm ci\nCMD cd {target} && node server.js\n"


@pytest.mark.parametrize("target", ["~", "$APP_HOME", "${APP_HOME:-/srv}", "'/my dir'", "/srv/*"])
def test_a_cd_only_the_shell_can_resolve_stays_in_the_command(target):
    _, stage = runtime_of(NODE_CD.format(env="", target=target))
    assert final(stage, "CMD").args == f"cd {target} && node server.js"
    assert final(stage, "WORKDIR").args == "/src"


def test_a_cd_into_a_variable_the_image_sets_becomes_its_workdir():
    _, stage = runtime_of(NODE_CD.format(env="ENV APP_HOME=/srv/web\n", target="$APP_HOME"))
    assert final(stage, "WORKDIR").args == "/srv/web"
    assert final(stage, "CMD").json_args == ["node", "server.js"]


def test_a_cd_into_a_literal_path_still_becomes_the_workdir():
    _, stage = runtime_of(NODE_CD.format(env="", target="web"))
    assert final(stage, "WORKDIR").args == "/src/web"
    assert final(stage, "CMD").json_args == ["node", "server.js"]


# ------------------------------------------------------------------ ENV values msb re-emits

def docker_env(text: str) -> dict[str, str]:
    """The environment Docker's parser gives the runtime stage (dockerfile-parse reads the last stage)."""
    import io

    from dockerfile_parse import DockerfileParser
    parser = DockerfileParser(fileobj=io.BytesIO())
    parser.content = text
    return parser.envs


TRICKY_ENV = ("PRICE='$5 each' GREET='hello $HOME' ESC=\\$HOME NAME=\"café\" U=é WIN=\"C:\\path\" "
              "BS=a\\\\b Q='it'\"'\"'s' EMPTY=''")
TRICKY_VALUES = {"PRICE": "$5 each", "GREET": "hello $HOME", "ESC": "$HOME", "NAME": "café", "U": "é",
                 "WIN": "C:\\path", "BS": "a\\b", "Q": "it's", "EMPTY": ""}


def test_an_env_line_split_by_msb_keeps_every_value():
    # CGO_ENABLED is build-only: the runtime gets the other variables of the line on their own
    result, stage = runtime_of("FROM golang:1.22\nENV HOME=/root\n"
                               f"ENV CGO_ENABLED=0 {TRICKY_ENV}\nWORKDIR /src\nCOPY . .\n"
                               "RUN go build -o /app/server .\nCMD [\"/app/server\"]\n")
    env = docker_env(result.text)
    assert "CGO_ENABLED" not in env
    assert {k: env.get(k) for k in TRICKY_VALUES} == TRICKY_VALUES


def test_an_env_line_cut_around_a_secret_keeps_every_other_value():
    result, _ = runtime_of("FROM golang:1.22\nENV HOME=/root\n"
                           f"ENV DATABASE_URL=postgres://app:hunter2@db/app {TRICKY_ENV}\nWORKDIR /src\nCOPY . .\n"
                           "RUN go build -o /app/server .\nCMD [\"/app/server\"]\n")
    env = docker_env(result.text)
    assert "DATABASE_URL" not in env
    assert {k: env.get(k) for k in TRICKY_VALUES} == TRICKY_VALUES


def test_a_split_env_line_keeps_its_meaning_under_a_backtick_escape():
    result, stage = runtime_of("# escape=`\nFROM golang:1.22\nENV CGO_ENABLED=0 WIN=C:\\dir TICK=a`$b `\n"
                               "    PRICE=\"$5 each\"\nWORKDIR /src\nCOPY . .\nRUN go build -o /app/server .\n"
                               "CMD [\"/app/server\"]\n")
    assert final(stage, "ENV").args == "WIN=C:\\dir TICK=a`$b PRICE=\"$5 each\""


def test_a_start_script_variable_with_blanks_and_backslashes_reaches_the_runtime(tmp_path):
    from conftest import make_context
    ctx = make_context(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"cross-env": "7"}, "scripts": {"start": '
                        '"cross-env GREETING=\'hello world\' WIN=C:\\\\\\\\dir Q=\\"it\'s\\" node server.js"}}',
        "package-lock.json": "{}", "server.js": ""})
    result, _ = runtime_of("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"start\"]\n", ctx)
    env = docker_env(result.text)
    assert {k: env.get(k) for k in ("GREETING", "WIN", "Q")} == {"GREETING": "hello world", "WIN": "C:\\dir",
                                                                 "Q": "it's"}


@pytest.mark.parametrize("value", ["plain", "", "a b", "$5 each", "hello $HOME", "${X:-y}", "C:\\path", "a\\",
                                   "é", "it's", 'say "hi"', "`id`", "a'b\"c$d\\e", "--opt=1 x"])
def test_env_value_reads_back_as_the_same_value(value):
    from msbrewrite.model.quoting import env_value
    assert docker_env(f"FROM x\nENV HOME=/root X=1\nENV K={env_value(value)}\n")["K"] == value


# ------------------------------------------------------------------ SHELL for shell-form commands

BASH_GO = ("FROM {image}\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nWORKDIR /src\nCOPY . .\n"
           "RUN go build -o /app/server .\nCMD source /etc/profile && [[ -x /app/server ]] && /app/server\n")


def test_a_bash_shell_form_command_keeps_its_shell_in_the_runtime():
    _, stage = runtime_of(BASH_GO.format(image="golang:1.22"))
    assert final(stage, "SHELL").json_args == ["/bin/bash", "-o", "pipefail", "-c"]
    keywords = [i.keyword for i in stage.instructions]
    assert keywords.index("SHELL") < keywords.index("CMD")
    assert "debian" in stage.image      # a base that has bash


def test_an_alpine_runtime_installs_the_bash_its_shell_names():
    _, stage = runtime_of(BASH_GO.format(image="golang:1.22-alpine"))
    assert stage.image.startswith("alpine")
    run = " ".join(i.args for i in stage.instructions if i.keyword == "RUN")
    assert "apk add --no-cache bash" in run
    keywords = [i.keyword for i in stage.instructions]
    assert keywords.index("RUN") < keywords.index("SHELL")     # msb's own setup runs before bash is the shell


def test_a_shell_health_probe_keeps_its_shell():
    _, stage = runtime_of("FROM node:20\nSHELL [\"/bin/bash\", \"-c\"]\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
                          "HEALTHCHECK CMD [[ -f /tmp/ready ]] || exit 1\nCMD [\"node\", \"server.js\"]\n")
    assert final(stage, "SHELL").json_args == ["/bin/bash", "-c"]


def test_an_exec_form_command_carries_no_shell():
    _, stage = runtime_of("FROM golang:1.22\nSHELL [\"/bin/bash\", \"-c\"]\nWORKDIR /src\nCOPY . .\n"
                          "RUN go build -o /app/server .\nCMD [\"/app/server\"]\n")
    assert final(stage, "SHELL") is None
    assert "distroless" in stage.image


# ------------------------------------------------------------------ ARG scope and ${VAR:-default}

def test_a_global_arg_not_redeclared_in_the_stage_is_not_redeclared_in_the_runtime():
    result, stage = runtime_of("ARG VERSION=1.0\nFROM golang:1.22\nENV APP_VERSION=$VERSION MODE=prod\n"
                               "WORKDIR /src\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n")
    assert final(stage, "ARG") is None
    assert docker_env(result.text)["APP_VERSION"] == ""     # as in the original stage


def test_a_global_arg_redeclared_in_the_stage_keeps_its_default():
    result, stage = runtime_of("ARG VERSION=1.0\nFROM golang:1.22\nARG VERSION\nENV APP_VERSION=$VERSION\n"
                               "WORKDIR /src\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n")
    assert final(stage, "ARG").args == "VERSION=1.0"


def test_a_workdir_defaulting_past_an_invisible_global_arg_uses_the_default():
    _, stage = runtime_of("ARG APP_DIR=/opt/app\nFROM golang:1.22\nWORKDIR ${APP_DIR:-/srv/app}\nCOPY . .\n"
                          "RUN go build -o server .\nCMD [\"./server\"]\n")
    assert final(stage, "WORKDIR").args == "/srv/app"
    assert [i.args for i in stage.instructions if i.keyword == "COPY"][0].endswith("/srv/app/server /srv/app/server")


def test_a_build_output_with_a_default_expansion_is_resolved():
    _, stage = runtime_of("FROM golang:1.22\nARG OUT\nWORKDIR /src\nCOPY . .\nRUN go build -o ${OUT:-/app}/server .\n"
                          "CMD [\"/app/server\"]\n")
    assert [i.args for i in stage.instructions if i.keyword == "COPY"][0] == "/app/server /app/server"


@pytest.mark.parametrize("out", ["${OUTDIR:-/app}", "$OUTDIR"])
def test_a_build_output_behind_an_unknown_variable_is_refused(out):
    result = convert(f"FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o {out}/server .\n"
                     "CMD [\"/app/server\"]\n")
    assert result.status == "refused" and result.reason_code == "unresolved-variable"


# ------------------------------------------------------------------ USER uid:group

def test_a_numeric_uid_with_a_named_group_keeps_the_group_and_creates_it():
    _, stage = runtime_of("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER 1000:docker\n"
                          "CMD [\"npm\", \"start\"]\n")
    assert final(stage, "USER").args == "1000:docker"
    runs = [i.args for i in stage.instructions if i.keyword == "RUN"]
    assert "grep -q '^docker:' /etc/group || groupadd docker" in runs
    assert not any("useradd" in r for r in runs)     # no account named "1000"


def test_the_group_is_made_with_the_originals_own_command_on_the_same_family():
    _, stage = runtime_of("FROM golang:1.22-alpine\nWORKDIR /src\nCOPY . .\n"
                          "RUN go build -o /app/server . && addgroup -g 999 docker\nUSER 1000:docker\n"
                          "CMD [\"/bin/sh\", \"-c\", \"/app/server\"]\n")
    assert "grep -q '^docker:' /etc/group || addgroup -g 999 docker" in \
        [i.args for i in stage.instructions if i.keyword == "RUN"]
    assert final(stage, "USER").args == "1000:docker"


# ------------------------------------------------------------------ mirror option

@pytest.mark.parametrize("mirror", ["Registry.Example.com/Hub", "reg:", "a:b:c", "r.example.com/a//b", "my Org"])
def test_a_mirror_docker_cannot_parse_is_a_usage_error(mirror, tmp_path):
    from msbrewrite.core.config import ConfigError, find
    from msbrewrite.model.options import Options
    result = convert("FROM golang:1.22\nRUN go build -o /s .\nCMD [\"/s\"]\n", None, Options(mirror=mirror))
    assert (result.status, result.reason_code, result.exit_code) == ("refused", "bad-option", 2)
    assert "\n" not in result.reason
    (tmp_path / ".git").mkdir()
    (tmp_path / ".msb.toml").write_text(f'mirror = "{mirror}"\n')
    with pytest.raises(ConfigError, match="mirror"):
        find(tmp_path)


@pytest.mark.parametrize("mirror", ["registry.example.com/hub", "localhost:5000", "REG.example.com/team_a/hub",
                                    "mirror.gcr.io", "myorg", "r.example.com:443/"])
def test_a_valid_mirror_prefixes_the_runtime_image(mirror):
    from msbrewrite.model.options import Options
    _, stage = runtime_of("FROM golang:1.22\nRUN go build -o /s .\nCMD [\"/s\"]\n", None, Options(mirror=mirror))
    assert stage.image.startswith(mirror.rstrip("/") + "/")


# ------------------------------------------------------------------ generated lines within BuildKit's limit

def test_thousands_of_volumes_make_several_mkdir_lines_each_within_the_limit():
    volumes = "".join(f"VOLUME /data/volume-number-{i:05d}\n" for i in range(9990))
    result, stage = runtime_of(f"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n{volumes}CMD [\"node\", \"server.js\"]\n")
    mkdirs = [i for i in parse(result.text).stages[0].instructions
              if i.keyword == "RUN" and i.args.startswith("mkdir -p /data/")]
    assert len(mkdirs) > 1
    assert max(len(line.encode()) for line in result.text.splitlines()) < 65_535
    made = [w for i in mkdirs for w in i.args.split()[2:]]
    assert made == [f"/data/volume-number-{i:05d}" for i in range(9990)]


# ------------------------------------------------------------------ COPY --parents

GO_FILES = {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n",
            "config/app.yaml": "x: 1\n"}


@pytest.mark.parametrize("copy, path", [("config/app.yaml /etc/", "/etc/config/app.yaml"),
                                        ("./config/./app.yaml /etc/", "/etc/app.yaml"),
                                        ("config/app.yaml /etc", "/etc/config/app.yaml")])
def test_a_file_copied_with_parents_that_the_command_names_reaches_the_runtime(tmp_path, copy, path):
    from conftest import make_context
    ctx = make_context(tmp_path, GO_FILES)
    _, stage = runtime_of("FROM golang:1.22\nWORKDIR /src\nCOPY go.mod main.go ./\nRUN go build -o /app/server .\n"
                          f"COPY --parents {copy}\nCMD [\"/app/server\", \"-config\", \"{path}\"]\n", ctx)
    assert f"{path} {path}" in [i.args for i in stage.instructions if i.keyword == "COPY"]


@pytest.mark.parametrize("base, installs", [
    ("node:current-slim", False),       # the original had no curl: its check failed, and still fails
    ("node:20", True),                  # the full image had curl; the slim runtime gets it
    ("node:20-slim\nRUN apt-get update && apt-get install -y curl", True),
    ("registry.example/node:20-slim", False),   # a mirror's copy of the same image
])
def test_a_healthcheck_tool_is_installed_only_where_the_original_had_it(base, installs):
    text = (f"FROM {base}\nWORKDIR /app\nCOPY . .\nRUN npm install\n"
            "HEALTHCHECK CMD curl -f http://127.0.0.1:3000/ || exit 1\nCMD [\"npm\", \"start\"]\n")
    result, stage = runtime_of(text)
    runs = " ".join(i.args for i in stage.instructions if i.keyword == "RUN")
    assert ("curl" in runs) is installs
    assert any(i.keyword == "HEALTHCHECK" for i in stage.instructions)
    assert any("did not have either: it fails in both" in w for w in result.warnings) is not installs
