"""The wider secret patterns: *_PASS, *_PWD, MYSQL_PWD, and URLs that carry a password."""
from __future__ import annotations

import pytest

from msbrewrite import convert
from msbrewrite.rules.secret_values import SECRET_RE, has_url_password


def runtime_stage(text: str) -> str:
    return text[text.rindex("\nFROM ") + 1:]


@pytest.mark.parametrize("name", ["DB_PASS", "PASS", "SMTP_PASS", "MYSQL_PWD", "REDIS_PWD", "GPG_PASSPHRASE"])
def test_more_secret_names(name):
    assert SECRET_RE.search(name)


@pytest.mark.parametrize("name", ["PWD", "OLDPWD", "BYPASS_CACHE", "PASSENGER_APP_ENV", "COMPASS_HOME"])
def test_names_that_only_look_alike(name):
    assert not SECRET_RE.search(name)


@pytest.mark.parametrize("value,secret", [
    ("postgres://u:p@h/db", True), ("redis://:hunter2@cache:6379/0", True), ("amqp://guest:guest@mq//", True),
    ("https://example.com/a:b@c", False), ("postgres://db/app", False), ("user@example.com", False),
    ("http://user@host/", False),
])
def test_url_passwords(value, secret):
    assert has_url_password(value) is secret


def test_secret_env_stays_in_the_builder_and_the_rest_is_carried():
    text = ("FROM golang:1.22\n"
            "ENV DATABASE_URL=postgres://u:p@h/db MYSQL_PWD=x DB_PASS=y APP_MODE=prod\n"
            "ENV REDIS_URL=redis://:hunter2@cache:6379/0\n"
            "RUN go build -o /s .\nCMD [\"/s\"]\n")
    result = convert(text)
    assert result.status == "converted", result.reason
    final = runtime_stage(result.text)
    for leaked in ("postgres://", "MYSQL_PWD", "DB_PASS", "hunter2", "REDIS_URL"):
        assert leaked not in final
    assert "APP_MODE=prod" in final
    warned = " ".join(result.warnings)
    assert "DATABASE_URL" in warned and "REDIS_URL" in warned and "MYSQL_PWD" in warned
