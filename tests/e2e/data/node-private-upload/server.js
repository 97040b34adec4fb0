// receives files into /upload, a folder only its own user may list
const fs = require("fs");
const http = require("http");

http.createServer((req, res) => {
  const name = `/upload/${Date.now()}.bin`;
  req.pipe(fs.createWriteStream(name)).on("finish", () => res.end("stored\n"));
}).listen(8080);
