const express = require("express");
const { uptime } = require("./lib/uptime");

const app = express();
app.get("/", (req, res) => res.send(`up for ${uptime()}\n`));
app.listen(3000, "0.0.0.0");
