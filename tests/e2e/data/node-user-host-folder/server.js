// keeps each POSTed note as a file in /inbox (the README mounts a host folder there)
const fs = require("fs");
const http = require("http");

http.createServer((req, res) => {
  if (req.method === "POST") {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      fs.writeFile(`/inbox/note-${Date.now()}.txt`, body, (err) => {
        res.writeHead(err ? 500 : 201).end(err ? err.code : "kept");
      });
    });
  } else {
    res.writeHead(200, { "Content-Type": "text/plain" }).end(`${fs.readdirSync("/inbox").length} notes\n`);
  }
}).listen(8080);
