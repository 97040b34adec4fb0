"""How verify finds the port of a server (EXPOSE, the command's words, PORT, the sockets it listens
on), when "still running" may pass, and when a write the new user cannot do fails the verdict."""
from __future__ import annotations

from msbrewrite.verify.judge import CliRun, judge_cli
from msbrewrite.verify.files import LostWrite, changed_dirs_only, exercised_writes, failed_write_paths
from msbrewrite.verify.logs import listeners
from msbrewrite.verify.ports import authoritative, command_port_hints, listener_ports, named_ports, port_found_by


def hints(*cmd: str, env: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    return command_port_hints({"Cmd": list(cmd), "Env": list(env)})


def test_positional_address_and_port_forms():
    assert hints("python", "manage.py", "runserver", "0.0.0.0:80") == [(80, "command (runserver 0.0.0.0:80)")]
    assert hints("python", "manage.py", "runserver", "8001") == [(8001, "command (runserver 8001)")]
    assert hints("python", "-m", "http.server", "8080") == [(8080, "command (http.server 8080)")]
    assert hints("php", "-S", "0.0.0.0:8000", "-t", "public") == [(8000, "command (-S 0.0.0.0:8000)")]
    assert hints("hypercorn", "app:app", "[::]:5000") == [(5000, "command ([::]:5000)")]
    assert hints("sh", "-c", "exec myserver --config /etc/x.yml localhost:7000") == [(7000, "command (localhost:7000)")]


def test_flag_forms():
    assert hints("serve", "-s", "build", "-l", "3000") == [(3000, "command (-l 3000)")]
    assert hints("serve", "-l", "tcp://0.0.0.0:3000") == [(3000, "command (-l tcp://0.0.0.0:3000)")]
    assert hints("app", "--listen=:9000") == [(9000, "command (--listen=:9000)")]
    assert hints("app", "--address", "0.0.0.0:8081") == [(8081, "command (--address 0.0.0.0:8081)")]
    assert hints("node", "server.js", env=("PORT=4000",)) == [(4000, "ENV PORT=4000")]


def test_words_that_are_not_ports():
    assert hints("uvicorn", "main:app") == []
    assert hints("worker", "--redis", "redis:6379") == []          # another service's address
    assert hints("python", "cli.py", "-l", "debug", "-p", "profile") == []
    assert hints("npm", "run", "dev") == []


def test_named_ports_keep_their_order_and_origin():
    config = {"ExposedPorts": {"8000/tcp": {}}, "Cmd": ["gunicorn", "-b", ":9000"]}
    assert named_ports(None, config) == {8000: "EXPOSE", 9000: "command (-b :9000)"}
    assert named_ports(7000, config) == {7000: "--port", 8000: "EXPOSE", 9000: "command (-b :9000)"}
    assert named_ports(None, {}) == {} and named_ports(None, {}, server_mode=True) == {
        8080: "default (--mode server, nothing named a port)"}
    # the command's words are read, not declared: a listening socket may still be what counts
    assert authoritative(None, config) and not authoritative(None, {"Cmd": ["runserver", "0.0.0.0:80"]})


PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1
   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2
   2: 0100007F:0050 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 3
   0: 00000000000000000000000000000000:1388 00000000000000000000000000000000:0000 0A 0 0 0 1 0 4
"""


def test_port_from_listeners_prefers_what_others_can_reach():
    sockets = listeners(PROC_NET_TCP)
    assert sockets == {("127.0.0.1", 8080), ("0.0.0.0", 80), ("::", 5000)}
    assert listener_ports(sockets) == [80, 5000, 8080]
    assert listener_ports(sockets, exclude=[80]) == [5000, 8080]
    assert listener_ports({("127.0.0.1", 3000), ("0.0.0.0", 3000)}) == [3000]
    assert listener_ports(set()) == []
    assert port_found_by(5000, {80: "EXPOSE"}) == "listening socket (nothing named a port)"
    assert port_found_by(80, {80: "EXPOSE"}) == "EXPOSE" and port_found_by(None, {}) == ""
    # EXPOSE named a port the app never opened: the port it listens on was probed, and the report says why
    assert port_found_by(4173, {3000: "EXPOSE"}, [3000]) == \
        "listening socket (port 3000 named by EXPOSE answered nothing)"


def test_still_running_passes_only_when_nothing_listens():
    quiet = judge_cli(CliRun(None), CliRun(None), 30)
    assert quiet.passed and "listening on no TCP port" in quiet.detail
    served = judge_cli(CliRun(None, listeners=[["0.0.0.0", 8000]]), CliRun(None), 30)
    assert not served.passed and served.inconclusive
    assert "listening on :8000, but not probed as a server" in served.inconclusive


def warn(path: str, kind: str = "dir") -> LostWrite:
    return LostWrite(path, kind, "the original's user could write it", "0:0 755", "0:0 755")


def test_failed_writes_in_the_log_name_their_path():
    lines = ["PermissionError: [Errno 13] Permission denied: '/app/var/visits.txt'",
             "Error: EACCES: permission denied, open 'data/cache.json'",
             "open /srv/out.log: read-only file system",
             "GET / 200", "Permission denied"]
    assert [p for p, _ in failed_write_paths(lines, "/app")] == [
        "/app/var/visits.txt", "/app/data/cache.json", "/srv/out.log"]


def test_a_warning_becomes_a_difference_when_the_run_writes_there():
    warnings = [warn("/app"), warn("/app/var"), warn("/app/static"), warn("/app/tmp")]
    log = ["PermissionError: [Errno 13] Permission denied: '/app/var/visits.txt'"]
    hit, rest = exercised_writes(warnings, "C /app/tmp\n", log, "/app")
    # the deepest path refused the write; /app/tmp kept no file, yet the original wrote there
    assert [(w.path, line.split(":")[0]) for w, line in hit] == [("/app/var", "PermissionError"),
                                                                  ("/app/tmp", "docker diff")]
    assert [w.path for w in rest] == ["/app", "/app/static"]
    assert exercised_writes(warnings, "", ["GET / 200"], "/app") == ([], warnings)


def test_only_folders_changed_with_nothing_listed_below_count():
    diff = "C /app\nA /app/db/x.sqlite\nC /app/db\nC /app/tmp\nC /app/run\nD /app/run/app.pid\n"
    assert changed_dirs_only(diff) == {"/app/tmp"}


def test_forms_that_write_are_reported_as_not_exercised():
    from msbrewrite.verify.crawl import write_forms
    html = ('<form method="post" action="/notes"><input name="note"></form>'
            '<form method=POST><input type=hidden name="csrfmiddlewaretoken" value="x"></form>'
            '<form action="/search"><input name="q"></form>'
            '<form method="post" action="https://elsewhere.example/x"></form>')
    assert write_forms("/page", html) == [("/notes", False), ("/page", True)]
    # an empty action posts to the page itself (it stopped verify with an AttributeError)
    assert write_forms("/upload", '<form action="" method="post" enctype="multipart/form-data">'
                                  '<input type=file name=f></form>') == [("/upload", False)]
    assert write_forms("/upload", "<form method=post action=''></form>") == [("/upload", False)]
