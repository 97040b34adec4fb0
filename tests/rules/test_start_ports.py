"""Ports a start command binds without EXPOSE: read from the CMD/ENTRYPOINT line or the start script."""
from __future__ import annotations

import pytest
from stagefacts import stage_facts

from msbrewrite import convert
from msbrewrite.rules.start_ports import start_ports


@pytest.mark.parametrize("line, ports", [
    ("python manage.py runserver 0.0.0.0:80", [80]),
    ("python manage.py runserver 8000", [8000]),
    ("gunicorn --bind 0.0.0.0:443 app:app", [443]),
    ("gunicorn -b :80 app:app", [80]),
    ("uvicorn main:app --host 0.0.0.0 --port=80", [80]),
    ("gunicorn --bind 0.0.0.0:$PORT app:app", []),      # a variable: unknown here
    ("python app.py", []),
])
def test_ports_read_from_the_start_line(tmp_path, line, ports):
    facts = stage_facts(tmp_path, f"FROM python:3.11-slim\nCMD {line}\n")
    assert start_ports(facts, None) == ports


def test_a_comment_in_the_script_binds_nothing(tmp_path):
    facts = stage_facts(tmp_path, "FROM python:3.11-slim\nCMD [\"sh\", \"start.sh\"]\n")
    assert start_ports(facts, "# was: gunicorn --bind :80 app:app\nexec gunicorn --bind :8000 app:app\n") == [8000]


def _django_started_on(tmp_path, port: int):
    """A Django app whose start script runs the development server on `port`, converted."""
    files = {"start.sh": f"#!/bin/sh\nexec python manage.py runserver 0.0.0.0:{port}\n",
             "manage.py": "import django\n", "requirements.txt": "django\n"}
    for rel, text in files.items():
        (tmp_path / rel).write_text(text)
    df = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
          "CMD [\"sh\", \"start.sh\"]\n")
    return convert(df, tmp_path)


def test_script_binding_a_low_port_keeps_root(tmp_path):
    result = _django_started_on(tmp_path, 80)
    assert "\nUSER " not in result.text
    assert any("binds port 80" in d for d in result.decisions)


def test_script_binding_a_high_port_still_drops_root(tmp_path):
    assert "\nUSER 10001" in _django_started_on(tmp_path, 8000).text


def test_port_variable_counts(tmp_path):
    facts = stage_facts(tmp_path, "FROM node:20-slim\nENV PORT=80\nCMD [\"node\", \"server.js\"]\n")
    assert start_ports(facts, None) == [80]
