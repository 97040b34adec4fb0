module.exports = (res) => res.end(JSON.stringify({ balance: 42 }) + "\n");
