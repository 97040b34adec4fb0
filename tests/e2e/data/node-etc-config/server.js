// Reads its settings and a helper from the paths the Dockerfile copied them to.
const fs = require("fs");
const cfg = JSON.parse(fs.readFileSync("/etc/tideline/tideline.json", "utf8"));
const format = require("/usr/local/lib/tideline/format.js");
require("http").createServer((req, res) => res.end(format(cfg, 4.2))).listen(3000);
