"""Log lines `msb verify` must not hold against a conversion, each next to the real difference that
must still be caught: a static server logging a request it answered "not found" where the original
answered alike (nginx logs its 404s, a dev server does not), and colour codes around a message."""
from __future__ import annotations

from msbrewrite.verify import oracle as verify_oracle
from msbrewrite.verify.crawl import Fetch
from msbrewrite.verify.logs import new_lines
from msbrewrite.verify.probe import ServerRun

NGINX_404 = ('2026/12/07 00:12:46 [error] 11#11: *4 open() "/usr/share/nginx/html/{file}" failed (2: No such file '
             'or directory), client: 127.0.0.1, server: _, request: "GET /{file} HTTP/1.1", host: "127.0.0.1:7100"')
NGINX_DIR = ('2026/12/07 00:12:46 [error] 11#11: *5 "/usr/share/nginx/html/docs/index.html" is not found (2: No such '
             'file or directory), client: 127.0.0.1, server: _, request: "GET /docs/ HTTP/1.1", host: "127.0.0.1:80"')
HTTP_SERVER_404 = '[2026-12-07T00:12:46.120Z]  "GET /favicon.ico" Error (404): "Not found"'


def _runs(before_fetches, after_fetches, before_cmd=(None, []), after_cmd=(None, [])):
    before = ServerRun(port=7100, fetches=before_fetches, command_rc=before_cmd[0], command_output=before_cmd[1])
    after = ServerRun(port=7100, fetches=after_fetches, command_rc=after_cmd[0], command_output=after_cmd[1])
    return before, after


def _log_whats(before, after, logs):
    alike = verify_oracle.answered_alike(before, after)
    return [d.evidence[0] for d in verify_oracle.log_diffs(["ready"], ["ready", *logs], answered_alike=alike)]


def test_a_not_found_request_answered_alike_is_no_log_difference():
    before, after = _runs({"/index.css": Fetch(404), "/docs/": Fetch(404), "/favicon.ico": Fetch(404)},
                          {"/index.css": Fetch(404, "text/html"), "/docs/": Fetch(404), "/favicon.ico": Fetch(404)})
    assert _log_whats(before, after, [NGINX_404.format(file="index.css"), NGINX_DIR, HTTP_SERVER_404]) == []


def test_a_request_only_the_smoke_command_made_counts_by_its_result():
    # seen on a real app: --smoke-cmd asked for /index.css, both images answered 404 and it said so
    same = (1, ["asset /index.css: 404", "assets checked: 2"])
    before, after = _runs({"/": Fetch(302)}, {"/": Fetch(302)}, same, same)
    assert _log_whats(before, after, [NGINX_404.format(file="index.css")]) == []


def test_a_not_found_request_the_original_answered_is_still_a_difference():
    line = NGINX_404.format(file="app.js")
    before, after = _runs({"/app.js": Fetch(200)}, {"/app.js": Fetch(404)})
    assert _log_whats(before, after, [line]) == [line]
    # not probed, and --smoke-cmd saw something else in the converted image
    before, after = _runs({}, {}, (0, ["assets checked: 2"]), (1, ["asset /app.js: 404", "assets checked: 2"]))
    assert _log_whats(before, after, [line]) == [line]
    # no --smoke-cmd at all: nothing compared that request
    before, after = _runs({}, {})
    assert _log_whats(before, after, [line]) == [line]


def test_other_missing_files_in_a_log_still_differ():
    before, after = _runs({"/": Fetch(200)}, {"/": Fetch(200)})
    line = '2026/12/07 00:12:46 [emerg] 1#1: open() "/etc/nginx/conf.d/app.conf" failed (2: No such file or directory)'
    assert _log_whats(before, after, [line]) == [line]


def test_colour_codes_do_not_make_a_line_new():
    original = ["\x1b[33mwarn\x1b[39m: ENOENT: no such file or directory, open '/app/config.local.json'"]
    converted = ["warn: ENOENT: no such file or directory, open '/app/config.local.json'",
                 "\x1b[31merror\x1b[39m: ENOENT: no such file or directory, open '/app/data/items.json'"]
    assert new_lines(original, converted) == [converted[1]]


def test_a_crash_both_images_print_differs_only_by_addresses():
    # seen on a real Go app that dereferences a failed request's nil response: both images crash
    # alike, but the rebuilt binary puts the faulting instruction elsewhere
    original = ["panic: runtime error: invalid memory address or nil pointer dereference",
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x48 pc=0x62c0a8]",
                "\t/app/main.go:30 +0x1c5"]
    converted = ["panic: runtime error: invalid memory address or nil pointer dereference",
                 "[signal SIGSEGV: segmentation violation code=0x1 addr=0x48 pc=0x6393e8]",
                 "\t/app/main.go:30 +0x9b"]
    assert new_lines(original, converted) == []
    # a crash the original never had is still new
    assert new_lines(original[:1], converted) == converted[1:]


# ---------------------------------------------------------------- Python's output buffer


def test_the_original_runs_unbuffered_when_the_converted_python_runtime_is():
    """A Django view that print()s "does not exist": the converted runtime (PYTHONUNBUFFERED=1)
    logged it, the original's buffer never reached the log before the server was stopped, and the
    line read as a `file missing` signature only the converted image showed."""
    from msbrewrite.verify.env import unbuffered_original
    original = {"Env": ["PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8"]}
    converted = {"Env": ["VIRTUAL_ENV=/opt/venv", "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"]}
    assert unbuffered_original(original, converted, []) == ["-e", "PYTHONUNBUFFERED=1"]
    # the original already unbuffered, the converted image buffered, or the user's own choice: nothing
    assert unbuffered_original({"Env": ["PYTHONUNBUFFERED=1"]}, converted, []) == []
    assert unbuffered_original(original, {"Env": ["PATH=/usr/bin"]}, []) == []
    assert unbuffered_original(original, converted, ["-e=PYTHONUNBUFFERED=0"]) == []
    assert unbuffered_original({}, {}, []) == []


def test_the_same_import_error_from_the_virtualenv_is_no_new_line():
    # the original imported from the system's packages, the conversion from its virtualenv: an
    # unpinned dependency that broke both is the same error, not one the conversion made
    original = ["ImportError: cannot import name 'Pagination' from 'flask_sqlalchemy' "
                "(/usr/local/lib/python3.11/site-packages/flask_sqlalchemy/__init__.py)"]
    converted = ["ImportError: cannot import name 'Pagination' from 'flask_sqlalchemy' "
                 "(/opt/venv/lib/python3.11/site-packages/flask_sqlalchemy/__init__.py)"]
    assert new_lines(original, converted) == []
    other = ["ImportError: cannot import name 'Page' from 'flask_sqlalchemy' "
             "(/opt/venv/lib/python3.11/site-packages/flask_sqlalchemy/__init__.py)"]
    assert new_lines(original, other) == other
