// a server that handles SIGTERM only when HANDLE is set, as many apps never do; with REENTER it
// listens the way a CLI wrapper's exit hook does (signal-exit): when its listener is the only one
// left, it removes itself and sends the signal again to die by it
const http = require("http");

const server = http.createServer((req, res) => res.end("ok\n"));
if (process.env.HANDLE) {
  process.on("SIGTERM", () => {
    console.log("closing");
    server.close(() => process.exit(0));
  });
}
if (process.env.REENTER) {
  const hook = () => {
    if (process.listeners("SIGTERM").length === 1) {
      process.removeListener("SIGTERM", hook);
      process.kill(process.pid, "SIGTERM");
    }
  };
  process.on("SIGTERM", hook);
}
server.listen(8080, () => console.log("ready"));
