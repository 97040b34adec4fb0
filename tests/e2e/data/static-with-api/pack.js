// The "build": the page that lists items it fetches from /api/items.
const fs = require("fs");
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/index.html", "<!doctype html><ul id=items></ul>\n" +
  "<script>fetch('/api/items').then(r => r.json()).then(i => items.textContent = i.join())</script>\n");
