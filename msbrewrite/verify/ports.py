"""Which port `msb verify` probes, and how it knew: EXPOSE, the command's words (flags and positional
`ADDR:PORT` arguments), the PORT variable, or the sockets the app actually listens on. Pure."""
from __future__ import annotations

from msbrewrite.support import lazy_re

# flags whose value is a port or an ADDR:PORT (gunicorn -b, uvicorn --port, flask -p, serve -l, ...)
PORT_FLAGS = ("-b", "--bind", "--port", "-p", "--listen", "-l", "--http", "--addr", "--address", "-S")
# words after which a positional ADDR:PORT or bare port names the listening address
POSITIONAL_AFTER = ("runserver", "runserver_plus", "runsslserver", "http.server", "SimpleHTTPServer", "serve",
                    "preview", "dev")

_HOST = r"(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]*\]|::|\*|localhost|[A-Za-z0-9][\w.-]*)?"
_PORT_VALUE = lazy_re.compile(r"^(?:(?:tcp|https?)://)?(?:" + _HOST + r":)?(\d{2,5})/?$")
# a positional HOST:PORT anywhere in the command (an address, never `module:app`)
_HOST_PORT = lazy_re.compile(r"^(?:(?:tcp|https?)://)?(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]*\]|localhost|\*)?:(\d{2,5})$")


def command_words(config: dict) -> list[str]:
    """The image's entrypoint and command as words (a `sh -c` string holds the command's words too)."""
    words: list[str] = []
    for w in ((config or {}).get("Entrypoint") or []) + ((config or {}).get("Cmd") or []):
        words += str(w).split()
    return [w.strip("'\"") for w in words]


def command_port_hints(config: dict) -> list[tuple[int, str]]:
    """(port, how it was found) from the image's command words and its PORT variable, for servers
    that EXPOSE nothing: `gunicorn -b 0.0.0.0:8000`, `runserver 0.0.0.0:80`, `serve -l 3000`,
    `--server.port=8080`, `php -S 0.0.0.0:8000`."""
    words = command_words(config)
    hints: list[tuple[int, str]] = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        name, eq, value = w.partition("=")
        if not eq:
            name, value = w, nxt
        is_flag = name in PORT_FLAGS or (name.endswith(("server.port", ".port")) and name.startswith(("-D", "--")))
        m = _PORT_VALUE.match(value) if is_flag else None
        if m:
            hints.append((int(m.group(1)), f"command ({name} {value})" if not eq else f"command ({w})"))
            continue
        if w in POSITIONAL_AFTER and nxt and not nxt.startswith("-"):
            m = _PORT_VALUE.match(nxt)
            if m:
                hints.append((int(m.group(1)), f"command ({w} {nxt})"))
                continue
        m = _HOST_PORT.match(w)
        if m and (i == 0 or words[i - 1] not in PORT_FLAGS):
            hints.append((int(m.group(1)), f"command ({w})"))
    for e in (config or {}).get("Env") or []:
        key, _, value = str(e).partition("=")
        if key == "PORT" and value.isdigit():
            hints.append((int(value), f"ENV PORT={value}"))
    seen: dict[int, str] = {}
    for port, how in hints:
        if 0 < port < 65536:
            seen.setdefault(port, how)
    return list(seen.items())


_LOOPBACK = ("127.", "::1", "::ffff:127.")


def listener_ports(sockets, exclude=()) -> list[int]:
    """The TCP ports an app listens on, the ones reachable from outside its container first, then
    by number; `exclude` are the ports already being tried."""
    public: set[int] = set()
    local: set[int] = set()
    for addr, port in sockets:
        (local if str(addr).startswith(_LOOPBACK) else public).add(int(port))
    local -= public
    return [p for p in sorted(public) + sorted(local) if p not in exclude]


def port_found_by(port: int | None, named: dict[int, str], silent=()) -> str:
    """How the probed port was known, for the report; `silent` are named ports that answered nothing."""
    if port is None:
        return ""
    if port in named:
        return named[port]
    if silent:
        return f"listening socket (port {', '.join(map(str, silent))} named by {named.get(silent[0], 'EXPOSE')} " \
               "answered nothing)"
    return "listening socket (nothing named a port)"


def exposed_ports(config: dict) -> list[int]:
    """TCP ports from an image's .Config.ExposedPorts, in a stable order."""
    ports = []
    for key in sorted((config or {}).get("ExposedPorts") or {}):
        number, _, proto = key.partition("/")
        if proto in ("", "tcp") and number.isdigit():
            ports.append(int(number))
    return ports


def command_ports(config: dict) -> list[int]:
    """Ports the image's command names or its PORT variable sets, for servers that EXPOSE nothing:
    `gunicorn -b 0.0.0.0:8000`, `uvicorn --port 8000`, `runserver 0.0.0.0:80`, `--server.port=8080`."""
    return [port for port, _ in command_port_hints(config)]


def named_ports(explicit: int | None, config: dict, server_mode: bool = False) -> dict[int, str]:
    """Ports something names, in the order they are tried, with how each was found: --port, EXPOSE,
    the command's words or PORT; 8080 as a last guess when --mode server was asked for."""
    named: dict[int, str] = {}
    if explicit:
        named[explicit] = "--port"
    for port in exposed_ports(config):
        named.setdefault(port, "EXPOSE")
    for port, how in command_port_hints(config):
        named.setdefault(port, how)
    if not named and server_mode:
        named[8080] = "default (--mode server, nothing named a port)"
    return named


def authoritative(explicit: int | None, config: dict) -> bool:
    """--port or EXPOSE name the port for sure; the command's words and PORT are read, so a port the
    app is seen listening on is tried after them."""
    return bool(explicit or exposed_ports(config))


def candidate_ports(explicit: int | None, exposed: list[int]) -> list[int]:
    ports = ([explicit] if explicit else []) + exposed
    return list(dict.fromkeys(ports))
