#!/usr/bin/env node
// A stand-in for Vite's command line, small enough to need no registry: `vite` serves the page
// with the dev client, the sources unbundled and public/ at the root on :5173; `vite build`
// writes dist/ with one hashed script and stylesheet under /assets, as Vite does.
const crypto = require("crypto");
const fs = require("fs");
const http = require("http");
const path = require("path");

const root = process.cwd();
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };
const CLIENT = "// the dev server's client: hot module replacement\nconsole.debug('[vite] connected.');\n";

function read(...parts) {
  return fs.readFileSync(path.join(root, ...parts));
}

function dev() {
  const page = read("index.html").toString()
    .replace("<head>", '<head><script type="module" src="/@vite/client"></script>');
  http.createServer((req, res) => {
    const url = req.url.split("?")[0];
    const send = (status, type, body) => { res.writeHead(status, { "Content-Type": type }); res.end(body); };
    if (url === "/@vite/client") return send(200, "text/javascript", CLIENT);
    const file = url.startsWith("/src/") ? path.join(root, url) : path.join(root, "public", url);
    if (url !== "/" && fs.existsSync(file) && fs.statSync(file).isFile()) {
      return send(200, TYPES[path.extname(file)] || "application/octet-stream", fs.readFileSync(file));
    }
    if (path.extname(url)) return send(404, "text/plain", "not found\n");
    return send(200, "text/html", page);          // the SPA's routes all get the page
  }).listen(5173, "0.0.0.0", () => console.log("  VITE ready: Local: http://localhost:5173/"));
}

function build() {
  const out = path.join(root, "dist");
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, "assets"), { recursive: true });
  const hashed = (name, body) => {
    const ext = path.extname(name);
    const file = `/assets/${path.basename(name, ext)}-${crypto.createHash("sha256").update(body).digest("hex").slice(0, 8)}${ext}`;
    fs.writeFileSync(path.join(out, file), body);
    return file;
  };
  const script = hashed("index.js", read("src", "main.js"));
  const style = hashed("index.css", read("src", "style.css"));
  const page = read("index.html").toString()
    .replace('src="/src/main.js"', `src="${script}"`)
    .replace('href="/src/style.css"', `href="${style}"`);
  fs.writeFileSync(path.join(out, "index.html"), page);
  for (const name of fs.readdirSync(path.join(root, "public"))) {
    fs.copyFileSync(path.join(root, "public", name), path.join(out, name));
  }
  console.log(`built dist/ (${script}, ${style})`);
}

if (process.argv[2] === "build") build(); else dev();
