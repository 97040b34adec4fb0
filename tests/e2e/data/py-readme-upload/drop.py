"""Lists the drop folder, after checking at start that it can write there."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from itsdangerous import Signer

os.makedirs("uploads", exist_ok=True)
with open(os.path.join("uploads", ".ready"), "w") as f:
    f.write(Signer("not-a-secret").sign(b"ready").decode())


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("\n".join(sorted(os.listdir("uploads"))) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
