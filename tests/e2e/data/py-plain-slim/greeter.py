"""Greets a host name in its ASCII (IDNA) form: one dependency, nothing from setuptools."""
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

import idna


class Greeter(BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.strip("/") or "bücher.example"
        body = json.dumps({"hello": idna.encode(name).decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Greeter).serve_forever()
