"""Answers with a quote from the package beside it."""
from http.server import BaseHTTPRequestHandler, HTTPServer

from quotes.pick import pick


class Quote(BaseHTTPRequestHandler):
    def do_GET(self):
        data = pick().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Quote).serve_forever()
