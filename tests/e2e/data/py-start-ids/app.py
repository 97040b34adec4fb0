"""A small shop API that names its records when it starts (as json-server 1.0 gives records
without an id a random one): two starts of the same image never agree on the ids."""
import json
import os
import random
import string
from http.server import BaseHTTPRequestHandler, HTTPServer

RECORDS = [{"id": "".join(random.choices(string.ascii_lowercase, k=10)), "name": name} for name in ("tea", "milk")]
MODE = os.environ.get("SHOP_MODE", "plain")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/records":
            body, ctype = json.dumps(RECORDS), "application/json"
        elif self.path == "/":
            body, ctype = f"<html><body>shop in {MODE} mode, <a href='/records'>records</a></body></html>", "text/html"
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
