"""A note board that keeps its notes in a folder beside where it was started."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

if not os.path.exists('notes'):
    os.makedirs('notes')
with open(os.path.join('notes', 'boot.txt'), 'w') as f:
    f.write('started\n')


class Board(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ('\n'.join(sorted(os.listdir('notes'))) + '\n').encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(('0.0.0.0', 8000), Board).serve_forever()
