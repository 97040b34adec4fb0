"""Quotes: a small server on Python's standard library, invented for msb verify's e2e tests. It
reads its bind address from config.ini (none: 127.0.0.1), logs to logs/app.log, keeps a SQLite
database in db/, serves quotes from data/quotes.json and its assets from static/, and keeps what
is POSTed to /upload in uploads/."""
import configparser
import json
import os
import sqlite3
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html><html><head><link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js"></script></head><body><h1>Quotes</h1>
<a href="/api/quote">a quote</a></body></html>"""


def log(line):
    print(line, flush=True)
    try:
        with open("logs/app.log", "a") as fh:
            fh.write(line + "\n")
    except OSError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            return self.send(200, "text/html; charset=utf-8", PAGE.encode())
        if self.path == "/api/quote":
            try:
                with open("data/quotes.json") as fh:
                    quote = json.load(fh)[0]
            except OSError as exc:
                log(f"quote: {exc}")
                return self.send(500, "text/plain", b"no quotes\n")
            return self.send(200, "application/json", json.dumps(quote).encode())
        if self.path.startswith("/static/"):
            name = os.path.join("static", os.path.basename(self.path))
            if os.path.isfile(name):
                kind = "text/css" if name.endswith(".css") else "text/javascript"
                with open(name, "rb") as fh:
                    return self.send(200, kind, fh.read())
        return self.send(404, "text/plain", b"not here\n")

    def do_POST(self):
        # a note posted by a user is kept as a file: never exercised by verify's GET probes
        if self.path != "/upload":
            return self.send(404, "text/plain", b"not here\n")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        name = os.path.join("uploads", f"{len(os.listdir('uploads'))}.txt")
        with open(name, "wb") as fh:
            fh.write(body)
        return self.send(201, "text/plain", name.encode())

    def send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        log("request " + fmt % args)


def main():
    config = configparser.ConfigParser()
    config.read("config.ini")
    host = config.get("server", "host", fallback="127.0.0.1")
    try:
        db = sqlite3.connect("db/quotes.sqlite")
        db.execute("create table if not exists starts (at text)")
        db.execute("insert into starts values (datetime('now'))")
        db.commit()
    except sqlite3.Error as exc:
        print(f"database: {exc}", file=sys.stderr, flush=True)
    server = ThreadingHTTPServer((host, 8000), Handler)
    log(f"quotes listening on {host}:8000")
    server.serve_forever()


if __name__ == "__main__":
    main()
