// Counts the words of its input file and says how it was started.
const fs = require("fs");
const path = require("path");

const text = fs.readFileSync(path.join(__dirname, "words.txt"), "utf8");
const words = text.split(/\s+/).filter(Boolean).length;
console.log(JSON.stringify({
  words,
  pid: process.pid,
  lifecycle: process.env.npm_lifecycle_event || null,
}));
