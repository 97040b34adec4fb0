"""Answers with a greeting git reads from the system configuration (/etc/gitconfig)."""
import http.server
import subprocess


class Greeter(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        found = subprocess.run(["git", "config", "--system", "shelf.greeting"], capture_output=True, text=True)
        body = (found.stdout or "no greeting configured\n").encode()
        self.send_response(200 if found.returncode == 0 else 500)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("0.0.0.0", 8000), Greeter).serve_forever()
