// node resolves `ms` from /usr/src/node_modules, where the build moved the dependencies
const http = require("http");
const ms = require("ms");

http.createServer((req, res) => {
  if (req.url === "/") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(`checks every ${ms(90000)}\n`);
  } else {
    res.writeHead(404);
    res.end();
  }
}).listen(3000);
