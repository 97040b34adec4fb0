// The entry file, copied on its own line beside the handlers folder.
const balance = require("./handlers/balance");
require("http").createServer((req, res) => balance(res)).listen(3000);
