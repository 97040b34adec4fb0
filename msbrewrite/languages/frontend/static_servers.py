"""The static file servers an original CMD may run (serve, http-server, sirv, vite preview,
gatsby/docusaurus serve): the folder each one serves, the port it listens on, and whether it
answers a missing path with index.html (an SPA fallback).
"""
from __future__ import annotations

import re

from msbrewrite.model.shell import option_value

STATIC_SERVERS = ("serve", "http-server", "sirv", "sirv-cli", "static-server", "lite-server")
_SERVE_VALUE_FLAGS = {"-l", "--listen", "-p", "--port", "-c", "--config", "-a", "--address", "-t", "-P",
                      "--proxy", "-e", "--ext", "-C", "--cert", "-K", "--key", "--host", "-H"}


def port_arg(argv: list[str], *names: str) -> int | None:
    value = option_value(argv, *names)
    if value:
        m = re.search(r"(\d+)$", value)
        if m:
            return int(m.group(1))
    return None


# static servers that send the app shell for a missing path only when asked (`serve -s`, sirv
# --single, http-server's proxy fallback `-P`); lite-server and vite preview always do
_FALLBACK_FLAGS = {"serve": ("-s", "--single"), "sirv": ("-s", "--single"), "http-server": ("-P", "--proxy"),
                   "static-server": ()}


def has_spa_fallback(server: str, argv: list[str]) -> bool:
    """Whether the original's static server answered a missing path with index.html."""
    flags = _FALLBACK_FLAGS.get(server)
    if flags is None:
        return True
    return any(w in flags or w.split("=", 1)[0] in flags for w in argv[1:])


def lists_directories(server: str, argv: list[str]) -> bool:
    """Whether the server answers a folder without index.html with a listing of its files:
    http-server (unless `-d false`) and serve do by default."""
    if server == "http-server":
        return option_value(argv, "-d") not in ("false", "False", "0")
    return server == "serve"


def served_dir(argv: list[str]) -> tuple[str | None, int | None, str] | None:
    """(directory, port, server) when argv runs a static file server."""
    prog = argv[0] if argv else ""
    if prog in STATIC_SERVERS:
        positional = []
        skip = False
        for w in argv[1:]:
            if skip:
                skip = False
                continue
            if w.startswith("-"):
                skip = w in _SERVE_VALUE_FLAGS
                continue
            positional.append(w)
        server = "sirv" if prog.startswith("sirv") else prog
        port = port_arg(argv, "-l", "--listen", "-p", "--port")
        # http-server serves ./public when it exists, else the working directory
        return (positional[0] if positional else None), port, server
    if prog in ("gatsby", "docusaurus") and len(argv) > 1 and argv[1] == "serve":
        # serves the framework's own output folder (public/, build/)
        return option_value(argv, "--dir"), port_arg(argv, "--port", "-p"), prog
    if prog == "vite" and len(argv) > 1 and argv[1] == "preview":
        return option_value(argv, "--outDir"), port_arg(argv, "--port"), "vite-preview"
    return None
