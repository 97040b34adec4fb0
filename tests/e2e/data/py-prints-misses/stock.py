"""A stock lookup that prints each miss to stdout, as many small services do with print()."""
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

STOCK = {"apples": 12, "pears": 0}


class Stock(BaseHTTPRequestHandler):
    def do_GET(self):
        item = self.path.strip("/") or "apples"
        if item not in STOCK:
            print("item", item, "does not exist")
        body = json.dumps({"item": item, "count": STOCK.get(item)}).encode()
        self.send_response(200 if item in STOCK else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8000), Stock).serve_forever()
