"""Answers with the version of the git it would read changelogs with: 503 when it cannot run git."""
import json
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer


class Changelog(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            out = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True).stdout
            status, body = 200, {"git": out.split()[-1]}
        except (OSError, subprocess.CalledProcessError) as exc:
            status, body = 503, {"error": str(exc)}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Changelog).serve_forever()
