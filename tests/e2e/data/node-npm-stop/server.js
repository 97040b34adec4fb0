// a server that handles SIGTERM only when HANDLE is set, as many apps never do
const http = require("http");

const server = http.createServer((req, res) => res.end("ok\n"));
if (process.env.HANDLE) {
  process.on("SIGTERM", () => {
    console.log("closing");
    server.close(() => process.exit(0));
  });
}
server.listen(8080, () => console.log("ready"));
