"""What else runs in the runtime image: programs the app calls (runtime_programs) and the commands
compose files give the image (compose_usage)."""
from __future__ import annotations

import pytest

from msbrewrite.rules import compose_usage, runtime_programs
from stagefacts import stage_facts

GO_APT = "FROM golang:1.22\nRUN apt-get update && apt-get install -y --no-install-recommends {}\n" \
         "WORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\nCMD [\"/bin/app\"]\n"


def test_installed_programs_exclude_libraries_dev_packages_and_compilers(tmp_path):
    facts = stage_facts(tmp_path, GO_APT.format("gcc make libpq-dev libvips42 ffmpeg python3-pip imagemagick"))
    assert runtime_programs.candidates(facts) == ["ffmpeg", "imagemagick"]


def test_a_program_counts_when_the_sources_or_scripts_run_it(tmp_path):
    facts = stage_facts(tmp_path, GO_APT.format("ffmpeg imagemagick sqlite3 cron postgresql-client"), {
        "main.go": 'package main\nvar cmd = exec.Command("ffmpeg", "-i", in)\n'
                   'type T struct { DB string `json:"sqlite3"` }\n',
        "thumb.go": 'out, _ := exec.Command("/usr/bin/convert", src, dst).Output()\n',
        "start.sh": "#!/bin/sh\n# cron is started by the platform\nset -e\ncrontab /etc/cron.d/jobs && exec /bin/app\n",
        "scripts/dump.sh": "#!/bin/sh\npg_dump \"$DATABASE_URL\" > dump.sql\n",   # a developer's script
    })
    used = runtime_programs.used_by_app(facts, runtime_programs.candidates(facts), (".go",), ["./start.sh"])
    assert used == {"ffmpeg": "main.go:2", "imagemagick": "thumb.go:1", "cron": "start.sh:4"}


def test_the_start_command_names_a_program(tmp_path):
    facts = stage_facts(tmp_path, GO_APT.format("supervisor"), {"main.go": "package main\n"})
    assert runtime_programs.used_by_app(facts, ["supervisor"], (".go",), ["supervisord", "-n"]) == \
        {"supervisor": "the start command"}


COMPOSE = """
services:
  web:
    build: .
    command: sh -c "python manage.py migrate && gunicorn site.wsgi"
  worker:
    build:
      context: .
      dockerfile: Dockerfile
    entrypoint: ["cargo", "run", "--release", "--bin", "worker"]
  dev:
    build:
      context: .
      target: builder
    command: npm run dev
  other:
    build: ./frontend
    command: nginx -g "daemon off;"
  db:
    image: postgres:16
    command: postgres -c log_statement=all
"""


def test_compose_services_built_here_and_their_commands(tmp_path):
    facts = stage_facts(tmp_path, "FROM python:3.11\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
                        {"docker-compose.yml": COMPOSE, "compose.dev.yaml": "services:\n  api:\n    build: .\n"
                         "    command: npm run dev\n", "notes-compose.yml": COMPOSE})
    found = compose_usage.overrides(facts)
    assert [(o.file, o.service, o.key, o.dev) for o in found] == [
        ("compose.dev.yaml", "api", "command", True),
        ("docker-compose.yml", "web", "command", False),
        ("docker-compose.yml", "worker", "entrypoint", False),
    ]
    web, worker = found[1], found[2]
    assert web.argv == ["sh", "-c", "python manage.py migrate && gunicorn site.wsgi"]
    assert compose_usage.needs_shell(web) and compose_usage.runs_build_tool(web) is None
    assert compose_usage.runs_build_tool(worker) == "cargo" and not compose_usage.needs_shell(worker)
    assert compose_usage.runs_build_tool(found[0]) == "npm"


def test_a_broken_compose_file_or_none_at_all_is_no_override(tmp_path):
    assert compose_usage.overrides(stage_facts(tmp_path, "FROM python:3.11\n")) == []
    facts = stage_facts(tmp_path, "FROM python:3.11\n", {"docker-compose.yml": "services: [oops\n  - :"})
    assert compose_usage.overrides(facts) == []


def test_a_shell_wrapping_a_build_tool_is_a_build_tool():
    o = compose_usage.Override("compose.yml", "api", "command", ["bash", "-c", "cd /app && go run ."], False)
    assert compose_usage.runs_build_tool(o) == "go"
    assert compose_usage.program(["env", "PORT=80", "./start.sh"]) == "start.sh"


def test_fonts_are_runtime_data():
    assert all(runtime_programs.is_font(p) for p in ("fontconfig", "fonts-dejavu-core", "ttf-mscorefonts-installer"))
    assert not runtime_programs.is_font("ffmpeg")


def test_apt_sources_the_build_added_reach_the_runtime(tmp_path):
    from msbrewrite.model.plan import BuildPlan
    from msbrewrite.rules.runtime_packages import apt_sources

    def copies(run: str) -> list[str]:
        facts = stage_facts(tmp_path, f"FROM python:3.11\nRUN {run}\nCMD [\"python\"]\n")
        return [line.split()[2] for line in apt_sources(facts, BuildPlan("python", "python.Dockerfile.j2", "python:3.11-slim")).splitlines()
                if line.startswith("COPY")]

    assert copies("apt-get update && apt-get install -y ffmpeg") == []
    assert copies("wget -qO- https://example.org/key | apt-key add - && echo 'deb https://example.org/apt stable main' "
                  "> /etc/apt/sources.list.d/example.list && apt-get update && apt-get install -y tool") == \
        ["/etc/apt/sources.list.d/example.list", "/etc/apt/trusted.gpg"]
    assert copies("add-apt-repository ppa:deadsnakes/ppa && apt-get install -y python3.12") == \
        ["/etc/apt/sources.list.d/", "/etc/apt/trusted.gpg.d/", "/usr/share/keyrings/"]


def test_downloads_a_build_makes_for_run_time(tmp_path):
    from msbrewrite.rules.runtime_downloads import downloads

    def found(text: str):
        items, warnings = downloads(stage_facts(tmp_path, text))
        return [(d.source, d.dest, d.env) for d in items], warnings

    assert found("FROM node:20\nRUN npx playwright install --with-deps chromium\nCMD [\"node\", \"a.js\"]\n")[0] == \
        [("/root/.cache/ms-playwright", "/opt/ms-playwright", "PLAYWRIGHT_BROWSERS_PATH")]
    assert "install-deps" in found("FROM node:20\nRUN npx playwright install --with-deps\n")[1][0]
    assert found("FROM python:3.11\nENV PLAYWRIGHT_BROWSERS_PATH=0\nRUN python -m playwright install\n") == ([], [])
    assert found("FROM python:3.11\nENV PLAYWRIGHT_BROWSERS_PATH=/ms\nRUN playwright install\n")[0] == \
        [("/ms", "/opt/ms-playwright", "PLAYWRIGHT_BROWSERS_PATH")]
    items, warnings = found("FROM python:3.11\nUSER 1000\nRUN python3 -m nltk.downloader punkt\n")
    assert items == [] and "home is unknown" in warnings[0]
    assert found("FROM python:3.11\nRUN python -m nltk.downloader punkt\n")[0] == \
        [("/root/nltk_data", "/usr/local/share/nltk_data", None)]


def test_plain_libraries_come_with_a_program_or_for_native_modules(tmp_path):
    from msbrewrite.languages.common import carry_runtime_tools
    from msbrewrite.model.options import Options
    from msbrewrite.model.plan import BuildPlan

    def carried(files: dict, libraries: bool) -> list[str]:
        facts = stage_facts(tmp_path, GO_APT.format("libnss3 libgbm1 libpq-dev libtool chromium"), files)
        plan = BuildPlan("go", "go.Dockerfile.j2", "gcr.io/distroless/static-debian12:nonroot")
        carry_runtime_tools(facts, plan, Options(), (".go",), libraries=libraries)
        return plan.runtime_packages

    assert carried({"main.go": 'package main\nvar b = exec.Command("chromium", "--headless")\n'}, False) == \
        ["chromium", "libnss3", "libgbm1"]
    assert carried({"main.go": "package main\n"}, False) == []
    assert carried({"main.go": "package main\n"}, True) == ["libnss3", "libgbm1"]     # libtool builds, never loads


def test_puppeteer_chrome_downloaded_at_install(tmp_path):
    from msbrewrite.rules.runtime_downloads import downloads
    node = "FROM node:20\nWORKDIR /app\n{env}COPY package.json ./\nRUN npm {install}\nCOPY . .\nCMD [\"node\", \"a.js\"]\n"

    def found(spec: str, env: str = "", install: str = "install", extra: dict | None = None):
        files = {"package.json": '{"dependencies": {"puppeteer": "%s"}}' % spec, **(extra or {})}
        items, warnings = downloads(stage_facts(tmp_path, node.format(env=env, install=install), files))
        return [(d.source, d.dest, d.env, d.maybe) for d in items], warnings

    assert found("^22.6.0") == ([("/root/.cache/puppeteer", "/opt/puppeteer", "PUPPETEER_CACHE_DIR", True)], [])
    assert found("13.7.0") == ([], [])                                   # Chromium inside node_modules
    assert found("^22.6.0", env="ENV PUPPETEER_SKIP_DOWNLOAD=true\n") == ([], [])
    assert found("^22.6.0", install="ci --ignore-scripts") == ([], [])
    items, warnings = found("^22.6.0", extra={".puppeteerrc.cjs": "module.exports = {cacheDirectory: '/x'}"})
    assert items == [] and "configuration file" in warnings[0]


@pytest.mark.parametrize("line, progs", [
    ("python manage.py compilemessages", ["msgfmt"]),
    ("./manage.py compilemessages --ignore=venv", ["msgfmt"]),
    ("django-admin makemessages -l de", ["xgettext", "msgmerge", "msguniq"]),
    ("call_command('compilemessages')", ["msgfmt"]),
    ("python manage.py migrate", []),
])
def test_framework_commands_that_run_a_program(line, progs):
    from msbrewrite.rules.runtime_programs import framework_programs
    assert framework_programs(line) == progs


def test_config_edited_in_place_follows_the_reinstalled_package(tmp_path):
    from msbrewrite import convert
    (tmp_path / "app.py").write_text("import subprocess\nsubprocess.run(['convert', 'a.pdf', 'a.png'])\n")
    df = ("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y imagemagick\n"
          "RUN sed -i -e 's/none/read/' /etc/ImageMagick-6/policy.xml && sed -i 's/x/y/' /etc/passwd\n"
          "WORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n")
    text = convert(df, tmp_path).text
    runtime = text.split("\nFROM ")[-1]
    assert "COPY --from=builder /etc/ImageMagick-6/policy.xml /etc/ImageMagick-6/policy.xml" in runtime
    assert "COPY --from=builder /etc/passwd" not in runtime      # the runtime's own accounts stay


@pytest.mark.parametrize("word, hit", [("-i", True), ("-i.bak", True), ("-pi", True), ("-Ei", True),
                                       ("-e", False), ("-n", False), ("--in-place", False)])
def test_short_in_place_flag(word, hit):
    from msbrewrite.rules.system_config import _short_flags_with
    assert _short_flags_with(word, "i") is hit


def test_config_a_run_writes_into_etc_follows_the_reinstalled_package(tmp_path):
    from msbrewrite import convert
    (tmp_path / "app.py").write_text("import subprocess\nsubprocess.run(['nginx', '-g', 'daemon off;'])\n")
    df = ("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y nginx\n"
          "RUN echo 'daemon off;' >> /etc/nginx/nginx.conf && printf 'x\\n' >/etc/nginx/conf.d/app.conf\n"
          "RUN echo 'upload_max = 20M' | tee -a /etc/nginx/upload.conf > /dev/null\n"
          "RUN echo 127.0.0.1 app >> /etc/hosts && echo done 2>/etc/nginx/errors >&2\n"
          "WORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n")
    runtime = convert(df, tmp_path).text.split("\nFROM ")[-1]
    for path in ("/etc/nginx/nginx.conf", "/etc/nginx/conf.d/app.conf", "/etc/nginx/upload.conf"):
        assert f"COPY --from=builder {path} {path}" in runtime
    assert "/etc/hosts" not in runtime and "/etc/nginx/errors" not in runtime


@pytest.mark.parametrize("words, targets", [
    (["x", ">>", "/etc/a"], ["/etc/a"]), (["x", ">/etc/a"], ["/etc/a"]), (["x", ">>/etc/a"], ["/etc/a"]),
    (["x", ">|", "/etc/a"], ["/etc/a"]), (["x", ">&2"], []), (["x", "2>/etc/e"], []), (["x", "2>&1"], []),
])
def test_redirect_targets(words, targets):
    from msbrewrite.rules.system_config import _redirect_targets
    assert _redirect_targets(words) == targets
