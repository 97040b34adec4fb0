"""Reports the versions of its dependencies through pkg_resources, as older services still do."""
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

import pkg_resources


class Versions(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"idna": pkg_resources.get_distribution("idna").version}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Versions).serve_forever()
