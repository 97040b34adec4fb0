"""Build-time secrets never reach the runtime stage, and the report says where the original leaked them."""
from __future__ import annotations

import pytest

from conftest import make_context
from msbrewrite import convert
from msbrewrite.rules.secret_values import SECRET_RE
from msbrewrite.rules.secrets import is_secret_path


def runtime_stage(text: str) -> str:
    """Text of the last stage (from its FROM line on)."""
    return text[text.rindex("\nFROM ") + 1:]


NODE_APP = {
    "package.json": '{"name": "web", "version": "1.0.0", "scripts": {"build": "tsc"}, "dependencies": {"express": "4"}}',
    "package-lock.json": "{}",
    "src/server.ts": "console.log(1)\n",
    ".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    ".env": "DB_PASSWORD=hunter2\n",
}
NODE_DOCKERFILE = """FROM node:20
ARG NPM_TOKEN
ENV NPM_TOKEN=$NPM_TOKEN NODE_ENV=production
ENV REGISTRY_URL=https://npm.example.com/?token=$NPM_TOKEN
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
COPY . .
RUN npm run build
EXPOSE 3000
CMD ["node", "dist/server.js"]
"""


def test_node_secrets_stay_in_the_builder(tmp_path):
    result = convert(NODE_DOCKERFILE, make_context(tmp_path, NODE_APP))
    assert result.status == "converted", result.reason
    final = runtime_stage(result.text)
    for leak in ("NPM_TOKEN", ".npmrc", ".env", "type=secret", "REGISTRY_URL"):
        assert leak not in final, leak
    assert "NODE_ENV=production" in final          # the harmless half of the ENV line survives
    assert "--mount=type=secret" in result.text    # the builder keeps its secret mount
    warnings = "\n".join(result.warnings)
    assert "ENV NPM_TOKEN" in warnings
    assert "REGISTRY_URL (uses NPM_TOKEN)" in warnings
    assert "line 6: the original image contains .npmrc" in warnings
    assert ".env" in warnings and ".dockerignore" in warnings


def test_dockerignored_files_are_not_reported(tmp_path):
    ctx = make_context(tmp_path, {**NODE_APP, ".dockerignore": "node_modules\n.env\n.npmrc\n"})
    text = NODE_DOCKERFILE.replace("COPY .npmrc package.json", "COPY package.json")
    result = convert(text, ctx)
    assert result.status == "converted", result.reason
    assert not [w for w in result.warnings if ".dockerignore" in w or ".env" in w]


PY_APP = {"requirements.txt": "flask\n", "app.py": "import flask\n", "id_rsa": "-----BEGIN KEY-----\n",
          ".env": "SECRET_KEY=x\n", ".env.example": "SECRET_KEY=\n"}
PY_DOCKERFILE = """FROM python:3.12
ARG GITHUB_TOKEN
ARG DB_PASSWORD=changeme
ENV DB_PASSWORD=$DB_PASSWORD APP_MODE=web
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
COPY id_rsa /root/.ssh/id_rsa
LABEL org.opencontainers.image.revision=$GITHUB_TOKEN
CMD ["python", "app.py"]
"""


def test_python_key_file_and_secret_args(tmp_path):
    result = convert(PY_DOCKERFILE, make_context(tmp_path, PY_APP))
    assert result.status == "converted", result.reason
    final = runtime_stage(result.text)
    for leak in ("id_rsa", ".ssh", "ARG GITHUB_TOKEN", "ARG DB_PASSWORD", "DB_PASSWORD=", "changeme", "/app/.env "):
        assert leak not in final, leak
    assert "APP_MODE=web" in final
    assert not any(a.source.endswith("/.env") or "id_rsa" in a.source for a in result.artifacts)
    warnings = "\n".join(result.warnings)
    assert "line 9: the original image contains id_rsa" in warnings
    assert "LABEL uses GITHUB_TOKEN" in warnings
    assert "ENV DB_PASSWORD" in warnings


def test_secret_fates_keep_a_reason(tmp_path):
    result = convert(PY_DOCKERFILE, make_context(tmp_path, PY_APP))
    env = [f for f in result.fates if f.instruction.startswith("ENV DB_PASSWORD")]
    assert env and env[0].fate == "kept+runtime"        # APP_MODE is carried, the secret is not
    args = [f for f in result.fates if f.instruction.startswith("ARG")]
    assert all(f.fate == "kept" for f in args)
    assert any("secret" in f.reason for f in args)


def test_go_binary_with_secret_env_and_netrc(tmp_path):
    ctx = make_context(tmp_path, {"go.mod": "module example.com/svc\n\ngo 1.22\n",
                                  "main.go": "package main\nfunc main() {}\n", ".netrc": "machine x password y\n"})
    text = ("FROM golang:1.22\nENV GOPRIVATE=example.com GITHUB_TOKEN=ghp_example\nWORKDIR /src\n"
            "COPY .netrc /root/.netrc\nCOPY . .\nRUN go build -o /out/svc .\nCMD [\"/out/svc\"]\n")
    result = convert(text, ctx)
    assert result.status == "converted", result.reason
    final = runtime_stage(result.text)
    assert "ghp_example" not in final and "GITHUB_TOKEN" not in final and ".netrc" not in final
    assert any("line 4: the original image contains .netrc" in w for w in result.warnings)


@pytest.mark.parametrize("name", ["GITHUB_TOKEN", "NPM_AUTH", "AUTH_TOKEN", "DB_PASSWORD", "DB_PASSWD", "API_KEY",
                                  "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY", "GOOGLE_CREDENTIALS"])
def test_secret_names(name):
    assert SECRET_RE.search(name)


@pytest.mark.parametrize("name", ["AUTHOR", "OAUTH_CALLBACK_URL", "NODE_ENV", "PORT", "GOPRIVATE", "KEYBOARD"])
def test_not_secret_names(name):
    assert not SECRET_RE.search(name)


@pytest.mark.parametrize("path,secret", [
    ("/app/.npmrc", True), ("/root/.netrc", True), ("/app/.env", True), ("/app/.env.production", True),
    ("/root/.ssh/id_ed25519", True), ("/root/.ssh", True), ("/app/.pypirc", True), ("/app/.git-credentials", True),
    ("/app/.env.example", False), ("/app/id_rsa.pub", False), ("/app/environment.py", False), ("/app", False),
])
def test_secret_paths(path, secret):
    assert is_secret_path(path) is secret


@pytest.mark.parametrize("name", ["ADMIN_PW", "DB_PW", "SMTP-PW"])
def test_pw_suffix_names(name):
    assert SECRET_RE.search(name)


@pytest.mark.parametrize("name", ["PW_LENGTH_HINT", "PWA_MODE", "NPWORKERS"])
def test_pw_only_as_a_suffix_part(name):
    assert not SECRET_RE.search(name)


@pytest.mark.parametrize("value", [
    "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", "xoxb-123456789012-abcdefghij",
    "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX", "sk_live_abcdefghijklmnop1234",
    "AIzaSyA1234567890abcdefghijklmnopqrstuv", "-----BEGIN OPENSSH PRIVATE KEY-----",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
])
def test_secret_values_by_format(value):
    from msbrewrite.rules.secret_values import secret_value_kind
    assert secret_value_kind(value)


@pytest.mark.parametrize("value", [
    "production", "/usr/local/bin:/usr/bin:/bin", "/app", "Jo Doe", "1", "https://example.com/ghp_docs",
    "0123456789abcdef0123456789abcdef01234567", "sk_test_abcdefghijklmnop1234", "AKIA-not-a-key", "C.UTF-8",
])
def test_ordinary_values_are_not_secrets(value):
    from msbrewrite.rules.secret_values import secret_value_kind
    assert secret_value_kind(value) is None


def test_an_empty_default_of_a_secret_named_variable_stays_in_the_runtime(tmp_path):
    # `ENV TOKEN ""` documents a setting the app reads; there is nothing in it to leak
    result = convert('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENV TOKEN="" API_KEY=\nENV DB_PASSWORD=hunter2\n'
                     'CMD ["python", "app.py"]\n', make_context(tmp_path, {"app.py": "print('hi')\n"}))
    final = runtime_stage(result.text)
    assert 'ENV TOKEN="" API_KEY=' in final and "hunter2" not in final
    assert [w for w in result.warnings if "looks like a secret" in w] == [
        "line 5: ENV DB_PASSWORD looks like a secret; the original image leaked it, the runtime stage does not "
        "carry it (pass it at run time instead)"]


def test_a_dropped_secret_the_app_reads_at_run_time_is_named_with_where_it_reads_it(tmp_path):
    # the image used to carry the build argument's value; now the deployment must pass it
    ctx = make_context(tmp_path, {"package.json": "{}", "src/server.js": "// keys\nconst key = process.env.PRIVATE_API_KEY\n",
                                  # generated declarations name it without reading it
                                  ".svelte-kit/ambient.d.ts": "export const PRIVATE_API_KEY: string;\n"})
    result = convert("FROM node:20\nARG PRIVATE_API_KEY\nENV PRIVATE_API_KEY=${PRIVATE_API_KEY}\nWORKDIR /app\n"
                     "COPY . .\nRUN npm install\nCMD [\"node\", \"src/server.js\"]\n", ctx)
    said = [w for w in result.warnings if "looks like a secret" in w]
    assert len(said) == 1 and said[0].endswith(
        "; the app reads PRIVATE_API_KEY at run time (src/server.js:2): the converted image needs it from "
        "`docker run -e PRIVATE_API_KEY`, compose `environment:` or a secret")
