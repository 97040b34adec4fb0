// Writes the single-page app: its shell, and a folder of pictures whose name is also a client route.
const fs = require("fs");
fs.mkdirSync("dist/albums", { recursive: true });
fs.writeFileSync("dist/index.html",
  "<!doctype html><title>board</title><div id=app></div><script>document.getElementById('app')" +
  ".textContent = location.pathname</script>\n");
fs.writeFileSync("dist/albums/summer.txt", "a picture list\n");
