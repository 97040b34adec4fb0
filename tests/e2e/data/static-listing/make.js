// The handbook: a front page, a page linked without its extension, and a folder of downloads
// without an index page of its own.
const fs = require("fs");
fs.mkdirSync("dist/downloads", { recursive: true });
fs.writeFileSync("dist/index.html",
  "<!doctype html><h1>Handbook</h1><a href=downloads/>downloads</a> <a href=/onboarding>first day</a>\n");
fs.writeFileSync("dist/onboarding.html", "<!doctype html><h1>First day</h1>\n");
fs.writeFileSync("dist/downloads/checklist.txt", "1. read the handbook\n");
