"""Counts its visits in data/visits.txt: 500 when it cannot write there."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Tally(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            with open(os.path.join("data", "visits.txt"), "a") as f:
                f.write("visit\n")
            status, body = 200, b"counted\n"
        except OSError as exc:
            status, body = 500, f"{exc}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Tally).serve_forever()
