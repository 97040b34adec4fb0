// a job queue: the install's postinstall hook compiles this into dist/server.js
import { createServer } from "http";

const jobs: string[] = [];

createServer((req, res) => {
  if (req.method === "POST" && req.url === "/jobs") {
    jobs.push(`job-${jobs.length + 1}`);
    res.writeHead(201).end();
  } else if (req.url === "/jobs") {
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(jobs));
  } else {
    res.writeHead(404).end();
  }
}).listen(8080);
