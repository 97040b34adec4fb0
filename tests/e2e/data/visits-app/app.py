"""Visits: a small server on Python's standard library, invented for msb verify's e2e tests. Its
command names the port as a positional ADDR:PORT (`app.py runserver 0.0.0.0:8000`), or nothing
(`app.py`: the port comes from settings.ini), and it EXPOSEs nothing. Each page is rendered
through a scratch file in render/, removed at once, so the only trace of the write in the
original container is the folder itself; a failed write is logged and the page still served."""
import configparser
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head><body>
<h1>Visits</h1><form method="post" action="/notes"><input name="note" value="hello"></form></body></html>"""


def render(page):
    scratch = os.path.join("render", f"page-{os.getpid()}.html")
    try:
        with open(scratch, "w") as fh:
            fh.write(page)
        os.remove(scratch)
    except OSError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    return page.encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            return self.send(200, "text/html; charset=utf-8", render(PAGE))
        if self.path == "/style.css":
            return self.send(200, "text/css", b"h1 { color: teal }\n")
        return self.send(404, "text/plain", b"not here\n")

    def send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def address():
    if len(sys.argv) > 2 and sys.argv[1] == "runserver":
        host, _, port = sys.argv[2].rpartition(":")
        return host or "0.0.0.0", int(port)
    settings = configparser.ConfigParser()
    settings.read("settings.ini")
    return "0.0.0.0", settings.getint("server", "port")


if __name__ == "__main__":
    host, port = address()
    print(f"serving on {host}:{port}", flush=True)
    ThreadingHTTPServer((host, port), Handler).serve_forever()
