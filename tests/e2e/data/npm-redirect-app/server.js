// An app started by `npm start` whose home page redirects. In development its redirects carry a
// small HTML page; in production (NODE_ENV, set by the converted image) headers only.
const http = require('http');

const production = process.env.NODE_ENV === 'production';
const home = process.env.HOME_PATH || '/home';

http.createServer((req, res) => {
  if (req.url === '/') {
    if (production) {
      res.writeHead(302, { Location: home });
      return res.end();
    }
    res.writeHead(302, { Location: home, 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(`<p>Redirecting to <a href="${home}">${home}</a></p>`);
  }
  if (req.url === '/home' || req.url === '/start') {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    return res.end('<h1>Home</h1>');
  }
  res.writeHead(404);
  res.end();
}).listen(3000, '0.0.0.0', () => console.log('listening on port 3000'));
