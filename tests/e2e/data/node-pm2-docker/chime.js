// Answers every request with the process manager it runs under.
require("http")
  .createServer((req, res) => res.end(JSON.stringify({ chime: true, managed: "pm_id" in process.env }) + "\n"))
  .listen(3000);
