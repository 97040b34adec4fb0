"""Programs the runtime image starts: decided on the converted start command, a shell the app's own
code starts, and the programs a compose service built from this Dockerfile runs."""
from __future__ import annotations

from msbrewrite import convert


def _write(tmp_path, files: dict[str, str]):
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def _runtime(result) -> str:
    assert result.status == "converted", result.reason
    return result.text.split("\nFROM ")[-1]


CARGO = '[package]\nname = "tool"\nversion = "0.1.0"\nedition = "2021"\n'
DEBIAN_RUST = ("FROM debian:12\n"
               "RUN apt-get update && apt-get install -y --no-install-recommends cargo rustc ffmpeg\n"
               "WORKDIR /src\nCOPY . .\nRUN cargo build --release\n"
               "CMD [\"cargo\", \"run\", \"--release\"]\n")


# ---------------------------------------------------------------- item: the converted command decides

def test_a_cargo_run_that_became_the_binary_installs_no_cargo(tmp_path):
    ctx = _write(tmp_path, {"Cargo.toml": CARGO, "src/main.rs": 'fn main() { println!("hi"); }\n'})
    result = convert(DEBIAN_RUST, ctx)
    runtime = _runtime(result)
    assert 'CMD ["/usr/local/bin/tool"]' in runtime
    assert "cargo" not in runtime
    assert not any("cargo (the start command)" in d for d in result.decisions)


def test_a_rust_shell_start_command_keeps_its_other_commands(tmp_path):
    text = DEBIAN_RUST.replace('CMD ["cargo", "run", "--release"]',
                               'CMD ["sh", "-c", "ffmpeg -version && exec ./target/release/tool"]')
    ctx = _write(tmp_path, {"Cargo.toml": CARGO, "src/main.rs": 'fn main() { println!("hi"); }\n'})
    result = convert(text, ctx)
    runtime = _runtime(result)
    assert runtime.endswith('CMD ["sh", "-c", "ffmpeg -version && exec /usr/local/bin/tool"]\n')
    assert "apt-get install -y --no-install-recommends ca-certificates ffmpeg" in runtime


GO_MOD = "module example.com/svc\n\ngo 1.22\n"


def test_a_program_inside_the_start_commands_shell_string_is_installed(tmp_path):
    text = ("FROM golang:1.22\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg\n"
            "WORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n"
            "CMD [\"sh\", \"-c\", \"ffmpeg -version && exec svc\"]\n")
    ctx = _write(tmp_path, {"go.mod": GO_MOD, "main.go": "package main\n\nfunc main() {}\n"})
    result = convert(text, ctx)
    runtime = _runtime(result)
    assert "apt-get install -y --no-install-recommends ca-certificates ffmpeg" in runtime
    assert any("ffmpeg (the start command)" in d for d in result.decisions), result.decisions


# ---------------------------------------------------------------- item: a shell the app's code starts

GO_APP = ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n"
          "CMD [\"svc\"]\n")
GO_SHELL = ('package main\n\nimport "os/exec"\n\nfunc main() {\n'
            '\texec.Command("sh", "-c", "echo started >> /tmp/events.log").Run()\n}\n')


def test_a_go_app_that_runs_sh_gets_a_runtime_with_a_shell(tmp_path):
    ctx = _write(tmp_path, {"go.mod": GO_MOD, "main.go": GO_SHELL})
    result = convert(GO_APP, ctx)
    assert result.runtime_base == "debian:bookworm-slim"
    assert "the app starts a shell at run time (main.go:6): the runtime keeps one" in result.decisions


def test_a_rust_app_that_runs_bash_gets_a_runtime_with_a_shell(tmp_path):
    ctx = _write(tmp_path, {"Cargo.toml": CARGO, "src/main.rs":
                            'use std::process::Command;\n\nfn main() {\n'
                            '    Command::new("bash").arg("-c").arg("date").status().unwrap();\n}\n'})
    result = convert("FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n"
                     "CMD [\"./target/release/tool\"]\n", ctx)
    assert result.runtime_base == "debian:bookworm-slim"
    assert "the app starts a shell at run time (src/main.rs:4): the runtime keeps one" in result.decisions


NODE_APP = ("FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\n"
            "CMD [\"node\", \"server.js\"]\n")


def test_a_node_app_that_uses_child_process_exec_leaves_distroless(tmp_path):
    files = {"package.json": '{"name": "svc", "version": "1.0.0"}\n',
             "server.js": "const { exec } = require('child_process');\n"
                          "const m = /x/.exec('y');\nexec('uptime', (err, out) => console.log(out));\n"}
    result = convert(NODE_APP, _write(tmp_path, files))
    assert not result.runtime_base.startswith("gcr.io/distroless/"), result.runtime_base
    assert "the app starts a shell at run time (server.js:3): the runtime keeps one" in result.decisions


def test_child_process_exec_called_on_the_require_is_a_shell(tmp_path):
    files = {"package.json": '{"name": "svc", "version": "1.0.0"}\n',
             "server.js": "require('node:child_process').exec('uptime', () => {});\n"}
    result = convert(NODE_APP, _write(tmp_path, files))
    assert "the app starts a shell at run time (server.js:1): the runtime keeps one" in result.decisions


JAVA_APP = ("FROM maven:3-eclipse-temurin-17\nWORKDIR /src\nCOPY . .\nRUN mvn -B package\n"
            "CMD [\"java\", \"-jar\", \"target/hook-1.0.jar\"]\n")
POM = ("<project><modelVersion>4.0.0</modelVersion><groupId>demo</groupId><artifactId>hook</artifactId>"
       "<version>1.0</version></project>\n")


def _java_main(call: str) -> str:
    return f"package demo;\n\npublic class Main {{\n  public static void main(String[] a) throws Exception {{\n" \
           f"    {call}\n  }}\n}}\n"


def test_runtime_exec_of_a_script_through_bash_is_a_shell(tmp_path):
    ctx = _write(tmp_path, {"pom.xml": POM, "src/main/java/demo/Main.java":
                            _java_main('Runtime.getRuntime().exec("bash /opt/hooks/rotate.sh");')})
    result = convert(JAVA_APP, ctx)
    assert not result.runtime_base.startswith("gcr.io/distroless/"), result.runtime_base
    assert any("Main.java:5" in d for d in result.decisions if "starts a shell" in d)


def test_runtime_exec_of_a_program_named_like_a_shell_is_not(tmp_path):
    ctx = _write(tmp_path, {"pom.xml": POM, "src/main/java/demo/Main.java":
                            _java_main('Runtime.getRuntime().exec("shasum -a 256 /data/in");')})
    assert convert(JAVA_APP, ctx).runtime_base.startswith("gcr.io/distroless/java17")


def test_programs_and_regex_exec_are_not_a_shell(tmp_path):
    files = {"go.mod": GO_MOD, "main.go": 'package main\n\nimport "os/exec"\n\nfunc main() {\n'
             '\texec.Command("git", "log").Run()\n}\n', "main_test.go": GO_SHELL}
    result = convert(GO_APP, _write(tmp_path / "go", files))
    assert result.runtime_base == "gcr.io/distroless/static-debian12:nonroot"
    node = {"package.json": '{"name": "svc", "version": "1.0.0"}\n', "server.js": "const m = /x/.exec('y');\n"}
    assert convert(NODE_APP, _write(tmp_path / "node", node)).runtime_base.startswith("gcr.io/distroless/")


def test_a_chosen_distroless_runtime_is_kept_with_a_warning(tmp_path):
    from msbrewrite import Options
    ctx = _write(tmp_path, {"go.mod": GO_MOD, "main.go": GO_SHELL})
    result = convert(GO_APP, ctx, Options(runtime="distroless"))
    assert result.runtime_base.startswith("gcr.io/distroless/static-debian12")
    assert any(w.startswith("the app starts a shell at run time (main.go:6), absent from gcr.io/distroless/")
               for w in result.warnings), result.warnings


# ---------------------------------------------------------------- item: programs a compose command runs

PIPENV_APP = ("FROM python:3.11-slim\nWORKDIR /app\nRUN pip install pipenv\nCOPY Pipfile Pipfile.lock ./\n"
              "RUN pipenv install --deploy\nCOPY . .\nCMD [\"pipenv\", \"run\", \"python\", \"bot.py\"]\n")
PIPENV_FILES = {"Pipfile": '[packages]\nrequests = "*"\n', "Pipfile.lock": '{"_meta": {}, "default": {}}\n',
                "bot.py": "import requests\n"}


def test_pipenv_inside_a_compose_shell_command_is_named(tmp_path):
    compose = ("services:\n  bot:\n    build: .\n    command: >\n"
               "      sh -c \"pipenv run alembic upgrade head && pipenv run python bot.py\"\n")
    result = convert(PIPENV_APP, _write(tmp_path, {**PIPENV_FILES, "docker-compose.yml": compose}))
    assert 'CMD ["python", "bot.py"]' in _runtime(result)
    assert ('docker-compose.yml service bot (command: sh -c \'pipenv run alembic upgrade head && pipenv run python '
            'bot.py\') runs pipenv, absent from the runtime image: run what the build made instead (see CMD), or '
            'build it with `target: builder`') in result.warnings, result.warnings


def test_a_service_naming_its_dockerfile_with_a_dot_slash_is_read(tmp_path):
    compose = ("services:\n  bot:\n    build:\n      context: ./\n      dockerfile: ./Dockerfile\n"
               "    entrypoint: [\"pipenv\", \"run\"]\n    command: [\"python\", \"bot.py\"]\n")
    result = convert(PIPENV_APP, _write(tmp_path, {**PIPENV_FILES, "compose.yaml": compose}))
    assert any(w.startswith("compose.yaml service bot (entrypoint: pipenv run) runs pipenv, absent from the runtime")
               for w in result.warnings), result.warnings


def test_a_program_a_compose_shell_command_runs_is_installed(tmp_path):
    text = ("FROM golang:1.22\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg\n"
            "WORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\nCMD [\"svc\"]\n")
    compose = "services:\n  svc:\n    build: .\n    command: sh -c \"ffmpeg -version && exec svc\"\n"
    ctx = _write(tmp_path, {"go.mod": GO_MOD, "main.go": "package main\n\nfunc main() {}\n",
                            "docker-compose.yml": compose})
    result = convert(text, ctx)
    assert "apt-get install -y --no-install-recommends ca-certificates ffmpeg" in _runtime(result)
    assert any(d.startswith("the app runs programs the build installed: ffmpeg (the start command)")
               for d in result.decisions), result.decisions


# ---------------------------------------------------------------- Node: the converted command decides

SHOP_PKG = '{"name": "shop", "version": "1.0.0", "scripts": {"start": "node index.js"}, ' \
           '"dependencies": {"express": "^4"}}\n'
SHOP_APP = {"package.json": SHOP_PKG, "package-lock.json": '{"lockfileVersion": 3}\n',
            "index.js": 'require("express")().listen(8080)\n'}


def _shop(start: str, setup: str = "", image: str = "node:20-slim") -> str:
    return (f"FROM {image}\n{setup}WORKDIR /srv\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n{start}\n")


def test_a_yarn_start_that_became_node_installs_no_yarn(tmp_path):
    ctx = _write(tmp_path, {**SHOP_APP, "yarn.lock": "\n"})
    text = _shop('CMD ["yarn", "start"]', "RUN apk add --no-cache yarn\n", "node:20-alpine")
    result = convert(text.replace("npm ci", "yarn install --frozen-lockfile"), ctx)
    runtime = _runtime(result)
    assert 'CMD ["node", "--require", "/usr/local/lib/msb/pid1-signals.cjs", "index.js"]' in runtime
    assert "apk add" not in runtime and "yarn" not in runtime


def test_npm_start_decides_the_base_on_node_not_on_npm(tmp_path):
    # an npm the build installed from Debian is never carried, whatever the command runs
    ctx = _write(tmp_path, SHOP_APP)
    text = _shop('CMD ["npm", "start"]', "RUN apt-get update && apt-get install -y --no-install-recommends npm\n")
    result = convert(text, ctx)
    runtime = _runtime(result)
    assert runtime.startswith("gcr.io/distroless/nodejs20-debian12"), runtime
    assert "apt-get" not in runtime
    assert any("npm not installed in the runtime" in d for d in result.decisions)


def test_exec_npm_start_is_resolved_like_npm_start(tmp_path):
    ctx = _write(tmp_path, SHOP_APP)
    result = convert(_shop("CMD exec npm start"), ctx)
    runtime = _runtime(result)
    assert runtime.startswith("gcr.io/distroless/nodejs20-debian12"), runtime
    assert 'CMD ["--require", "/usr/local/lib/msb/pid1-signals.cjs", "index.js"]' in runtime


def test_a_kept_shell_start_command_still_keeps_a_shell(tmp_path):
    ctx = _write(tmp_path, SHOP_APP)
    result = convert(_shop("CMD npm run migrate && npm start"), ctx)
    runtime = _runtime(result)
    assert runtime.startswith("node:20-slim"), runtime
    assert "CMD npm run migrate && npm start" in runtime


def test_prisma_in_the_converted_command_still_gets_openssl(tmp_path):
    ctx = _write(tmp_path, SHOP_APP)
    result = convert(_shop("CMD npx prisma migrate deploy && node index.js"), ctx)
    assert "openssl" in _runtime(result)
