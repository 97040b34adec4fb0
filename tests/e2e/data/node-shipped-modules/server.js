const http = require('http');
const shout = require('shout');

http.createServer((req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(shout('world') + '\n');
}).listen(3000);
