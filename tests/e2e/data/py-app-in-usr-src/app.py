"""A health board kept in /usr/src, the folder the python image leaves for sources."""
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "pages"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        page = PAGES / (self.path.strip("/") or "index") if self.path.count("/") == 1 else None
        if page is None or not page.with_suffix(".html").is_file():
            self.send_error(404)
            return
        body = page.with_suffix(".html").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", 8081), Handler).serve_forever()
