"""Answers with the greeting the packaged `shout` program prints: 503 when it cannot run it."""
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer


class Greeter(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            out = subprocess.run(["shout", "world"], capture_output=True, text=True, check=True).stdout
            status, body = 200, out.encode()
        except (OSError, subprocess.CalledProcessError) as exc:
            status, body = 503, f"{exc}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Greeter).serve_forever()
