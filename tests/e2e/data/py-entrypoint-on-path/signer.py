"""Signs the path it is asked for: proof that the entrypoint ran and the package loads."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from itsdangerous import Signer

SIGNER = Signer("not-a-secret", salt=os.environ["SIGNER_SALT"])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = SIGNER.sign(self.path.encode()) + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
