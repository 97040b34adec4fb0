// copies the pages into public/ with the build date in the footer
const fs = require("fs");
fs.mkdirSync("public", { recursive: true });
for (const name of fs.readdirSync("pages")) {
  const text = fs.readFileSync(`pages/${name}`, "utf8").replace("{{built}}", "2024-05-01");
  fs.writeFileSync(`public/${name}`, text);
}
