"""One rule for secret-looking files: kept and warned when the app reads them at run time, left
out and named otherwise; registry credentials and tokens the build wrote never reach the runtime."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import make_context
from msbrewrite import Options, convert


def runtime_stage(text: str) -> str:
    return text[text.rindex("\nFROM ") + 1:]


def staging_step(text: str) -> str:
    start = text.index("# the runtime's copy of")
    return text[start:text.index("\n\n", start)]


def warned(result) -> str:
    return "\n".join(result.warnings)


PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"
GO_DOCKERFILE = ("FROM golang:1.22\nWORKDIR /srv/quotes\nCOPY . .\nRUN go build -o quotes .\n"
                 "EXPOSE 8443\nCMD [\"./quotes\"]\n")
GO_MAIN = """package main

import (
	"log"
	"net/http"

	"github.com/joho/godotenv"
)

func main() {
	if err := godotenv.Load(); err != nil {
		log.Fatal("no config")
	}
	log.Fatal(http.ListenAndServeTLS(":8443", "certs/site.crt", "certs/site.key", nil))
}
"""


def go_app(**extra) -> dict:
    files = {"go.mod": "module example.com/quotes\n\ngo 1.22\n", "main.go": GO_MAIN,
             ".env": "GREETING=hi\nSESSION_SECRET=not-for-images\n",
             "certs/site.crt": CERTIFICATE, "certs/site.key": PRIVATE_KEY}
    files.update(extra)
    return files


# --- issue 19 item 1: a dotenv file the app loads stays, with a warning -----------------------------

def test_dotenv_the_go_app_loads_stays_with_a_warning(tmp_path):
    result = convert(GO_DOCKERFILE, make_context(tmp_path, go_app()))
    assert result.status == "converted", result.reason
    step = staging_step(result.text)
    assert '! -path "$s"/.env' in step                  # the staging step spares it
    text = warned(result)
    assert "/srv/quotes/.env (dotenv file) stays in the runtime stage" in text
    assert "main.go:11: godotenv.Load" in text and "--env-file .env" in text
    assert [s["path"] for s in result.secrets] == ["/srv/quotes/.env", "/srv/quotes/certs/site.key"]


@pytest.mark.parametrize("loader", [
    "require('dotenv').config()\n", "require('dotenv/config')\n", "import 'dotenv/config'\n",
])
def test_dotenv_the_node_app_loads_stays(tmp_path, loader):
    files = {"package.json": '{"name": "shop", "version": "1.0.0", "dependencies": {"dotenv": "16"}}',
             "package-lock.json": "{}", "server.js": loader + "require('http').createServer().listen(3000)\n",
             ".env": "MONGO_URL=mongodb://shop:hunter2@db/shop\n"}
    text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n"
    result = convert(text, make_context(tmp_path, files))
    assert result.status == "converted", result.reason
    assert '! -path "$s"/.env' in staging_step(result.text)
    assert "/app/.env (dotenv file) stays in the runtime stage" in warned(result)
    assert "server.js:1" in warned(result)


@pytest.mark.parametrize("source", [
    "from dotenv import load_dotenv\nload_dotenv()\n",
    "import environ\nenv = environ.Env()\nenviron.Env.read_env('.env')\n",
    "from decouple import config\nSECRET_KEY = config('SECRET_KEY')\n",
    "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
    "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_file='.env')\n",
])
def test_dotenv_the_python_app_loads_stays(tmp_path, source):
    files = {"requirements.txt": "flask\n", "app.py": source + "import flask\n",
             ".env": "SECRET_KEY=django-insecure-abc\n"}
    text = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    result = convert(text, make_context(tmp_path, files))
    assert result.status == "converted", result.reason
    assert '! -path "$s"/.env' in staging_step(result.text)
    assert "/app/.env (dotenv file) stays in the runtime stage" in warned(result)


def test_dotenv_nothing_loads_is_left_out_and_named(tmp_path):
    files = go_app()
    files["main.go"] = "package main\n\nfunc main() {}\n"
    result = convert(GO_DOCKERFILE, make_context(tmp_path, files))
    assert result.status == "converted", result.reason
    assert '! -path "$s"/.env' not in staging_step(result.text)
    assert "put .env, certs/site.key into the original image" in warned(result)
    assert "stays in the runtime" not in warned(result)
    assert result.secrets == []


def test_drop_dotenv_leaves_it_out_and_says_the_app_needs_it(tmp_path):
    result = convert(GO_DOCKERFILE, make_context(tmp_path, go_app()), Options(drop_dotenv=True))
    assert result.status == "converted", result.reason
    assert '! -path "$s"/.env' not in staging_step(result.text)
    text = warned(result)
    assert "/srv/quotes/.env (dotenv file) is left out (drop-dotenv) although the app reads it" in text
    assert "pass it at run time with `docker run --env-file .env`" in text
    assert [s["path"] for s in result.secrets] == ["/srv/quotes/certs/site.key"]


def test_drop_dotenv_from_the_command_line_and_the_configuration(tmp_path):
    make_context(tmp_path, go_app())
    (tmp_path / "Dockerfile").write_text(GO_DOCKERFILE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    run = [sys.executable, "-m", "msbrewrite", "convert", str(tmp_path / "Dockerfile")]
    plain = subprocess.run(run, capture_output=True, text=True, env=env)
    flag = subprocess.run(run + ["--drop-dotenv"], capture_output=True, text=True, env=env)
    assert plain.returncode == flag.returncode == 0, plain.stderr + flag.stderr
    assert '! -path "$s"/.env' in plain.stdout and '! -path "$s"/.env' not in flag.stdout
    (tmp_path / ".msb.toml").write_text("drop-dotenv = true\n")
    configured = subprocess.run(run, capture_output=True, text=True, env=env)
    assert configured.stdout == flag.stdout


def test_a_password_file_follows_the_same_rule_as_dotenv(tmp_path):
    """A `.postgres` file of KEY=value lines with a password is not kept while `.env` is dropped."""
    files = go_app(**{".postgres": "POSTGRES_PASSWORD=hunter2\n"})
    result = convert(GO_DOCKERFILE, make_context(tmp_path, files))
    assert '-path "$s"/.postgres' in staging_step(result.text)
    assert ".postgres" in warned(result)


# --- issue 18 item 4: credential files msb did not know by name ---------------------------------------

def test_unread_credentials_are_left_out_and_named(tmp_path):
    files = go_app(**{".aws/credentials": "[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\n"
                                          "aws_secret_access_key = abc\n",
                      "deploy_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n",
                      "gcp.json": '{"type": "service_account", "private_key": "x", "client_email": "a@b"}',
                      ".kube/config": "apiVersion: v1\nusers: []\n", "tls/backup.p12": "binary",
                      ".docker/config.json": '{"auths": {"r.example.com": {"auth": "eDp5"}}}',
                      ".pgpass": "db:5432:app:app:hunter2\n", ".htpasswd": "admin:$apr1$x$y\n"})
    result = convert(GO_DOCKERFILE, make_context(tmp_path, files))
    assert result.status == "converted", result.reason
    step = staging_step(result.text)
    for path in (".aws/credentials", "deploy_key", "gcp.json", ".kube/config", "tls/backup.p12",
                 ".docker/config.json", ".pgpass", ".htpasswd"):
        assert f'-path "$s"/{path}' in step, path
    assert "secret-looking files the app does not read: " in "\n".join(result.decisions)
    assert ".aws/credentials" in "\n".join(result.decisions)
    assert "put .env" not in warned(result)          # the app reads .env: it has its own warning
    assert "into the original image; the app does not read them" in warned(result)


def test_a_private_key_the_server_opens_stays_and_a_certificate_is_no_secret(tmp_path):
    result = convert(GO_DOCKERFILE, make_context(tmp_path, go_app()))
    step = staging_step(result.text)
    assert "certs/site.key" not in step and "certs/site.crt" not in step
    assert "/srv/quotes/certs/site.key (private key) stays in the runtime stage: the app reads it (main.go:14)" \
        in warned(result)
    assert "site.crt" not in warned(result)


def test_a_key_named_by_env_is_read_by_the_app(tmp_path):
    files = go_app(**{"keys/sa.json": '{"type": "service_account", "private_key": "-----BEGIN"}'})
    text = GO_DOCKERFILE.replace("EXPOSE", "ENV GOOGLE_APPLICATION_CREDENTIALS=/srv/quotes/keys/sa.json\nEXPOSE")
    result = convert(text, make_context(tmp_path, files))
    assert "keys/sa.json" not in staging_step(result.text)
    assert "(GCP service-account key) stays in the runtime stage: the app reads it (ENV GOOGLE_APPLICATION_" \
        in warned(result)


def test_registry_credentials_stay_out_even_when_named(tmp_path):
    files = go_app(**{".yarnrc.yml": "npmAuthToken: abc\n", "auth.json": '{"github-oauth": {"github.com": "x"}}',
                      "settings.xml": "<settings><servers><server><password>x</password></server></servers></settings>"})
    files["main.go"] += "// reads auth.json and settings.xml\n"
    result = convert(GO_DOCKERFILE, make_context(tmp_path, files))
    step = staging_step(result.text)
    for path in (".yarnrc.yml", "auth.json", "settings.xml"):
        assert f'-path "$s"/{path}' in step, path


@pytest.mark.parametrize("name,text,secret", [
    ("server.pem", PRIVATE_KEY, True), ("server.pem", CERTIFICATE, False), ("ca.key", CERTIFICATE, False),
    ("tls.key", PRIVATE_KEY, True), ("key.txt", "-----BEGIN RSA PRIVATE KEY-----\n", True),
    (".yarnrc.yml", "nodeLinker: node-modules\n", False), ("settings.xml", "<settings/>", False),
    ("data.json", '{"type": "service_account"}', False), ("package.json", '{"name": "x"}', False),
    (".env", "PORT=8080\nNODE_ENV=production\n", False), (".env", "STRIPE=sk_live_abcdefghijklmnop12\n", True),
    (".env.example", "DB_PASSWORD=\n", False), (".my.cnf", "[client]\n", True), (".envrc", "", True),
    ("vault/.vault-token", "s.abc", True), ("gh/hosts.yml", "github.com:\n  oauth_token: x\n", True),
    (".cargo/credentials.toml", "", True), ("keystore.pfx", "", True),
])
def test_classify_by_name_and_content(name, text, secret):
    from msbrewrite.rules.secret_files import classify
    assert (classify(name, lambda: text) is not None) is secret


def test_content_reads_are_bounded():
    from msbrewrite.rules.secret_files import by_content
    assert by_content("x" * 100_000 + "aws_secret_access_key") is None


# --- msb check reports a kept secret as a finding of its own ----------------------------------------

def test_check_reports_kept_secrets_in_text_json_and_sarif(tmp_path):
    app = tmp_path / "svc"
    make_context(app, go_app())
    (app / "Dockerfile").write_text(GO_DOCKERFILE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    def check(*fmt):
        return subprocess.run([sys.executable, "-m", "msbrewrite", "check", "svc", *fmt], capture_output=True,
                              text=True, cwd=tmp_path, env=env)

    text = check()
    assert text.returncode == 1
    assert "svc/Dockerfile:3: secret read by the app: The image ships /srv/quotes/.env (dotenv file)" in text.stdout
    doc = json.loads(check("--format", "json").stdout)
    assert [(s["path"], s["rule"], s["file"], s["line"]) for s in doc["secrets"]] == [
        ("svc/Dockerfile", "MSB003", "/srv/quotes/.env", 3), ("svc/Dockerfile", "MSB003", "/srv/quotes/certs/site.key", 3)]
    sarif = json.loads(check("--format", "sarif").stdout)
    run = sarif["runs"][0]
    assert "MSB003" in [r["id"] for r in run["tool"]["driver"]["rules"]]
    found = [r for r in run["results"] if r["ruleId"] == "MSB003"]
    assert [r["properties"]["file"] for r in found] == ["/srv/quotes/.env", "/srv/quotes/certs/site.key"]
    assert found[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert run["tool"]["driver"]["rules"][found[0]["ruleIndex"]]["id"] == "MSB003"
    github = check("--format", "github").stdout
    assert "title=msb MSB003::The image ships /srv/quotes/.env" in github


# --- issue 18 item 5: tokens in files the build writes --------------------------------------------

CLONE_DOCKERFILE = """FROM node:20
ARG GH_TOKEN
RUN git config --global url."https://${GH_TOKEN}@github.com/".insteadOf "https://github.com/"
WORKDIR /app
RUN git clone https://${GH_TOKEN}@github.com/acme/widget-server.git .
RUN npm ci && npm run build
EXPOSE 3000
CMD ["node", "dist/server.js"]
"""


def test_a_clone_with_a_token_keeps_its_git_folder_out_of_the_runtime():
    result = convert(CLONE_DOCKERFILE)
    assert result.status == "converted", result.reason
    builder = result.text[:result.text.rindex("\nFROM ")]
    assert "RUN rm -rf /app/.git" in builder
    assert builder.index("RUN rm -rf /app/.git") > builder.index("npm run build")
    assert "COPY --from=builder --chown=65532:65532 /app /app" in runtime_stage(result.text)
    text = warned(result)
    assert "line 5: `git clone` with a token in its URL leaves the token in /app/.git" in text
    assert "line 3: `git config` with a token in a URL leaves the token in /root/.gitconfig" in \
        "\n".join(result.decisions)


def test_a_clone_into_a_staged_app_directory_is_deleted_there(tmp_path):
    ctx = make_context(tmp_path, {"go.mod": "module example.com/a\n\ngo 1.22\n", "main.go": "package main\n",
                                  "templates/index.html": "<p>hi</p>\n"})
    text = ("FROM golang:1.22\nARG GH_TOKEN\nWORKDIR /src\nCOPY . .\n"
            "RUN git clone https://x-access-token:${GH_TOKEN}@github.com/acme/assets.git assets\n"
            "RUN go build -o /usr/local/bin/app .\nCMD [\"app\"]\n")
    result = convert(text, ctx)
    assert result.status == "converted", result.reason
    assert "RUN rm -rf /tmp/msb-runtime/src/assets/.git" in result.text


def test_a_public_clone_is_left_alone():
    text = CLONE_DOCKERFILE.replace("${GH_TOKEN}@", "").replace('RUN git config --global url."https://github.com/"'
                                                                '.insteadOf "https://github.com/"\n', "")
    result = convert(text)
    assert "rm -rf /app/.git" not in result.text


# --- issue 18 item 6: ENV secrets by value ----------------------------------------------------------

SECRET_VALUES = {
    "GITHUB_PAT": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "ALERT_HOOK": "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX",
    "BOT": "xoxb-123456789012-abcdefghij",
    "BILLING": "sk_live_abcdefghijklmnop1234",
    "MAPS": "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "ADMIN_PW": "letmein",
    "SIGNING": "-----BEGIN RSA PRIVATE KEY-----",
}
ORDINARY = {"PATH": "/usr/local/bin:/usr/bin", "NODE_ENV": "production", "PWD": "/app", "AUTHOR": "Jo Doe",
            "BYPASS_CACHE": "1", "PORT": "3000", "PUBLIC_URL": "https://example.com/app",
            "GIT_SHA": "0123456789abcdef0123456789abcdef01234567", "LANG": "C.UTF-8", "KEYBOARD": "us"}


@pytest.mark.parametrize("language", ["go", "node"])
def test_env_secrets_by_value_stay_in_the_builder(language):
    lines = "".join(f'ENV {k}="{v}"\n' for k, v in {**SECRET_VALUES, **ORDINARY}.items())
    if language == "go":
        text = f"FROM golang:1.22\nWORKDIR /src\n{lines}RUN go build -o /out/app .\nCMD [\"/out/app\"]\n"
    else:
        text = f"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n{lines}CMD [\"node\", \"server.js\"]\n"
    result = convert(text)
    assert result.status == "converted", result.reason
    final = runtime_stage(result.text)
    for name, value in SECRET_VALUES.items():
        assert name not in final and value not in final, name
        assert name in warned(result), name
    assert "ENV GITHUB_PAT (its value looks like a GitHub token) looks like a secret" in warned(result)
    for name in ORDINARY:
        if name not in ("PATH", "PWD"):      # the builder's PATH and PWD may be dropped as build environment
            assert f"ENV {name}=" in final or f" {name}=" in final, name
        assert f"ENV {name} " not in warned(result) and f" {name} (" not in warned(result), name


def test_ci_files_and_tests_that_name_env_do_not_count_as_the_app_reading_it(tmp_path):
    files = go_app(**{".github/workflows/ci.yml": "steps:\n  - run: cp .env.example .env && go test ./...\n",
                      "tests/e2e.yml": "env_file: .env\n"})
    files["main.go"] = "package main\n\nfunc main() {}\n"
    result = convert(GO_DOCKERFILE, make_context(tmp_path, files))
    assert '! -path "$s"/.env' not in staging_step(result.text)
    assert result.secrets == []
