// The backend the static server passes every path it has no file for to.
require("http")
  .createServer((req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify(req.url === "/api/items" ? ["lamp", "kettle"] : { missing: req.url }) + "\n");
  })
  .listen(9000, "127.0.0.1");
