// `dayjs` was added while debugging and left under devDependencies
const dayjs = require("dayjs");
const started = dayjs();
exports.uptime = () => `${dayjs().diff(started, "second")}s since ${started.format("HH:mm:ss")}`;
