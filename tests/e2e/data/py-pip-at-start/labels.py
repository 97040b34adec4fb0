"""Answers with the ASCII form of an international domain name."""
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

import idna


class Labels(BaseHTTPRequestHandler):
    def do_GET(self):
        data = json.dumps({"ascii": idna.encode("bücher.example").decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Labels).serve_forever()
