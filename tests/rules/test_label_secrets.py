"""A LABEL is public metadata: one whose name or value looks like a secret follows the ENV rule
(stays in the builder, not in the runtime image, with a warning); the other labels are carried."""
from __future__ import annotations

from msbrewrite import convert

BASE = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/api .\n{labels}CMD [\"/bin/api\"]\n"


def _convert(labels: str):
    result = convert(BASE.format(labels=labels), None)
    assert result.status == "converted", result.reason
    builder, runtime = result.text.split("\nFROM ", 1)[0], result.text.split("\nFROM ")[-1]
    return result, builder, runtime


def test_a_label_named_like_a_secret_stays_in_the_builder_only():
    result, builder, runtime = _convert('LABEL com.example.api-key="k-1234"\n')
    assert 'LABEL com.example.api-key="k-1234"' in builder
    assert "api-key" not in runtime
    assert any("LABEL com.example.api-key looks like a secret" in w for w in result.warnings)
    fate = next(f for f in result.fates if f.instruction.startswith("LABEL"))
    assert fate.fate == "kept"


def test_a_token_value_is_found_whatever_the_label_is_called():
    token = "ghp_" + "a1B2c3D4e5" * 4
    result, _, runtime = _convert(f"LABEL build.note={token} org.opencontainers.image.title=api\n")
    assert token not in runtime
    assert "LABEL org.opencontainers.image.title=api" in runtime
    assert any("build.note (its value looks like a GitHub token)" in w for w in result.warnings)


def test_a_url_with_a_password_in_a_label_is_left_out():
    result, _, runtime = _convert("LABEL sentry.dsn=https://app:hunter2@sentry.example/4\n")
    assert "hunter2" not in runtime
    assert any("sentry.dsn" in w for w in result.warnings)


def test_ordinary_labels_are_carried_as_written():
    labels = ('LABEL org.opencontainers.image.authors="ops@example.com" \\\n'
              '      org.opencontainers.image.source="https://example.com/api" maintainer="ops"\n')
    result, _, runtime = _convert(labels)
    assert labels.rstrip("\n") in runtime
    assert not any("LABEL" in w for w in result.warnings)
